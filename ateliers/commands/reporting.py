"""Sub-commands of the `ateliers` tool for ptce_reporting: the
accountant's year-end pack (``ateliers accounting ...``) and the funder
packs (``ateliers report ...``)."""
import pathlib

import click

from .. import environment
from ..environment import ToolError

database_option = click.option(
    '--database', '-d', envvar='ATELIERS_DATABASE', default='ateliers',
    show_default=True, help="Name of the database.")


def _company(pool):
    from trytond.transaction import Transaction
    Company = pool.get('company.company')
    company_id = Transaction().context.get('company')
    if not company_id:
        raise ToolError("Aucune société n'est définie pour l'administrateur.")
    return Company(company_id)


@click.group()
def accounting():
    "Year-end closing: blockers, FEC, surplus allocation."


@accounting.command('close-check')
@database_option
@click.option('--year', type=int, required=True, help="Fiscal year.")
def close_check(database, year):
    """List what blocks the closing of the fiscal year (exit code 1 when
    something does)."""
    from ptce_reporting import closing
    with environment.transaction(database, readonly=True) as pool:
        fiscalyear = closing.get_fiscalyear(_company(pool), year)
        blockers = closing.close_check(fiscalyear)
        total = 0
        for blocker in blockers:
            total += blocker.count
            mark = 'OK ' if not blocker.count else '!! '
            click.echo(f"{mark}{blocker.label} : {blocker.count}")
            for record in blocker.records[:20]:
                click.echo(f"     - {record}")
            if blocker.count > 20:
                click.echo(f"     … et {blocker.count - 20} autres")
    if total:
        raise ToolError(
            f"L'exercice {year} ne peut pas être clôturé : "
            f"{total} élément(s) bloquant(s).")
    click.echo(f"Rien ne bloque la clôture de l'exercice {year}.")


@accounting.command('fec')
@database_option
@click.option('--year', type=int, required=True, help="Fiscal year.")
@click.option('--output', type=click.Path(file_okay=False), required=True,
    help="Folder where the FEC is written.")
def fec(database, year, output):
    """Write the FEC (fichier des écritures comptables) of the year with
    account_fr's export and validate it (LPF art. A47 A-1)."""
    from ptce_reporting import closing
    folder = pathlib.Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    with environment.transaction(database, readonly=True) as pool:
        fiscalyear = closing.get_fiscalyear(_company(pool), year)
        path, defects, final = closing.export_fec(fiscalyear, str(folder))
    click.echo(f"FEC écrit : {path}")
    if not final:
        click.echo(
            f"Attention : l'exercice {year} n'est pas verrouillé, ce FEC "
            "est provisoire.")
    for defect in defects:
        click.echo(f"  {defect}")
    if defects:
        raise ToolError(
            f"Le FEC comporte {len(defects)} anomalie(s) de format.")
    click.echo("Format conforme à l'article A47 A-1 du LPF.")


@accounting.command('surplus')
@database_option
@click.option('--year', type=int, required=True, help="Fiscal year.")
def surplus(database, year):
    """Propose the allocation of the result of the year (at least 57.5 %
    to impartible reserves, loi 1947 art. 19 nonies)."""
    with environment.transaction(database, readonly=True) as pool:
        Allocation = pool.get('ptce.surplus.allocation')
        from ptce_reporting import closing
        fiscalyear = closing.get_fiscalyear(_company(pool), year)
        allocation = Allocation(fiscalyear=fiscalyear,
            company=fiscalyear.company)
        allocation.on_change_fiscalyear()
        click.echo(f"Résultat {year} : {allocation.result}")
        for line in allocation.lines:
            click.echo(f"  {line.account.code} {line.account.name} : "
                f"{line.amount}")


@click.group()
def report():
    "Funder packs and activity report."


@report.command('funder')
@database_option
@click.option('--funder', help="Name of the funder (party).")
@click.option('--year', type=int, required=True, help="Year of the report.")
@click.option('--output', type=click.Path(dir_okay=False), required=True,
    help="XLSX workbook to write; the PDF of charts and a folder of PNG "
    "files are written beside it.")
def funder(database, funder, year, output):
    """Funder pack: XLSX (indicators, budget vs actual, grants, sectors),
    PDF of charts and PNG charts."""
    _pack(database, funder, year, output)


@report.command('activity')
@database_option
@click.option('--year', type=int, required=True, help="Year of the report.")
@click.option('--output', type=click.Path(dir_okay=False), required=True,
    help="XLSX workbook to write.")
def activity(database, year, output):
    """General activity report (rapport d'activité) over all funders with
    the cooperative-project section of the management report."""
    _pack(database, None, year, output)


def _pack(database, funder, year, output):
    from ptce_reporting import pack
    output = pathlib.Path(output).absolute()
    if output.suffix.lower() != '.xlsx':
        raise ToolError("Le fichier de sortie doit avoir l'extension .xlsx.")
    output.parent.mkdir(parents=True, exist_ok=True)
    with environment.transaction(database, readonly=True) as pool:
        company = _company(pool)
        party = None
        if funder:
            Party = pool.get('party.party')
            parties = Party.search([('name', 'ilike', funder)])
            if not parties:
                raise ToolError(f"Aucun financeur nommé « {funder} ».")
            party = parties[0]
        files = pack.build_pack(company, year, str(output), funder=party)
    for path in files:
        click.echo(f"Écrit : {path}")


COMMANDS = [accounting, report]
