# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Factur-X (EN 16931) for every customer invoice of the company, whichever
module made it: rents, bookings, sales."""
from lxml import etree
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.tools import slugify
from trytond.transaction import Transaction

from .exceptions import FacturXError

# Children of a postal address that the Factur-X schema accepts, in order
FACTURX_ADDRESS = {
    'PostcodeCode', 'LineOne', 'LineTwo', 'LineThree', 'CityName',
    'CountryID', 'CountrySubDivisionName'}
# Elements of the stock CII (UN/CEFACT D16B) that the Factur-X EN 16931
# schema, a subset of it, refuses: (parent, child)
FACTURX_REMOVE = [
    ('ApplicableHeaderTradeSettlement', 'InvoiceDateTime'),
    ('SpecifiedTradePaymentTerms', 'PartialPaymentAmount'),
    ]
# EN 16931 ("comfort") profile of Factur-X
FACTURX_GUIDELINE = 'urn:cen.eu:en16931:2017'
NS = {
    'rsm': 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
    'ram': 'urn:un:unece:uncefact:data:standard:'
    'ReusableAggregateBusinessInformationEntity:100',
    }


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    def get_facturx_xml(self):
        """The Cross Industry Invoice of the stock edocument_uncefact
        module, with the Factur-X EN 16931 guideline in its context."""
        EInvoice = Pool().get('edocument.uncefact.invoice')
        tree = etree.fromstring(EInvoice(self).render('16B-CII'))
        context = tree.find('rsm:ExchangedDocumentContext', NS)
        if context.find(
                'ram:GuidelineSpecifiedDocumentContextParameter',
                NS) is None:
            parameter = etree.SubElement(
                context, '{%s}GuidelineSpecifiedDocumentContextParameter'
                % NS['ram'])
            etree.SubElement(
                parameter, '{%s}ID' % NS['ram']).text = FACTURX_GUIDELINE
        ram = '{%s}' % NS['ram']
        for address in tree.iter(ram + 'PostalTradeAddress'):
            for child in list(address):
                if etree.QName(child).localname not in FACTURX_ADDRESS:
                    address.remove(child)
        for organization in tree.iter(ram + 'SpecifiedLegalOrganization'):
            if not len(organization):
                organization.getparent().remove(organization)
        for parent_name, child_name in FACTURX_REMOVE:
            for parent in tree.iter(ram + parent_name):
                for child in parent.findall(ram + child_name):
                    parent.remove(child)
        return etree.tostring(
            tree, xml_declaration=True, encoding='UTF-8')

    def get_facturx_visual(self):
        """A plain PDF carrying the human-readable content of the invoice
        (LibreOffice, which converts the stock ODT report, is not
        available)."""
        from fpdf import FPDF

        def text(value):
            return str(value or '').replace('\u202f', ' ').replace(
                '\u2019', "'").encode('latin-1', 'replace').decode('latin-1')

        currency = self.currency.code
        pdf = FPDF()
        pdf.set_title(text(self.number))
        pdf.add_page()
        pdf.set_font('Helvetica', 'B', 14)
        pdf.cell(0, 8, text(self.company.rec_name), new_x='LMARGIN',
            new_y='NEXT')
        pdf.set_font('Helvetica', '', 10)
        address = self.company.party.address_get()
        if address:
            for line in address.full_address.splitlines():
                pdf.cell(0, 5, text(line), new_x='LMARGIN', new_y='NEXT')
        pdf.ln(6)
        pdf.set_font('Helvetica', 'B', 12)
        pdf.cell(0, 7, text('Facture %s du %s' % (
                    self.number, self.invoice_date.strftime('%d/%m/%Y'))),
            new_x='LMARGIN', new_y='NEXT')
        pdf.set_font('Helvetica', '', 10)
        pdf.cell(0, 5, text('Client : %s' % self.party.rec_name),
            new_x='LMARGIN', new_y='NEXT')
        if self.invoice_address:
            for line in self.invoice_address.full_address.splitlines():
                pdf.cell(0, 5, text(line), new_x='LMARGIN', new_y='NEXT')
        if self.description:
            pdf.cell(0, 5, text(self.description), new_x='LMARGIN',
                new_y='NEXT')
        pdf.ln(4)
        for line in self.lines:
            if line.type != 'line':
                continue
            pdf.cell(150, 6, text(line.description), border=1)
            pdf.cell(0, 6, text('%.2f %s' % (line.amount, currency)),
                border=1, align='R', new_x='LMARGIN', new_y='NEXT')
        pdf.ln(2)
        for label, amount in [
                ('Total HT', self.untaxed_amount),
                ('TVA', self.tax_amount),
                ('Total TTC', self.total_amount)]:
            pdf.cell(150, 6, text(label), align='R')
            pdf.cell(0, 6, text('%.2f %s' % (amount, currency)),
                align='R', new_x='LMARGIN', new_y='NEXT')
        if self.payment_term_date or self.lines_to_pay:
            maturity = min(
                (l.maturity_date for l in self.lines_to_pay
                    if l.maturity_date), default=None)
            if maturity:
                pdf.ln(2)
                pdf.cell(0, 5, text(
                        "Échéance : %s" % maturity.strftime('%d/%m/%Y')),
                    new_x='LMARGIN', new_y='NEXT')
        return bytes(pdf.output())

    def get_facturx(self):
        """Factur-X PDF: the visual PDF with the CII XML embedded, the XML
        validated against the official schemas by the factur-x library."""
        import facturx
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
