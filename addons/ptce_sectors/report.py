# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"The base of the French documents of the sectors (Z report, statements)"
from trytond.modules import get_module_info
from trytond.pool import Pool

from ptce_company.report import DocumentReport

SOFTWARE_NAME = "Les Ateliers ERP"


def software():
    "The name and version of the software that prints the documents"
    import trytond
    version = get_module_info('ptce_sectors')['version']
    return f"{SOFTWARE_NAME} {version} (Tryton {trytond.__version__})"


class FrenchDocumentReport(DocumentReport):
    """A document written in French: its template formats dates, amounts
    and numbers the French way whatever the language of the user, with
    ``date(value)``, ``date_time(value)`` (in the company's time zone),
    ``money(value, currency)`` and ``number(value, digits)``"""

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Lang = pool.get('ir.lang')
        Date = pool.get('ir.date')
        context = super().get_context(records, header, data)
        french = Lang.get('fr')
        company = context['company']
        timezone = company.timezone if company else None
        context['today'] = Date.today()
        context['date'] = lambda value: (
            cls.format_date(value, french, '%d/%m/%Y') if value else '')
        context['date_time'] = lambda value: (
            cls.format_datetime(
                value, french, '%d/%m/%Y %H:%M:%S', timezone)
            if value else '')
        context['money'] = lambda value, currency: cls.format_currency(
            value, french, currency)
        context['number'] = lambda value, digits=2: cls.format_number(
            value, french, digits)
        context['software'] = software()
        return context
