# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Allocation of the result decided by the general assembly (rule R11)."""
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.operators import Like
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import SurplusAllocationError

KINDS = [
    ('legal_reserve', "Legal Reserve"),
    ('statutory_reserve', "Statutory Reserve"),
    ('other_reserve', "Other Impartible Reserve"),
    ('dividend', "Interest on Shares"),
    ('carry_forward', "Carried Forward"),
    ]
RESERVES = {'legal_reserve', 'statutory_reserve', 'other_reserve'}
# account_fr closes 1061 and 1068: their sub-accounts take the entries.
ACCOUNTS = {
    'legal_reserve': '10611',
    'statutory_reserve': '1063',
    'other_reserve': '10688',
    'dividend': '457',
    'carry_forward': '110',
    }


class Allocation(Workflow, ModelSQL, ModelView):
    "Surplus Allocation"
    __name__ = 'ptce.surplus.allocation'
    __string__ = "Surplus Allocation"
    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    fiscalyear = fields.Many2One(
        'account.fiscalyear', "Fiscal Year", required=True, states=_states,
        domain=[('company', '=', Eval('company', -1))])
    result = Monetary(
        "Result", currency='currency', digits='currency', required=True,
        states=_states,
        help="Surplus (positive) or loss (negative) of the fiscal year.")
    subsidies = Monetary(
        "Operating Subsidies", currency='currency', digits='currency',
        required=True, states=_states,
        help="Operating grants of the year (74): deducted before computing "
        "what may be distributed (loi 1947, art. 19 nonies).")
    assembly_date = fields.Date(
        "Assembly Date", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') == 'decided',
            },
        help="Date of the general assembly that decided the allocation.")
    journal = fields.Many2One(
        'account.journal', "Journal", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') == 'decided',
            })
    lines = fields.One2Many(
        'ptce.surplus.allocation.line', 'allocation', "Lines",
        states=_states)
    move = fields.Many2One('account.move', "Move", readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    state = fields.Selection([
            ('draft', "Draft"),
            ('decided', "Decided"),
            ], "State", readonly=True, required=True)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {('draft', 'decided')}
        cls._buttons.update({
                'propose': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'decide': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        return self.fiscalyear.rec_name

    @classmethod
    def compute_result(cls, fiscalyear):
        """(result, operating subsidies) of the fiscal year from the posted
        lines of classes 6 and 7 of its standard periods (the balance of
        non-deferral accounts in the adjustment period is left out)."""
        pool = Pool()
        Line = pool.get('account.move.line')
        Move = pool.get('account.move')
        Account = pool.get('account.account')
        Period = pool.get('account.period')
        line = Line.__table__()
        move = Move.__table__()
        account = Account.__table__()
        period = Period.__table__()
        cursor = Transaction().connection.cursor()
        amount = Sum(Coalesce(line.credit, 0) - Coalesce(line.debit, 0))
        query = (line
            .join(move, condition=line.move == move.id)
            .join(period, condition=move.period == period.id)
            .join(account, condition=line.account == account.id))
        where = ((period.fiscalyear == fiscalyear.id)
            & (period.type == 'standard') & (move.state == 'posted'))
        cursor.execute(*query.select(amount,
                where=where & (Like(account.code, '6%')
                    | Like(account.code, '7%'))))
        result, = cursor.fetchone()
        cursor.execute(*query.select(amount,
                where=where & Like(account.code, '74%')))
        subsidies, = cursor.fetchone()
        currency = fiscalyear.company.currency
        return (currency.round(Decimal(str(result or 0))),
            currency.round(Decimal(str(subsidies or 0))))

    @fields.depends('fiscalyear', 'company', 'lines', 'result', 'subsidies')
    def on_change_fiscalyear(self):
        if self.fiscalyear:
            self.result, self.subsidies = self.compute_result(
                self.fiscalyear)
            self.lines = self.proposed_lines()

    def proposed_lines(self):
        """The allocation proposed to the assembly: legal reserve (15 %,
        loi 1947 art. 16), statutory reserve up to the 57.5 % minimum of
        impartible reserves (R11, art. 19 nonies), the rest to other
        impartible reserves; a loss is carried forward (119)."""
        pool = Pool()
        Line = pool.get('ptce.surplus.allocation.line')
        Configuration = pool.get('ptce.reporting.configuration')
        config = Configuration(1)
        currency = self.company.currency
        result = self.result or Decimal(0)
        if result <= 0:
            return [Line(kind='carry_forward',
                    account=self.get_account('119'), amount=result)]
        legal = currency.round(result * config.get_multivalue(
                'legal_reserve_ratio', company=self.company.id))
        statutory = currency.round(
            result * config.get_multivalue(
                'reserve_ratio', company=self.company.id)) - legal
        other = result - legal - statutory
        return [
            Line(kind='legal_reserve',
                account=self.get_account(ACCOUNTS['legal_reserve']),
                amount=legal),
            Line(kind='statutory_reserve', account=self.get_account(
                    ACCOUNTS['statutory_reserve']),
                amount=statutory),
            Line(kind='other_reserve',
                account=self.get_account(ACCOUNTS['other_reserve']),
                amount=other),
            ]

    def get_account(self, code):
        pool = Pool()
        Account = pool.get('account.account')
        accounts = Account.search([
                ('company', '=', self.company.id), ('code', '=', code)])
        return accounts[0] if accounts else None

    def check_rules(self):
        """R11 (loi 1947, art. 19 nonies): at least 57.5 % of the surplus to
        impartible reserves; interest on shares at most 42.5 % of the
        surplus less operating subsidies; lines sum to the result."""
        pool = Pool()
        Configuration = pool.get('ptce.reporting.configuration')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        reserve_ratio = Configuration(1).get_multivalue(
            'reserve_ratio', company=self.company.id)
        currency = self.company.currency

        def fmt(amount):
            return lang.currency(amount, currency)
        total = sum((l.amount for l in self.lines), Decimal(0))
        if total != self.result:
            raise SurplusAllocationError(gettext(
                    'ptce_reporting.msg_allocation_total',
                    total=fmt(total), result=fmt(self.result)))
        if self.result <= 0:
            return
        reserves = sum((l.amount for l in self.lines if l.kind in RESERVES),
            Decimal(0))
        minimum = currency.round(self.result * reserve_ratio)
        if reserves < minimum:
            raise SurplusAllocationError(gettext(
                    'ptce_reporting.msg_allocation_reserve',
                    reserves=fmt(reserves), minimum=fmt(minimum),
                    ratio=lang.format(
                        '%.1f', reserve_ratio * 100)))
        dividends = sum((l.amount for l in self.lines
                if l.kind == 'dividend'), Decimal(0))
        maximum = max(currency.round(
                (self.result - self.subsidies)
                * (1 - reserve_ratio)), Decimal(0))
        if dividends > maximum:
            raise SurplusAllocationError(gettext(
                    'ptce_reporting.msg_allocation_dividend',
                    dividends=fmt(dividends), maximum=fmt(maximum)))

    @classmethod
    @ModelView.button
    def propose(cls, allocations):
        for allocation in allocations:
            allocation.on_change_fiscalyear()
        cls.save(allocations)

    @classmethod
    @ModelView.button
    @Workflow.transition('decided')
    def decide(cls, allocations):
        pool = Pool()
        Move = pool.get('account.move')
        for allocation in allocations:
            allocation.check_rules()
            if not allocation.assembly_date or not allocation.journal:
                raise SurplusAllocationError(gettext(
                        'ptce_reporting.msg_allocation_assembly'))
            allocation.move = allocation.get_move()
        moves = [a.move for a in allocations]
        Move.save(moves)
        Move.post(moves)
        cls.save(allocations)

    def get_move(self):
        """The entry of the decision: 120 (or 129 for a loss) balanced by
        the reserves, dividends payable (457) and carry forward."""
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        period = Period.find(self.company, date=self.assembly_date)
        lines = []
        if self.result > 0:
            lines.append(MoveLine(account=self.get_account('120'),
                    debit=self.result, credit=Decimal(0)))
        else:
            lines.append(MoveLine(account=self.get_account('129'),
                    debit=Decimal(0), credit=-self.result))
        for line in self.lines:
            if not line.amount:
                continue
            lines.append(MoveLine(account=line.account,
                    debit=-line.amount if line.amount < 0 else Decimal(0),
                    credit=line.amount if line.amount > 0 else Decimal(0),
                    party=(self.company.party
                        if line.account.party_required else None)))
        return Move(company=self.company, journal=self.journal,
            period=period, date=self.assembly_date, origin=self,
            description=gettext('ptce_reporting.msg_allocation_description',
                year=self.fiscalyear.rec_name),
            lines=lines)


class AllocationLine(ModelSQL, ModelView):
    "Surplus Allocation Line"
    __name__ = 'ptce.surplus.allocation.line'
    __string__ = "Surplus Allocation Line"
    allocation = fields.Many2One(
        'ptce.surplus.allocation', "Allocation", required=True,
        ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind", required=True)
    account = fields.Many2One('account.account', "Account", required=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('allocation')

    @fields.depends('allocation', '_parent_allocation.company')
    def on_change_with_currency(self, name=None):
        if self.allocation and self.allocation.company:
            return self.allocation.company.currency

    @fields.depends('kind', 'allocation', '_parent_allocation.company')
    def on_change_kind(self):
        if self.kind and self.allocation and self.allocation.company:
            self.account = self.allocation.get_account(ACCOUNTS[self.kind])


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['ptce.surplus.allocation']
