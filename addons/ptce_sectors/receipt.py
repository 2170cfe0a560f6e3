# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The receipt of a sale at the till in PDF, 80 mm wide like the paper of
a receipt printer, as long as its content: the mentions of a French till
receipt (company, SIRET, VAT number, date and time, lines with their VAT
rate, totals per rate, payments and change, the posting number and the
signature of the inalterable chain, CGI art. 286 I 3° bis)."""
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from .report import FrenchDocumentReport

# WeasyPrint lays out on CSS pixels (96 per inch)
_PX_PER_MM = 96 / 25.4
PAPER_WIDTH_MM = 80
# The first layout is on a strip long enough for any receipt
_STRIP_MM = 5000


def fitted_page(height_mm):
    "The @page rule of a receipt of the given length"
    return '@page { size: %smm %smm; margin: 4mm 4mm 6mm 4mm; }' % (
        PAPER_WIDTH_MM, max(int(height_mm) + 1, 40))


class ReceiptReport(FrenchDocumentReport):
    "Ticket de caisse: the receipt of a sale of a point of sale"
    __name__ = 'sale.point.sale.receipt'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['receipts'] = {r.id: cls.get_receipt(r) for r in records}
        return context

    @classmethod
    def get_receipt(cls, sale):
        "What the receipt of the sale prints beside the sale itself"
        Tax = Pool().get('account.tax')
        company = sale.company
        address = company.party.address_get()
        siret = address.siret.code if address and address.siret else None
        rates = {}
        for tax_line in sale._get_taxes().values():
            rate = tax_line.tax.rate or Decimal(0)
            untaxed, tax = rates.get(rate, (Decimal(0), Decimal(0)))
            rates[rate] = (untaxed + tax_line.base, tax + tax_line.amount)
        lines = []
        with Transaction().set_context(company=company.id):
            for line in sale.lines:
                # The taxes of account_fr are parents: compute to get the
                # rates of their children
                computed = Tax.compute(
                    line.taxes, line.unit_list_price or Decimal(0),
                    line.quantity or 0, date=sale.date)
                line_rates = sorted({t['tax'].rate for t in computed
                        if t['tax'].rate is not None})
                lines.append({
                        'line': line,
                        'rates': ', '.join(
                            cls.format_rate(r) for r in line_rates),
                        })
        return {
            'address': (' '.join(address.full_address.split())
                if address else ''),
            'siret': siret,
            # the SIREN when the address has no SIRET (establishment) yet
            'siren': company.siren,
            'vat_number': company.vat_number,
            'lines': lines,
            'rates': [{
                    'rate': cls.format_rate(rate),
                    'untaxed': untaxed,
                    'tax': tax,
                    'total': untaxed + tax,
                    } for rate, (untaxed, tax) in sorted(rates.items())],
            'tip': sale.tip or Decimal(0),
            'total': sale.total + (sale.tip or Decimal(0)),
            'signature': (sale.chain_hash or '')[:16],
            'closing_line': (company.footer or '').strip()
            or "Merci de votre visite !",
            }

    @staticmethod
    def format_rate(rate):
        "A VAT rate of 0.055 as 5,5 %"
        percent = (Decimal(rate) * 100).normalize()
        text = format(percent, 'f').replace('.', ',')
        return f"{text}\u00a0%"

    @classmethod
    def convert(cls, report, data, timeout=5 * 60, retry=5):
        """Lay the receipt out on a long strip, then print it on a page as
        long as its content: a receipt printer cuts the paper there."""
        output_format = report.extension or report.template_extension
        if report.template_extension != 'html' or output_format != 'pdf':
            return super().convert(report, data, timeout=timeout, retry=retry)
        import weasyprint
        fetcher = weasyprint.URLFetcher(allowed_protocols={'http', 'https'})
        html = weasyprint.HTML(string=data, url_fetcher=fetcher)
        strip = html.render(stylesheets=[
                weasyprint.CSS(string=fitted_page(_STRIP_MM))])
        # The boxes laid out on the page (the document's root), not the
        # page itself
        bottom = max(
            (box.position_y + box.margin_height()
                for box in strip.pages[0]._page_box.children),
            default=0)
        height = bottom / _PX_PER_MM + 6  # the bottom margin
        return output_format, html.write_pdf(stylesheets=[
                weasyprint.CSS(string=fitted_page(height))])
