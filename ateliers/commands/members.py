"""Sub-commands of the `ateliers` tool for the SCIC register (scic_members).

    ateliers members import FILE.xls --database DB [--dry-run] [--update]
    ateliers members register --database DB --at DATE --output FILE.csv|.xlsx
"""
import datetime
import pathlib

import click

from .. import environment, options
from ..options import database_option


@click.group(cls=options.Group)
def members():
    "Registre des associés de la SCIC (import, export)."


@members.command('import')
@click.argument('file', type=options.InputFile(['.xls']), metavar='FICHIER')
@database_option
@click.option('--dry-run', is_flag=True,
    help="Vérifier le fichier et en rendre compte sans rien écrire.")
@click.option('--update', is_flag=True,
    help="Mettre à jour les associés déjà au registre (nom, adresse, "
    "courriel, SIRET, date de naissance, catégorie, collège) au lieu de "
    "les refuser.")
def import_(file, database, dry_run, update):
    """Importer un ancien registre des associés (.xls) : tiers, associés et
    souscriptions d'ouverture. Tout ou rien."""
    content = pathlib.Path(file).read_bytes()

    def function(pool):
        company = environment.current_company(pool)
        from scic_members.register_import import import_register
        return import_register(
            content, company, filename=pathlib.Path(file).name,
            dry_run=dry_run, update=update).message
    # Counts of associates and of the rows ignored (blank, totals)
    click.echo(environment.run(database, function, readonly=dry_run))


@members.command('register')
@database_option
@click.option('--at', 'at', type=options.Date(future=False), default=None,
    metavar='DATE',
    help="Date du registre, AAAA-MM-JJ ou JJ/MM/AAAA, pas dans le futur "
    "(défaut : aujourd'hui).")
@click.option('--output', '-o', required=True, metavar='FICHIER',
    type=options.OutputFile(['.csv', '.xlsx']),
    help="Fichier écrit : .csv (séparateur point-virgule, UTF-8) ou .xlsx.")
def register(database, at, output):
    "Exporter le registre des associés à une date en CSV ou XLSX."
    date = at.date() if at else datetime.date.today()
    suffix = pathlib.Path(output).suffix.lower()

    def function(pool):
        company = environment.current_company(pool)
        from scic_members import share_register as scic_register
        lines = scic_register.register_lines(company, date)
        with options.atomic_output(output) as tmp:
            if suffix == '.csv':
                scic_register.write_csv(tmp, lines)
            else:
                scic_register.write_xlsx(tmp, lines)
        return lines
    lines = environment.run(database, function, readonly=True)
    click.echo(f"Registre au {date:%d/%m/%Y} : {len(lines)} associés "
        f"écrits dans {output}.")


COMMANDS = [members]
