"""Sub-commands of the `ateliers` tool for ptce_sectors: the points of
sale's inalterability (``ateliers pos verify|close|archive``), the
consignment settlement (``ateliers consignment settle``) and the
recyclerie tonnage (``ateliers recyclerie tonnage``)."""
import datetime
import pathlib

import click

from .. import environment, options
from ..environment import ToolError
from ..options import database_option

CLOSING_TYPES = click.Choice(['day', 'month', 'year'])

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


@click.group(cls=options.Group)
def pos():
    "Points de vente : intégrité, clôtures, archives (CGI 286 I 3° bis)."


@pos.command('verify', help="Recalculer la chaîne d'empreintes des ventes "
    "validées et des clôtures de chaque point de vente et nommer le premier "
    "enregistrement rompu (code de sortie 1).")
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


@pos.command('close',
    help="Clôturer le jour, le mois ou l'année d'un point de vente.")
@database_option
@click.option('--point', required=True, type=options.Text(), metavar='NOM',
    help="Nom du point de vente.")
@click.option('--type', 'type_', type=CLOSING_TYPES, default='day',
    show_default=True, help="Période clôturée : jour, mois ou année.")
@click.option('--date', type=options.Date(future=False),
    help="Un jour de la période, pas dans le futur (défaut : aujourd'hui).")
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
@click.option('--point', required=True, type=options.Text(), metavar='NOM',
    help="Nom du point de vente.")
@click.option('--type', 'type_', type=CLOSING_TYPES, default='month',
    show_default=True, help="Période clôturée : jour, mois ou année.")
@click.option('--date', type=options.Date(future=False), required=True,
    help="Un jour de la période clôturée.")
@click.option('--output', type=options.OutputFile(['.csv']), required=True,
    metavar='FICHIER',
    help="Fichier CSV écrit (son SHA-256 est sur la dernière ligne).")
def archive_command(database, point, type_, date, output):
    "Exporter l'archive d'une période clôturée, signée par son empreinte."
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
    with options.atomic_output(output) as tmp:
        pathlib.Path(tmp).write_bytes(content)
    click.echo(f"{output} : sha256 {digest}")


@pos.command('verify-archive')
@database_option
@click.argument('archive', type=options.InputFile(), metavar='ARCHIVE')
def verify_archive_command(database, archive):
    """Vérifier qu'une archive exportée par « pos archive » n'a pas été
    modifiée (sa dernière ligne est le SHA-256 de ce qui précède ; code de
    sortie 1 sinon)."""
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


@click.group(cls=options.Group)
def consignment():
    "Dépôt-vente : règlement des déposants."


@consignment.command('settle')
@database_option
@options.period_option(
    "Mois réglé, AAAA-MM, au plus le mois prochain sans --force.")
@options.force_option
def settle_command(database, period, force):
    """Créer et comptabiliser un relevé par déposant : ventes de ses
    articles dans le mois moins la commission."""
    from ptce_sectors.consignment import period_bounds
    date_from, date_to = period_bounds(period)

    def settle(pool):
        options.check_fiscal_year(pool, date_from.year, "'--period'")
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


@click.group(cls=options.Group)
def recyclerie():
    "Recyclerie : tonnage collecté et ce qu'il est devenu."


@recyclerie.command('tonnage')
@database_option
@options.period_option("Mois, AAAA-MM, au plus le mois prochain sans --force.")
@options.force_option
def tonnage_command(database, period, force):
    """Tonnage collecté par flux, taux de réemploi, de recyclage et
    d'élimination ; zéro pour un flux sans apport dans le mois."""
    from ptce_sectors.consignment import period_bounds
    date_from, date_to = period_bounds(period)
    with environment.transaction(database, readonly=True) as pool:
        Intake = pool.get('ptce.recyclerie.intake')
        Flow = pool.get('ptce.recyclerie.flow')
        report = Intake.tonnage_report(date_from, date_to)
        flows = {f.code: f.name for f in Flow.search([])}
    total = report.pop('total', {})
    # Every flow, those without intake in the month too, then the total
    rows = [report.get(code, {'name': name}) for code, name in flows.items()]
    rows += [values for code, values in report.items() if code not in flows]
    rows.append(dict(total, name="Total"))
    for values in rows:
        click.echo(
            f"{values['name']} : "
            f"collecté {values.get('collected', 0):.1f} kg, "
            f"réemploi {values.get('reuse_rate', 0):.1%}, "
            f"recyclage {values.get('recycling_rate', 0):.1%}, "
            f"élimination {values.get('disposal_rate', 0):.1%}")


COMMANDS = [pos, consignment, recyclerie]
