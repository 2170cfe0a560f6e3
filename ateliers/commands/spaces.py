"""Sub-commands of the `ateliers` tool for the spaces module (ptce_spaces).

``ateliers rents invoice --database DB --period 2026-12 [--post]`` creates
the rent invoices of a month.  The leases are processed in batches, each
committed on its own: after a crash, running the command again invoices
only what is missing (the pair lease + period is unique in the database).
"""
import datetime
from decimal import Decimal

import click

from ateliers import environment, options
from ateliers.environment import ToolError
from ateliers.options import database_option


def parse_period(value):
    "The first day of the month written YYYY-MM"
    try:
        return datetime.datetime.strptime(value, '%Y-%m').date()
    except ValueError:
        raise ToolError(
            f"Période « {value} » invalide : attendu AAAA-MM, "
            "par exemple 2026-12.")


def leases_due(pool, date):
    "Ids of the leases with a period due in the month and not invoiced yet"
    from ptce_spaces.space import month_bounds
    Lease = pool.get('ptce.lease')
    start, end = month_bounds(date)
    due = {}
    for lease in Lease.leases_to_invoice(start, end):
        period = lease.due_period(start, end)
        if period:
            due[lease.id] = period[0]
    invoiced = Lease.invoiced_periods(due)
    done = [i for i, key in due.items() if (i, key) in invoiced]
    for lease_id in done:
        del due[lease_id]
    return sorted(due), len(done)


def find_due(database, date):
    return environment.run(
        database, lambda pool: leases_due(pool, date), readonly=True)


def invoice_rents(database, date, post=False, batch_size=100,
        progress=None, due=None):
    """Invoice the month of date in batches, one transaction per batch.

    Returns a dict: created, already (periods invoiced before),
    untaxed and total amounts."""
    ids, already = due or find_due(database, date)
    result = {
        'created': 0, 'already': already, 'leases': len(ids),
        'untaxed': Decimal(0), 'total': Decimal(0), 'posted': 0,
        }
    def batch(pool, chunk):
        Lease = pool.get('ptce.lease')
        invoices = Lease.invoice_rents(date, Lease.browse(chunk), post=post)
        return (
            len(invoices),
            sum(1 for i in invoices if i.state == 'posted'),
            sum(i.untaxed_amount for i in invoices),
            sum(i.total_amount for i in invoices))

    extras = {}
    for i in range(0, len(ids), batch_size):
        chunk = ids[i:i + batch_size]
        created, posted, untaxed, total = environment.run(
            database, lambda pool: batch(pool, chunk), extras=extras)
        result['created'] += created
        result['posted'] += posted
        result['untaxed'] += untaxed
        result['total'] += total
        if progress:
            progress(len(chunk))
    return result


@click.group(cls=options.Group)
def rents():
    "Loyers des espaces : facturation d'un mois."


@rents.command('invoice')
@database_option
@options.period_option(
    "Mois à facturer, AAAA-MM (par exemple 2026-12), au plus le mois "
    "prochain sans --force.")
@options.force_option
@click.option('--post', is_flag=True, help="Comptabiliser les factures.")
@click.option('--batch-size', type=options.POSITIVE, default=100,
    show_default=True, metavar='NOMBRE',
    help="Baux facturés par transaction (au moins 1).")
def invoice(database, period, force, post, batch_size):
    """Créer les factures de loyer d'un mois (une par bail et période).

    Idempotent : une période déjà facturée ne l'est jamais une seconde
    fois."""
    date = parse_period(period)
    environment.run(database, lambda pool: options.check_fiscal_year(
            pool, date.year, "'--period'"), readonly=True)
    due = find_due(database, date)
    with click.progressbar(
            length=len(due[0]), label="Facturation des baux") as bar:
        result = invoice_rents(
            database, date, post=post, batch_size=batch_size,
            progress=bar.update, due=due)
    click.echo(
        f"Période {period} : {result['created']} facture(s) créée(s)"
        f" dont {result['posted']} comptabilisée(s), "
        f"{result['already']} période(s) déjà facturée(s) ; "
        f"montant HT {result['untaxed']:.2f} €, "
        f"TTC {result['total']:.2f} €.")


COMMANDS = [rents]
