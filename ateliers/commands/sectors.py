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
    'hash': "contenu modifié après validation (signature fausse)",
    'previous': "lien au précédent rompu",
    'sequence': "numéro manquant ou en double",
    'state': "vente chaînée qui n'est plus validée",
    'move': "écriture comptable modifiée après validation",
    'tail': "dernières ventes ou clôtures supprimées (en-tête signé plus "
        "loin)",
    'head': "en-tête de chaîne modifié (signature fausse)",
    'closing': "clôture différente de ses ventes (nombre, numéros ou "
        "dernière signature)",
    'total': "total de clôture différent des ventes",
    'anchor': "base en retard sur l'archive externe ou différente d'elle",
    }
# Exit codes of "pos verify": 1 broken, 3 not verifiable (no key).
EXIT_UNVERIFIABLE = 3


def archive_contents(paths):
    """The contents of the archive files named (a folder: its closing-*.csv
    files); a modified archive is an error."""
    files = []
    for path in map(pathlib.Path, paths):
        if path.is_dir():
            files.extend(sorted(path.glob('closing-*.csv')))
        else:
            files.append(path)
    return [(f, f.read_bytes()) for f in files]


def verify(pool, archives=()):
    """Check the chains of every point of sale; return the lines to print
    and the status: 'intact', 'broken' or 'unverifiable'."""
    Sale = pool.get('sale.point.sale')
    Closing = pool.get('ptce.pos.closing')
    lines, status = [], 'intact'
    contents, unverifiable = [], 0
    for path, content in archives:
        checked = Closing.verify_archive(content)
        if checked is False:
            lines.append(f"!! archive {path} : modifiée (signature fausse)")
            status = 'broken'
        elif checked is None:
            unverifiable += 1
        else:
            contents.append(content)
    if unverifiable:
        lines.append(f"?? {unverifiable} archive(s) non vérifiable(s) faute "
            "de fichier de clés")
    for result in Sale.verify_chain(archives=contents):
        broken = result['broken']
        if broken:
            status = 'broken'
            what = {'sale.point.sale': 'vente', 'sale.point': 'en-tête',
                'ptce.pos.day_move': 'écriture du jour'}.get(
                broken['model'], 'clôture')
            lines.append(
                f"!! {result['name']} : premier enregistrement rompu, "
                f"{what} « {broken['number']} » "
                f"(n° {broken['chain_number']}) : "
                f"{REASONS.get(broken['reason'], broken['reason'])}")
        elif result['unverifiable']:
            if status == 'intact':
                status = 'unverifiable'
            lines.append(
                f"?? {result['name']} : {result['sales']} vente(s), "
                f"{result['closings']} clôture(s), NON VÉRIFIABLE : "
                f"{result['unverifiable']} signature(s) non contrôlée(s) "
                "faute de fichier de clés")
        else:
            anchor = (", dernière archive concordante" if result['anchored']
                else ", sans archive externe")
            lines.append(
                f"OK {result['name']} : {result['sales']} vente(s), "
                f"{result['closings']} clôture(s), chaîne intacte{anchor}")
    return lines, status


@click.group(cls=options.Group)
def pos():
    "Points de vente : intégrité, clôtures, archives (CGI 286 I 3° bis)."


@pos.command('verify', help="Vérifier les ventes validées et les "
    "clôtures de chaque point de vente : signatures (clé de scellement), "
    "numéros sans trou jusqu'à l'en-tête signé, écritures comptables, "
    "clôtures contre leurs ventes et contre les archives données. Nomme le "
    "premier enregistrement rompu (code de sortie 1) ; sans la clé, répond "
    "« non vérifiable » (code 3), jamais « intacte ».")
@database_option
@click.option('--archives', multiple=True, metavar='CHEMIN',
    type=click.Path(exists=True, readable=True),
    help="Archives de clôture (fichier ou dossier) : la base ne doit pas "
    "être en retard sur la plus récente. Défaut : le dossier "
    "[ptce_sectors] archive_path/<base> de la configuration.")
def verify_command(database, archives):
    "Check the sealed chains of the points of sale"
    from ptce_sectors import seal
    if not archives:
        folder = seal.archive_folder(database)
        if folder and folder.is_dir():
            archives = [folder]
    archives = archive_contents(archives)
    with environment.transaction(database, readonly=True) as pool:
        lines, status = verify(pool, archives)
    for line in lines:
        click.echo(line)
    if status == 'broken':
        raise ToolError(
            "Intégrité rompue : au moins une vente ou clôture a été "
            "modifiée hors du logiciel.")
    if status == 'unverifiable':
        click.echo(
            "Erreur : chaîne non vérifiable sans la clé de scellement "
            "([ptce_sectors] chain_key_file).", err=True)
        raise click.exceptions.Exit(EXIT_UNVERIFIABLE)


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

    def close(pool):
        Closing = pool.get('ptce.pos.closing')
        closing = Closing.close(find_point(pool, point), type_, date)
        return (closing.sequence, closing.date_from, closing.date_to,
            closing.sale_count, closing.total, closing.grand_total)
    sequence, date_from, date_to, count, total, grand_total = (
        environment.run(database, close))
    click.echo(
        f"Clôture n° {sequence} du {date_from} au {date_to} : {count} "
        f"vente(s), total {total}, grand total {grand_total}")


def find_point(pool, name):
    Point = pool.get('sale.point')
    points = Point.search([('name', '=', name)], limit=1)
    if not points:
        raise ToolError(f"Point de vente « {name} » introuvable.")
    return points[0]


@pos.command('post', help="Valider (comptabiliser et chaîner) les ventes "
    "encaissées d'un point de vente, par lots ; à côté des caissiers ou du "
    "cron, attend son tour au lieu d'échouer.")
@database_option
@click.option('--point', required=True, type=options.Text(), metavar='NOM',
    help="Nom du point de vente.")
@click.option('--batch', type=options.POSITIVE, default=100, metavar='N',
    show_default=True, help="Ventes validées par transaction.")
def post_command(database, point, batch):
    "Post the processed sales of a point of sale"
    def post(pool):
        Sale = pool.get('sale.point.sale')
        sales = Sale.search([
                ('point', '=', find_point(pool, point).id),
                ('state', '=', 'done'),
                ], order=[('date', 'ASC'), ('id', 'ASC')], limit=batch)
        Sale.post(sales)
        return len(sales)
    extras, total = {}, 0
    while count := environment.run(database, post, extras=extras):
        total += count
    click.echo(f"{total} vente(s) validée(s) sur « {point} ».")


@pos.group('key', cls=options.Group)
def key():
    """Clé de scellement des caisses (HMAC-SHA256), hors de la base :
    fichier [ptce_sectors] chain_key_file de la configuration."""


def key_file():
    from trytond.config import config
    path = config.get('ptce_sectors', 'chain_key_file', default=None)
    if not path:
        raise ToolError(
            "Aucun fichier de clé configuré : indiquez [ptce_sectors] "
            "chain_key_file dans la configuration de trytond.")
    return pathlib.Path(path)


@key.command('create', help="Créer le fichier de clé avec une première clé "
    "(jamais écrasé s'il existe). Gardez-en une copie hors du serveur : "
    "sans elle, la chaîne n'est plus vérifiable.")
def key_create_command():
    from ptce_sectors import seal
    path = key_file()
    if path.exists():
        raise ToolError(f"Le fichier de clé « {path} » existe déjà.")
    key_id = seal.create_key_file(path)
    click.echo(f"{path} : clé « {key_id} » créée.")


@key.command('rotate', help="Ajouter une nouvelle clé qui signe "
    "désormais ; les anciennes restent dans le fichier pour vérifier ce "
    "qu'elles ont signé.")
def key_rotate_command():
    from ptce_sectors import seal
    path = key_file()
    if not path.exists():
        raise ToolError(
            f"Le fichier de clé « {path} » n'existe pas : "
            "« ateliers pos key create ».")
    try:
        key_id = seal.rotate_key_file(path)
    except (OSError, ValueError) as error:
        raise ToolError(f"Fichier de clé « {path} » illisible : {error}.")
    click.echo(f"{path} : nouvelle clé « {key_id} » ; elle signe désormais.")


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
    help="Fichier CSV écrit (sa signature HMAC-SHA256 est sur la dernière "
    "ligne).")
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
    click.echo(f"{output} : signature {digest}")


@pos.command('verify-archive')
@database_option
@click.argument('archive', type=options.InputFile(), metavar='ARCHIVE')
def verify_archive_command(database, archive):
    """Vérifier qu'une archive exportée par « pos archive » ou écrite à la
    clôture n'a pas été modifiée (sa dernière ligne signe ce qui précède
    avec la clé de scellement ; code de sortie 1 si modifiée, 3 si la clé
    manque)."""
    content = pathlib.Path(archive).read_bytes()
    with environment.transaction(database, readonly=True) as pool:
        intact = pool.get('ptce.pos.closing').verify_archive(content)
    if intact is None:
        click.echo(
            f"Erreur : archive « {archive} » non vérifiable sans le "
            "fichier de clés de scellement.", err=True)
        raise click.exceptions.Exit(EXIT_UNVERIFIABLE)
    if not intact:
        raise ToolError(
            f"Archive « {archive} » modifiée : sa signature ne correspond "
            "plus à son contenu.")
    click.echo(f"{archive} : intègre")


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
    rows = environment.run(database, settle)
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
