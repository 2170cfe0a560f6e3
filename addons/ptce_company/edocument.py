# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The Cross Industry Invoice of Factur-X, profile EN 16931 ("comfort").

The stock 16B-CII template of edocument_uncefact is the full UN/CEFACT
D16B: Factur-X accepts a subset of it, in a given order, and the EN 16931
business rules (its schematron) ask for more than Tryton gives: a VAT
category on every line, a VAT breakdown even at 0 %, the country of every
address, one payment term.  Our own template, ``report/facturx.xml``,
writes that subset from the values computed here."""
import os
from collections import namedtuple
from decimal import Decimal

import genshi.template
from trytond.i18n import gettext
from trytond.pool import PoolMeta
from trytond.tools import cached_property

from .exceptions import FacturXError

FACTURX_TEMPLATE = 'factur-x-en16931'
loader = genshi.template.TemplateLoader(
    os.path.join(os.path.dirname(__file__), 'report'), auto_reload=True)

# The mention of a line without any tax.  The invoices the modules make
# without VAT are the rents of bare professional premises whose lease has
# not opted for VAT (ptce_spaces: lease.vat unchecked): exempt by CGI
# art. 261 D 2° (option of art. 260 2° not taken).
EXEMPTION_REASON = "Exonération de TVA, article 261 D 2° du CGI"
# The country of an address without one: the customers of Les Ateliers
# are in France; EN 16931 (BR-10, BR-11) requires the buyer's country.
DEFAULT_COUNTRY = 'FR'
# UN/ECE rec. 20 code of "one" (unit), for lines without a coded unit
DEFAULT_UNIT = 'C62'

FacturXTax = namedtuple('FacturXTax', ['category', 'rate', 'reason'])
FacturXLine = namedtuple('FacturXLine', [
        'line', 'name', 'description', 'code', 'quantity', 'unit',
        'price', 'amount', 'tax'])
FacturXBreakdown = namedtuple('FacturXBreakdown', [
        'tax', 'basis', 'amount'])


class Invoice(metaclass=PoolMeta):
    __name__ = 'edocument.uncefact.invoice'

    def _get_template(self, version):
        if version == FACTURX_TEMPLATE:
            return loader.load('facturx.xml')
        return super()._get_template(version)

    def facturx_amount(self, value):
        "An amount in the sign of the document (positive on a credit note)"
        value = self.invoice.currency.round(value * self.type_sign)
        # abs: no "-0.00" for a zero credited
        return format(value if value else abs(value), 'f')

    @staticmethod
    def facturx_decimal(value):
        "A decimal without trailing zeros beyond the cents"
        value = Decimal(str(value)).normalize()
        if value.as_tuple().exponent > -2:
            value = value.quantize(Decimal('0.01'))
        return format(value, 'f')

    def facturx_tax(self, line):
        """The VAT category of the line: Factur-X wants exactly one VAT per
        line; a line without tax is exempt (category E)"""
        taxes = [t.tax for t in line.invoice_taxes or []]
        if not taxes:
            return FacturXTax('E', Decimal(0), EXEMPTION_REASON)
        if len(taxes) > 1 or not self._is_vat(taxes[0]):
            raise FacturXError(gettext(
                    'ptce_company.msg_facturx_line_taxes',
                    invoice=self.invoice.rec_name, line=line.rec_name))
        return self._facturx_tax(taxes[0])

    @staticmethod
    def _is_vat(tax):
        return (tax.type == 'percentage'
            and tax.unece_code in {None, '', 'VAT'})

    @staticmethod
    def _facturx_tax(tax):
        rate = (tax.rate * 100).normalize()
        # Taxes set up without UN/ECE codes (account_fr's are): a positive
        # rate is the standard category, a zero rate an exemption whose
        # reason is the legal notice of the tax.
        category = tax.unece_category_code or ('S' if rate else 'E')
        reason = None
        if category in {'E', 'AE', 'K', 'G', 'O'}:
            reason = tax.legal_notice or EXEMPTION_REASON
        return FacturXTax(category, rate, reason)

    @cached_property
    def facturx_lines(self):
        lines = []
        sign = self.type_sign
        for line in self.lines:
            quantity = Decimal(str(line.quantity or 0)) * sign
            price = line.unit_price or Decimal(0)
            # The net price may not be negative (BR-27): a discount line is
            # a negative quantity at a positive price.
            if price < 0:
                price, quantity = -price, -quantity
            description = (line.description or '').strip()
            if line.product:
                name = line.product.name
                code = line.product.code
            else:
                name, _, description = description.partition('\n')
                code = None
            unit = DEFAULT_UNIT
            if line.unit and line.unit.unece_code:
                unit = line.unit.unece_code
            lines.append(FacturXLine(
                    line=line, name=name, description=description,
                    code=code, quantity=quantity.normalize(), unit=unit,
                    price=price, amount=line.amount,
                    tax=self.facturx_tax(line)))
        return lines

    @cached_property
    def facturx_breakdown(self):
        """The VAT breakdown: one entry per category and rate, its basis
        the sum of its lines (BR-S-08, BR-E-08), its amount the invoice's
        taxes of that category and rate"""
        bases, amounts = {}, {}
        for line in self.facturx_lines:
            bases[line.tax] = bases.get(line.tax, 0) + line.amount
            amounts.setdefault(line.tax, Decimal(0))
        for tax in self.invoice.taxes:
            if not self._is_vat(tax.tax):
                continue
            key = self._facturx_tax(tax.tax)
            amounts[key] = amounts.get(key, Decimal(0)) + tax.amount
            bases.setdefault(key, Decimal(0))
        return [FacturXBreakdown(key, bases[key], amounts[key])
            for key in sorted(bases, key=lambda k: (k.category, k.rate))]

    @cached_property
    def facturx_seller_tax_identifier(self):
        "The seller's intra-community VAT number, compact"
        if self.invoice.type == 'out':
            identifiers = [self.invoice.tax_identifier] + list(
                self.invoice.company.party.identifiers)
        else:
            identifiers = [self.invoice.party_tax_identifier] + list(
                self.invoice.party.identifiers)
        return self._vat_code(identifiers)

    @cached_property
    def facturx_buyer_tax_identifier(self):
        "The buyer's intra-community VAT number, compact, if known"
        if self.invoice.type == 'out':
            identifiers = [self.invoice.party_tax_identifier] + list(
                self.invoice.party.identifiers)
        else:
            identifiers = [self.invoice.tax_identifier] + list(
                self.invoice.company.party.identifiers)
        return self._vat_code(identifiers)

    @staticmethod
    def _vat_code(identifiers):
        for identifier in identifiers:
            if identifier and identifier.type in {'eu_vat', 'fr_vat'}:
                code = identifier.code_compact or identifier.code
                if identifier.type == 'fr_vat':
                    code = 'FR' + code
                return code

    @staticmethod
    def facturx_siren(party):
        "The SIREN of the party (party_siret), its legal registration id"
        return party.siren.code_compact if party.siren else None

    def facturx_country(self, address):
        "The country code of the address, else of the company's, else FR"
        if address and address.country:
            return address.country.code
        company_address = self.invoice.company.party.address_get()
        if company_address and company_address.country:
            return company_address.country.code
        return DEFAULT_COUNTRY

    @staticmethod
    def facturx_address_lines(address):
        "The street lines of the address (at most three in Factur-X)"
        if not address:
            return []
        lines = (address.street_unstructured or '').splitlines()
        if address.building_name:
            lines.insert(0, address.building_name)
        lines = [l.strip() for l in lines if l.strip()]
        return lines[:2] + [' '.join(lines[2:])] if len(lines) > 3 else lines

    @cached_property
    def facturx_seller_description(self):
        """The seller's additional legal information (BT-33): its legal
        form and registry (C. com. art. R123-237)"""
        company = self.invoice.company
        parts = []
        if company.legal_form:
            parts.append(company.legal_form)
        if company.registration_city:
            parts.append(f"RCS {company.registration_city}")
        return ', '.join(parts) or None

    @cached_property
    def facturx_notes(self):
        """The invoice's notes (BT-21, BT-22) with their UN/CEFACT 4451
        subject codes: the payment mentions of the company (French rules
        BR-FR-05): no discount (AAB), late payment penalties (PMD), recovery
        indemnity (PMT)"""
        company = self.invoice.company
        mentions = company.get_payment_mentions()
        # get_payment_mentions gives, in this order, the discount line, the
        # penalties if a rate is set, the indemnity if an amount is set.
        codes = ['AAB']
        if company.late_payment_rate:
            codes.append('PMD')
        if company.recovery_indemnity:
            codes.append('PMT')
        notes = list(zip(mentions, codes))
        if self.invoice.comment:
            notes.insert(0, (self.invoice.comment, None))
        return notes

    @cached_property
    def facturx_due_date(self):
        dates = [l.maturity_date for l in self.invoice.lines_to_pay
            if l.maturity_date]
        return min(dates, default=None)

    @cached_property
    def facturx_payment_terms(self):
        "The payment terms (BT-20): the term and each due date"
        invoice = self.invoice
        parts = []
        if invoice.payment_term:
            parts.append(
                invoice.payment_term.description
                or invoice.payment_term.name)
        lines = sorted((l for l in invoice.lines_to_pay if l.maturity_date),
            key=lambda l: l.maturity_date)
        if len(lines) > 1:
            for line in lines:
                amount = line.amount_second_currency or (
                    line.debit - line.credit)
                parts.append("%s : %s %s" % (
                        line.maturity_date.strftime('%d/%m/%Y'),
                        self.facturx_amount(amount), invoice.currency.code))
        return ' ; '.join(parts) or None

    @cached_property
    def facturx_payment_means(self):
        """(type code, payee IBAN, payee BIC, payer IBAN, mandate) of each
        payment mean of the invoice that Factur-X can express"""
        means = []
        for mean in self.invoice.payment_means:
            code = mean.unece_code
            instrument = mean.instrument
            if code == '30':
                numbers = [n for n in instrument.numbers if n.type == 'iban']
                if not numbers:
                    continue
                bic = instrument.bank.bic if instrument.bank else None
                means.append(
                    (code, numbers[0].number_compact, bic, None, None))
            elif code == '59':
                # account_payment_sepa's reception direct debit
                mandate = getattr(instrument, 'sepa_mandate', None)
                number = mandate.account_number if mandate else None
                means.append((code, None, None,
                        number.number_compact if number else None,
                        mandate.identification if mandate else None))
            elif code:
                means.append((code, None, None, None, None))
        return means

    @cached_property
    def facturx_creditor_reference(self):
        "The SEPA creditor identifier of the seller, for direct debits"
        if not any(m[0] == '59' for m in self.facturx_payment_means):
            return None
        for identifier in self.seller_trade_party.identifiers:
            if identifier.type == 'eu_at_02':
                return identifier.code
        return None

    @cached_property
    def facturx_mandate(self):
        for mean in self.facturx_payment_means:
            if mean[4]:
                return mean[4]

    @cached_property
    def facturx_preceding_invoices(self):
        """The invoices a credit note credits (BT-25, BT-26): the invoices
        of the lines its lines were credited from"""
        invoices = []
        for line in self.lines:
            origin = line.origin
            if (origin and origin.__name__ == 'account.invoice.line'
                    and origin.invoice and origin.invoice.number
                    and origin.invoice not in invoices):
                invoices.append(origin.invoice)
        return invoices
