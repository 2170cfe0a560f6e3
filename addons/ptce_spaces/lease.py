# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from decimal import Decimal
from types import SimpleNamespace

from dateutil.relativedelta import relativedelta
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.rpc import RPC
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button,
    StateAction,
    StateTransition,
    StateView,
    Wizard,
)

from .exceptions import (
    DepositError,
    DepositWarning,
    IndexationError,
    InvoicingError,
    LeaseOverlapError,
    LeaseValidationError,
)
from .space import INDEX_KINDS, month_bounds

LEASE_KINDS = [
    ('commercial', "Commercial Lease (3-6-9)"),
    ('professional', "Professional Lease"),
    ('precarious', "Precarious Occupancy Agreement"),
    ('coworking', "Coworking Membership"),
    ]

STATES = [
    ('draft', "Draft"),
    ('signed', "Signed"),
    ('running', "Running"),
    ('notice', "Notice Given"),
    ('terminated', "Terminated"),
    ]

# States in which a lease occupies its spaces
OCCUPYING_STATES = ['signed', 'running', 'notice', 'terminated']

_DRAFT = {'readonly': Eval('state') != 'draft'}


def add_months(date, months):
    return date + relativedelta(months=months)


def billing_period(date, frequency):
    "Calendar billing period (first day, last day) containing date"
    if frequency == 'quarterly':
        first_month = 3 * ((date.month - 1) // 3) + 1
        start = date.replace(month=first_month, day=1)
        end = add_months(start, 3) - datetime.timedelta(1)
    else:
        start, end = month_bounds(date)
    return start, end


class Lease(Workflow, ModelSQL, ModelView):
    __string__ = "Lease"
    __name__ = 'ptce.lease'
    _rec_name = 'reference'

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_DRAFT)
    reference = fields.Char("Reference", required=True, states=_DRAFT)
    tenant = fields.Many2One(
        'party.party', "Tenant", required=True, ondelete='RESTRICT',
        states=_DRAFT,
        context={'company': Eval('company', -1)}, depends={'company'})
    tenant_associate = fields.Function(
        fields.Boolean(
            "Associate",
            help="The tenant is an admitted associate of the cooperative "
            "(known when the SCIC members module is activated)."),
        'get_tenant_associate', searcher='search_tenant_associate')
    kind = fields.Selection(LEASE_KINDS, "Kind", required=True,
        states=_DRAFT,
        help="Commercial leases (Code de commerce L145) last at least "
        "9 years, professional leases 6 years.")
    spaces = fields.Many2Many(
        'ptce.lease-ptce.space', 'lease', 'space', "Spaces",
        domain=[('company', '=', Eval('company', -1))],
        states=_DRAFT, required=True)
    start_date = fields.Date("Start Date", required=True, states=_DRAFT)
    end_date = fields.Date(
        "End Date",
        domain=[If(Eval('end_date') & Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ())],
        states={'readonly': Eval('state') == 'terminated'},
        help="Leave empty for a lease renewed tacitly.")
    notice_period = fields.Integer(
        "Notice Period (months)", states=_DRAFT,
        domain=[If(Eval('notice_period'), ('notice_period', '>=', 0), ())],
        help="6 months for commercial and professional leases.")
    notice_date = fields.Date(
        "Notice Date", readonly=True,
        help="The day notice was given.")
    rent = fields.Numeric(
        "Rent", digits=(16, 2), required=True, states=_DRAFT,
        help="Rent excluding tax for one billing period.")
    charges = fields.Numeric(
        "Charges Provision", digits=(16, 2), required=True, states=_DRAFT,
        help="Provision on charges excluding tax for one billing period.")
    vat = fields.Boolean(
        "Subject to VAT", states=_DRAFT,
        help="Rent and charges bear the VAT of the products.")
    frequency = fields.Selection([
            ('monthly', "Monthly"),
            ('quarterly', "Quarterly"),
            ], "Billing Frequency", required=True, states=_DRAFT)
    term = fields.Selection([
            ('advance', "In Advance"),
            ('arrears', "In Arrears"),
            ], "Term", required=True, states=_DRAFT,
        help="In advance (terme à échoir): billed on the first day of the "
        "period. In arrears (terme échu): billed on its last day.")
    payment_term = fields.Many2One(
        'account.invoice.payment_term', "Payment Term", states=_DRAFT)
    sepa_mandate = fields.Many2One(
        'account.payment.sepa.mandate', "SEPA Mandate",
        domain=[
            ('party', '=', Eval('tenant', -1)),
            ('company', '=', Eval('company', -1)),
            ],
        help="Valid mandate for collecting the rents by direct debit.")
    deposit_amount = fields.Numeric(
        "Deposit", digits=(16, 2), states=_DRAFT,
        help="Dépôt de garantie. For commercial leases, a deposit above "
        "two terms of rent bears interest for the tenant (L145-40).")
    index_kind = fields.Selection(
        [(None, "")] + INDEX_KINDS, "Index", states=_DRAFT,
        help="ILC for commercial and craft activities, ILAT for offices "
        "(Code de commerce L145-34, L145-38).")
    reference_index_year = fields.Integer(
        "Reference Index Year",
        states={
            'required': Bool(Eval('index_kind')),
            'invisible': ~Eval('index_kind'),
            'readonly': Eval('state') != 'draft',
            })
    reference_index_quarter = fields.Integer(
        "Reference Index Quarter",
        domain=[If(Bool(Eval('reference_index_quarter')),
                [('reference_index_quarter', '>=', 1),
                    ('reference_index_quarter', '<=', 4)],
                [])],
        states={
            'required': Bool(Eval('index_kind')),
            'invisible': ~Eval('index_kind'),
            'readonly': Eval('state') != 'draft',
            })
    revision_date = fields.Date(
        "Next Revision",
        states={
            'required': Bool(Eval('index_kind')),
            'invisible': ~Eval('index_kind'),
            'readonly': Eval('state').in_(['terminated']),
            },
        help="Anniversary date of the next indexation.")
    revisions = fields.One2Many(
        'ptce.lease.revision', 'lease', "Rent History", readonly=True)
    periods = fields.One2Many(
        'ptce.lease.period', 'lease', "Invoiced Periods", readonly=True)
    deposit_move = fields.Many2One(
        'account.move', "Deposit Move", readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    deposit_return_move = fields.Many2One(
        'account.move', "Deposit Return Move", readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    deductions = fields.One2Many(
        'ptce.lease.deposit.deduction', 'lease', "Deposit Deductions",
        states={'readonly': Bool(Eval('deposit_return_move'))},
        help="Amounts kept from the deposit at the return (repairs, "
        "unpaid rents...).")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    area = fields.Function(
        fields.Numeric("Area (m²)", digits=(16, 2)), 'get_area')
    state = fields.Selection(STATES, "State", readonly=True, required=True,
        sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('reference_unique', Unique(t, t.company, t.reference),
                'ptce_spaces.msg_lease_reference_unique'),
            ]
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls.__rpc__.update({
                'invoice_period': RPC(
                    readonly=False, instantiate=0, fresh_session=True),
                'collect_invoices': RPC(
                    readonly=False, instantiate=0, fresh_session=True),
                })
        cls._transitions |= {
            ('draft', 'signed'),
            ('signed', 'draft'),
            ('signed', 'running'),
            ('running', 'notice'),
            ('running', 'terminated'),
            ('notice', 'terminated'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'signed',
                    'depends': ['state'],
                    },
                'sign': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'run': {
                    'invisible': Eval('state') != 'signed',
                    'depends': ['state'],
                    },
                'give_notice': {
                    'invisible': Eval('state') != 'running',
                    'depends': ['state'],
                    },
                'terminate': {
                    'invisible': ~Eval('state').in_(['running', 'notice']),
                    'depends': ['state'],
                    },
                'post_deposit': {
                    'invisible': (
                        ~Eval('state').in_(['signed', 'running', 'notice'])
                        | Bool(Eval('deposit_move'))
                        | ~Eval('deposit_amount')),
                    'depends': ['state', 'deposit_move', 'deposit_amount'],
                    },
                'return_deposit': {
                    'invisible': (
                        ~Eval('state').in_(['notice', 'terminated'])
                        | ~Eval('deposit_move')
                        | Bool(Eval('deposit_return_move'))),
                    'depends': [
                        'state', 'deposit_move', 'deposit_return_move'],
                    },
                'revise': {
                    'invisible': (
                        ~Eval('state').in_(['running', 'notice'])
                        | ~Eval('index_kind')),
                    'depends': ['state', 'index_kind'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_frequency():
        return 'monthly'

    @staticmethod
    def default_term():
        return 'advance'

    @staticmethod
    def default_kind():
        return 'commercial'

    @staticmethod
    def default_charges():
        return Decimal(0)

    @staticmethod
    def default_vat():
        return True

    @staticmethod
    def default_notice_period():
        return 6

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('kind', 'index_kind')
    def on_change_kind(self):
        if self.kind == 'commercial' and not self.index_kind:
            self.index_kind = 'ILC'
        elif self.kind == 'professional' and not self.index_kind:
            self.index_kind = 'ILAT'

    @fields.depends('start_date', 'revision_date', 'index_kind')
    def on_change_start_date(self):
        if self.start_date and self.index_kind and not self.revision_date:
            self.revision_date = add_months(self.start_date, 12)

    def get_area(self, name):
        return sum((s.area or Decimal(0)) for s in self.spaces)

    @classmethod
    def get_tenant_associate(cls, leases, name):
        "Overridden when scic_members is activated"
        return {l.id: False for l in leases}

    @classmethod
    def search_tenant_associate(cls, name, clause):
        "Overridden when scic_members is activated: no tenant is one"
        _, operator, value = clause[:3]
        is_associate = (operator == '=') == bool(value)
        return [('id', '=', -1)] if is_associate else []

    def get_rec_name(self, name):
        return f'{self.reference} ({self.tenant.rec_name})'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('reference', operator, value),
            ('tenant.rec_name', operator, value),
            ]

    # Validation ----------------------------------------------------------

    @classmethod
    def validate_fields(cls, leases, field_names):
        super().validate_fields(leases, field_names)
        cls.check_dates(leases, field_names)
        cls.check_amounts(leases, field_names)

    @classmethod
    def check_dates(cls, leases, field_names=None):
        if field_names and not (field_names & {'start_date', 'end_date'}):
            return
        for lease in leases:
            if lease.end_date and lease.end_date < lease.start_date:
                raise LeaseValidationError(gettext(
                        'ptce_spaces.msg_lease_end_before_start',
                        lease=lease.rec_name,
                        start=lease.start_date, end=lease.end_date))

    @classmethod
    def check_amounts(cls, leases, field_names=None):
        names = {'rent', 'charges', 'deposit_amount'}
        if field_names and not (field_names & names):
            return
        for lease in leases:
            for name in names:
                value = getattr(lease, name)
                if value is not None and value < 0:
                    raise LeaseValidationError(gettext(
                            'ptce_spaces.msg_lease_negative_amount',
                            lease=lease.rec_name,
                            field=cls.__names__(name)['field']))

    @classmethod
    def validate(cls, leases):
        super().validate(leases)
        cls.check_overlap(leases)

    @classmethod
    def check_overlap(cls, leases):
        "No two occupying leases on one exclusive space at the same time"
        for lease in leases:
            if lease.state not in OCCUPYING_STATES:
                continue
            exclusive = [s for s in lease.spaces if s.exclusive]
            if not exclusive:
                continue
            domain = [
                ('id', '!=', lease.id),
                ('company', '=', lease.company.id),
                ('state', 'in', OCCUPYING_STATES),
                ('spaces', 'in', [s.id for s in exclusive]),
                ['OR',
                    ('end_date', '=', None),
                    ('end_date', '>=', lease.start_date)],
                ]
            if lease.end_date:
                domain.append(('start_date', '<=', lease.end_date))
            others = cls.search(domain, limit=1)
            if others:
                other, = others
                spaces = set(exclusive) & set(other.spaces)
                raise LeaseOverlapError(gettext(
                        'ptce_spaces.msg_lease_overlap',
                        lease=lease.rec_name, other=other.rec_name,
                        space=', '.join(s.rec_name for s in spaces)))

    @classmethod
    def check_modification(cls, mode, leases, values=None, external=False):
        super().check_modification(
            mode, leases, values=values, external=external)
        if mode == 'delete':
            for lease in leases:
                if lease.state != 'draft':
                    raise AccessError(gettext(
                            'ptce_spaces.msg_lease_delete_draft',
                            lease=lease.rec_name))

    @classmethod
    def copy(cls, leases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('revisions')
        default.setdefault('periods')
        default.setdefault('deposit_move')
        default.setdefault('deposit_return_move')
        default.setdefault('deductions')
        default.setdefault('notice_date')
        default.setdefault(
            'reference', lambda data: data['reference'] + ' (copie)')
        return super().copy(leases, default=default)

    # Workflow ------------------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, leases):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('signed')
    def sign(cls, leases):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        for lease in leases:
            if lease.index_kind:
                lease.reference_index_value()
            if (lease.kind == 'commercial' and lease.deposit_amount
                    and lease.deposit_amount > 2 * lease.rent):
                # Code de commerce L145-40
                key = Warning.format('ptce_deposit_interest', [lease])
                if Warning.check(key):
                    raise DepositWarning(key, gettext(
                            'ptce_spaces.msg_lease_deposit_interest',
                            lease=lease.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, leases):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('notice')
    def give_notice(cls, leases):
        Date = Pool().get('ir.date')
        today = Date.today()
        for lease in leases:
            lease.notice_date = today
            end = add_months(today, lease.notice_period or 0)
            if not lease.end_date or lease.end_date > end:
                lease.end_date = end
        cls.save(leases)

    @classmethod
    @ModelView.button
    @Workflow.transition('terminated')
    def terminate(cls, leases):
        Date = Pool().get('ir.date')
        today = Date.today()
        for lease in leases:
            if not lease.end_date:
                lease.end_date = today
        cls.save(leases)

    # Invoicing -----------------------------------------------------------

    def due_period(self, month_start, month_end):
        """The billing period due in the month or None.

        Returns (key, start, end, full_days): key is the first day of the
        calendar period, [start, end] the days billed (shorter for a first
        or last partial period, billed pro rata of days)."""
        key, period_end = billing_period(month_start, self.frequency)
        start = max(key, self.start_date)
        end = min(period_end, self.end_date or period_end)
        if start > end:
            return None
        due = start if self.term == 'advance' else end
        if not (month_start <= due <= month_end):
            return None
        return key, start, end, (period_end - key).days + 1

    def prorata(self, amount, start, end, full_days):
        days = (end - start).days + 1
        if days == full_days:
            return amount
        return self.currency.round(amount * days / full_days)

    @classmethod
    def leases_to_invoice(
            cls, month_start, month_end, leases=None, company=None):
        domain = [
            ('state', 'in', OCCUPYING_STATES),
            ('start_date', '<=', month_end),
            ['OR',
                ('end_date', '=', None),
                # a quarter in arrears may end up to 2 months later
                ('end_date', '>=', month_start - relativedelta(months=2)),
                ],
            ]
        if leases is not None:
            domain.append(('id', 'in', [l.id for l in leases]))
        if company is not None:
            domain.append(('company', '=', company.id))
        return cls.search(domain, order=[('id', 'ASC')])

    @classmethod
    def invoiced_periods(cls, lease_ids):
        "The pairs (lease id, period start) that already have an invoice"
        Period = Pool().get('ptce.lease.period')
        done = set()
        for sub_ids in grouped_slice(sorted(lease_ids)):
            done.update(
                (p.lease.id, p.start_date) for p in Period.search([
                        ('lease', 'in', list(sub_ids)),
                        ]))
        return done

    @classmethod
    def uninvoiced_periods(cls, start, end, company=None):
        """Billing periods due between start and end that have no invoice.

        Month by month, the periods the rent run would invoice
        (leases_to_invoice and due_period) minus the invoiced ones
        (ptce.lease.period).  Returns a list of (lease, period start) sorted
        by period and lease: what the accountant must invoice before closing
        the year."""
        due = []
        month = start.replace(day=1)
        while month <= end:
            month_start, month_end = month_bounds(month)
            for lease in cls.leases_to_invoice(
                    max(month_start, start), min(month_end, end),
                    company=company):
                period = lease.due_period(
                    max(month_start, start), min(month_end, end))
                if period:
                    due.append((lease, period[0]))
            month = add_months(month, 1)
        if not due:
            return []
        done = cls.invoiced_periods({l.id for l, _ in due})
        return sorted(
            ((l, k) for l, k in due if (l.id, k) not in done),
            key=lambda x: (x[1], x[0].id))

    @classmethod
    def invoice_rents(cls, date, leases=None, post=False):
        """Create the rent invoices of the month of date.

        One customer invoice per lease and billing period due in the month
        (rent line + charges line).  A period already invoiced is skipped:
        the pair (lease, period) is unique in the database, so a second run
        or a run after a crash never invoices it twice.  Posts the invoices
        when post is True.  Returns the list of new invoices."""
        pool = Pool()
        Period = pool.get('ptce.lease.period')
        Invoice = pool.get('account.invoice')
        Configuration = pool.get('ptce.spaces.configuration')
        config = Configuration(1)
        if not config.rent_product:
            raise InvoicingError(gettext(
                    'ptce_spaces.msg_configuration_rent_product'))
        month_start, month_end = month_bounds(date)
        leases = cls.leases_to_invoice(month_start, month_end, leases)

        due = {}
        for lease in leases:
            period = lease.due_period(month_start, month_end)
            if period:
                due[lease.id] = (lease, period)
        if not due:
            return []
        done = cls.invoiced_periods(due)
        invoices, periods = [], []
        for lease, (key, start, end, full_days) in due.values():
            if (lease.id, key) in done:
                continue
            invoice = lease._get_invoice(start, end, full_days, config)
            invoices.append(invoice)
            periods.append(Period(
                    lease=lease, start_date=key, invoice_start=start,
                    invoice_end=end))
        if not invoices:
            return []
        if post:
            cls._lock_posting(invoices)
        Invoice.save(invoices)
        for period, invoice in zip(periods, invoices):
            period.invoice = invoice
        # The unique key (lease, start_date) makes a concurrent or repeated
        # run fail here instead of creating a second invoice.
        Period.save(periods)
        if post:
            # Rents in advance are posted on the run even when their date
            # is a few days ahead: the manager asked for it.
            with Transaction().set_context(_skip_warnings=True):
                Invoice.post(invoices)
        return invoices

    @classmethod
    def _lock_posting(cls, invoices):
        """Take first the locks that posting the invoices asks for: the
        strict invoice and move sequences and, for a journal without
        journal period yet, the journal periods table.  When trytond has to
        restart the transaction to take them, it happens before the
        invoices are saved instead of after (a batch is not done twice)."""
        pool = Pool()
        Period = pool.get('account.period')
        JournalPeriod = pool.get('account.journal.period')
        sequences, journal_periods = set(), set()
        for invoice in invoices:
            period = Period.find(invoice.company, date=invoice.invoice_date)
            fiscalyear = period.fiscalyear
            pattern = {
                'company': invoice.company.id,
                'fiscalyear': fiscalyear.id,
                'period': period.id,
                }
            for invoice_sequence in fiscalyear.invoice_sequences:
                if invoice_sequence.match(pattern):
                    sequences.add(invoice_sequence.out_invoice_sequence)
                    break
            sequences.add(period.move_sequence_used)
            journal_periods.add((invoice.journal.id, period.id))
        for sequence in sequences:
            if sequence:
                sequence.lock()
        for journal, period in journal_periods:
            if not JournalPeriod.search([
                        ('journal', '=', journal),
                        ('period', '=', period),
                        ], limit=1):
                JournalPeriod.lock()
                break

    def _get_invoice(self, start, end, full_days, config):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Line = pool.get('account.invoice.line')
        party = self.tenant
        invoice = Invoice(
            company=self.company,
            type='out',
            party=party,
            invoice_address=party.address_get(type='invoice'),
            currency=self.company.currency,
            account=party.account_receivable_used,
            invoice_date=self.term == 'advance' and start or end,
            payment_term=(
                self.payment_term or party.customer_payment_term),
            reference=self.reference,
            description=gettext(
                'ptce_spaces.msg_invoice_description',
                lease=self.reference, start=start.strftime('%d/%m/%Y'),
                end=end.strftime('%d/%m/%Y')),
            )
        invoice.set_journal()
        sector = self.sector
        lines = []
        spaces = ', '.join(s.code for s in self.spaces)
        for product, amount, msg in [
                (config.rent_product, self.rent, 'ptce_spaces.msg_line_rent'),
                (config.charges_product, self.charges,
                    'ptce_spaces.msg_line_charges'),
                ]:
            if not amount:
                continue
            if not product:
                raise InvoicingError(gettext(
                        'ptce_spaces.msg_configuration_charges_product'))
            line = Line(
                invoice=invoice, company=self.company,
                currency=self.company.currency,
                type='line', product=product, unit=product.default_uom,
                quantity=1,
                unit_price=self.prorata(amount, start, end, full_days),
                account=product.account_revenue_used,
                description=gettext(
                    msg, spaces=spaces,
                    start=start.strftime('%d/%m/%Y'),
                    end=end.strftime('%d/%m/%Y')),
                origin=self,
                taxes=list(product.customer_taxes_used) if self.vat else [],
                )
            if sector:
                line.analytic_accounts = [{
                        'root': sector.root.id,
                        'account': sector.id,
                        }]
            lines.append(line)
        invoice.lines = lines
        return invoice

    @property
    def sector(self):
        for space in self.spaces:
            if space.sector:
                return space.sector

    @classmethod
    def invoice_period(cls, leases, date, post=False):
        "RPC entry: invoice the month of date for these leases"
        return [i.id for i in cls.invoice_rents(date, leases, post=post)]

    @classmethod
    def collect_invoices(cls, leases, invoice_ids, date=None):
        "RPC entry: SEPA direct debit of the invoices of these leases"
        Invoice = Pool().get('account.invoice')
        group = cls.collect_rents(Invoice.browse(invoice_ids), date=date)
        return group.id if group else None

    @classmethod
    def collect_rents(cls, invoices, date=None):
        """SEPA direct debit of rent invoices whose lease has a mandate.

        Creates one receivable payment per invoice (on its line to pay,
        with the lease's mandate), submits them and processes them in one
        group: the group's SEPA message is the pain.008 file of the run.
        Returns the payment group or None."""
        pool = Pool()
        Payment = pool.get('account.payment')
        Group = pool.get('account.payment.group')
        Configuration = pool.get('ptce.spaces.configuration')
        Date = pool.get('ir.date')
        company = Transaction().context.get('company')
        journal = Configuration(1).get_multivalue(
            'sepa_journal', company=company)
        if not journal:
            raise InvoicingError(gettext(
                    'ptce_spaces.msg_configuration_sepa_journal'))
        payments = []
        for invoice in invoices:
            # The journal is the company's: other companies' invoices are
            # collected from their own company.
            if invoice.state != 'posted' or invoice.company.id != company:
                continue
            leases = {l.origin for l in invoice.lines
                if isinstance(l.origin, cls)}
            mandates = {l.sepa_mandate for l in leases if l.sepa_mandate}
            if len(mandates) != 1:
                continue
            mandate, = mandates
            for line in invoice.lines_to_pay:
                if line.reconciliation or line.payment_amount <= 0:
                    continue
                payments.append(Payment(
                        company=invoice.company, journal=journal,
                        kind='receivable', party=invoice.party,
                        amount=line.payment_amount, line=line,
                        date=date or line.maturity_date or Date.today(),
                        currency=invoice.currency,
                        sepa_mandate=mandate))
        if not payments:
            return None
        Payment.save(payments)
        # receivable payments are processed once submitted (no approval)
        Payment.submit(payments)

        def group():
            group = Group(
                company=journal.company, journal=journal,
                kind='receivable')
            group.save()
            return group
        # As the stock "Process Payments" wizard: processing moves the
        # payments through states whose buttons are not offered to users.
        with without_check_access():
            return Payment.process(payments, group)

    @classmethod
    def invoice_rents_cron(cls):
        "Cron: draft rent invoices of the current month"
        Date = Pool().get('ir.date')
        cls.invoice_rents(Date.today())

    # Indexation ----------------------------------------------------------

    def reference_index_value(self):
        RentIndex = Pool().get('ptce.rent.index')
        value = RentIndex.get_value(
            self.index_kind, self.reference_index_year,
            self.reference_index_quarter)
        if value is None:
            raise IndexationError(gettext(
                    'ptce_spaces.msg_index_missing',
                    lease=self.rec_name, kind=self.index_kind,
                    quarter=self.reference_index_quarter,
                    year=self.reference_index_year))
        return value

    def compute_indexation(self):
        """Proposed revision: new rent = rent × new index / reference index.

        The new index is the one of the same quarter one year later; the
        rent follows the index down as well as up (Cass. 3e civ.,
        14 January 2016).  Returns a dict of the revision values."""
        RentIndex = Pool().get('ptce.rent.index')
        if not self.index_kind:
            raise IndexationError(gettext(
                    'ptce_spaces.msg_lease_no_index', lease=self.rec_name))
        reference = self.reference_index_value()
        year = self.reference_index_year + 1
        quarter = self.reference_index_quarter
        new = RentIndex.get_value(self.index_kind, year, quarter)
        if new is None:
            raise IndexationError(gettext(
                    'ptce_spaces.msg_index_missing',
                    lease=self.rec_name, kind=self.index_kind,
                    quarter=quarter, year=year))
        new_rent = self.currency.round(self.rent * new / reference)
        return {
            'date': self.revision_date,
            'old_rent': self.rent,
            'new_rent': new_rent,
            'index_kind': self.index_kind,
            'reference_year': self.reference_index_year,
            'reference_quarter': quarter,
            'reference_value': reference,
            'new_year': year,
            'new_quarter': quarter,
            'new_value': new,
            }

    @classmethod
    def apply_indexation(cls, leases):
        "Apply the proposed revision and keep it in the history"
        Revision = Pool().get('ptce.lease.revision')
        revisions = []
        for lease in leases:
            values = lease.compute_indexation()
            revisions.append(Revision(lease=lease, **values))
            lease.rent = values['new_rent']
            lease.reference_index_year = values['new_year']
            lease.revision_date = add_months(
                lease.revision_date or values['date'], 12)
        Revision.save(revisions)
        cls.save(leases)
        return revisions

    @classmethod
    @ModelView.button_action('ptce_spaces.wizard_lease_revise')
    def revise(cls, leases):
        pass

    # Deposit -------------------------------------------------------------

    def _deposit_config(self):
        "The deposit journal and accounts of the lease's company"
        Configuration = Pool().get('ptce.spaces.configuration')
        config = Configuration(1)
        values = {name: config.get_multivalue(name, company=self.company.id)
            for name in [
                'deposit_journal', 'deposit_account', 'deposit_bank_account']}
        if not all(values.values()):
            raise DepositError(gettext(
                    'ptce_spaces.msg_configuration_deposit'))
        return SimpleNamespace(**values)

    def _deposit_move(self, date, lines):
        pool = Pool()
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        config = self._deposit_config()
        return Move(
            company=self.company,
            journal=config.deposit_journal,
            period=Period.find(self.company, date=date),
            date=date,
            origin=self,
            description=gettext(
                'ptce_spaces.msg_deposit_move', lease=self.reference),
            lines=lines)

    def _deposit_line(self, account, debit, credit, description=None):
        MoveLine = Pool().get('account.move.line')
        line = MoveLine(
            account=account, debit=debit, credit=credit,
            description=description)
        if account.party_required:
            line.party = self.tenant
        return line

    @classmethod
    @ModelView.button
    def post_deposit(cls, leases):
        "Deposit received: 512 Banque / 165 Dépôts et cautionnements reçus"
        pool = Pool()
        Move = pool.get('account.move')
        Date = pool.get('ir.date')
        moves = []
        for lease in leases:
            if lease.deposit_move or not lease.deposit_amount:
                continue
            config = lease._deposit_config()
            date = Date.today()
            amount = lease.currency.round(lease.deposit_amount)
            move = lease._deposit_move(date, [
                    lease._deposit_line(
                        config.deposit_bank_account, amount, Decimal(0)),
                    lease._deposit_line(
                        config.deposit_account, Decimal(0), amount),
                    ])
            moves.append(move)
            lease.deposit_move = move
        Move.save(moves)
        Move.post(moves)
        cls.save(leases)

    @classmethod
    @ModelView.button
    def return_deposit(cls, leases):
        """Deposit returned: 165 / 512 for the amount paid back and
        165 / 7xx for each deduction."""
        pool = Pool()
        Move = pool.get('account.move')
        Date = pool.get('ir.date')
        moves = []
        for lease in leases:
            if not lease.deposit_move or lease.deposit_return_move:
                continue
            config = lease._deposit_config()
            amount = lease.currency.round(lease.deposit_amount)
            deducted = sum(
                lease.currency.round(d.amount) for d in lease.deductions)
            if deducted > amount:
                raise DepositError(gettext(
                        'ptce_spaces.msg_deposit_deductions_exceed',
                        lease=lease.rec_name))
            lines = [lease._deposit_line(
                    config.deposit_account, amount, Decimal(0))]
            for deduction in lease.deductions:
                lines.append(lease._deposit_line(
                        deduction.account, Decimal(0),
                        lease.currency.round(deduction.amount),
                        deduction.description))
            if amount - deducted:
                lines.append(lease._deposit_line(
                        config.deposit_bank_account, Decimal(0),
                        amount - deducted))
            move = lease._deposit_move(Date.today(), lines)
            moves.append(move)
            lease.deposit_return_move = move
        Move.save(moves)
        Move.post(moves)
        cls.save(leases)


class LeaseSpace(ModelSQL):
    __string__ = "Lease - Space"
    __name__ = 'ptce.lease-ptce.space'

    lease = fields.Many2One(
        'ptce.lease', "Lease", required=True, ondelete='CASCADE')
    space = fields.Many2One(
        'ptce.space', "Space", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('lease')


class LeaseRevision(ModelSQL, ModelView):
    __string__ = "Rent Revision"
    __name__ = 'ptce.lease.revision'

    lease = fields.Many2One(
        'ptce.lease', "Lease", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    old_rent = fields.Numeric("Old Rent", digits=(16, 2), required=True)
    new_rent = fields.Numeric("New Rent", digits=(16, 2), required=True)
    index_kind = fields.Selection(INDEX_KINDS, "Index", required=True)
    reference_year = fields.Integer("Reference Year", required=True)
    reference_quarter = fields.Integer("Reference Quarter", required=True)
    reference_value = fields.Numeric(
        "Reference Index", digits=(16, 2), required=True)
    new_year = fields.Integer("New Year", required=True)
    new_quarter = fields.Integer("New Quarter", required=True)
    new_value = fields.Numeric("New Index", digits=(16, 2), required=True)
    variation = fields.Function(
        fields.Numeric("Variation (%)", digits=(16, 2)), 'get_variation')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('lease')
        cls._order.insert(0, ('date', 'DESC'))

    def get_variation(self, name):
        return ((self.new_value / self.reference_value - 1) * 100).quantize(
            Decimal('0.01'))

    def get_rec_name(self, name):
        return f'{self.lease.rec_name} {self.date}'


class LeasePeriod(ModelSQL, ModelView):
    __string__ = "Invoiced Lease Period"
    __name__ = 'ptce.lease.period'

    lease = fields.Many2One(
        'ptce.lease', "Lease", required=True, ondelete='RESTRICT')
    start_date = fields.Date(
        "Period", required=True,
        help="First day of the calendar billing period.")
    invoice_start = fields.Date("Billed From", required=True)
    invoice_end = fields.Date("Billed To", required=True)
    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('lease')
        # The idempotency of the rent run rests on this database key.
        cls._sql_constraints += [
            ('lease_period_unique', Unique(t, t.lease, t.start_date),
                'ptce_spaces.msg_lease_period_unique'),
            ]
        cls._order.insert(0, ('start_date', 'DESC'))


class DepositDeduction(ModelSQL, ModelView):
    __string__ = "Deposit Deduction"
    __name__ = 'ptce.lease.deposit.deduction'

    lease = fields.Many2One(
        'ptce.lease', "Lease", required=True, ondelete='CASCADE')
    description = fields.Char("Description", required=True)
    account = fields.Many2One(
        'account.account', "Account", required=True,
        domain=[('closed', '!=', True)],
        help="Revenue account credited with the amount kept (7xx).")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True,
        domain=[('amount', '>', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('lease')


class ReviseStart(ModelView):
    __string__ = "Revise Rent"
    __name__ = 'ptce.lease.revise.start'

    lease = fields.Many2One('ptce.lease', "Lease", readonly=True)
    date = fields.Date("Date", readonly=True)
    index_kind = fields.Selection(INDEX_KINDS, "Index", readonly=True)
    reference = fields.Char("Reference Index", readonly=True)
    reference_value = fields.Numeric(
        "Reference Value", digits=(16, 2), readonly=True)
    new = fields.Char("New Index", readonly=True)
    new_value = fields.Numeric("New Value", digits=(16, 2), readonly=True)
    old_rent = fields.Numeric("Current Rent", digits=(16, 2), readonly=True)
    new_rent = fields.Numeric("New Rent", digits=(16, 2), readonly=True)


class Revise(Wizard):
    "Apply the indexation of the rent"
    __name__ = 'ptce.lease.revise'

    start = StateView('ptce.lease.revise.start',
        'ptce_spaces.lease_revise_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Apply", 'apply', 'tryton-ok', default=True),
            ])
    apply = StateTransition()

    def default_start(self, fields):
        values = self.record.compute_indexation()
        return {
            'lease': self.record.id,
            'date': values['date'],
            'index_kind': values['index_kind'],
            'reference': f"T{values['reference_quarter']} "
            f"{values['reference_year']}",
            'reference_value': values['reference_value'],
            'new': f"T{values['new_quarter']} {values['new_year']}",
            'new_value': values['new_value'],
            'old_rent': values['old_rent'],
            'new_rent': values['new_rent'],
            }

    def transition_apply(self):
        self.model.apply_indexation([self.record])
        return 'end'


class InvoiceRentsStart(ModelView):
    __string__ = "Invoice Rents"
    __name__ = 'ptce.lease.invoice_rents.start'

    date = fields.Date(
        "Month", required=True,
        help="Any day of the month to invoice.")
    post = fields.Boolean("Post", help="Post the invoices at once.")

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()


class InvoiceRents(Wizard):
    "Invoice the rents of a month"
    __name__ = 'ptce.lease.invoice_rents'

    start = StateView('ptce.lease.invoice_rents.start',
        'ptce_spaces.lease_invoice_rents_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Invoice", 'invoice', 'tryton-ok', default=True),
            ])
    invoice = StateAction('account_invoice.act_invoice_out_form')

    def do_invoice(self, action):
        Lease = Pool().get('ptce.lease')
        invoices = Lease.invoice_rents(self.start.date, post=self.start.post)
        action['domains'] = []
        return action, {'res_id': [i.id for i in invoices]}

