"""Benchmark of the rent run of ptce_spaces.

    .venv/bin/python bench/bench_spaces.py [--backend sqlite|postgresql]
        [--leases 1000] [--bookings 10000] [--no-stock]
        [--database bench_spaces] [--cache DIR]

1. Invoicing and posting one month for N leases through the module's
   batched path (``ptce.lease.invoice_rents``: one create and one post per
   batch of 100 leases, one transaction per batch, as ``ateliers rents
   invoice`` does), against the stock path: the same invoices created and
   posted one by one through ``account.invoice``, one transaction each.
2. N booking inserts (confirmed, with the overlap check), in batches of 50
   per transaction (on SQLite trytond's Python check of the exclusion
   builds one OR clause per record: 500 at once exceeds Python's recursion
   limit).

The database is created fresh (SQLite in a temporary folder; PostgreSQL:
database ``--database`` on BENCH_PG_URI, by default 127.0.0.1: see
bench/harness.py).  One line per step: wall-clock and CPU seconds.
"""
import datetime as dt
from decimal import Decimal

import harness

parser = harness.parser(__doc__, database='bench_spaces')
parser.add_argument('--leases', type=int, default=1000)
parser.add_argument('--bookings', type=int, default=10000)
parser.add_argument('--no-stock', action='store_true',
    help="skip the stock path (to time the module path alone again)")
args = parser.parse_args()
DB = harness.prepare(args)

from trytond.pool import Pool  # noqa: E402
from trytond.tests.tools import activate_modules  # noqa: E402
from trytond.transaction import Transaction, TransactionError  # noqa: E402

from ateliers.setup import create_fiscal_year, setup_les_ateliers  # noqa: E402
from ptce_spaces.tests.tools import setup_spaces  # noqa: E402


def run(func, extras=None):
    """One transaction as admin, restarted with locks when trytond asks.

    extras (the tables and records to lock at the start) is shared by the
    successive transactions of one path: once a transaction has learnt that
    it must lock the invoice sequence, the next ones lock it at once instead
    of redoing their work (as ``ateliers rents invoice`` does between its
    batches).  Both paths get the same treatment."""
    if extras is None:
        extras = {}
    while True:
        try:
            with Transaction().start(DB, 0, **extras) as tx:
                User = Pool().get('res.user')
                admin, = User.search([('login', '=', 'admin')])
                with tx.set_user(admin.id):
                    context = User.get_preferences(context_only=True)
                    with tx.set_context(context, _check_access=False):
                        result = func(Pool())
                tx.commit()
                return result
        except TransactionError as error:
            error.fix(extras)


def timed(label, func):
    "Run func, print its line; return (wall-clock seconds, result)"
    with harness.timer(label) as timer:
        result = func()
    return timer.wall, result


def main():
    with harness.timer(f'set-up ({args.backend})'):
        config = activate_modules('ptce_spaces', setup_les_ateliers)
        create_fiscal_year(2027, config=config)
        setup_spaces(config)
    n = args.leases

    def create_leases(pool, prefix):
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
                    } for i, (p, s) in enumerate(zip(parties, spaces))])
        Lease.write(leases, {'state': 'running'})
        return [l.id for l in leases]

    batched_ids = run(lambda pool: create_leases(pool, 'A'))
    stock_ids = [] if args.no_stock else run(
        lambda pool: create_leases(pool, 'B'))
    date = dt.date(2026, 12, 1)

    # Neither path renders the invoice report at posting: Invoice.post
    # pushes print_invoice to the queue (ir.queue) and the tasks of the
    # transaction are not run here (as with a queue worker), in both paths.

    # Module path: batches of 100 per transaction
    def batched():
        count = 0
        extras = {}
        for i in range(0, n, 100):
            chunk = batched_ids[i:i + 100]

            def batch(pool):
                Lease = pool.get('ptce.lease')
                return len(Lease.invoice_rents(
                        date, Lease.browse(chunk), post=True))
            count += run(batch, extras)
        return count
    t_batched, count = timed(
        f'module batched path, {n} leases invoiced and posted', batched)
    assert count == n, count

    if args.no_stock:
        print(f'per invoice: module {1000 * t_batched / n:.0f} ms',
            flush=True)
        return

    # Stock path: the same invoices created and posted one by one
    def stock():
        from ptce_spaces.space import month_bounds
        start, end = month_bounds(date)
        extras = {}
        for lease_id in stock_ids:
            def one(pool):
                Lease = pool.get('ptce.lease')
                Invoice = pool.get('account.invoice')
                Configuration = pool.get('ptce.spaces.configuration')
                lease = Lease(lease_id)
                key, first, last, days = lease.due_period(start, end)
                invoice = lease._get_invoice(
                    first, last, days, Configuration(1))
                invoice.save()
                # same as the module path: December is a few days ahead
                with Transaction().set_context(_skip_warnings=True):
                    Invoice.post([invoice])
            run(one, extras)
    t_stock, _ = timed(
        f'stock path, {n} invoices created and posted one by one', stock)
    print(f'per invoice: module {1000 * t_batched / n:.0f} ms, '
        f'stock {1000 * t_stock / n:.0f} ms; '
        f'speed-up x{t_stock / t_batched:.2f}', flush=True)

    # Bookings
    m = args.bookings

    def bookings():
        def room(pool):
            Space = pool.get('ptce.space')
            Party = pool.get('party.party')
            rooms = Space.create([{
                        'code': f'SR{i}', 'name': f'Salle {i}',
                        'kind': 'meeting_room', 'bookable': True,
                        'hourly_price': Decimal(20)} for i in range(10)])
            party, = Party.create([{'name': 'Réservant'}])
            return [r.id for r in rooms], party.id
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
    t_book, _ = timed(f'{m} confirmed booking inserts with the overlap '
        'check (batches of 50)', bookings)
    print(f'bookings: {m / t_book:.0f} inserts/s', flush=True)


if __name__ == '__main__':
    main()
