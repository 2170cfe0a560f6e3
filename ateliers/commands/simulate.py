"""``ateliers simulate``: build a realistic year of Les Ateliers in a
database through the modules' own methods (see ateliers/simulate)."""
import sys
import time

import click

from .. import environment, options
from ..options import database_option


@click.command('simulate')
@database_option
@options.year_option(required=True,
    help="Année simulée : un exercice comptable doit la couvrir.")
@click.option('--scale', type=options.POSITIVE, default=1,
    show_default=True, metavar='FACTEUR',
    help="Multiplie les associés, les locataires et les ventes du jour "
    "(au moins 1).")
@click.option('--seed', type=click.IntRange(min=0), default=None,
    metavar='GRAINE',
    help="Graine du hasard : la même graine refait la même année "
    "(défaut : l'année).")
@click.option('--until', type=options.Date(), default=None,
    metavar='DATE',
    help="Dernier jour simulé, AAAA-MM-JJ ou JJ/MM/AAAA (défaut : le 31 "
    "décembre, l'exercice est alors clôturé).")
@click.option('--sales-volume', type=click.FloatRange(min=0, max=1,
        min_open=True), default=1, show_default=True, metavar='PART',
    help="Part des ventes en caisse du jour simulées, entre 0 (exclu) et "
    "1 : 0.1 pour une année rapide à construire.")
@click.option('--sales-since', type=options.Date(), default=None,
    metavar='DATE',
    help="Premier jour où les caisses vendent, AAAA-MM-JJ ou JJ/MM/AAAA, "
    "dans l'année (défaut : le 1er janvier).")
def simulate(database, year, scale, seed, until, sales_volume, sales_since):
    """Simuler une année d'activité des Ateliers : associés, baux et
    loyers, réservations, ventes des filières, subventions, encaissements
    bancaires, clôture.

    Passe par les méthodes des modules (jamais de SQL) : chaque jour est
    une transaction, une interruption perd au plus une journée. Une base
    sans données de démonstration les reçoit d'abord."""
    from ..simulate import Simulation, ensure_demo_data, run, summary_lines
    until = until.date() if until else None
    if until and until.year != year:
        raise click.BadParameter(
            f"le {until:%d/%m/%Y} n'est pas dans l'année {year}.",
            param_hint="'--until'")
    sales_since = sales_since.date() if sales_since else None
    if sales_since and sales_since.year != year:
        raise click.BadParameter(
            f"le {sales_since:%d/%m/%Y} n'est pas dans l'année {year}.",
            param_hint="'--sales-since'")
    environment.run(database, lambda pool: options.check_fiscal_year(
            pool, year), readonly=True)
    sim = Simulation(database, year, scale=scale, seed=seed, until=until,
        sales_volume=sales_volume, sales_since=sales_since)
    started = time.monotonic()
    if ensure_demo_data(database):
        click.echo("Données de démonstration chargées.")
    days = (sim.end - sim.start).days + 1
    with click.progressbar(length=days, label="Simulation",
            file=sys.stderr, show_pos=True) as bar:
        tty = sys.stderr.isatty()

        def progress(label):
            if tty:
                # Off a terminal click writes each new label on a line
                bar.label = f"Simulation {label}"
            # One step a simulated day (the labels of the days are dates)
            if label[:1].isdigit():
                bar.update(1)
            else:
                bar.render_progress()
        sim.progress = progress
        run(sim)
    click.echo(f"Simulation de {sim.start:%d/%m/%Y} au {sim.end:%d/%m/%Y} "
        f"(échelle {scale}, graine {sim.seed}) en "
        f"{time.monotonic() - started:.0f} s :")
    lines = summary_lines(sim.summary)
    width = max((len(label) for label, _ in lines), default=0)
    for label, value in lines:
        click.echo(f"  {label:<{width}}  {value:>8}")


COMMANDS = [simulate]
