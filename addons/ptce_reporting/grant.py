# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Grants received by the cooperative, their budget and its execution."""
import datetime
from collections import defaultdict
from decimal import Decimal

from sql import Literal
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from trytond.i18n import gettext
from trytond.model import (
    Index,
    ModelSQL,
    ModelView,
    Workflow,
    fields,
    sequence_ordered,
)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.rpc import RPC
from trytond.transaction import Transaction

from ptce_company.model import RecNameSearchMixin

from .exceptions import (
    DeMinimisWarning,
    GrantBudgetError,
    GrantValidationError,
)

STATES = [
    ('requested', "Requested"),
    ('awarded', "Awarded"),
    ('received', "Received in Instalments"),
    ('justified', "Justified"),
    ('closed', "Closed"),
    ]


class BudgetNature(sequence_ordered(), ModelSQL, ModelView):
    "Nature of expense of a grant budget (lines of the Cerfa 15059 form)"
    __name__ = 'ptce.grant.budget.nature'
    __string__ = "Grant Budget Nature"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    account_prefixes = fields.Char(
        "Account Prefixes",
        help="Comma-separated beginnings of the account codes whose "
        "expenses count for this nature (e.g. \"64\" for personnel, "
        "\"2\" for investment). The longest matching prefix wins.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.code, Index.Equality())))

    @property
    def prefixes(self):
        return [p.strip() for p in (self.account_prefixes or '').split(',')
            if p.strip()]

    @classmethod
    def match(cls, natures, account_code):
        "Return the nature whose longest prefix matches the account code"
        best, length = None, -1
        for nature in natures:
            for prefix in nature.prefixes:
                if (account_code or '').startswith(prefix) and (
                        len(prefix) > length):
                    best, length = nature, len(prefix)
        return best


class Grant(RecNameSearchMixin, Workflow, ModelSQL, ModelView):
    "Grant"
    __name__ = 'ptce.grant'
    __string__ = "Grant"
    _rec_name_fields = ['reference', 'funder.rec_name', 'programme']
    _rec_name = 'reference'

    _states = {
        'readonly': Eval('state') != 'requested',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states=_states)
    funder = fields.Many2One(
        'party.party', "Funder", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The public body or foundation granting the aid.")
    programme = fields.Char(
        "Programme", states=_states,
        help="Call for projects or programme of the funder "
        "(e.g. \"AAP PTCE 2013\").")
    reference = fields.Char(
        "Reference", required=True, states=_states,
        help="Reference of the grant agreement (convention).")
    kind = fields.Selection([
            ('operating', "Operating"),
            ('investment', "Investment"),
            ], "Kind", required=True, states=_states,
        help="Operating grants are booked in 74, investment grants in 131.")
    requested_amount = Monetary(
        "Requested Amount", currency='currency', digits='currency',
        states=_states)
    amount = Monetary(
        "Amount Awarded", currency='currency', digits='currency',
        required=True, states={
            'readonly': ~Eval('state').in_(['requested', 'awarded']),
            })
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    award_date = fields.Date(
        "Award Date", states={
            'readonly': ~Eval('state').in_(['requested', 'awarded']),
            'required': Eval('state') != 'requested',
            },
        help="Date of the award decision; it dates the aid for the "
        "de minimis count.")
    start_date = fields.Date(
        "Start Date", required=True, states=_states,
        domain=[
            If(Eval('end_date') & Eval('start_date'),
                ('start_date', '<=', Eval('end_date')), ()),
            ],
        help="First day of the period the grant finances.")
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[
            If(Eval('end_date') & Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ()),
            ],
        help="Last day of the period the grant finances.")
    analytic_account = fields.Many2One(
        'analytic_account.account', "Analytic Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'normal'),
            ],
        states={
            'readonly': Eval('state') == 'closed',
            },
        help="Analytic account of the grant (axis \"Subvention\"): the "
        "expenses it carries are the actual spending of the grant.")
    de_minimis = fields.Boolean(
        "De Minimis",
        states=_states,
        help="The aid is granted under the de minimis regulation and "
        "counts against the ceiling over three rolling fiscal years.")
    budget_lines = fields.One2Many(
        'ptce.grant.budget.line', 'grant', "Budget Lines",
        states={
            'readonly': ~Eval('state').in_(['requested', 'awarded']),
            })
    instalments = fields.One2Many(
        'ptce.grant.instalment', 'grant', "Instalments",
        states={
            'readonly': ~Eval('state').in_(['awarded', 'received']),
            })
    budget_total = fields.Function(Monetary(
            "Budget Total", currency='currency', digits='currency'),
        'get_amounts')
    received_amount = fields.Function(Monetary(
            "Received", currency='currency', digits='currency'),
        'get_amounts')
    spent_amount = fields.Function(Monetary(
            "Spent", currency='currency', digits='currency',
            help="Expenses on the analytic account of the grant over its "
            "period."),
        'get_amounts')
    de_minimis_total = fields.Function(Monetary(
            "De Minimis Total", currency='currency', digits='currency',
            help="Public aid under de minimis over the fiscal year of the "
            "award date and the two previous ones."),
        'get_de_minimis_total')
    notes = fields.Text("Notes")
    state = fields.Selection(STATES, "State", readonly=True, required=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality())),
                Index(t, (t.funder, Index.Equality())),
                })
        cls.__rpc__.update({
                'budget_report': RPC(readonly=True, instantiate=0),
                })
        cls._order = [
            ('start_date', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('requested', 'awarded'),
            ('awarded', 'requested'),
            ('awarded', 'received'),
            ('received', 'justified'),
            ('justified', 'closed'),
            }
        cls._buttons.update({
                'request': {
                    'invisible': Eval('state') != 'awarded',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'award': {
                    'invisible': Eval('state') != 'requested',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'receive': {
                    'invisible': Eval('state') != 'awarded',
                    'depends': ['state'],
                    },
                'justify': {
                    'invisible': Eval('state') != 'received',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'justified',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'requested'

    @staticmethod
    def default_kind():
        return 'operating'

    @staticmethod
    def default_de_minimis():
        return False

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        return f'{self.reference} ({self.funder.rec_name})'


    @classmethod
    def get_amounts(cls, grants, names):
        result = {n: {g.id: Decimal(0) for g in grants} for n in names}
        if 'budget_total' in names:
            for grant in grants:
                result['budget_total'][grant.id] = sum(
                    (l.amount for l in grant.budget_lines), Decimal(0))
        if 'received_amount' in names:
            for grant in grants:
                result['received_amount'][grant.id] = sum(
                    (i.amount for i in grant.instalments), Decimal(0))
        if 'spent_amount' in names:
            for grant in grants:
                result['spent_amount'][grant.id] = sum(
                    grant.actual_by_account().values(), Decimal(0))
        for values in result.values():
            for grant in grants:
                values[grant.id] = grant.currency.round(values[grant.id])
        return result

    def actual_by_account(self, start_date=None, end_date=None):
        """Expenses (debit - credit) on the grant's analytic account over
        its period (or the given one), summed by general account code with
        one SQL query."""
        pool = Pool()
        AnalyticLine = pool.get('analytic_account.line')
        MoveLine = pool.get('account.move.line')
        Account = pool.get('account.account')
        if not self.analytic_account:
            return {}
        start_date = start_date or self.start_date
        end_date = end_date or self.end_date
        line = AnalyticLine.__table__()
        move_line = MoveLine.__table__()
        account = Account.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line
            .join(move_line, condition=line.move_line == move_line.id)
            .join(account, condition=move_line.account == account.id)
            .select(
                account.code,
                Sum(Coalesce(line.debit, 0) - Coalesce(line.credit, 0)),
                where=(line.account == self.analytic_account.id)
                & (line.date >= start_date) & (line.date <= end_date),
                group_by=[account.code]))
        # SQLite sums numeric columns as floats: rounded to the currency
        # they are exact.
        return {code or '': self.currency.round(Decimal(str(amount or 0)))
            for code, amount in cursor}

    def budget_vs_actual(self):
        """Budget versus actual per budget line as in the grant financial
        report (compte rendu financier, Cerfa n° 15059).

        Returns a list of dicts with nature, description, planned, actual,
        difference (actual - planned), percent (actual / planned x 100);
        expenses on accounts matching no budgeted nature come last under
        "Not budgeted"."""
        pool = Pool()
        Nature = pool.get('ptce.grant.budget.nature')
        natures = Nature.search([])
        budgeted = {l.nature for l in self.budget_lines}
        actual_by_nature = defaultdict(Decimal)
        for code, amount in self.actual_by_account().items():
            nature = Nature.match(natures, code)
            if nature not in budgeted:
                nature = None
            actual_by_nature[nature] += amount
        rows = []
        # Several lines of the same nature share its actual pro rata.
        planned_by_nature = defaultdict(Decimal)
        for line in self.budget_lines:
            planned_by_nature[line.nature] += line.amount
        for line in self.budget_lines:
            total = planned_by_nature[line.nature]
            actual = actual_by_nature[line.nature]
            if total:
                actual = actual * line.amount / total
            rows.append(self._budget_row(
                    line.nature.name, line.description, line.amount, actual))
        unbudgeted = actual_by_nature.get(None)
        if unbudgeted:
            rows.append(self._budget_row(
                    gettext('ptce_reporting.msg_not_budgeted'), '',
                    Decimal(0), unbudgeted))
        return rows

    @classmethod
    def budget_report(cls, grants):
        "Budget versus actual of each grant (see budget_vs_actual)"
        return [g.budget_vs_actual() for g in grants]

    def _budget_row(self, nature, description, planned, actual):
        actual = self.currency.round(actual)
        planned = self.currency.round(planned)
        difference = actual - planned
        percent = (
            (actual * 100 / planned).quantize(Decimal('0.1'))
            if planned else None)
        return {
            'nature': nature,
            'description': description or '',
            'planned': planned,
            'actual': actual,
            'difference': difference,
            'percent': percent,
            }

    @classmethod
    def de_minimis_period(cls, company, date):
        """The fiscal year containing date and the two previous ones, as
        (start, end); calendar years when fiscal years are missing."""
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        years = FiscalYear.search([
                ('company', '=', company.id if company else None),
                ('start_date', '<=', date),
                ], order=[('start_date', 'DESC')], limit=3)
        if years and years[0].end_date >= date:
            start = min(y.start_date for y in years)
            if len(years) < 3:
                start = min(start, datetime.date(date.year - 2, 1, 1))
            return start, years[0].end_date
        return (datetime.date(date.year - 2, 1, 1),
            datetime.date(date.year, 12, 31))

    @classmethod
    def de_minimis_amount(cls, company, date):
        """Total de minimis aid awarded to company over the three rolling
        fiscal years ending with the one of date, and the ceiling."""
        pool = Pool()
        Configuration = pool.get('ptce.reporting.configuration')
        start, end = cls.de_minimis_period(company, date)
        grant = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*grant.select(
                Sum(grant.amount),
                where=(grant.company == company.id)
                & (grant.de_minimis == Literal(True))
                & (grant.state != 'requested')
                & (grant.award_date >= start) & (grant.award_date <= end)))
        total, = cursor.fetchone()
        ceiling = Configuration(1).get_multivalue(
            'de_minimis_ceiling', company=company.id)
        return company.currency.round(Decimal(str(total or 0))), ceiling

    @classmethod
    def get_de_minimis_total(cls, grants, name):
        pool = Pool()
        Date = pool.get('ir.date')
        result = {}
        for grant in grants:
            date = grant.award_date or Date.today()
            total, _ = cls.de_minimis_amount(grant.company, date)
            result[grant.id] = total
        return result

    def format_amount(self, amount):
        "The amount in the currency of the grant, in the user's language"
        Lang = Pool().get('ir.lang')
        return Lang.get().currency(amount, self.company.currency)

    def check_budget(self):
        "Budget lines must sum exactly to the amount awarded"
        if not self.budget_lines:
            raise GrantBudgetError(gettext(
                    'ptce_reporting.msg_grant_no_budget',
                    grant=self.rec_name))
        total = sum((l.amount for l in self.budget_lines), Decimal(0))
        if total != self.amount:
            raise GrantBudgetError(gettext(
                    'ptce_reporting.msg_grant_budget_total',
                    grant=self.rec_name,
                    total=self.format_amount(total),
                    amount=self.format_amount(self.amount),
                    difference=self.format_amount(self.amount - total)))

    def check_de_minimis(self):
        """Warn when the award makes the de minimis aid over three rolling
        fiscal years exceed the ceiling (Regulation (EU) 2023/2831,
        art. 3)."""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        if not self.de_minimis:
            return
        total, ceiling = self.de_minimis_amount(
            self.company, self.award_date)
        if self.state == 'requested':
            total += self.amount
        if total > ceiling:
            key = Warning.format('de_minimis_ceiling', [self])
            if Warning.check(key):
                raise DeMinimisWarning(key, gettext(
                        'ptce_reporting.msg_de_minimis_ceiling',
                        grant=self.rec_name,
                        total=self.format_amount(total),
                        ceiling=self.format_amount(ceiling)))

    @classmethod
    @ModelView.button
    @Workflow.transition('requested')
    def request(cls, grants):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('awarded')
    def award(cls, grants):
        pool = Pool()
        Date = pool.get('ir.date')
        for grant in grants:
            if not grant.award_date:
                grant.award_date = Date.today()
            grant.check_budget()
            grant.check_de_minimis()
        cls.save(grants)

    @classmethod
    @ModelView.button
    @Workflow.transition('received')
    def receive(cls, grants):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('justified')
    def justify(cls, grants):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, grants):
        pass

    @classmethod
    def copy(cls, grants, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('state', 'requested')
        default.setdefault('instalments', None)
        default.setdefault('award_date', None)
        return super().copy(grants, default=default)

    @classmethod
    def check_modification(cls, mode, grants, values=None, external=False):
        super().check_modification(
            mode, grants, values=values, external=external)
        if mode == 'delete':
            for grant in grants:
                if grant.state != 'requested':
                    raise GrantBudgetError(gettext(
                            'ptce_reporting.msg_grant_delete',
                            grant=grant.rec_name))


class BudgetLine(sequence_ordered(), ModelSQL, ModelView):
    "Grant Budget Line"
    __name__ = 'ptce.grant.budget.line'
    __string__ = "Grant Budget Line"

    grant = fields.Many2One(
        'ptce.grant', "Grant", required=True, ondelete='CASCADE')
    nature = fields.Many2One(
        'ptce.grant.budget.nature', "Nature", required=True,
        help="Nature of expense; its account prefixes select the actual "
        "expenses.")
    description = fields.Char("Description")
    amount = Monetary(
        "Planned", currency='currency', digits='currency', required=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('grant')

    @fields.depends('grant', '_parent_grant.company')
    def on_change_with_currency(self, name=None):
        if self.grant and self.grant.company:
            return self.grant.company.currency

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        for line in lines:
            if line.grant.state not in {'requested', 'awarded'}:
                raise GrantBudgetError(gettext(
                        'ptce_reporting.msg_grant_budget_locked',
                        grant=line.grant.rec_name))


class Instalment(ModelSQL, ModelView):
    "Grant Instalment"
    __name__ = 'ptce.grant.instalment'
    __string__ = "Grant Instalment"

    grant = fields.Many2One(
        'ptce.grant', "Grant", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    move_line = fields.Many2One(
        'account.move.line', "Accounting Line",
        domain=[
            ('move.company', '=', Eval('company', -1)),
            ],
        help="The bank (512) or grant receivable (441) line of the "
        "payment received.")
    company = fields.Function(fields.Many2One(
            'company.company', "Company"), 'on_change_with_company')
    description = fields.Char("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('grant')
        cls._order.insert(0, ('date', 'ASC'))

    @fields.depends('grant', '_parent_grant.company')
    def on_change_with_currency(self, name=None):
        if self.grant and self.grant.company:
            return self.grant.company.currency

    @fields.depends('grant', '_parent_grant.company')
    def on_change_with_company(self, name=None):
        return self.grant.company if self.grant else None

    @fields.depends('move_line', 'amount', 'date')
    def on_change_move_line(self):
        if self.move_line:
            self.amount = abs(self.move_line.debit - self.move_line.credit)
            self.date = self.move_line.date

    @classmethod
    def validate(cls, instalments):
        super().validate(instalments)
        for instalment in instalments:
            instalment.check_amount()

    def check_amount(self):
        if self.amount <= 0:
            raise GrantValidationError(gettext(
                    'ptce_reporting.msg_instalment_positive',
                    grant=self.grant.rec_name))
        if self.move_line:
            line_amount = abs(self.move_line.debit - self.move_line.credit)
            if line_amount != self.amount:
                raise GrantValidationError(gettext(
                        'ptce_reporting.msg_instalment_move_line',
                        grant=self.grant.rec_name,
                        amount=self.grant.format_amount(self.amount),
                        line_amount=self.grant.format_amount(line_amount)))
        total = sum((i.amount for i in self.grant.instalments), Decimal(0))
        if total > self.grant.amount:
            raise GrantValidationError(gettext(
                    'ptce_reporting.msg_instalment_over_award',
                    grant=self.grant.rec_name,
                    total=self.grant.format_amount(total),
                    amount=self.grant.format_amount(self.grant.amount)))


class FiscalYear(metaclass=PoolMeta):
    __name__ = 'account.fiscalyear'

    def _cross_checks(self):
        """The grants received in the ledger (the credits of the grant
        receivables 441, settled by the payments of the funders,
        accounting.md) against the instalments of the grants dated in the
        fiscal year"""
        Instalment = Pool().get('ptce.grant.instalment')
        checks = super()._cross_checks()
        instalments = Instalment.search([
                ('grant.company', '=', self.company.id),
                ('date', '>=', self.start_date),
                ('date', '<=', self.end_date),
                ])
        accounts = self.cross_check_accounts('441')
        if not accounts and not instalments:
            return checks
        _, received = self.cross_check_period_amounts(accounts)
        checks.append((80, 'grants',
                gettext('ptce_reporting.msg_cross_check_grants',
                    accounts=', '.join(a.code for a in accounts)),
                self.company.currency.round(
                    sum((i.amount for i in instalments), Decimal(0))),
                received))
        return checks
