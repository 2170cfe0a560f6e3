# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql.functions import CharLength
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin,
    Index,
    ModelSQL,
    ModelView,
    Unique,
    Workflow,
    fields,
)
from trytond.modules.party.exceptions import EraseError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from ptce_company.model import RecNameSearchMixin

from .exceptions import (
    MandatoryCategoryWarning,
    ScicError,
    ScicValidationError,
)

AMOUNT_NAMES = (
    'amount_subscribed', 'amount_called', 'amount_paid', 'amount_to_refund')


class Category(DeactivableMixin, ModelSQL, ModelView):
    "SCIC Category of Associates"
    __name__ = 'scic.category'
    __string__ = "SCIC Category of Associates"

    name = fields.Char("Name", required=True)
    code = fields.Char("Code")
    mandatory = fields.Boolean(
        "Mandatory",
        help="The law requires at least one associate of this category "
        "(employees and beneficiaries): an exit that would leave it empty "
        "must be confirmed.")
    public_body = fields.Boolean(
        "Public Body",
        help="Local authorities, their groupings and public establishments: "
        "together they may hold at most 50 % of the capital.")
    min_shares = fields.Integer(
        "Minimum Shares", required=True,
        domain=[('min_shares', '>=', 1)],
        help="Number of shares an associate of this category must hold "
        "at least, as set by the statutes.")
    description = fields.Text("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_mandatory(cls):
        return False

    @classmethod
    def default_public_body(cls):
        return False

    @classmethod
    def default_min_shares(cls):
        return 1


class College(DeactivableMixin, ModelSQL, ModelView):
    "SCIC Voting College"
    __name__ = 'scic.college'
    __string__ = "SCIC Voting College"

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True)
    sequence = fields.Integer("Sequence")
    weight = fields.Numeric(
        "Weight (%)", digits=(5, 2), required=True,
        help="Share of the votes of the general assembly given to this "
        "college, in percent (between 10 and 50; the weights add up to "
        "100).")
    categories = fields.Many2Many(
        'scic.college-scic.category', 'college', 'category', "Categories",
        help="Categories of associates usually placed in this college.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('sequence', 'ASC NULLS LAST'), ('name', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def validate_fields(cls, colleges, field_names):
        super().validate_fields(colleges, field_names)
        if field_names & {'weight', 'active', 'company'}:
            cls.check_weights({c.company for c in colleges})

    @classmethod
    def check_weights(cls, companies):
        """Loi 1947 art. 19 octies: at least 3 colleges each weighing
        between 10 % and 50 %, weights adding up to 100 %."""
        for company in companies:
            if not company.scic_colleges_used:
                continue
            colleges = cls.search([('company', '=', company.id)])
            cls._check_weights(company, colleges)

    @classmethod
    def _check_weights(cls, company, colleges):
        for college in colleges:
            if not (Decimal(10) <= college.weight <= Decimal(50)):
                raise ScicValidationError(gettext(
                        'scic_members.msg_college_weight_range',
                        college=college.rec_name,
                        weight=college.weight))
        if len(colleges) < 3:
            raise ScicValidationError(gettext(
                    'scic_members.msg_college_minimum',
                    company=company.rec_name, count=len(colleges)))
        total = sum(c.weight for c in colleges)
        if total != 100:
            raise ScicValidationError(gettext(
                    'scic_members.msg_college_weight_total',
                    company=company.rec_name, total=total))


class CollegeCategory(ModelSQL):
    "SCIC College - Category"
    __name__ = 'scic.college-scic.category'
    __string__ = "SCIC College - Category"
    college = fields.Many2One(
        'scic.college', "College", required=True, ondelete='CASCADE')
    category = fields.Many2One(
        'scic.category', "Category", required=True, ondelete='CASCADE')


class Member(RecNameSearchMixin, Workflow, ModelSQL, ModelView):
    "SCIC Associate"
    __name__ = 'scic.member'
    __string__ = "SCIC Associate"
    _rec_name_fields = ['number', 'party.rec_name']
    _rec_name = 'number'

    _states = {'readonly': Eval('state').in_(
            ['resigned', 'excluded', 'deceased'])}

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={'readonly': Eval('state') != 'candidate'})
    number = fields.Char(
        "Number", readonly=True,
        help="Associate number, given at admission and never reused.")
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'candidate'},
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The person or the organisation that is the associate "
        "(an organisation is one associate).")
    kind = fields.Selection([
            ('person', "Person"),
            ('organisation', "Organisation"),
            ], "Kind", required=True, states=_states,
        help="A natural person or an organisation (legal person); an "
        "organisation is one associate with one vote.")
    birth_date = fields.Date(
        "Birth Date", states={
            'readonly': _states['readonly'],
            'invisible': Eval('kind') != 'person',
            },
        help="Of a person: tells apart two associates of the same name "
        "(the import of a register relies on it).")
    category = fields.Many2One(
        'scic.category', "Category", required=True, states=_states)
    college = fields.Many2One(
        'scic.college', "College", states={
            'readonly': _states['readonly'],
            'required': (Bool(Eval('colleges_used'))
                & (Eval('state') == 'admitted')),
            'invisible': ~Eval('colleges_used'),
            },
        domain=[('company', '=', Eval('company', -1))])
    colleges_used = fields.Function(
        fields.Boolean("Colleges Used"), 'on_change_with_colleges_used')
    application_date = fields.Date("Application Date", states=_states)
    admission_date = fields.Date(
        "Admission Date", states={
            'readonly': Eval('state') != 'candidate',
            'required': Eval('state') != 'candidate',
            })
    admission_body = fields.Selection([
            (None, ""),
            ('board', "Board"),
            ('assembly', "General Assembly"),
            ], "Admission By", states={
            'readonly': Eval('state') != 'candidate',
            'required': Eval('state') != 'candidate',
            },
        help="The body that decided the admission, as the statutes say.")
    exit_date = fields.Date(
        "Exit Date", states={
            'readonly': Eval('state') != 'admitted',
            'required': Eval('state').in_(
                ['resigned', 'excluded', 'deceased']),
            })
    exit_reason = fields.Text(
        "Exit Reason", states={
            'readonly': Eval('state') != 'admitted',
            })
    state = fields.Selection([
            ('candidate', "Candidate"),
            ('admitted', "Admitted"),
            ('resigned', "Resigned"),
            ('excluded', "Excluded"),
            ('deceased', "Deceased"),
            ], "State", readonly=True, required=True, sort=False)
    movements = fields.One2Many(
        'scic.share.movement', 'member', "Movements", readonly=True)
    shares = fields.Function(fields.Integer(
            "Shares", help="Number of shares held (at the date of the "
            "context, today by default)."), 'get_holdings')
    amount_subscribed = fields.Function(fields.Numeric(
            "Subscribed", digits=(16, 2)), 'get_holdings')
    amount_called = fields.Function(fields.Numeric(
            "Called", digits=(16, 2)), 'get_holdings')
    amount_paid = fields.Function(fields.Numeric(
            "Paid", digits=(16, 2)), 'get_holdings')
    amount_uncalled = fields.Function(fields.Numeric(
            "Uncalled", digits=(16, 2)), 'get_holdings')
    amount_to_refund = fields.Function(fields.Numeric(
            "To Refund", digits=(16, 2),
            help="Redeemed capital not yet refunded."), 'get_holdings')
    call_deadline = fields.Function(fields.Date(
            "Call Deadline",
            help="Date by which the uncalled capital must be called "
            "(subscription date + statutory delay)."), 'get_call_deadline')
    call_overdue = fields.Function(fields.Boolean(
            "Call Overdue"), 'get_call_deadline',
        searcher='search_call_overdue')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('party_company_unique', Unique(t, t.company, t.party),
                'scic_members.msg_member_party_unique'),
            ('number_company_unique', Unique(t, t.company, t.number),
                'scic_members.msg_member_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality())),
                })
        cls._order = [('number', 'ASC NULLS LAST'), ('id', 'ASC')]
        cls._transitions |= {
            ('candidate', 'admitted'),
            ('admitted', 'resigned'),
            ('admitted', 'excluded'),
            ('admitted', 'deceased'),
            }
        cls._buttons.update({
                'admit': {
                    'invisible': Eval('state') != 'candidate',
                    'depends': ['state'],
                    },
                'resign': {
                    'invisible': Eval('state') != 'admitted',
                    'depends': ['state'],
                    },
                'exclude': {
                    'invisible': Eval('state') != 'admitted',
                    'depends': ['state'],
                    },
                'decease': {
                    'invisible': Eval('state') != 'admitted',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'candidate'

    @classmethod
    def default_kind(cls):
        return 'person'

    @classmethod
    def default_admission_body(cls):
        return 'board'

    @classmethod
    def default_application_date(cls):
        return datetime.date.today()

    @fields.depends('company')
    def on_change_with_colleges_used(self, name=None):
        return bool(self.company and self.company.scic_colleges_used)

    def get_rec_name(self, name):
        if self.number:
            return f'{self.number} - {self.party.rec_name}'
        return self.party.rec_name

    @classmethod
    def order_number(cls, tables):
        """Numbers are texts from a sequence without padding: ordered by
        length then text, so that 2 comes before 10 (as numbers), on SQLite
        and PostgreSQL alike and without a cast failing on a number that is
        not made of digits (registers taken over may have such)."""
        table, _ = tables[None]
        return [CharLength(table.number), table.number]

    @classmethod
    def get_holdings(cls, members, names):
        "Holdings at the context date (today by default)"
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        date = Transaction().context.get('date')
        balances = Movement.balances([m.id for m in members], date=date)
        result = {n: {} for n in names}
        for member in members:
            b = balances.get(member.id, Movement.empty_balance())
            values = {
                'shares': b['shares'],
                'amount_subscribed': b['subscribed'],
                'amount_called': b['called'],
                'amount_paid': b['paid'],
                'amount_uncalled': b['subscribed'] - b['called'],
                'amount_to_refund': b['refund'],
                }
            for name in names:
                result[name][member.id] = values[name]
        return result

    @classmethod
    def get_call_deadline(cls, members, names):
        """The deadline of the oldest subscription whose amount is not
        entirely called yet (calls cover the oldest subscriptions first,
        loi 1947 art. 12: called within 5 years)."""
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        today = Transaction().context.get('date') or datetime.date.today()
        deadlines = Movement.call_deadlines([m.id for m in members])
        result = {n: {} for n in names}
        for member in members:
            deadline = deadlines.get(member.id)
            if 'call_deadline' in names:
                result['call_deadline'][member.id] = deadline
            if 'call_overdue' in names:
                result['call_overdue'][member.id] = bool(
                    deadline and deadline < today)
        return result

    @classmethod
    def search_call_overdue(cls, name, clause):
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        today = Transaction().context.get('date') or datetime.date.today()
        overdue = [
            m for m, d in Movement.call_deadlines(None).items()
            if d and d < today]
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('id', 'in', overdue)]
        return [('id', 'not in', overdue)]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state').in_(
                        ['resigned', 'excluded', 'deceased']), 'muted', '')),
            ]

    @classmethod
    def copy(cls, members, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('movements', None)
        default.setdefault('admission_date', None)
        default.setdefault('exit_date', None)
        return super().copy(members, default=default)

    @classmethod
    def check_modification(cls, mode, members, values=None, external=False):
        super().check_modification(
            mode, members, values=values, external=external)
        if mode == 'delete':
            for member in members:
                if member.state != 'candidate' or member.number:
                    raise ScicError(gettext(
                            'scic_members.msg_member_delete_admitted',
                            member=member.rec_name))

    @classmethod
    def set_number(cls, members):
        "Give the next number of the company sequence to unnumbered members"
        to_write = []
        for company, c_members in cls._group_by_company(members):
            c_members = [m for m in c_members if not m.number]
            if not c_members:
                continue
            sequence = company.scic_get_member_sequence()
            numbers = sequence.get_many(len(c_members))
            for member, number in zip(c_members, numbers):
                to_write.extend([[member], {'number': number}])
        if to_write:
            cls.write(*to_write)

    @staticmethod
    def _group_by_company(records):
        groups = {}
        for record in records:
            groups.setdefault(record.company, []).append(record)
        return groups.items()

    @classmethod
    @ModelView.button
    @Workflow.transition('admitted')
    def admit(cls, members):
        today = datetime.date.today()
        for member in members:
            if member.company.scic_colleges_used and not member.college:
                raise ScicError(gettext(
                        'scic_members.msg_member_college_required',
                        member=member.rec_name))
        cls.write([m for m in members if not m.admission_date], {
                'admission_date': today,
                })
        cls.set_number(members)

    @classmethod
    def _exit(cls, members):
        today = datetime.date.today()
        cls.check_mandatory_categories(members)
        cls.write([m for m in members if not m.exit_date], {
                'exit_date': today,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('resigned')
    def resign(cls, members):
        cls._exit(members)

    @classmethod
    @ModelView.button
    @Workflow.transition('excluded')
    def exclude(cls, members):
        cls._exit(members)

    @classmethod
    @ModelView.button
    @Workflow.transition('deceased')
    def decease(cls, members):
        cls._exit(members)

    @classmethod
    def check_mandatory_categories(cls, members):
        """Loi 1947 art. 19 septies: the SCIC keeps associates of its
        mandatory categories (employees or producers, beneficiaries).
        An exit that would leave one empty must be confirmed."""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        leaving = {m.id for m in members}
        for company, c_members in cls._group_by_company(members):
            categories = {m.category for m in c_members
                if m.category.mandatory}
            for category in categories:
                remaining = cls.search([
                        ('company', '=', company.id),
                        ('category', '=', category.id),
                        ('state', '=', 'admitted'),
                        ('id', 'not in', list(leaving)),
                        ], limit=1, order=[])
                if not remaining:
                    key = Warning.format(
                        'scic_mandatory_category',
                        [m for m in c_members if m.category == category])
                    if Warning.check(key):
                        raise MandatoryCategoryWarning(key, gettext(
                                'scic_members.msg_mandatory_category_empty',
                                category=category.rec_name))

    @classmethod
    def admitted_at(cls, company, date):
        """Domain of the associates admitted at `date` (admitted on or
        before it, not gone before it): the convocation list."""
        return [
            ('company', '=', company.id),
            ('state', '!=', 'candidate'),
            ('admission_date', '<=', date),
            ['OR',
                ('exit_date', '=', None),
                ('exit_date', '>', date),
                ],
            ]

    @classmethod
    def get_holdings_data(cls, party, date=None, company=None):
        """Holdings of `party` for a portal or an attestation: a dict with
        the associate's number, category, college, state and figures at
        `date`, or None when the party is not an associate."""
        company = company or Transaction().context.get('company')
        members = cls.search([
                ('party', '=', int(party)),
                ('company', '=', int(company)),
                ], limit=1)
        if not members:
            return None
        with Transaction().set_context(date=date):
            member, = cls.browse(members)
            return {
                'number': member.number,
                'name': member.party.rec_name,
                'state': member.state,
                'category': member.category.rec_name,
                'college': member.college.rec_name if member.college
                else None,
                'admission_date': member.admission_date,
                'exit_date': member.exit_date,
                'date': date or datetime.date.today(),
                'shares': member.shares,
                'amount_subscribed': member.amount_subscribed,
                'amount_called': member.amount_called,
                'amount_paid': member.amount_paid,
                'amount_to_refund': member.amount_to_refund,
                }


def add_years(date, years):
    return date + relativedelta(years=years)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    scic_members = fields.One2Many(
        'scic.member', 'party', "SCIC Associates", readonly=True)


class PartyReplace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('scic.member', 'party'),
            ]


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def check_erase_company(self, party, company):
        pool = Pool()
        Member = pool.get('scic.member')
        super().check_erase_company(party, company)
        members = Member.search([
                ('party', '=', party.id),
                ('company', '=', company.id),
                ])
        with Transaction().set_context(date=None):
            members = Member.browse(members)
            if any(m.shares or m.amount_to_refund for m in members):
                raise EraseError(gettext(
                        'scic_members.msg_erase_party_associate',
                        party=party.rec_name, company=company.rec_name))

