"""Sub-commands of the `ateliers` tool for the SCIC register (scic_members).

    ateliers members import FILE.xls --database DB [--dry-run] [--update]
    ateliers members register --database DB --at DATE --output FILE.csv|.xlsx
"""
import datetime
import pathlib

import click

from .. import environment
from ..cli import database_option


def run(database, function, readonly=False):
    """Run `function(pool, company)` as admin in the admin's company and
    commit (unless readonly). Like environment.transaction, but restarts
    the transaction when Tryton asks for table locks (strict sequences)."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    if not environment.database_exists(database):
        raise environment.ToolError(
            f"La base « {database} » n'existe pas : lancez "
            f"« ateliers init --database {database} ».")
    pool = Pool(database)
    pool.init()
    extras = {}
    while True:
        with Transaction().start(
                database, 0, readonly=readonly, **extras) as transaction:
            try:
                User = pool.get('res.user')
                Company = pool.get('company.company')
                admin, = User.search([('login', '=', 'admin')])
                with Transaction().set_user(admin.id):
                    context = User.get_preferences(context_only=True)
                    with Transaction().set_context(
                            context, _check_access=False):
                        result = function(pool, Company(context['company']))
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                continue
            if not readonly:
                transaction.commit()
            return result


@click.group()
def members():
    "Register of associates of the SCIC (import, export)."


@members.command('import')
@click.argument('file', type=click.Path(exists=True, dir_okay=False))
@database_option
@click.option('--dry-run', is_flag=True,
    help="Check the file and report, write nothing.")
@click.option('--update', is_flag=True,
    help="Mettre à jour les associés déjà au registre (nom, adresse, "
    "courriel, SIRET, date de naissance, catégorie, collège) au lieu de "
    "les refuser.")
def import_(file, database, dry_run, update):
    """Import a legacy register of associates (.xls): parties, associates
    and opening subscriptions. All or nothing."""
    content = pathlib.Path(file).read_bytes()

    def function(pool, company):
        from scic_members.register_import import import_register
        return import_register(
            content, company, filename=pathlib.Path(file).name,
            dry_run=dry_run, update=update).message
    # Counts of associates and of the rows ignored (blank, totals)
    click.echo(run(database, function, readonly=dry_run))


@members.command('register')
@database_option
@click.option('--at', 'at', type=click.DateTime(formats=['%Y-%m-%d',
            '%d/%m/%Y']), default=None,
    help="Date of the register (default: today).")
@click.option('--output', '-o', required=True,
    type=click.Path(dir_okay=False),
    help="Output file: .csv (semicolon separated, UTF-8) or .xlsx.")
def register(database, at, output):
    "Export the register of associates at a date as CSV or XLSX."
    date = at.date() if at else datetime.date.today()
    suffix = pathlib.Path(output).suffix.lower()
    if suffix not in {'.csv', '.xlsx'}:
        raise environment.ToolError(
            "Le fichier de sortie doit se terminer par .csv ou .xlsx.")

    def function(pool, company):
        from scic_members import share_register as scic_register
        lines = scic_register.register_lines(company, date)
        if suffix == '.csv':
            scic_register.write_csv(output, lines)
        else:
            scic_register.write_xlsx(output, lines)
        return lines
    lines = run(database, function, readonly=True)
    click.echo(f"Registre au {date:%d/%m/%Y} : {len(lines)} associés "
        f"écrits dans {output}.")


COMMANDS = [members]
