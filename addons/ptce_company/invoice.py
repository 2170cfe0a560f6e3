# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The customer invoice as a French document: the PDF printed by the
stock "Invoice" action (an HTML template rendered by WeasyPrint, with the
mentions the law requires), and its Factur-X (EN 16931): that same PDF with
the Cross Industry Invoice embedded, for every customer invoice of the
company whichever module made it: rents, bookings, sales."""
from collections import namedtuple
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import dualmethod
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.tools import slugify
from trytond.transaction import Transaction

from .edocument import EXEMPTION_REASON, FACTURX_TEMPLATE
from .exceptions import FacturXError
from .report import DocumentReport

DocumentLine = namedtuple('DocumentLine', [
        'type', 'description', 'quantity', 'unit', 'unit_price', 'taxes',
        'amount'])
DocumentTax = namedtuple('DocumentTax', ['label', 'base', 'amount'])


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @dualmethod
    def print_invoice(cls, invoices):
        """Render and cache the PDF of posted invoices (the task that
        posting pushes to the queue).

        A run that posts many invoices at once without a queue worker (the
        rent run) sets invoice_report_at_first_print in the context: their
        PDF is then rendered and cached by their first print, whoever asks
        for it (the back office, the portal, the Factur-X), as stock does
        for an invoice whose queued rendering has not run yet (see
        InvoiceReport._execute): nothing prints another copy before."""
        if Transaction().context.get('invoice_report_at_first_print'):
            return
        super().print_invoice(invoices)

    @dualmethod
    def update_taxes(cls, invoices, exception=False):
        """Compute the taxes of draft invoices again (after each write).

        A run that creates invoices with their taxes computed in memory and
        posts them at once (the rent run) sets invoice_taxes_computed in
        the context of these invoices: the writes of creating and posting
        (number, amounts, move) change no line, and get_move computes the
        taxes once to check them (exception) before anything is posted."""
        if (not exception
                and Transaction().context.get('invoice_taxes_computed')):
            return
        super().update_taxes(invoices, exception=exception)

    def _get_computed_taxes(self):
        """The taxes of the invoice computed from its lines in memory, as
        update_taxes creates them"""
        Tax = Pool().get('account.invoice.tax')
        taxes = []
        for values in dict(self._compute_taxes()).values():
            values.pop('invoice')
            taxes.append(Tax(**values))
        return taxes

    @classmethod
    def _check_taxes(cls, invoices):
        # Its only outcome is a warning: skipped warnings need no check
        if Transaction().context.get('_skip_warnings'):
            return
        super()._check_taxes(invoices)

    def get_facturx_xml(self):
        """The Cross Industry Invoice of the invoice, Factur-X profile
        EN 16931 (edocument.uncefact.invoice of ptce_company)"""
        EInvoice = Pool().get('edocument.uncefact.invoice')
        return EInvoice(self).render(FACTURX_TEMPLATE)

    def get_facturx_visual(self):
        """The PDF of the invoice: the stock "Invoice" report, from its
        cache once the invoice is posted, so that the Factur-X shows what
        was issued"""
        InvoiceReport = Pool().get('account.invoice', type='report')
        extension, content, _, _ = InvoiceReport.execute([self.id], {})
        if extension != 'pdf':
            # An invoice printed before ptce_company made the report a PDF
            raise FacturXError(gettext(
                    'ptce_company.msg_facturx_report_format',
                    invoice=self.rec_name, format=extension))
        return bytes(content)

    def get_facturx(self):
        """Factur-X PDF: the invoice's PDF with the CII XML embedded, the XML
        validated against the official schemas by the factur-x library."""
        import facturx
        if self.type != 'out' or self.state not in {'posted', 'paid'}:
            raise FacturXError(gettext(
                    'ptce_company.msg_facturx_not_posted',
                    invoice=self.rec_name))
        xml = self.get_facturx_xml()
        try:
            facturx.xml_check_xsd(xml, flavor='factur-x', level='en16931')
        except Exception as exception:
            raise FacturXError(gettext(
                    'ptce_company.msg_facturx_invalid',
                    invoice=self.rec_name, error=str(exception)[:500]))
        return facturx.generate_from_binary(
            self.get_facturx_visual(), xml, flavor='factur-x',
            level='en16931', check_xsd=True, lang='fr-FR')


class InvoiceReport(DocumentReport, metaclass=PoolMeta):
    """The stock "Invoice" report rendered from report/invoice.html to PDF
    (invoice.xml points the stock action at it)"""
    __name__ = 'account.invoice'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        transaction = Transaction()
        invoice, = Invoice.browse(records)
        if (transaction.readonly and invoice.invoice_report_versioned
                and not invoice.invoice_report_cache):
            # The first print of a posted invoice caches its PDF, the copy
            # that every later print returns; a read-only request (the
            # portal, the Factur-X) does it in a transaction of its own
            with transaction.new_transaction() as new_transaction, \
                    new_transaction.set_context(
                        invoice_report_at_first_print=False):
                Invoice.print_invoice(Invoice.browse([invoice.id]))
                cached = Invoice(invoice.id)
                result = (cached.invoice_report_format,
                    cached.invoice_report_cache)
                new_transaction.commit()
            return result
        return super()._execute(records, header, data, action)

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Lang = pool.get('ir.lang')
        Address = pool.get('party.address')
        Company = pool.get('company.company')
        EInvoice = pool.get('edocument.uncefact.invoice')
        context = super().get_context(records, header, data)
        invoice = context['invoice']
        company = invoice.company
        # The company of the invoice, not the user's
        context['company'] = company
        # The stock report's context (address_with_party) would put the
        # company's name in its address line again
        with Transaction().set_context(address_with_party=False):
            context['legal_mentions'] = Company(
                company.id).get_legal_mentions()
        # The document is French whatever the language of the customer
        context['lang'] = Lang.get('fr')
        credit_note = invoice.type == 'out' and bool(invoice.lines) and all(
            l.amount < 0 for l in invoice.lines if l.type == 'line')
        sign = -1 if credit_note else 1
        context['credit_note'] = credit_note
        context['sign'] = sign
        context['document_lines'] = cls._document_lines(invoice, sign)
        context['document_taxes'] = cls._document_taxes(invoice, sign)
        context['preceding_invoices'] = sorted({
                l.origin.invoice.number for l in invoice.lines
                if l.origin and l.origin.__name__ == 'account.invoice.line'
                and l.origin.invoice.number})
        with Transaction().set_context(address_with_party=False):
            context['customer_address'] = (
                Address(invoice.invoice_address.id).full_address
                if invoice.invoice_address else '')
            company_address = company.party.address_get()
            context['company_address'] = (
                Address(company_address.id).full_address
                if company_address else '')
        context['customer_siren'] = (
            invoice.party.siren.code if invoice.party.siren else None)
        context['customer_vat'] = cls._vat_number(invoice)
        context['due_dates'] = sorted(
            (l.maturity_date, (l.amount_second_currency
                    or (l.debit - l.credit)) * sign)
            for l in invoice.lines_to_pay if l.maturity_date)
        context['payment_means'] = EInvoice(
            invoice.id).facturx_payment_means
        context['vat_mentions'] = cls._vat_mentions(invoice)
        context['payment_mentions'] = company.get_payment_mentions()
        return context

    @staticmethod
    def _vat_number(invoice):
        "The customer's intra-community VAT number, if known"
        identifiers = [invoice.party_tax_identifier] + list(
            invoice.party.identifiers)
        for identifier in identifiers:
            if (identifier and identifier.type
                    and identifier.type.endswith('_vat')):
                return identifier.code

    @staticmethod
    def _tax_label(tax):
        if tax.type == 'percentage':
            rate = (tax.rate * 100).normalize()
            return "%s %%" % format(rate, 'f').replace('.', ',')
        return tax.description or tax.name

    @classmethod
    def _document_lines(cls, invoice, sign):
        lines = []
        for line in invoice.lines:
            if line.type == 'line':
                # The computed taxes: a tax of the line may be a parent
                # (account_fr's) whose children bear the rates
                taxes = [t.tax for t in line.invoice_taxes or []
                    if t.tax] or line.taxes
                taxes = ', '.join(
                    cls._tax_label(t) for t in taxes) or "Exonéré"
                lines.append(DocumentLine(
                        'line', line.description or (
                            line.product.rec_name if line.product else ''),
                        Decimal(str(line.quantity)) * sign,
                        line.unit.symbol if line.unit else '',
                        line.unit_price, taxes, line.amount * sign))
            elif line.type == 'subtotal':
                lines.append(DocumentLine(
                        'subtotal', line.description, None, None, None,
                        None, line.amount * sign))
            else:
                lines.append(DocumentLine(
                        line.type, line.description, None, None, None,
                        None, None))
        return lines

    @classmethod
    def _document_taxes(cls, invoice, sign):
        "The VAT per rate, and the exempt base if some lines bear no tax"
        taxes = {}
        for tax in invoice.taxes:
            label = "TVA %s" % cls._tax_label(tax.tax) if tax.tax else (
                tax.description)
            base, amount = taxes.get(label, (0, 0))
            taxes[label] = (base + tax.base, amount + tax.amount)
        exempt = sum(l.amount for l in invoice.lines
            if l.type == 'line' and not l.taxes)
        result = [DocumentTax(label, base * sign, amount * sign)
            for label, (base, amount) in taxes.items()]
        if exempt:
            result.append(DocumentTax(
                    "Exonéré de TVA", exempt * sign, Decimal(0)))
        return result

    @staticmethod
    def _vat_mentions(invoice):
        """The legal notices of the taxes and the exemption of the lines
        without tax (CGI annex II art. 242 nonies A)"""
        mentions = []
        if any(l.type == 'line' and not l.taxes for l in invoice.lines):
            mentions.append(EXEMPTION_REASON + ".")
        for tax in invoice.taxes:
            notice = tax.tax.legal_notice if tax.tax else None
            if notice and notice not in mentions:
                mentions.append(notice)
        return mentions


class FacturX(Report):
    "Factur-X invoice: PDF with the Cross Industry Invoice embedded"
    __name__ = 'ptce.invoice.facturx'

    @classmethod
    def execute(cls, ids, data):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        ActionReport = pool.get('ir.action.report')
        action, = ActionReport.search([
                ('report_name', '=', cls.__name__)], limit=1)
        cls.check_access(action, 'account.invoice', ids)
        invoice, = Invoice.browse(ids[:1])
        with Transaction().set_context(language=invoice.party_lang):
            content = invoice.get_facturx()
        return ('pdf', content, False,
            'factur-x-%s' % slugify(invoice.number or str(invoice.id)))
