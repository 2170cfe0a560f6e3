# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"The rent run: billing periods due, rent invoices and their collection"
import datetime

from dateutil.relativedelta import relativedelta
from trytond import config as trytond_config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONEncoder
from trytond.rpc import RPC
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import InvoicingError
from .lease import OCCUPYING_STATES, add_months
from .space import month_bounds

# Leases invoiced by one task of the rent run (Lease.run_rents), in one
# transaction; the context's rent_batch_size changes it (ateliers rents
# invoice --batch-size).  A batch that posts holds the invoice and move
# sequences until its commit: small enough not to make others wait long.
RENT_BATCH_SIZE = 100


class Lease(metaclass=PoolMeta):
    __name__ = 'ptce.lease'

    periods = fields.One2Many(
        'ptce.lease.period', 'lease', "Invoiced Periods", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'invoice_period': RPC(
                    readonly=False, instantiate=0, fresh_session=True),
                'collect_invoices': RPC(
                    readonly=False, instantiate=0, fresh_session=True),
                })

    @classmethod
    def copy(cls, leases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('periods')
        return super().copy(leases, default=default)

    def billing_period(self, date):
        """The calendar billing period (first day, last day) containing date,
        by the billing frequency of the lease"""
        return getattr(self, f'_billing_period_{self.frequency}')(date)

    def _billing_period_monthly(self, date):
        return month_bounds(date)

    def _billing_period_quarterly(self, date):
        first_month = 3 * ((date.month - 1) // 3) + 1
        start = date.replace(month=first_month, day=1)
        return start, add_months(start, 3) - datetime.timedelta(1)

    def due_date(self, start, end):
        "The day the rent of the days from start to end is due, by the term"
        return getattr(self, f'_due_date_{self.term}')(start, end)

    def _due_date_advance(self, start, end):
        # Terme à échoir: on the first day billed
        return start

    def _due_date_arrears(self, start, end):
        # Terme échu: on the last day billed
        return end

    def due_period(self, month_start, month_end):
        """The billing period due in the month or None.

        Returns (key, start, end, full_days): key is the first day of the
        calendar period, [start, end] the days billed (shorter for a first
        or last partial period, billed pro rata of days)."""
        key, period_end = self.billing_period(month_start)
        start = max(key, self.start_date)
        end = min(period_end, self.end_date or period_end)
        if start > end:
            return None
        due = self.due_date(start, end)
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
    def rents_due(cls, date, leases=None, company=None):
        """The billing periods of the month of date, invoiced or not.

        Returns (due, invoiced): due maps each lease whose period due in
        the month has no invoice yet to that period (key, start, end,
        full_days) as due_period gives it, in the order of the leases'
        ids; invoiced lists the leases whose period already has one."""
        month_start, month_end = month_bounds(date)
        periods = {}
        for lease in cls.leases_to_invoice(
                month_start, month_end, leases, company=company):
            period = lease.due_period(month_start, month_end)
            if period:
                periods[lease] = period
        done = cls.invoiced_periods({l.id for l in periods})
        due, invoiced = {}, []
        for lease, period in periods.items():
            if (lease.id, period[0]) in done:
                invoiced.append(lease)
            else:
                due[lease] = period
        return due, invoiced

    @classmethod
    def _rent_configuration(cls):
        "The configuration of the rent run, checked"
        Configuration = Pool().get('ptce.spaces.configuration')
        config = Configuration(1)
        if not config.rent_product:
            raise InvoicingError(gettext(
                    'ptce_spaces.msg_configuration_rent_product'))
        return config

    @classmethod
    def run_rents(cls, date, post=False, leases=None, company=None):
        """Invoice the rents of the month of date, in batches.

        The rent run of the cron, the wizard "Invoice Rents" and
        ``ateliers rents invoice``: the leases (of company, or these
        leases) with a period due in the month and not invoiced yet are
        split in batches of the context's ``rent_batch_size`` leases
        (RENT_BATCH_SIZE by default) and one queue task per batch calls
        invoice_period.  Each task runs in its own transaction once this
        one is committed: by the worker when one is configured, else by
        the process that commits (the RPC dispatcher, the cron, the
        command line).  A task run twice or late invoices nothing twice
        (see invoice_rents).  Returns the ids of the tasks (ir.queue)."""
        cls._rent_configuration()
        due, _ = cls.rents_due(date, leases, company=company)
        size = (Transaction().context.get('rent_batch_size')
            or RENT_BATCH_SIZE)
        task_ids = []
        for batch in grouped_slice(list(due), size):
            task_ids.extend(cls.__queue__.invoice_period(
                    list(batch), date, post=post))
        return task_ids

    @classmethod
    def rent_invoices_domain(cls, date, leases=None):
        """The domain of the rent invoices of the month of date (of these
        leases): their invoice date is the day the period is due"""
        month_start, month_end = month_bounds(date)
        if leases is None:
            origin = ('lines.origin', 'like', f'{cls.__name__},%')
        else:
            origin = ('lines.origin', 'in', [str(l) for l in leases])
        return [
            ('type', '=', 'out'),
            ('invoice_date', '>=', month_start),
            ('invoice_date', '<=', month_end),
            origin,
            ]

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
        config = cls._rent_configuration()
        due, _ = cls.rents_due(date, leases)
        # Posting at once: the taxes of each invoice are computed once, in
        # memory, and checked by posting (see Invoice.update_taxes of
        # ptce_company); drafts get them computed by their creation.
        # Without a queue worker to render their PDFs aside, the process
        # that runs the batch would render them one by one after it (0.3 s
        # each): their first print renders and caches each instead.  Rents
        # in advance are posted on the run even when their date is a few
        # days ahead: the manager asked for it.
        context = {}
        if post:
            context = dict(_skip_warnings=True, invoice_taxes_computed=True,
                invoice_report_at_first_print=not trytond_config.getboolean(
                    'queue', 'worker', default=False))
        with Transaction().set_context(**context):
            invoices, periods = [], []
            for lease, (key, start, end, full_days) in due.items():
                invoices.append(
                    lease._get_invoice(start, end, full_days, config))
                periods.append(Period(
                        lease=lease, start_date=key, invoice_start=start,
                        invoice_end=end))
            if not invoices:
                return []
            if post:
                cls._lock_posting(invoices)
                for invoice in invoices:
                    invoice.taxes = invoice._get_computed_taxes()
            Invoice.save(invoices)
            for period, invoice in zip(periods, invoices):
                period.invoice = invoice
            # The unique key (lease, start_date) makes a concurrent or
            # repeated run fail here instead of creating a second invoice.
            Period.save(periods)
            if post:
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
            invoice_date=self.due_date(start, end),
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

    @classmethod
    def invoice_period(cls, leases, date, post=False):
        """Invoice the month of date for these leases: the RPC entry and
        the queue task of run_rents"""
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
        """Cron: draft rent invoices of the current month, in batches (the
        cron runs once per company, with the company in the context)"""
        pool = Pool()
        Date = pool.get('ir.date')
        Company = pool.get('company.company')
        company = Transaction().context.get('company')
        cls.run_rents(
            Date.today(), company=Company(company) if company else None)


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
        Lease.run_rents(self.start.date, post=self.start.post)
        # The batches are invoiced after this request (by the worker when
        # there is one): the list shows the rent invoices of the month as
        # they are created
        action['pyson_domain'] = PYSONEncoder().encode(
            Lease.rent_invoices_domain(self.start.date))
        action['domains'] = []
        return action, {}

