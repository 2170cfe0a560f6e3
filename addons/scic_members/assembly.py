# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from collections import defaultdict
from decimal import Decimal

from sql import Literal
from sql.aggregate import Count
from sql.functions import CurrentTimestamp
from trytond.i18n import gettext
from trytond.model import (
    Index,
    ModelSQL,
    ModelView,
    Unique,
    Workflow,
    fields,
    sequence_ordered,
)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import AssemblyError

VOTES = [
    ('yes', "Yes"),
    ('no', "No"),
    ('abstain', "Abstain"),
    ]


def weighted_result(votes, count_abstentions=False, renormalise=True):
    """Loi 1947 art. 19 octies with colleges: result = Σ weight_c ×
    (yes_c / expressed_c), expressed = yes + no (+ abstain when the
    statutes count abstentions). A college where nothing was expressed is
    left out and the other weights renormalised (when `renormalise`).

    `votes` is a list of (weight or None, yes, no, abstain); without
    colleges pass one line with weight None. Returns a Decimal ratio in
    [0, 1] or None when no vote was expressed at all."""
    total_weight = Decimal(0)
    result = Decimal(0)
    expressed_any = False
    for weight, yes, no, abstain in votes:
        weight = Decimal(100) if weight is None else Decimal(weight)
        expressed = yes + no + (abstain if count_abstentions else 0)
        if not expressed:
            if not renormalise:
                total_weight += weight
            continue
        expressed_any = True
        total_weight += weight
        result += weight * Decimal(yes) / Decimal(expressed)
    if not expressed_any or not total_weight:
        return None
    return (result / total_weight).quantize(Decimal('0.0001'))


class Assembly(Workflow, ModelSQL, ModelView):
    "SCIC General Assembly"
    __name__ = 'scic.assembly'
    __string__ = "SCIC General Assembly"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    name = fields.Char("Name", required=True)
    kind = fields.Selection([
            ('ordinary', "Ordinary"),
            ('extraordinary', "Extraordinary"),
            ], "Kind", required=True, states=_states)
    kind_string = kind.translated('kind')
    date = fields.Date("Date", required=True, states={
            'readonly': Eval('state').in_(['held', 'closed'])})
    location = fields.Char("Location")
    convocation_date = fields.Date(
        "Convocation Date", required=True, states=_states,
        help="The associates admitted at this date are convened.")
    second_convocation = fields.Boolean(
        "Second Convocation", states=_states,
        help="Held on second convocation: no quorum for an ordinary "
        "assembly, the ordinary quorum for an extraordinary one "
        "(common statutes' rule).")
    attendees = fields.One2Many(
        'scic.assembly.attendee', 'assembly', "Attendees",
        states={'readonly': Eval('state') != 'convened'},
        help="The convocation list, with attendance and proxies.")
    resolutions = fields.One2Many(
        'scic.assembly.resolution', 'assembly', "Resolutions",
        states={'readonly': Eval('state') == 'closed'})
    convened = fields.Function(
        fields.Integer("Convened"), 'get_attendance')
    present = fields.Function(fields.Integer("Present"), 'get_attendance')
    represented = fields.Function(
        fields.Integer("Represented"), 'get_attendance')
    quorum = fields.Function(fields.Numeric(
            "Quorum Required", digits=(6, 4),
            help="Ratio of convened associates who must be present or "
            "represented."), 'get_quorum')
    quorum_reached = fields.Function(
        fields.Boolean("Quorum Reached"), 'get_quorum')
    state = fields.Selection([
            ('draft', "Draft"),
            ('convened', "Convened"),
            ('held', "Held"),
            ('closed', "Closed"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'convened'),
            ('convened', 'draft'),
            ('convened', 'held'),
            ('held', 'closed'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'convened',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'convene': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'hold': {
                    'invisible': Eval('state') != 'convened',
                    'depends': ['state'],
                    },
                'mark_all_present': {
                    'invisible': Eval('state') != 'convened',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'held',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'ordinary'

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_second_convocation(cls):
        return False

    @classmethod
    def default_convocation_date(cls):
        return datetime.date.today()

    @classmethod
    def get_attendance(cls, assemblies, names):
        "Counts of the convocation list with one grouped query"
        pool = Pool()
        Attendee = pool.get('scic.assembly.attendee')
        attendee = Attendee.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {a.id: 0 for a in assemblies} for n in names}
        for sub_ids in grouped_slice([a.id for a in assemblies]):
            cursor.execute(*attendee.select(
                    attendee.assembly, attendee.attendance, Count(Literal(1)),
                    where=reduce_ids(attendee.assembly, sub_ids),
                    group_by=[attendee.assembly, attendee.attendance]))
            for assembly_id, attendance, count in cursor:
                if 'convened' in names:
                    result['convened'][assembly_id] += count
                if attendance in names:
                    result[attendance][assembly_id] = count
        return result

    def get_quorum(self, name):
        company = self.company
        if self.second_convocation:
            quorum = (Decimal(0) if self.kind == 'ordinary'
                else company.scic_value('scic_quorum_ordinary'))
        else:
            quorum = company.scic_value(f'scic_quorum_{self.kind}')
        if name == 'quorum':
            return quorum
        if not self.convened:
            return False
        return (Decimal(self.present + self.represented)
            >= quorum * self.convened)

    @property
    def majority(self):
        return self.company.scic_value(f'scic_majority_{self.kind}')

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, assemblies):
        pool = Pool()
        Attendee = pool.get('scic.assembly.attendee')
        Attendee.delete(Attendee.search([
                    ('assembly', 'in', [a.id for a in assemblies])]))

    @classmethod
    @ModelView.button
    @Workflow.transition('convened')
    def convene(cls, assemblies):
        """Build the convocation list: the associates admitted at the
        convocation date, one row each (one associate, one vote)."""
        pool = Pool()
        Member = pool.get('scic.member')
        Attendee = pool.get('scic.assembly.attendee')
        attendee = Attendee.__table__()
        member = Member.__table__()
        cursor = Transaction().connection.cursor()
        user = Transaction().user
        for assembly in assemblies:
            query = Member.search(Member.admitted_at(
                    assembly.company, assembly.convocation_date),
                order=[], query=True)
            cursor.execute(*attendee.insert(
                    [attendee.assembly, attendee.member, attendee.college,
                        attendee.attendance, attendee.create_uid,
                        attendee.create_date],
                    member.select(
                        Literal(assembly.id), member.id, member.college,
                        Literal('absent'), Literal(user), CurrentTimestamp(),
                        where=member.id.in_(query))))

    @classmethod
    @ModelView.button
    def mark_all_present(cls, assemblies):
        """Mark present every convened associate still marked absent: one
        click for the usual assembly, then the few absent or represented
        associates are set by hand. The proxies already entered are kept
        (a represented associate is not present). Attendance changes only
        while the assembly is convened."""
        pool = Pool()
        Attendee = pool.get('scic.assembly.attendee')
        for assembly in assemblies:
            if assembly.state != 'convened':
                raise AssemblyError(gettext(
                        'scic_members.msg_assembly_attendance_not_convened',
                        assembly=assembly.rec_name))
        attendees = Attendee.search([
                ('assembly', 'in', [a.id for a in assemblies]),
                ('attendance', '=', 'absent'),
                ], order=[])
        if attendees:
            Attendee.write(attendees, {'attendance': 'present'})

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def hold(cls, assemblies):
        for assembly in assemblies:
            if not assembly.quorum_reached:
                raise AssemblyError(gettext(
                        'scic_members.msg_assembly_quorum',
                        assembly=assembly.rec_name,
                        present=assembly.present + assembly.represented,
                        convened=assembly.convened,
                        quorum=round(assembly.quorum * 100, 2)))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, assemblies):
        for assembly in assemblies:
            for resolution in assembly.resolutions:
                if resolution.result_state == 'pending':
                    raise AssemblyError(gettext(
                            'scic_members.msg_assembly_resolution_pending',
                            resolution=resolution.rec_name))


class Attendee(ModelSQL, ModelView):
    "SCIC General Assembly Attendee"
    __name__ = 'scic.assembly.attendee'
    __string__ = "SCIC General Assembly Attendee"

    assembly = fields.Many2One(
        'scic.assembly', "Assembly", required=True, ondelete='CASCADE')
    member = fields.Many2One(
        'scic.member', "Associate", required=True, readonly=True,
        ondelete='RESTRICT')
    college = fields.Many2One(
        'scic.college', "College", readonly=True,
        help="The college of the associate at the convocation date.")
    attendance = fields.Selection([
            ('absent', "Absent"),
            ('present', "Present"),
            ('represented', "Represented"),
            ], "Attendance", required=True)
    attendance_string = attendance.translated('attendance')
    proxy_holder = fields.Many2One(
        'scic.assembly.attendee', "Proxy Holder",
        domain=[
            ('assembly', '=', Eval('assembly', -1)),
            ('attendance', '=', 'present'),
            ('id', '!=', Eval('id', -1)),
            ],
        states={
            'required': Eval('attendance') == 'represented',
            'invisible': Eval('attendance') != 'represented',
            },
        help="The present associate who holds the proxy.")
    signature = fields.Char("Signature", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('assembly')
        t = cls.__table__()
        cls._sql_constraints += [
            ('member_unique', Unique(t, t.assembly, t.member),
                'scic_members.msg_attendee_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.assembly, Index.Range()),
                    (t.attendance, Index.Equality())),
                })
        cls._order = [('member.number', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_attendance(cls):
        return 'absent'

    def get_rec_name(self, name):
        return self.member.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('member.rec_name', *clause[1:])]

    @classmethod
    def validate(cls, attendees):
        super().validate(attendees)
        cls.check_proxies({a.assembly for a in attendees})

    @classmethod
    def check_proxies(cls, assemblies):
        "Proxies go to present associates, each holding at most the limit"
        for assembly in assemblies:
            limit = assembly.company.scic_value('scic_proxy_limit')
            held = defaultdict(int)
            attendees = cls.search([
                    ('assembly', '=', assembly.id),
                    ('attendance', '=', 'represented'),
                    ])
            for attendee in attendees:
                holder = attendee.proxy_holder
                if (not holder or holder.attendance != 'present'
                        or holder.assembly != assembly):
                    raise AssemblyError(gettext(
                            'scic_members.msg_attendee_proxy_holder',
                            attendee=attendee.rec_name))
                held[holder] += 1
                if held[holder] > limit:
                    raise AssemblyError(gettext(
                            'scic_members.msg_attendee_proxy_limit',
                            holder=holder.rec_name, limit=limit))


class Resolution(sequence_ordered(), ModelSQL, ModelView):
    "SCIC General Assembly Resolution"
    __name__ = 'scic.assembly.resolution'
    __string__ = "SCIC General Assembly Resolution"

    assembly = fields.Many2One(
        'scic.assembly', "Assembly", required=True, ondelete='CASCADE')
    title = fields.Char("Title", required=True)
    text = fields.Text("Text")
    votes = fields.One2Many(
        'scic.assembly.vote', 'resolution', "Votes",
        help="Votes counted per college (yes, no, abstain).")
    ballots = fields.One2Many(
        'scic.assembly.ballot', 'resolution', "Ballots",
        help="Individual votes, when counted one by one: the tally fills "
        "the votes per college from them.")
    result = fields.Function(fields.Numeric(
            "Result", digits=(6, 4),
            help="Weighted share of yes votes (by college when colleges "
            "are used)."), 'get_result')
    result_state = fields.Function(fields.Selection([
                ('pending', "Pending"),
                ('adopted', "Adopted"),
                ('rejected', "Rejected"),
                ], "Outcome"), 'get_result')
    result_state_string = result_state.translated('result_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('assembly')
        cls._buttons.update({
                'prepare_votes': {
                    'invisible': Eval('_parent_assembly', {}).get(
                        'state', 'held') == 'closed',
                    },
                'tally': {
                    'invisible': Eval('_parent_assembly', {}).get(
                        'state', 'held') == 'closed',
                    },
                })

    def get_rec_name(self, name):
        return self.title

    def get_result(self, name):
        company = self.assembly.company
        votes = [(
                v.college.weight if v.college else None,
                v.yes, v.no, v.abstain) for v in self.votes]
        result = weighted_result(
            votes, company.scic_count_abstentions,
            company.scic_renormalise)
        if name == 'result':
            return result
        if result is None:
            return 'pending'
        majority = self.assembly.majority
        if self.assembly.kind == 'ordinary':
            adopted = result > majority
        else:
            adopted = result >= majority
        return 'adopted' if adopted else 'rejected'

    @classmethod
    @ModelView.button
    def prepare_votes(cls, resolutions):
        "Create one line of votes per college (one line without colleges)"
        pool = Pool()
        Vote = pool.get('scic.assembly.vote')
        College = pool.get('scic.college')
        to_create = []
        for resolution in resolutions:
            company = resolution.assembly.company
            existing = {v.college for v in resolution.votes}
            if company.scic_colleges_used:
                colleges = College.search([('company', '=', company.id)])
            else:
                colleges = [None]
            for college in colleges:
                if college not in existing:
                    to_create.append({
                            'resolution': resolution.id,
                            'college': college.id if college else None,
                            })
        Vote.create(to_create)

    @classmethod
    @ModelView.button
    def tally(cls, resolutions):
        """Count the ballots of present and represented associates per
        college with one grouped query and store them as the votes."""
        pool = Pool()
        Vote = pool.get('scic.assembly.vote')
        Ballot = pool.get('scic.assembly.ballot')
        Attendee = pool.get('scic.assembly.attendee')
        ballot = Ballot.__table__()
        attendee = Attendee.__table__()
        cursor = Transaction().connection.cursor()
        Vote.delete(Vote.search([
                    ('resolution', 'in', [r.id for r in resolutions])]))
        to_create = []
        for resolution in resolutions:
            colleges_used = resolution.assembly.company.scic_colleges_used
            cursor.execute(*ballot.join(attendee,
                    condition=ballot.attendee == attendee.id
                    ).select(
                    attendee.college, ballot.vote, Count(Literal(1)),
                    where=(ballot.resolution == resolution.id)
                    & (attendee.assembly == resolution.assembly.id)
                    & attendee.attendance.in_(['present', 'represented']),
                    group_by=[attendee.college, ballot.vote]))
            counts = defaultdict(lambda: {'yes': 0, 'no': 0, 'abstain': 0})
            for college, vote, count in cursor:
                counts[college if colleges_used else None][vote] += count
            for college, values in counts.items():
                to_create.append({
                        'resolution': resolution.id,
                        'college': college,
                        **values,
                        })
        Vote.create(to_create)
        cls.prepare_votes(resolutions)


class Vote(ModelSQL, ModelView):
    "SCIC General Assembly Vote per College"
    __name__ = 'scic.assembly.vote'
    __string__ = "SCIC General Assembly Vote per College"

    resolution = fields.Many2One(
        'scic.assembly.resolution', "Resolution", required=True,
        ondelete='CASCADE')
    college = fields.Many2One('scic.college', "College", readonly=True)
    weight = fields.Function(fields.Numeric(
            "Weight (%)", digits=(5, 2)), 'on_change_with_weight')
    yes = fields.Integer("Yes", required=True, domain=[('yes', '>=', 0)])
    no = fields.Integer("No", required=True, domain=[('no', '>=', 0)])
    abstain = fields.Integer(
        "Abstain", required=True, domain=[('abstain', '>=', 0)])
    ratio = fields.Function(fields.Numeric(
            "Yes Ratio", digits=(6, 4)), 'on_change_with_ratio')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('resolution')
        t = cls.__table__()
        cls._sql_constraints += [
            ('college_unique', Unique(t, t.resolution, t.college),
                'scic_members.msg_vote_college_unique'),
            ]

    @classmethod
    def default_yes(cls):
        return 0

    @classmethod
    def default_no(cls):
        return 0

    @classmethod
    def default_abstain(cls):
        return 0

    @fields.depends('college')
    def on_change_with_weight(self, name=None):
        return self.college.weight if self.college else None

    @fields.depends('yes', 'no')
    def on_change_with_ratio(self, name=None):
        expressed = (self.yes or 0) + (self.no or 0)
        if expressed:
            return (Decimal(self.yes or 0) / expressed).quantize(
                Decimal('0.0001'))

    @classmethod
    def validate(cls, votes):
        "One associate, one vote: no more votes than voters in the college"
        pool = Pool()
        Attendee = pool.get('scic.assembly.attendee')
        super().validate(votes)
        for vote in votes:
            assembly = vote.resolution.assembly
            domain = [
                ('assembly', '=', assembly.id),
                ('attendance', 'in', ['present', 'represented']),
                ]
            if vote.college:
                domain.append(('college', '=', vote.college.id))
            voters = Attendee.search_count(domain)
            if vote.yes + vote.no + vote.abstain > voters:
                raise AssemblyError(gettext(
                        'scic_members.msg_vote_exceeds_voters',
                        resolution=vote.resolution.rec_name,
                        college=vote.college.rec_name if vote.college
                        else '-', voters=voters))


class Ballot(ModelSQL, ModelView):
    "SCIC General Assembly Ballot"
    __name__ = 'scic.assembly.ballot'
    __string__ = "SCIC General Assembly Ballot"

    resolution = fields.Many2One(
        'scic.assembly.resolution', "Resolution", required=True,
        ondelete='CASCADE')
    attendee = fields.Many2One(
        'scic.assembly.attendee', "Voter", required=True, ondelete='CASCADE',
        help="Only the ballots of present or represented associates of the "
        "assembly are counted.")
    vote = fields.Selection(VOTES, "Vote", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('resolution')
        t = cls.__table__()
        cls._sql_constraints += [
            ('attendee_unique', Unique(t, t.resolution, t.attendee),
                'scic_members.msg_ballot_unique'),
            ]


