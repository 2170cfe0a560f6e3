"""Sub-commands of the `ateliers` tool for the spaces module (ptce_spaces).

``ateliers rents invoice --database DB --period 2026-12 [--post]`` creates
the rent invoices of a month with the rent run of the module
(``ptce.lease`` ``run_rents``, the one of the cron and of the wizard): the
leases are invoiced in batches, each committed on its own: after a crash,
running the command again invoices only what is missing (the pair lease +
period is unique in the database).
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


def push_rents(pool, date, post, batch_size):
    """The rent run of the module (Lease.run_rents): one queue task per
    batch of leases due.  Returns the (task id, number of leases) of each
    batch and the number of periods of the month invoiced before."""
    from trytond.transaction import Transaction
    Lease = pool.get('ptce.lease')
    Queue = pool.get('ir.queue')
    due, invoiced = Lease.rents_due(date)
    # None: the batch size of the module (RENT_BATCH_SIZE)
    with Transaction().set_context(rent_batch_size=batch_size):
        task_ids = Lease.run_rents(date, post=post, leases=list(due))
    return [(t, len(Queue(t).data['instances'])) for t in task_ids], len(
        invoiced)


def run_rent_task(pool, task_id, date):
    """Run one batch of the rent run in the current transaction, as the
    worker would (ir.queue's run), unless the worker already took it
    (None).  Returns the figures of the invoices of the batch's leases for
    the month: (count, posted, untaxed, total)."""
    Queue = pool.get('ir.queue')
    Lease = pool.get('ptce.lease')
    Invoice = pool.get('account.invoice')
    tasks = Queue.search([
            ('id', '=', task_id),
            ('dequeued_at', '=', None),
            ])
    if not tasks:
        return None
    task, = tasks
    # Taken first, as the worker's pull does: the row stays locked until
    # the commit, so a worker never runs the batch a second time
    task.dequeued_at = datetime.datetime.now()
    task.save()
    task.run()
    leases = Lease.browse(task.data['instances'])
    invoices = Invoice.search(Lease.rent_invoices_domain(date, leases))
    return (
        len(invoices),
        sum(1 for i in invoices if i.state == 'posted'),
        sum(i.untaxed_amount for i in invoices),
        sum(i.total_amount for i in invoices))


def invoice_rents(database, date, post=False, batch_size=None,
        progress=None, batches=None):
    """Invoice the month of date with the rent run of the module: its
    batches are pushed in one transaction (or given as push_rents returned
    them), then run here one after the other, each in its own transaction
    (started again when another process holds the locks it needs) instead
    of waiting for a worker.

    Returns a dict: leases to invoice, created and posted invoices, periods
    already invoiced, untaxed and total amounts, and the batches left to
    the worker (when one is configured and took them first)."""
    from trytond.transaction import Transaction
    from trytond.worker import run_task
    if batches is None:
        batches = environment.run(
            database, lambda pool: push_rents(pool, date, post, batch_size))
    tasks, already = batches
    # Without a worker, the tasks pushed by a transaction wait in this list
    # for the process that committed it to run them (the RPC dispatcher,
    # the cron): here, this command
    pending = Transaction().tasks
    result = {
        'created': 0, 'already': already,
        'leases': sum(n for _, n in tasks),
        'untaxed': Decimal(0), 'total': Decimal(0), 'posted': 0,
        'worker': 0,
        }
    extras = {}
    for task_id, count in tasks:
        if task_id in pending:
            pending.remove(task_id)
        figures = environment.run(
            database, lambda pool: run_rent_task(pool, task_id, date),
            extras=extras)
        if figures is None:
            result['worker'] += 1
        else:
            created, posted, untaxed, total = figures
            result['created'] += created
            result['posted'] += posted
            result['untaxed'] += untaxed
            result['total'] += total
        if progress:
            progress(count)
    # The tasks that the batches pushed in turn, as the dispatcher runs them
    while pending:
        run_task(database, pending.pop())
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
@click.option('--batch-size', type=options.POSITIVE, metavar='NOMBRE',
    help="Baux facturés par transaction (au moins 1 ; par défaut celui du "
    "module, 100).")
def invoice(database, period, force, post, batch_size):
    """Créer les factures de loyer d'un mois (une par bail et période).

    Idempotent : une période déjà facturée ne l'est jamais une seconde
    fois."""
    date = parse_period(period)
    environment.run(database, lambda pool: options.check_fiscal_year(
            pool, date.year, "'--period'"), readonly=True)
    batches = environment.run(
        database, lambda pool: push_rents(pool, date, post, batch_size))
    with click.progressbar(
            length=sum(n for _, n in batches[0]),
            label="Facturation des baux") as bar:
        result = invoice_rents(
            database, date, progress=bar.update, batches=batches)
    click.echo(
        f"Période {period} : {result['created']} facture(s) créée(s)"
        f" dont {result['posted']} comptabilisée(s), "
        f"{result['already']} période(s) déjà facturée(s) ; "
        f"montant HT {result['untaxed']:.2f} €, "
        f"TTC {result['total']:.2f} €.")
    if result['worker']:
        click.echo(
            f"{result['worker']} lot(s) pris en charge par le worker "
            "(non comptés ci-dessus).")


COMMANDS = [rents]
