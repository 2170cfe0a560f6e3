"""Benchmark of the monthly rent run of ptce_spaces.

    .venv/bin/python bench/bench_spaces.py [--backend sqlite|postgresql]
        [--leases 1000] [--bookings 10000] [--no-stock] [--batch-size N]
        [--profile FILE]
        [--database bench_spaces] [--cache DIR]

1. One month of rent invoices, created and posted, for three sets of N
   leases of equal rents (lease i of each set: the same rent, charges,
   VAT and sector), side by side in one run:

   a. stock, one invoice at a time as the client does it: one
      transaction saves the invoice, another posts it;
   b. stock batched: ``account.invoice`` create of the month's invoices
      by batches of 100 per transaction, then post by batches of 100;
   c. the rent run of the module as ``ateliers rents invoice --period
      YYYY-MM --post`` does it (ateliers.commands.spaces.invoice_rents:
      ``ptce.lease`` run_rents, one queue task per batch of 100 leases).

   Without a queue worker (``[queue] worker`` unset), as here, the tasks a
   transaction pushes are run after its commit by the process that
   committed it (the RPC dispatcher, the cron, the command): the same is
   done after every transaction of a and b, so that each path costs what
   the user waits for.  Then the invoices of the three paths are compared
   lease by lease (amounts, taxes, lines, move lines, due dates, analytic
   lines): the benchmark fails if they differ.  It prints the time of each
   path, the invoices per second and the ratios c/a (target >= 4) and c/b
   (target >= 2).
2. N booking inserts (confirmed, with the overlap check), in batches of 50
   per transaction (on SQLite trytond's Python check of the exclusion
   builds one OR clause per record: 500 at once exceeds Python's recursion
   limit); --bookings 0 skips them.

The database is created fresh (SQLite in a temporary folder; PostgreSQL:
database ``--database`` on BENCH_PG_URI, by default 127.0.0.1: see
bench/harness.py).  One line per step: wall-clock and CPU seconds of this
process (on SQLite all the work; the machine may be shared: compare the
ratios of one run).
"""
import cProfile
import datetime as dt
from decimal import Decimal

import harness

parser = harness.parser(__doc__, database='bench_spaces')
parser.add_argument('--leases', type=int, default=1000)
parser.add_argument('--bookings', type=int, default=10000)
parser.add_argument('--no-stock', action='store_true',
    help="run the module's path alone (c)")
parser.add_argument('--batch-size', type=int, default=None,
    help="leases per batch of the rent run (default: the module's)")
parser.add_argument('--profile', metavar='FILE',
    help="write the cProfile statistics of the module's path to FILE")
args = parser.parse_args()
DB = harness.prepare(args)

from trytond.pool import Pool  # noqa: E402
from trytond.tests.tools import activate_modules  # noqa: E402
from trytond.transaction import Transaction, TransactionError  # noqa: E402
from trytond.worker import run_task  # noqa: E402

from ateliers import environment  # noqa: E402
from ateliers.commands.spaces import invoice_rents  # noqa: E402
from ateliers.setup import create_fiscal_year, setup_les_ateliers  # noqa: E402
from ptce_spaces.space import month_bounds  # noqa: E402
from ptce_spaces.tests.tools import setup_spaces  # noqa: E402

BATCH = 100
DATE = dt.date(2026, 12, 1)


def run(func, extras=None):
    """One transaction as admin, restarted with locks when trytond asks,
    then the tasks it pushed, as the RPC dispatcher runs them.

    extras (the tables and records to lock at the start) is shared by the
    successive transactions of one path: once a transaction has learnt that
    it must lock the invoice sequence, the next ones lock it at once instead
    of redoing their work (as ``ateliers rents invoice`` does between its
    batches)."""
    if extras is None:
        extras = {}
    while True:
        try:
            with Transaction().start(DB, 0, **extras) as tx:
                with environment.as_admin(Pool()):
                    result = func(Pool())
                tx.commit()
            break
        except TransactionError as error:
            Transaction().tasks.clear()
            error.fix(extras)
    tasks = Transaction().tasks
    while tasks:
        run_task(DB, tasks.pop())
    return result


def create_leases(pool, prefix, n):
    "n running monthly leases in advance, from 1 January 2026"
    Party = pool.get('party.party')
    Space = pool.get('ptce.space')
    Lease = pool.get('ptce.lease')
    Analytic = pool.get('analytic_account.account')
    sector, = Analytic.search([('code', '=', 'CC')])
    parties = Party.create([
            {'name': f'Locataire {prefix}{i}', 'addresses': [
                    ('create', [{'city': 'Castres'}])]}
            for i in range(n)])
    spaces = Space.create([{
                'code': f'{prefix}{i}', 'name': f'Bureau {prefix}{i}',
                'kind': 'office', 'area': Decimal(20),
                'sector': sector.id} for i in range(n)])
    leases = Lease.create([{
                'reference': f'{prefix}{i}', 'tenant': p.id,
                'kind': 'professional', 'spaces': [('add', [s.id])],
                'start_date': dt.date(2026, 1, 1),
                'rent': Decimal(400 + i % 300),
                'charges': Decimal(50), 'index_kind': None,
                'frequency': 'monthly', 'term': 'advance',
                # one lease in 10 without VAT: both kinds of invoices
                'vat': i % 10 != 0,
                } for i, (p, s) in enumerate(zip(parties, spaces))])
    Lease.write(leases, {'state': 'running'})
    return [l.id for l in leases]


def stock_invoice(pool, lease_id):
    """The lease's invoice of the month, not saved: the values a client
    would save"""
    Lease = pool.get('ptce.lease')
    Configuration = pool.get('ptce.spaces.configuration')
    lease = Lease(lease_id)
    start, end = month_bounds(DATE)
    key, first, last, days = lease.due_period(start, end)
    return lease._get_invoice(first, last, days, Configuration(1))


def post(pool, invoice_ids):
    Invoice = pool.get('account.invoice')
    # December is posted on 1 December: a few days ahead, as the rent run
    with Transaction().set_context(_skip_warnings=True):
        Invoice.post(Invoice.browse(invoice_ids))


def stock_one_by_one(lease_ids):
    "a: one transaction to save each invoice, one to post it"
    extras = {}
    for lease_id in lease_ids:
        def save(pool):
            invoice = stock_invoice(pool, lease_id)
            invoice.save()
            return invoice.id
        invoice_id = run(save)
        run(lambda pool: post(pool, [invoice_id]), extras)


def stock_batched(lease_ids):
    "b: create by batches of 100 per transaction, then post by batches"
    invoice_ids = []
    for i in range(0, len(lease_ids), BATCH):
        def create(pool, chunk=lease_ids[i:i + BATCH]):
            Invoice = pool.get('account.invoice')
            invoices = [stock_invoice(pool, l) for l in chunk]
            Invoice.save(invoices)
            return [i.id for i in invoices]
        invoice_ids.extend(run(create))
    extras = {}
    for i in range(0, len(invoice_ids), BATCH):
        run(lambda pool: post(pool, invoice_ids[i:i + BATCH]), extras)


def rent_run(lease_ids):
    """c: ateliers rents invoice --period 2026-12 --post, on these leases
    (push_rents of the command, restricted to them)"""
    def push(pool):
        Lease = pool.get('ptce.lease')
        Queue = pool.get('ir.queue')
        with Transaction().set_context(rent_batch_size=args.batch_size):
            task_ids = Lease.run_rents(
                DATE, post=True, leases=Lease.browse(lease_ids))
        return [(t, len(Queue(t).data['instances'])) for t in task_ids], 0
    batches = environment.run(DB, push)
    return invoice_rents(DB, DATE, post=True, batches=batches)


def signature(invoice):
    """What must be the same whatever the path: amounts, taxes, lines,
    move lines, due dates, analytic lines"""
    def analytic(line):
        return sorted(
            (a.account.id, a.debit, a.credit, a.date)
            for a in line.analytic_lines)
    return (
        invoice.state, bool(invoice.number), invoice.invoice_date,
        invoice.journal.id, invoice.account.id, invoice.payment_term.id
        if invoice.payment_term else None, invoice.untaxed_amount,
        invoice.tax_amount, invoice.total_amount,
        sorted((t.tax.id, t.base, t.amount, t.account.id)
            for t in invoice.taxes),
        [(l.product.id, l.quantity, l.unit_price, l.account.id,
                sorted(t.id for t in l.taxes), l.amount,
                sorted((a.root.id, a.account.id)
                    for a in l.analytic_accounts))
            for l in invoice.lines],
        sorted((l.account.id, l.debit, l.credit, l.maturity_date,
                # each path has its own tenants
                l.party == invoice.party if l.party else None, analytic(l))
            for l in invoice.move.lines),
        )


def compare(sets):
    """Assert that lease i of every set has one invoice of the month and
    that these invoices have the same signature"""
    def check(pool):
        Lease = pool.get('ptce.lease')
        Invoice = pool.get('account.invoice')
        signatures = []
        for lease_ids in sets:
            invoices = {}
            for invoice in Invoice.search(Lease.rent_invoices_domain(
                        DATE, Lease.browse(lease_ids))):
                lease, = {l.origin for l in invoice.lines}
                assert lease.id not in invoices, lease.reference
                invoices[lease.id] = invoice
            assert len(invoices) == len(lease_ids), len(invoices)
            signatures.append([signature(invoices[l]) for l in lease_ids])
        first = signatures[0]
        for other in signatures[1:]:
            for i, (one, two) in enumerate(zip(first, other)):
                assert one == two, (i, one, two)
        return len(first)
    return environment.run(DB, check, readonly=True)


def main():
    with harness.timer(f'set-up ({args.backend})'):
        config = activate_modules('ptce_spaces', setup_les_ateliers)
        create_fiscal_year(2027, config=config)
        setup_spaces(config)
    n = args.leases
    ours = run(lambda pool: create_leases(pool, 'C', n))
    if not args.no_stock:
        one_by_one = run(lambda pool: create_leases(pool, 'A', n))
        batched = run(lambda pool: create_leases(pool, 'B', n))
    # the pool of the command's transactions, as its first batch would
    environment.open_pool(DB)

    times = {}
    profile = cProfile.Profile() if args.profile else None
    label = f'c. rent run (ateliers rents invoice --post), {n} leases'
    with harness.timer(label) as timer:
        if profile:
            profile.enable()
        result = rent_run(ours)
        if profile:
            profile.disable()
    times['c'] = timer.wall
    cpu = {'c': timer.cpu}
    assert result['created'] == result['posted'] == n, result
    if profile:
        profile.dump_stats(args.profile)
    if not args.no_stock:
        with harness.timer(
                f'a. stock, one invoice at a time, {n} invoices') as timer:
            stock_one_by_one(one_by_one)
        times['a'] = timer.wall
        cpu['a'] = timer.cpu
        with harness.timer(
                f'b. stock batched create + post, {n} invoices') as timer:
            stock_batched(batched)
        times['b'] = timer.wall
        cpu['b'] = timer.cpu
        sets = [ours, one_by_one, batched]
    else:
        sets = [ours]
    compared = compare(sets)
    print(f'{compared} invoices per path, the same in each path', flush=True)
    print(' '.join(f'{k}: {n / t:.1f} invoices/s' for k, t in
            sorted(times.items())), flush=True)
    if not args.no_stock:
        print(f"c/a x{times['a'] / times['c']:.2f} (target 4), "
            f"c/b x{times['b'] / times['c']:.2f} (target 2); in CPU "
            f"seconds of this process: c/a x{cpu['a'] / cpu['c']:.2f}, "
            f"c/b x{cpu['b'] / cpu['c']:.2f}", flush=True)

    # Bookings
    m = args.bookings
    if not m:
        return

    def room(pool):
        Space = pool.get('ptce.space')
        Party = pool.get('party.party')
        rooms = Space.create([{
                    'code': f'SR{i}', 'name': f'Salle {i}',
                    'kind': 'meeting_room', 'bookable': True,
                    'hourly_price': Decimal(20)} for i in range(10)])
        party, = Party.create([{'name': 'Réservant'}])
        return [r.id for r in rooms], party.id

    def bookings():
        rooms, party = run(room)
        base = dt.datetime(2026, 1, 1, 8)
        for i in range(0, m, 50):
            def batch(pool, i=i):
                Booking = pool.get('ptce.booking')
                Booking.create([{
                            'space': rooms[j % 10], 'party': party,
                            'state': 'confirmed',
                            'start_datetime': base + dt.timedelta(
                                hours=j // 10),
                            'end_datetime': base + dt.timedelta(
                                hours=j // 10, minutes=59),
                            } for j in range(i, min(i + 50, m))])
            run(batch)
    with harness.timer(f'{m} confirmed booking inserts with the overlap '
            'check (batches of 50)') as timer:
        bookings()
    print(f'bookings: {m / timer.wall:.0f} inserts/s', flush=True)


if __name__ == '__main__':
    main()
