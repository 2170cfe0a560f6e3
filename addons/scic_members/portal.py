# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The associate's pages of the member portal: "Mes parts sociales" (the
holdings, the movements, the attestation) and the redemption request,
which creates a draft movement for the board; "Assemblées" (the general
assemblies the associate is convened to, their convocation list, the
documents the board shares with the associates and the minutes once the
assembly is closed, with the associate's own attendance and votes)."""
import datetime
import mimetypes
from pathlib import Path

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.protocols.wrappers import redirect

from ptce_company.portal import PortalInviteMixin

TEMPLATES = Path(__file__).parent / 'portal'


class Member(PortalInviteMixin, metaclass=PoolMeta):
    __name__ = 'scic.member'

    @property
    def portal_party(self):
        return self.party


class Attachment(metaclass=PoolMeta):
    __name__ = 'ir.attachment'

    # The documents of an assembly are the board's working files unless
    # it says they are for the associates
    portal_visible = fields.Boolean("Shown on the Portal",
        help="Offer this document to the convened associates on the "
        "member portal (general assemblies).")

    @classmethod
    def default_portal_visible(cls):
        return False


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    @classmethod
    def portal_pages(cls):
        return super().portal_pages() + [
            ('shares', "Mes parts sociales", TEMPLATES),
            ('assemblies', "Assemblées", TEMPLATES)]

    def portal_member(self):
        "The associate of the user's party in the portal's company"
        pool = Pool()
        Member = pool.get('scic.member')
        members = Member.search([
                ('party', '=', self.party.id),
                ('company', '=', self.portal_company().id),
                ], limit=1)
        return members[0] if members else None

    def portal_shares(self, request):
        pool = Pool()
        Member = pool.get('scic.member')
        Movement = pool.get('scic.share.movement')
        member = self.portal_member()
        error = notice = None
        if member and request.method == 'POST':
            error = self._portal_request_redemption(member, request.form)
            if not error:
                return redirect(request.base_url + '?requested=1')
        if request.args.get('requested'):
            notice = ("Votre demande de remboursement est enregistrée : "
                "le conseil d'administration l'examinera.")
        holdings = movements = None
        if member:
            holdings = Member.get_holdings_data(
                self.party, datetime.date.today(), member.company)
            movements = Movement.search([
                    ('member', '=', member.id),
                    ('state', '!=', 'cancelled'),
                    ], order=[('date', 'DESC'), ('id', 'DESC')])
        return 'shares.html', {
            'member': member,
            'holdings': holdings,
            'movements': movements,
            'kinds': dict(Movement.fields_get(['kind'])['kind']['selection']),
            'states': dict(
                Movement.fields_get(['state'])['state']['selection']),
            'error': error,
            'notice': notice,
            }

    def _portal_request_redemption(self, member, form):
        """Create the redemption request as a draft movement that the board
        confirms or refuses; return the French error of a refused form."""
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        try:
            shares = int(form.get('shares', ''))
        except ValueError:
            shares = 0
        if shares <= 0:
            return gettext('scic_members.msg_portal_shares_number')
        if member.state != 'admitted':
            return gettext('scic_members.msg_portal_not_admitted')
        held = member.shares or 0
        if shares > held:
            return gettext('scic_members.msg_shares_exceed_held',
                member=member.rec_name, shares=shares, held=held)
        Movement.save([Movement(member=member, kind='redemption_request',
                    date=datetime.date.today(), shares=shares,
                    description=(form.get('reason') or '')[:200] or None)])
        return None

    def portal_assembly_attendees(self):
        """The convocations of the user's party: one attendee row per
        assembly it is convened to (the assembly's convocation list)"""
        pool = Pool()
        Attendee = pool.get('scic.assembly.attendee')
        member = self.portal_member()
        if not member:
            return []
        return Attendee.search([
                ('member', '=', member.id),
                ('assembly.state', 'in', ['convened', 'held', 'closed']),
                ], order=[('assembly.date', 'DESC'), ('id', 'DESC')])

    def portal_assembly_attachments(self, assembly):
        "The documents of the assembly the board shares with the associates"
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        return Attachment.search([
                ('resource', '=', str(assembly)),
                ('portal_visible', '=', True),
                ('type', '=', 'data'),
                ], order=[('name', 'ASC'), ('id', 'ASC')])

    def portal_assemblies(self, request):
        pool = Pool()
        Ballot = pool.get('scic.assembly.ballot')
        attendees = self.portal_assembly_attendees()
        ballots = Ballot.search([
                ('attendee', 'in', [a.id for a in attendees]),
                ]) if attendees else []
        votes = {(b.attendee.id, b.resolution.id): b.vote for b in ballots}
        return 'assemblies.html', {
            'member': self.portal_member(),
            'attendees': attendees,
            'attachments': {a.id: self.portal_assembly_attachments(a.assembly)
                for a in attendees},
            'votes': votes,
            'states': {
                'convened': "Convoquée",
                'held': "Tenue",
                'closed': "Close (procès-verbal disponible)",
                },
            'attendances': {
                'absent': "Absent",
                'present': "Présent",
                'represented': "Représenté",
                },
            'vote_labels': {
                'yes': "Pour", 'no': "Contre", 'abstain': "Abstention"},
            'outcomes': {
                'pending': "En attente",
                'adopted': "Adoptée",
                'rejected': "Rejetée",
                },
            }

    def _portal_assembly_document(self, kind, record_id):
        """The convocation list or the minutes (closed assemblies) of an
        assembly the user's party is convened to, or an attachment of it
        shown on the portal: None for anything else."""
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        attendees = self.portal_assembly_attendees()
        if kind == 'assembly_file':
            attachments = Attachment.search([
                    ('id', '=', record_id),
                    ('portal_visible', '=', True),
                    ('type', '=', 'data'),
                    ])
            if not attachments:
                return None
            attachment, = attachments
            if attachment.resource not in {a.assembly for a in attendees}:
                return None
            return (attachment.name, attachment.data,
                mimetypes.guess_type(attachment.name)[0]
                or 'application/octet-stream')
        assemblies = [a.assembly for a in attendees
            if a.assembly.id == record_id]
        if not assemblies:
            return None
        assembly, = assemblies
        if kind == 'minutes' and assembly.state != 'closed':
            return None
        report_name, title = {
            'convocation': (
                'scic.assembly.convocation_list', "Liste des convoqués"),
            'minutes': ('scic.assembly.minutes', "Procès-verbal"),
            }[kind]
        Report = pool.get(report_name, type='report')
        extension, content, _, _ = Report.execute([assembly.id], {})
        return (f'{title} - {assembly.name}.{extension}', content,
            'application/pdf' if extension == 'pdf'
            else 'application/octet-stream')

    def portal_document(self, kind, record_id):
        pool = Pool()
        Attestation = pool.get('scic.attestation', type='report')
        if kind in {'convocation', 'minutes', 'assembly_file'}:
            return self._portal_assembly_document(kind, record_id)
        if kind == 'attestation':
            member = self.portal_member()
            if not member or member.id != record_id:
                return None
            extension, content, _, name = Attestation.execute([member.id], {
                    'company': member.company.id,
                    'date': datetime.date.today(),
                    })
            return (f'{name}.{extension}', content,
                'application/pdf' if extension == 'pdf'
                else 'application/octet-stream')
        return super().portal_document(kind, record_id)

