# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"Helpers of the scenarios: workbooks and server-side calls"
import datetime
import io

HEADERS = [
    "N° associé", "TYPE", "Nom / Raison sociale", "Prénom", "Siret",
    "Courriel", "Adresse", "Code postal", "Ville", "Catégorie", "Collège",
    "Date d'entrée", "Nombre de parts", "Montant libéré", "Date de sortie"]


def make_xls(rows, headers=HEADERS):
    """An Excel 97-2003 workbook (bytes) with `headers` and `rows`; dates
    are written as Excel date serials."""
    import xlwt
    book = xlwt.Workbook()
    sheet = book.add_sheet("Registre")
    date_style = xlwt.easyxf(num_format_str='DD/MM/YYYY')
    for col, header in enumerate(headers):
        sheet.write(0, col, header)
    for index, row in enumerate(rows, 1):
        for col, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(index, col, value, date_style)
            elif value is not None:
                sheet.write(index, col, value)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def call(config, function, *args, **kwargs):
    """Run `function(pool, company, *args)` in a server transaction as the
    scenario's user, committing on success; returns its result."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(
                config.database_name, config.user,
                context=config.context, **extras) as transaction:
            try:
                pool = Pool()
                Company = pool.get('company.company')
                company = Company(config.context['company'])
                result = function(pool, company, *args, **kwargs)
            except TransactionError as error:
                # Strict sequences and table locks restart the transaction
                transaction.rollback()
                error.fix(extras)
                continue
            transaction.commit()
            return result


def import_register(config, content, dry_run=False, update=False):
    "The ImportSummary of the import of the workbook `content`"
    from scic_members.register_import import import_register as run
    return call(config, lambda pool, company: run(
            content, company, filename='registre.xls', dry_run=dry_run,
            update=update))
