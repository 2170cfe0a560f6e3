# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The documents of the leases, in French, rendered to PDF: the rent call
(avis d'échéance), the rent receipt (quittance de loyer) and the rent
revision letter (lettre de révision), printed from an invoiced period of
the lease (its buttons in the lease's "Invoiced Periods" tab), from a rent
invoice or from a revision of the rent history."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from ptce_company.report import DocumentReport

from .exceptions import ReceiptError, RentDocumentError
from .space import INDEX_KINDS

# The names of the indexes in full, as a revision letter gives them
INDEX_NAMES = {
    'ILC': "indice des loyers commerciaux (ILC)",
    'ILAT': "indice des loyers des activités tertiaires (ILAT)",
    'IRL': "indice de référence des loyers (IRL)",
    }
assert set(INDEX_NAMES) == {k for k, _ in INDEX_KINDS}

LEASE_KIND_NAMES = {
    'commercial': "bail commercial",
    'professional': "bail professionnel",
    'precarious': "convention d'occupation précaire",
    'coworking': "contrat de coworking",
    }

FREQUENCY_NAMES = {
    'monthly': "mensuel",
    'quarterly': "trimestriel",
    }


class LeasePeriod(metaclass=PoolMeta):
    __name__ = 'ptce.lease.period'

    invoice_state = fields.Function(fields.Selection(
            'get_invoice_states', "Invoice State",
            help="A receipt is printed once the invoice is paid."),
        'on_change_with_invoice_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'print_rent_call': {
                    'invisible': Eval('invoice_state') == 'cancelled',
                    'depends': ['invoice_state'],
                    },
                # Offered before the payment too: the user learns why
                # there is no receipt yet (ReceiptError)
                'print_rent_receipt': {
                    'invisible': Eval('invoice_state') == 'cancelled',
                    'depends': ['invoice_state'],
                    },
                })

    @classmethod
    def get_invoice_states(cls):
        Invoice = Pool().get('account.invoice')
        return Invoice.fields_get(['state'])['state']['selection']

    @property
    def company(self):
        "The company of the lease (the landlord of the documents)"
        return self.lease.company

    @fields.depends('invoice', '_parent_invoice.state')
    def on_change_with_invoice_state(self, name=None):
        return self.invoice.state if self.invoice else None

    @classmethod
    @ModelView.button_action('ptce_spaces.report_rent_call')
    def print_rent_call(cls, periods):
        pass

    @classmethod
    @ModelView.button_action('ptce_spaces.report_rent_receipt')
    def print_rent_receipt(cls, periods):
        pass


def quarter_name(quarter, year):
    "The quarter of a year in French: « 1er trimestre 2025 »"
    return f"{quarter}{'er' if quarter == 1 else 'e'} trimestre {year}"


def party_lines(party, address=None):
    "Name and address lines of a party on a document"
    address = address or party.address_get()
    lines = [party.full_name or party.name]
    if address:
        lines.extend(
            l.strip() for l in address.full_address.splitlines()
            if l.strip() and l.strip() != lines[0])
    return lines


def siren_of(party):
    "The SIREN of a party (party_siret), if any"
    siren = getattr(party, 'siren', None)
    return siren.code if siren else None


class RentDocument(DocumentReport):
    "The values a lease's document prints, shared by the rent documents"

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        context = super().get_context(records, header, data)
        context['today'] = Date.today()
        # French documents: French numbers and dates whatever the language
        # of the user
        french = Lang.get('fr')
        context['date'] = lambda value: (
            cls.format_date(value, french, '%d/%m/%Y') if value else '')
        context['money'] = lambda value, currency: cls.format_currency(
            value, french, currency)
        context['number'] = lambda value, digits=2: cls.format_number(
            value, french, digits)
        company = context['company']
        context['landlord'] = cls.landlord_values(company)
        return context

    @classmethod
    def landlord_values(cls, company):
        "The landlord (the company) as a lease document names it"
        if not company:
            return {}
        name = company.party.name
        if company.legal_form:
            name = f"{name}, {company.legal_form}"
        address = company.party.address_get()
        return {
            'name': name,
            'party_name': company.party.name,
            'lines': party_lines(company.party, address)[1:],
            'siren': company.siren,
            'vat_number': company.vat_number,
            'city': (address.city if address and address.city else None),
            }

    @classmethod
    def lease_values(cls, lease):
        "The tenant, the premises and the terms of a lease"
        Lang = Pool().get('ir.lang')
        french = Lang.get('fr')
        tenant = lease.tenant
        premises = []
        for space in lease.spaces:
            text = f"{space.code} {space.name}"
            if space.area:
                area = french.format_number(space.area, 2)
                text += f" ({area} m²)"
            premises.append(text)
        return {
            'premises': ', '.join(premises),
            'tenant': party_lines(
                tenant, tenant.address_get(type='invoice')),
            'tenant_siren': siren_of(tenant),
            'kind': LEASE_KIND_NAMES.get(lease.kind, lease.kind),
            'spaces': [
                (s.code, s.name, s.building, s.floor, s.area)
                for s in lease.spaces],
            'frequency': FREQUENCY_NAMES.get(
                lease.frequency, lease.frequency),
            }


class RentCall(RentDocument):
    """Avis d'échéance: the call of the rent of an invoiced period, from
    its invoice (rent, charges, VAT, total and due date)"""
    __name__ = 'ptce.lease.rent_call'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['rents'] = {p.id: cls.period_values(p) for p in records}
        return context

    @classmethod
    def period_values(cls, period):
        "What a rent call or receipt prints of an invoiced period"
        lease, invoice = period.lease, period.invoice
        values = cls.lease_values(lease)
        # The day the lease sets (terme à échoir or échu), unless the
        # invoice's payment term gives the tenant more time: without a
        # payment term, Tryton dates the line to pay on the day of posting
        due_date = lease.due_date(period.invoice_start, period.invoice_end)
        if invoice.payment_term and invoice.lines_to_pay:
            due_date = min(
                l.maturity_date or l.date for l in invoice.lines_to_pay)
        tenant_address = invoice.invoice_address
        if tenant_address:
            values['tenant'] = party_lines(invoice.party, tenant_address)
        values.update({
                'lease': lease,
                'invoice': invoice,
                'currency': invoice.currency,
                'lines': [
                    (l.description, l.amount) for l in invoice.lines
                    if l.type == 'line'],
                'untaxed': invoice.untaxed_amount,
                'taxes': [
                    (t.description, t.base, t.amount) for t in invoice.taxes],
                'tax': invoice.tax_amount,
                'total': invoice.total_amount,
                'due_date': due_date,
                'mandate': lease.sepa_mandate,
                'paid_date': invoice.reconciled,
                })
        return values


class RentReceipt(RentCall):
    """Quittance de loyer: only for a period whose invoice is paid (a
    receipt acknowledges a payment)"""
    __name__ = 'ptce.lease.rent_receipt'

    @classmethod
    def get_context(cls, records, header, data):
        for period in records:
            if period.invoice.state != 'paid':
                raise ReceiptError(gettext(
                        'ptce_spaces.msg_receipt_not_paid',
                        invoice=period.invoice.rec_name))
        return super().get_context(records, header, data)


class InvoiceRentMixin:
    """A rent document printed from the rent invoices: each invoice is
    the one of an invoiced period of a lease (ptce.lease.period)"""

    @classmethod
    def get_context(cls, records, header, data):
        return super().get_context(
            cls.periods_of(records), header, data)

    @classmethod
    def periods_of(cls, invoices):
        "The invoiced lease periods of the invoices, in their order"
        Period = Pool().get('ptce.lease.period')
        periods = {p.invoice.id: p for p in Period.search([
                    ('invoice', 'in', [i.id for i in invoices]),
                    ])}
        for invoice in invoices:
            if invoice.id not in periods:
                raise RentDocumentError(gettext(
                        'ptce_spaces.msg_invoice_not_rent',
                        invoice=invoice.rec_name))
        return [periods[i.id] for i in invoices]


class InvoiceRentCall(InvoiceRentMixin, RentCall):
    "Avis d'échéance of a rent invoice"
    __name__ = 'ptce.invoice.rent_call'


class InvoiceRentReceipt(InvoiceRentMixin, RentReceipt):
    "Quittance de loyer of a paid rent invoice"
    __name__ = 'ptce.invoice.rent_receipt'


class RentRevision(RentDocument):
    """Lettre de révision: the new rent after indexation, with the index,
    its reference and new values and the clause that applies it"""
    __name__ = 'ptce.lease.rent_revision'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['revisions'] = {
            r.id: cls.revision_values(r) for r in records}
        return context

    @classmethod
    def revision_values(cls, revision):
        lease = revision.lease
        values = cls.lease_values(lease)
        values.update({
                'lease': lease,
                'currency': lease.currency,
                'index': INDEX_NAMES[revision.index_kind],
                'reference': quarter_name(
                    revision.reference_quarter, revision.reference_year),
                'new': quarter_name(revision.new_quarter, revision.new_year),
                'variation': revision.variation,
                })
        return values
