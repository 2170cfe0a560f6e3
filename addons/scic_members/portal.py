# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The associate's page of the member portal: "Mes parts sociales" (the
holdings, the movements, the attestation) and the redemption request,
which creates a draft movement for the board."""
import datetime
from pathlib import Path

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.protocols.wrappers import redirect

from ptce_company.portal import PortalInviteMixin

TEMPLATES = Path(__file__).parent / 'portal'


class Member(PortalInviteMixin, metaclass=PoolMeta):
    __name__ = 'scic.member'

    @property
    def portal_party(self):
        return self.party


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    @classmethod
    def portal_pages(cls):
        return super().portal_pages() + [
            ('shares', "Mes parts sociales", TEMPLATES)]

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

    def portal_document(self, kind, record_id):
        pool = Pool()
        Attestation = pool.get('scic.attestation', type='report')
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

