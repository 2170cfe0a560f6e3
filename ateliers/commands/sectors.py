"""Sub-commands of the `ateliers` tool for ptce_sectors: the points of
sale's inalterability (``ateliers pos verify|close|archive``), the
consignment settlement (``ateliers consignment settle``) and the
recyclerie tonnage (``ateliers recyclerie tonnage``)."""
import datetime
import pathlib

import click

from .. import environment
from ..environment import ToolError

database_option = click.option(
    '--database', '-d', envvar='ATELIERS_DATABASE', default='ateliers',
    show_default=True, help="Name of the database.")

REASONS = {
    'hash': "contenu modifié après validation",
    'previous': "lien au précédent rompu",
    'sequence': "numéro manquant ou en double",
    'state': "vente chaînée qui n'est plus validée",
    'total': "total de clôture différent des ventes",
    }


def verify(pool):
    """Recompute the chains of every point of sale; return the list of
    lines to print and whether everything is intact."""
    Sale = pool.get('sale.point.sale')
    lines, intact = [], True
    for result in Sale.verify_chain():
        broken = result['broken']
        if broken:
            intact = False
            what = ('vente' if broken['model'] == 'sale.point.sale'
                else 'clôture')
            lines.append(
                f"!! {result['name']} : première {what} rompue "
                f"« {broken['number']} » (n° {broken['chain_number']}) : "
                f"{REASONS.get(broken['reason'], broken['reason'])}")
        else:
            lines.append(
                f"OK {result['name']} : {result['sales']} vente(s), "
                f"{result['closings']} clôture(s), chaîne intacte")
    return lines, intact


@click.group()
def pos():
    "Points of sale: integrity check, closings, archives (CGI 286 I 3° bis)."


@pos.command('verify')
@database_option
def verify_command(database):
    """Recompute the hash chain of the posted sales and closings of every
    point of sale and name the first broken record (exit code 1)."""
    with environment.transaction(database, readonly=True) as pool:
        lines, intact = verify(pool)
    for line in lines:
        click.echo(line)
    if not intact:
        raise ToolError(
            "Intégrité rompue : au moins une vente ou clôture a été "
            "modifiée hors du logiciel.")


@pos.command('close')
@database_option
@click.option('--point', required=True, help="Name of the point of sale.")
@click.option('--type', 'type_', type=click.Choice(['day', 'month', 'year']),
    default='day', show_default=True)
@click.option('--date', type=click.DateTime(['%Y-%m-%d']),
    help="A day of the period (default: today).")
def close_command(database, point, type_, date):
    "Close the day, month or year of a point of sale."
    date = date.date() if date else datetime.date.today()
    with environment.transaction(database) as pool:
        Point = pool.get('sale.point')
        Closing = pool.get('ptce.pos.closing')
        points = Point.search([('name', '=', point)])
        if not points:
            raise ToolError(f"Point de vente « {point} » introuvable.")
        closing = Closing.close(points[0], type_, date)
        click.echo(
            f"Clôture n° {closing.sequence} du {closing.date_from} au "
            f"{closing.date_to} : {closing.sale_count} vente(s), "
            f"total {closing.total}, grand total {closing.grand_total}")


@pos.command('archive')
@database_option
@click.option('--point', required=True, help="Name of the point of sale.")
@click.option('--type', 'type_', type=click.Choice(['day', 'month', 'year']),
    default='month', show_default=True)
@click.option('--date', type=click.DateTime(['%Y-%m-%d']), required=True,
    help="A day of the closed period.")
@click.option('--output', type=click.Path(dir_okay=False), required=True,
    help="CSV file written (its SHA-256 goes on the last line).")
def archive_command(database, point, type_, date, output):
    "Export the archive of a closed period, signed by its hash."
    with environment.transaction(database, readonly=True) as pool:
        Closing = pool.get('ptce.pos.closing')
        closings = Closing.search([
                ('point.name', '=', point),
                ('type', '=', type_),
                ('date_from', '<=', date.date()),
                ('date_to', '>=', date.date()),
                ])
        if not closings:
            raise ToolError(
                f"Aucune clôture {type_} du {date.date()} pour « {point} ».")
        content, digest = closings[0].get_archive()
    pathlib.Path(output).write_bytes(content)
    click.echo(f"{output} : sha256 {digest}")


@pos.command('verify-archive')
@database_option
@click.argument('archive', type=click.Path(exists=True, dir_okay=False))
def verify_archive_command(database, archive):
    """Check that an archive exported by "pos archive" was not modified
    (its last line is the SHA-256 of what precedes; exit code 1)."""
    content = pathlib.Path(archive).read_bytes()
    with environment.transaction(database, readonly=True) as pool:
        intact = pool.get('ptce.pos.closing').verify_archive(content)
    if not intact:
        raise ToolError(
            f"Archive « {archive} » modifiée : son empreinte SHA-256 ne "
            "correspond plus à son contenu.")
    click.echo(f"{archive} : intègre")


def run(database, func):
    """Run func(pool) in a transaction as admin with the company, committed
    at the end; restarted with the locks asked for when it draws a strict
    sequence (posting), as Tryton's own dispatcher does."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    if not environment.database_exists(database):
        raise ToolError(
            f"La base « {database} » n'existe pas : lancez "
            f"« ateliers init --database {database} ».")
    pool = Pool(database)
    pool.init()
    extras = {}
    while True:
        try:
            with Transaction().start(database, 0, **extras) as transaction:
                User = pool.get('res.user')
                admin, = User.search([('login', '=', 'admin')])
                with Transaction().set_user(admin.id):
                    context = User.get_preferences(context_only=True)
                    with Transaction().set_context(
                            context, _check_access=False):
                        result = func(pool)
                transaction.commit()
                return result
        except TransactionError as error:
            error.fix(extras)


@click.group()
def consignment():
    "Consignment (dépôt-vente): settlement of the depositors."


@consignment.command('settle')
@database_option
@click.option('--period', required=True, help="Month settled: YYYY-MM.")
def settle_command(database, period):
    """Create and post one statement per depositor: sales of their
    products in the month minus the commission."""
    from ptce_sectors.consignment import period_bounds
    try:
        date_from, date_to = period_bounds(period)
    except ValueError:
        raise ToolError(f"Période « {period} » invalide : attendu AAAA-MM.")

    def settle(pool):
        Agreement = pool.get('ptce.consignment.agreement')
        settlements = Agreement.settle(
            Agreement.search([]), date_from, date_to)
        return [(s.depositor.rec_name, len(s.lines), s.total, s.commission,
                s.share) for s in settlements]
    rows = run(database, settle)
    for depositor, count, total, commission, share in rows:
        click.echo(
            f"{depositor} : {count} article(s), ventes HT {total}, "
            f"commission {commission}, dû au déposant {share}")
    click.echo(f"{len(rows)} relevé(s) de dépôt-vente pour {period}.")


@click.group()
def recyclerie():
    "Recyclerie: tonnage collected and what became of it."


@recyclerie.command('tonnage')
@database_option
@click.option('--period', required=True, help="Month: YYYY-MM.")
def tonnage_command(database, period):
    "Tonnage collected by flow, reuse, recycling and disposal rates."
    from ptce_sectors.consignment import period_bounds
    try:
        date_from, date_to = period_bounds(period)
    except ValueError:
        raise ToolError(f"Période « {period} » invalide : attendu AAAA-MM.")
    with environment.transaction(database, readonly=True) as pool:
        Intake = pool.get('ptce.recyclerie.intake')
        report = Intake.tonnage_report(date_from, date_to)
    for code, values in sorted(report.items(), key=lambda i: i[0] == 'total'):
        click.echo(
            f"{values['name']} : collecté {values['collected']:.1f} kg, "
            f"réemploi {values['reuse_rate']:.1%}, "
            f"recyclage {values['recycling_rate']:.1%}, "
            f"élimination {values['disposal_rate']:.1%}")


COMMANDS = [pos, consignment, recyclerie]
