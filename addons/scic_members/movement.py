# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql.aggregate import Max, Sum
from sql.operators import Neg
from trytond.i18n import gettext
from trytond.model import Index, Model, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from ptce_company.model import RecNameSearchMixin

from .exceptions import DirectDebitError, MovementAccessError, MovementError

KINDS = [
    ('subscription', "Subscription"),
    ('call', "Call"),
    ('payment', "Payment"),
    ('transfer', "Transfer"),
    ('redemption_request', "Redemption Request"),
    ('redemption', "Redemption"),
    ('refund', "Refund Payment"),
    ('cancellation', "Cancellation"),
    ]
# Kinds counted in number of shares, and kinds counted in money.
SHARE_KINDS = {
    'subscription', 'transfer', 'redemption_request', 'redemption',
    'cancellation'}
MONEY_KINDS = {'call', 'payment', 'refund'}
# Kinds that change the capital or how it is spread among associates.
CAPITAL_KINDS = {'subscription', 'transfer', 'redemption', 'cancellation'}
DELTAS = ('shares', 'subscribed', 'called', 'paid', 'refund')
# Kinds that call capital: collected by SEPA direct debit.
DEBIT_KINDS = {'subscription', 'call'}


class Movement(RecNameSearchMixin, Workflow, ModelSQL, ModelView):
    "SCIC Share Movement"
    __name__ = 'scic.share.movement'
    __string__ = "SCIC Share Movement"
    _rec_name_fields = ['number', 'member.rec_name']
    _rec_name = 'number'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    number = fields.Char(
        "Number", readonly=True,
        help="Number in the register of movements (strict sequence, "
        "given at confirmation).")
    date = fields.Date("Date", required=True, states=_states)
    kind = fields.Selection(
        KINDS, "Kind", required=True, states=_states, sort=False)
    kind_string = kind.translated('kind')
    member = fields.Many2One(
        'scic.member', "Associate", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="The associate concerned; for a transfer, the one who gives "
        "the shares.")
    to_member = fields.Many2One(
        'scic.member', "To Associate", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'required': Eval('kind') == 'transfer',
            'invisible': Eval('kind') != 'transfer',
            },
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('member', -1)),
            ],
        help="The associate who receives the shares.")
    shares = fields.Integer(
        "Shares", states={
            'readonly': _states['readonly'],
            'required': Eval('kind').in_(list(SHARE_KINDS)),
            'invisible': ~Eval('kind').in_(list(SHARE_KINDS)),
            },
        domain=[If(Eval('kind').in_(list(SHARE_KINDS)),
                ('shares', '>', 0), ())])
    unit_value = fields.Numeric(
        "Nominal Value", digits=(16, 2), readonly=True,
        help="The nominal value of one share when the movement was "
        "confirmed.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), states={
            'readonly': (_states['readonly']
                | ~Eval('kind').in_(list(MONEY_KINDS))),
            'required': Eval('kind').in_(list(MONEY_KINDS)),
            },
        help="Amount of money: called, paid or refunded; for share "
        "movements it is computed from the nominal value.")
    amount_called = fields.Numeric(
        "Called at Subscription", digits=(16, 2), states={
            'readonly': _states['readonly'],
            'invisible': Eval('kind') != 'subscription',
            },
        help="Part of the subscription called at once (at least the "
        "amount paid; empty means the amount paid).")
    amount_paid = fields.Numeric(
        "Paid at Subscription", digits=(16, 2), states={
            'readonly': _states['readonly'],
            'invisible': Eval('kind') != 'subscription',
            'required': Eval('kind') == 'subscription',
            },
        help="At least a quarter of the nominal value of the shares "
        "subscribed (loi 1947 art. 12).")
    reduction_ratio = fields.Numeric(
        "Reduction Ratio", digits=(6, 4), states={
            'readonly': _states['readonly'],
            'invisible': Eval('kind') != 'redemption',
            },
        domain=[If(Eval('kind') == 'redemption',
                [('reduction_ratio', '>=', 0), ('reduction_ratio', '<', 1)],
                ())],
        help="When losses brought equity below capital, the general "
        "assembly decides the ratio by which the refund is reduced "
        "(0 = refunded at nominal value; no revaluation in a SCIC).")
    due_date = fields.Date(
        "Refund Due Date", readonly=True,
        states={'invisible': Eval('kind') != 'redemption'},
        help="Exit date (or redemption date) + statutory refund delay.")
    call_deadline = fields.Date(
        "Call Deadline", readonly=True,
        states={'invisible': Eval('kind') != 'subscription'},
        help="Date by which the rest of the subscription must be called.")
    opening = fields.Boolean(
        "Opening", states=_states,
        help="Movement taken over from a previous register: its accounting "
        "is already in the opening balance, no entry is generated.")
    description = fields.Char("Description", states=_states)
    move = fields.Many2One(
        'account.move', "Account Move", readonly=True, ondelete='RESTRICT')
    state = fields.Selection([
            ('draft', "Draft"),
            ('confirmed', "Confirmed"),
            ], "State", readonly=True, required=True, sort=False)
    # What the movement does to the register, fixed at confirmation: the
    # member side; for a transfer the to_member side is the opposite.
    shares_delta = fields.Integer("Shares Change", readonly=True)
    subscribed_delta = fields.Numeric(
        "Subscribed Change", digits=(16, 2), readonly=True)
    called_delta = fields.Numeric(
        "Called Change", digits=(16, 2), readonly=True)
    paid_delta = fields.Numeric("Paid Change", digits=(16, 2), readonly=True)
    refund_delta = fields.Numeric(
        "To Refund Change", digits=(16, 2), readonly=True)
    capital_after = fields.Numeric(
        "Capital After", digits=(16, 2), readonly=True,
        help="Capital of the company once this movement was confirmed.")
    direct_debits = fields.One2Many(
        'account.payment', 'origin', "Direct Debits", readonly=True,
        states={'invisible': ~Eval('kind').in_(list(DEBIT_KINDS))},
        help="SEPA direct debits collecting what this movement called.")

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.member, Index.Range())),
                Index(t, (t.to_member, Index.Range()),
                    where=t.to_member != None),  # noqa: E711
                })
        cls._order = [
            ('date', 'DESC'), ('number', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'confirmed')}
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'direct_debit': {
                    'invisible': ((Eval('state') != 'confirmed')
                        | ~Eval('kind').in_(list(DEBIT_KINDS))
                        | Eval('opening', False)),
                    'depends': ['state', 'kind', 'opening'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return datetime.date.today()

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_opening(cls):
        return False

    @classmethod
    def default_reduction_ratio(cls):
        return Decimal(0)

    def get_rec_name(self, name):
        kind = dict(self.__class__.fields_get(['kind'])['kind']['selection'])
        return f'{self.number or "/"} {kind[self.kind]} {self.member.rec_name}'


    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'draft', 'muted', '')),
            ]

    @classmethod
    def check_modification(
            cls, mode, movements, values=None, external=False):
        """The register is immutable once confirmed: corrections are new
        counter-movements (no write, no delete)."""
        super().check_modification(
            mode, movements, values=values, external=external)
        if mode in {'write', 'delete'}:
            for movement in movements:
                if movement.state != 'draft':
                    msg_id = {
                        'write': 'scic_members.msg_movement_confirmed_write',
                        'delete':
                            'scic_members.msg_movement_confirmed_delete',
                        }[mode]
                    raise MovementAccessError(gettext(
                            msg_id, movement=movement.rec_name))

    @classmethod
    def copy(cls, movements, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('direct_debits', None)
        for name in ('number', 'move', 'unit_value', 'due_date',
                'call_deadline', 'capital_after') + tuple(
                f'{d}_delta' for d in DELTAS):
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        return super().copy(movements, default=default)

    # -- Register queries ------------------------------------------------

    @staticmethod
    def empty_balance():
        return {
            'shares': 0, 'subscribed': Decimal(0), 'called': Decimal(0),
            'paid': Decimal(0), 'refund': Decimal(0)}

    @classmethod
    def balances(cls, member_ids=None, date=None, company=None):
        """Holdings per associate id from the confirmed movements up to
        `date` (all when None): a dict of dicts with shares, subscribed,
        called, paid and refund (to be refunded). Two grouped queries."""
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        result = defaultdict(cls.empty_balance)
        columns = [getattr(table, f'{d}_delta') for d in DELTAS]
        for member_column, sign in [
                (table.member, 1), (table.to_member, -1)]:
            where = (table.state == 'confirmed') & (member_column != None)  # noqa: E711,E501
            if date:
                where &= table.date <= date
            if company:
                where &= table.company == int(company)
            sums = [Sum(c) if sign > 0 else Sum(Neg(c)) for c in columns]
            if member_ids is None:
                slices = [None]
            else:
                slices = grouped_slice(member_ids)
            for sub_ids in slices:
                sub_where = where
                if sub_ids is not None:
                    sub_where &= reduce_ids(member_column, sub_ids)
                cursor.execute(*table.select(
                        member_column, *sums, where=sub_where,
                        group_by=[member_column]))
                for member_id, *values in cursor:
                    balance = result[member_id]
                    for name, value in zip(DELTAS, values):
                        if value is None:
                            continue
                        if name != 'shares':
                            value = _decimal(value)
                        balance[name] += value
        return dict(result)

    @classmethod
    def capital(cls, company, date=None, public_only=False):
        "Capital (subscribed shares at nominal value) at `date`"
        pool = Pool()
        Member = pool.get('scic.member')
        Category = pool.get('scic.category')
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        where = ((table.state == 'confirmed')
            & (table.company == int(company)))
        if date:
            where &= table.date <= date
        if public_only:
            member = Member.__table__()
            category = Category.__table__()
            total = Decimal(0)
            for member_column, sign in [
                    (table.member, 1), (table.to_member, -1)]:
                query = table.join(
                    member, condition=member_column == member.id).join(
                    category, condition=member.category == category.id
                    ).select(Sum(table.subscribed_delta),
                        where=where & (category.public_body == True))  # noqa: E712,E501
                cursor.execute(*query)
                value, = cursor.fetchone()
                total += sign * _decimal(value)
            return total
        # A transfer does not change the capital: member sides only.
        cursor.execute(*table.select(
                Sum(table.subscribed_delta),
                where=where & (table.kind != 'transfer')))
        value, = cursor.fetchone()
        return _decimal(value)

    @classmethod
    def highest_capital(cls, company):
        "Highest capital ever reached by the company"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        # SQLite stores numerics as text: MAX must compare them as numbers
        # ('9000.00' > '12000.00' as text).
        cursor.execute(*table.select(
                Max(cls.capital_after.sql_cast(table.capital_after)),
                where=(table.state == 'confirmed')
                & (table.company == int(company))))
        value, = cursor.fetchone()
        return _decimal(value)

    @classmethod
    def capital_floor(cls, company, highest=None):
        """Loi 1947 art. 13: the capital may not fall below a quarter (or
        the statutory ratio) of the highest capital ever reached, nor below
        the statutory minimum."""
        if highest is None:
            highest = cls.highest_capital(company)
        floor = highest * company.scic_value('scic_floor_ratio')
        if company.scic_capital_minimum:
            floor = max(floor, company.scic_capital_minimum)
        return company.currency.round(floor)

    @classmethod
    def check_public_share(cls, company):
        "Loi 1947 art. 19 septies: public bodies hold at most 50 %"
        _RegisterState(
            company, {}, cls.capital(company),
            cls.capital(company, public_only=True),
            Decimal(0)).check_public_share()

    @classmethod
    def call_deadlines(cls, member_ids):
        """Per associate with uncalled capital: the call deadline of the
        oldest subscription not yet entirely called."""
        balances = cls.balances(member_ids)
        uncalled = {
            m: b for m, b in balances.items()
            if b['subscribed'] > b['called']}
        if not uncalled:
            return {}
        result = {}
        # Oldest first: cumulated subscriptions beyond what was called
        # give the oldest subscription still partly uncalled.
        for sub_ids in grouped_slice(list(uncalled)):
            movements = cls.search([
                    ('member', 'in', list(sub_ids)),
                    ('kind', '=', 'subscription'),
                    ('state', '=', 'confirmed'),
                    ], order=[('date', 'ASC'), ('id', 'ASC')])
            cumulated = defaultdict(Decimal)
            for movement in movements:
                member_id = movement.member.id
                if member_id in result:
                    continue
                cumulated[member_id] += movement.subscribed_delta
                if cumulated[member_id] > uncalled[member_id]['called']:
                    result[member_id] = movement.call_deadline
        return result

    # -- Confirmation ----------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, movements):
        """Check the legal rules, number the movements, fix their effect on
        the register and generate their accounting entries."""
        pool = Pool()
        Move = pool.get('account.move')
        cls.lock()
        movements = sorted(movements, key=lambda m: (m.date, m.id))
        by_company = defaultdict(list)
        for movement in movements:
            by_company[movement.company].append(movement)
        to_write, moves = [], []
        for company, c_movements in by_company.items():
            members = set()
            for movement in c_movements:
                members.add(movement.member.id)
                if movement.to_member:
                    members.add(movement.to_member.id)
            state = _RegisterState(
                company, cls.balances(list(members)),
                cls.capital(company), cls.capital(company, public_only=True),
                cls.highest_capital(company))
            numbers = company.scic_get_movement_sequence().get_many(
                len(c_movements))
            for movement, number in zip(c_movements, numbers):
                values = movement._apply(state)
                values['number'] = number
                values['capital_after'] = state.capital
                values['unit_value'] = state.nominal
                movement.number = number
                for key, value in values.items():
                    setattr(movement, key, value)
                if not movement.opening:
                    move = movement.get_move()
                    if move:
                        moves.append((movement, move))
                to_write.append((movement, values))
            if (any(m.opening for m in c_movements)
                    and not Transaction().context.get(
                        '_scic_defer_public_check')):
                state.check_public_share()
        if moves:
            Move.save([m for _, m in moves])
            for movement, move in moves:
                dict(to_write)[movement]['move'] = move.id
        args = []
        for movement, values in to_write:
            args.extend([[movement], values])
        if args:
            # Still draft in the database: the write is allowed.
            cls.write(*args)

    @classmethod
    def create_opening(cls, company, vlist):
        """Create confirmed opening movements of `company` set-based (the
        legacy import): the same rules and register values as `confirm`,
        numbered in date order, inserted set-based (bulk.py). The
        values are of their field's type, relations (company, member) as
        records. Opening movements have no accounting entry. Returns the
        ids."""
        from .bulk import bulk_create
        cls.lock()
        vlist = sorted(vlist, key=lambda v: v['date'])
        # The balances of all the company's associates: two grouped
        # queries, whatever the number of associates.
        state = _RegisterState(
            company, cls.balances(company=company),
            cls.capital(company), cls.capital(company, public_only=True),
            cls.highest_capital(company))
        numbers = company.scic_get_movement_sequence().get_many(len(vlist))
        rows = []
        for given, number in zip(vlist, numbers):
            if not given.get('opening'):
                raise ValueError("only opening movements")
            values = cls(**given)._apply(state)
            values.update({
                    'number': number,
                    'capital_after': state.capital,
                    'unit_value': state.nominal,
                    'state': 'confirmed',
                    })
            for name, value in given.items():
                values.setdefault(
                    name, value.id if isinstance(value, Model) else value)
            rows.append(values)
        if not Transaction().context.get('_scic_defer_public_check'):
            state.check_public_share()
        return bulk_create(cls, rows)

    # -- Collection by SEPA direct debit --------------------------------

    @classmethod
    @ModelView.button
    def direct_debit(cls, movements):
        cls.create_direct_debits(movements)

    @classmethod
    def create_direct_debits(cls, movements):
        """Create and submit the SEPA direct debits (account.payment,
        receivable) of what the confirmed subscriptions and calls
        `movements` called and the associates have not paid yet: on the
        company's direct debit journal, with the associate's valid mandate,
        linked to the receivable line of the movement's entry. Returns the
        payments; the accountant processes them into a pain.008 message."""
        pool = Pool()
        Payment = pool.get('account.payment')
        Date = pool.get('ir.date')
        balances = cls.balances(list({m.member.id for m in movements}))
        payments = []
        for movement in movements:
            member = movement.member
            company = movement.company
            journal = company.scic_payment_journal
            if not journal or journal.process_method != 'sepa':
                raise DirectDebitError(gettext(
                        'scic_members.msg_direct_debit_journal',
                        company=company.rec_name))
            if (movement.state != 'confirmed'
                    or movement.kind not in DEBIT_KINDS
                    or not movement.move):
                raise DirectDebitError(gettext(
                        'scic_members.msg_direct_debit_movement',
                        movement=movement.rec_name))
            line, due = movement._direct_debit_due()
            balance = balances.setdefault(member.id, cls.empty_balance())
            # What the register says is still unpaid (payments entered by
            # hand included) caps what the entry says.
            due = min(due, balance['called'] - balance['paid'])
            if due <= 0:
                raise DirectDebitError(gettext(
                        'scic_members.msg_direct_debit_nothing_due',
                        movement=movement.rec_name,
                        member=member.rec_name))
            with Transaction().set_context(company=company.id):
                today = Date.today()
            payment = Payment(
                company=company, journal=journal, kind='receivable',
                party=member.party, amount=due, date=today, line=line,
                origin=movement)
            for mandate in member.party.sepa_mandates_for(payment):
                if mandate.is_valid:
                    payment.sepa_mandate = mandate
                    break
            else:
                raise DirectDebitError(gettext(
                        'scic_members.msg_direct_debit_no_mandate',
                        member=member.rec_name,
                        party=member.party.rec_name))
            balance['paid'] += due
            payments.append(payment)
        Payment.save(payments)
        Payment.submit(payments)
        return payments

    def _direct_debit_due(self):
        """The receivable line the movement's entry debits the associate
        with, and what of the entry is still to collect (less what the
        subscription paid at once and the direct debits not failed)."""
        receivable = self.company.scic_account('receivable')
        lines = [l for l in self.move.lines if l.account == receivable]
        debits = [l for l in lines if l.debit > 0]
        if not debits:
            raise DirectDebitError(gettext(
                    'scic_members.msg_direct_debit_nothing_due',
                    movement=self.rec_name, member=self.member.rec_name))
        line, = debits
        if self.move.state != 'posted':
            # The accountant posts the entries; payments need posted lines.
            raise DirectDebitError(gettext(
                    'scic_members.msg_direct_debit_post',
                    movement=self.rec_name))
        if not line.account.type.receivable:
            raise DirectDebitError(gettext(
                    'scic_members.msg_direct_debit_account',
                    account=line.account.rec_name,
                    type=line.account.type.rec_name))
        due = line.payment_amount - sum(l.credit for l in lines)
        return line, due

    def _apply(self, state):
        "Check the rules for this movement and return its effect values"
        company = state.company  # the movement's: states are per company
        kind = self.kind
        currency = state.currency
        nominal = state.nominal
        if not nominal or nominal <= 0:
            raise MovementError(gettext(
                    'scic_members.msg_share_value_missing',
                    company=company.rec_name))
        member = self.member
        balance = state.balance(member.id)
        values = {f'{d}_delta': 0 for d in DELTAS}
        values.update({'due_date': None, 'call_deadline': None})
        if kind in {'subscription', 'transfer'}:
            receiver = self.to_member if kind == 'transfer' else member
            if receiver.state != 'admitted' and not self.opening:
                raise MovementError(gettext(
                        'scic_members.msg_movement_member_not_admitted',
                        member=receiver.rec_name))
        if kind in MONEY_KINDS:
            if not self.amount or self.amount <= 0:
                raise MovementError(gettext(
                        'scic_members.msg_movement_amount_positive',
                        movement=self.rec_name))
            amount = currency.round(self.amount)
        if kind in SHARE_KINDS:
            nominal_amount = currency.round(nominal * self.shares)

        if kind == 'subscription':
            paid = currency.round(self.amount_paid or 0)
            called = currency.round(
                self.amount_called if self.amount_called is not None
                else paid)
            # Loi 1947 art. 12: a quarter at least paid at subscription.
            if paid * 4 < nominal_amount:
                raise MovementError(gettext(
                        'scic_members.msg_subscription_quarter_paid',
                        member=member.rec_name, amount=nominal_amount,
                        paid=paid))
            if not (paid <= called <= nominal_amount):
                raise MovementError(gettext(
                        'scic_members.msg_subscription_called',
                        member=member.rec_name))
            minimum = member.category.min_shares
            if balance['shares'] + self.shares < minimum:
                raise MovementError(gettext(
                        'scic_members.msg_subscription_min_shares',
                        member=member.rec_name, minimum=minimum,
                        category=member.category.rec_name))
            values.update({
                    'shares_delta': self.shares,
                    'subscribed_delta': nominal_amount,
                    'called_delta': called,
                    'paid_delta': paid,
                    'amount': nominal_amount,
                    'amount_called': called,
                    'amount_paid': paid,
                    'call_deadline': self.date + state.call_delay,
                    })
        elif kind == 'call':
            uncalled = balance['subscribed'] - balance['called']
            if amount > uncalled:
                raise MovementError(gettext(
                        'scic_members.msg_call_exceeds_uncalled',
                        member=member.rec_name, amount=amount,
                        uncalled=uncalled))
            values.update({'called_delta': amount, 'amount': amount})
        elif kind == 'payment':
            due = balance['called'] - balance['paid']
            if amount > due:
                raise MovementError(gettext(
                        'scic_members.msg_payment_exceeds_called',
                        member=member.rec_name, amount=amount, due=due))
            values.update({'paid_delta': amount, 'amount': amount})
        elif kind == 'transfer':
            # Only fully paid shares change hands: the receiver takes them
            # over without any debt of the giver.
            fully_paid = min(
                balance['shares'], int(balance['paid'] // nominal))
            if self.shares > fully_paid:
                raise MovementError(gettext(
                        'scic_members.msg_transfer_not_paid',
                        member=member.rec_name, shares=self.shares,
                        available=fully_paid))
            values.update({
                    'shares_delta': -self.shares,
                    'subscribed_delta': -nominal_amount,
                    'called_delta': -nominal_amount,
                    'paid_delta': -nominal_amount,
                    'amount': nominal_amount,
                    })
        elif kind == 'redemption_request':
            if self.shares > balance['shares']:
                raise MovementError(gettext(
                        'scic_members.msg_shares_exceed_held',
                        member=member.rec_name, shares=self.shares,
                        held=balance['shares']))
            values['amount'] = nominal_amount
        elif kind == 'redemption':
            if (self.shares > balance['shares']
                    or nominal_amount > balance['paid']):
                raise MovementError(gettext(
                        'scic_members.msg_redemption_not_paid',
                        member=member.rec_name, shares=self.shares))
            ratio = self.reduction_ratio or Decimal(0)
            if not (0 <= ratio < 1):
                raise MovementError(gettext(
                        'scic_members.msg_redemption_ratio'))
            # No revaluation in a SCIC: nominal value, reduced by losses.
            refund = currency.round(nominal_amount * (1 - ratio))
            exit_date = member.exit_date or self.date
            values.update({
                    'shares_delta': -self.shares,
                    'subscribed_delta': -nominal_amount,
                    'called_delta': -nominal_amount,
                    'paid_delta': -nominal_amount,
                    'refund_delta': refund,
                    'amount': refund,
                    'due_date': exit_date + relativedelta(
                        years=company.scic_value('scic_redemption_delay')),
                    })
        elif kind == 'refund':
            if amount > balance['refund']:
                raise MovementError(gettext(
                        'scic_members.msg_refund_exceeds',
                        member=member.rec_name, amount=amount,
                        due=balance['refund']))
            values.update({'refund_delta': -amount, 'amount': amount})
        elif kind == 'cancellation':
            unpaid = balance['subscribed'] - balance['paid']
            if (self.shares > balance['shares']
                    or nominal_amount > unpaid):
                raise MovementError(gettext(
                        'scic_members.msg_cancellation_paid',
                        member=member.rec_name, shares=self.shares))
            from_uncalled = min(
                nominal_amount, balance['subscribed'] - balance['called'])
            values.update({
                    'shares_delta': -self.shares,
                    'subscribed_delta': -nominal_amount,
                    'called_delta': -(nominal_amount - from_uncalled),
                    'amount': nominal_amount,
                    })
        state.apply(self, values)
        return values

    def _line(self, account_kind, debit=0, credit=0):
        pool = Pool()
        Line = pool.get('account.move.line')
        account = self.company.scic_account(account_kind)
        if not account:
            raise MovementError(gettext(
                    'scic_members.msg_account_missing',
                    kind=account_kind, company=self.company.rec_name))
        line = Line(
            account=account, debit=Decimal(debit), credit=Decimal(credit),
            description=self.description)
        if account.party_required:
            line.party = self.member.party
        if account_kind == 'receivable' and debit:
            # Due at the movement date: direct debits and the aged balance
            # need it.
            line.maturity_date = self.date
        return line

    def get_move_lines(self):
        "The account move lines of the movement per accounting.md"
        lines = []

        def pair(debit_kind, credit_kind, amount):
            if amount:
                lines.append(self._line(debit_kind, debit=amount))
                lines.append(self._line(credit_kind, credit=amount))
        if self.kind == 'subscription':
            uncalled = self.subscribed_delta - self.called_delta
            pair('uncalled', 'capital_uncalled', uncalled)
            pair('receivable', 'capital_called', self.called_delta)
            pair('cash', 'receivable', self.paid_delta)
            pair('capital_called', 'capital_paid', self.paid_delta)
        elif self.kind == 'call':
            pair('receivable', 'uncalled', self.called_delta)
            pair('capital_uncalled', 'capital_called', self.called_delta)
        elif self.kind == 'payment':
            pair('cash', 'receivable', self.paid_delta)
            pair('capital_called', 'capital_paid', self.paid_delta)
        elif self.kind == 'redemption':
            nominal = -self.subscribed_delta
            lines.append(self._line('capital_paid', debit=nominal))
            lines.append(self._line('refund', credit=self.refund_delta))
            if nominal > self.refund_delta:
                lines.append(self._line(
                        'loss', credit=nominal - self.refund_delta))
        elif self.kind == 'refund':
            pair('refund', 'cash', -self.refund_delta)
        elif self.kind == 'cancellation':
            from_called = -self.called_delta
            from_uncalled = -self.subscribed_delta - from_called
            pair('capital_uncalled', 'uncalled', from_uncalled)
            pair('capital_called', 'receivable', from_called)
        return lines

    def get_move(self):
        "The draft account move of a confirmed movement, None when none"
        pool = Pool()
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        lines = self.get_move_lines()
        if not lines:
            return None
        period = Period.find(self.company, date=self.date)
        return Move(
            company=self.company,
            journal=self.company.scic_get_journal(),
            period=period,
            date=self.date,
            origin=self,
            description=self.description or self.rec_name,
            lines=lines)


def _decimal(value):
    # SQLite returns stored numerics as bytes and sums them (or a MAX of
    # their cast) as floats or integers: rounded to the cents of the
    # register columns, the value is exact on both backends.
    if isinstance(value, bytes):
        value = value.decode()
    return Decimal(str(value or 0)).quantize(Decimal('0.01'))


class _RegisterState:
    """The register as the movements being confirmed change it, so a batch
    is checked movement after movement with a few queries only."""

    def __init__(self, company, balances, capital, public, highest):
        self.company = company
        self.balances = balances
        self.capital = capital
        self.public = public
        self.highest = highest
        # The company's values the rules read, once per batch
        self.currency = company.currency
        self.nominal = company.scic_share_value
        self.call_delay = relativedelta(
            years=company.scic_value('scic_call_delay'))

    def balance(self, member_id):
        return self.balances.setdefault(member_id, {
                'shares': 0, 'subscribed': Decimal(0), 'called': Decimal(0),
                'paid': Decimal(0), 'refund': Decimal(0)})

    def apply(self, movement, values):
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        company = self.company
        deltas = {d: values[f'{d}_delta'] for d in DELTAS}
        sides = [(movement.member, 1)]
        if movement.kind == 'transfer':
            sides.append((movement.to_member, -1))
        capital = self.capital
        public = self.public
        for member, sign in sides:
            balance = self.balance(member.id)
            for name, value in deltas.items():
                balance[name] += sign * value
            if member.category.public_body:
                public += sign * deltas['subscribed']
        if movement.kind != 'transfer':
            capital += deltas['subscribed']
        if capital < self.capital and not movement.opening:
            floor = Movement.capital_floor(company, self.highest)
            if capital < floor:
                # Loi 1947 art. 13: the redemption waits.
                raise MovementError(gettext(
                        'scic_members.msg_capital_floor',
                        movement=movement.rec_name, capital=capital,
                        floor=floor))
        # Opening movements rebuild a past register: only the state once
        # they are all in counts (checked by check_public_share).
        if (movement.kind in CAPITAL_KINDS and capital
                and not movement.opening):
            limit = company.scic_value('scic_public_max')
            before = self.public / self.capital if self.capital else 0
            ratio = public / capital
            if ratio > limit and ratio > before:
                raise MovementError(gettext(
                        'scic_members.msg_public_body_limit',
                        movement=movement.rec_name,
                        ratio=round(ratio * 100, 2),
                        limit=round(limit * 100, 2)))
        self.capital = capital
        self.public = public
        self.highest = max(self.highest, capital)

    def check_public_share(self):
        "Loi 1947 art. 19 septies: public bodies hold at most 50 %"
        limit = self.company.scic_value('scic_public_max')
        if self.capital and self.public / self.capital > limit:
            raise MovementError(gettext(
                    'scic_members.msg_public_body_limit',
                    movement='-',
                    ratio=round(self.public / self.capital * 100, 2),
                    limit=round(limit * 100, 2)))


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['scic.share.movement']


class Payment(metaclass=PoolMeta):
    __name__ = 'account.payment'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['scic.share.movement']
