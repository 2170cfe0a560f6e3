"""Benchmark of ptce_sectors' inalterability chain.

    .venv/bin/python bench/bench_sectors.py [--backend sqlite|postgresql]
        [--sales 10000] [--batch 25] [--database bench_sectors] [--cache DIR]

Creates a database with ptce_sectors and the till's day (not timed): SALES
sales of 3 lines on one point of sale, created, paid in cash and
processed, BATCH sales per ORM call.  The database is then copied twice
and the closing of the till (timed) runs on both copies at once, one
process each, the same sales posted BATCH per transaction:
- "stock": the stock sale_point posting (the chain is skipped);
- "chain": the posting of ptce_sectors (gap-free number + SHA-256 chain).
Both processes post the same sales side by side, so they share whatever
else the machine does.  Then the integrity check runs over every chained
sale.  Prints the time per sale of both, the extra cost of the chain and
the sales verified per second.  PostgreSQL: the server of BENCH_PG_URI,
by default 127.0.0.1 (see bench/harness.py); the activated database is
kept in --cache (DB_CACHE, by default a folder of the temporary folder).
"""
import datetime
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

import harness

STEPS = ['stock', 'chain', 'verify']


def parse_args():
    parser = harness.parser(__doc__, database='bench_sectors')
    parser.add_argument('--sales', type=int, default=10000)
    parser.add_argument('--batch', type=int, default=25)
    parser.add_argument('--profile', metavar='FILE',
        help="profile the chained posting with cProfile into FILE")
    parser.add_argument('--step', choices=STEPS,
        help="(internal) run one step on the existing --database")
    return parser.parse_args()


def main():
    args = parse_args()
    if args.step:
        return step(args)
    # The database cache is kept by default: the set-up is not measured.
    args.cache = args.cache or os.environ.get('DB_CACHE') or os.path.join(
        tempfile.gettempdir(), f'bench-sectors-cache-{args.backend}')
    harness.prepare(args, drop=[f'{args.database}_{s}' for s in STEPS[:2]])
    harness.sealing_key()  # inherited by the steps

    from trytond.tests.tools import activate_modules

    from ateliers.setup import setup_les_ateliers
    from ptce_sectors.tests import tools

    print(f"backend {args.backend}, {args.sales} sales of 3 lines, "
        f"batches of {args.batch}", flush=True)
    with harness.timer("set-up"):
        config = activate_modules(['ptce_sectors'], setup_les_ateliers)
        sectors = tools.create_sectors(config)
        categories = tools.create_categories(config)
        products = [
            tools.create_product("Plat du jour", '14.50', categories['food'],
                sectors['CC'], meal_voucher=True, config=config),
            tools.create_product("Café", '2.00', categories['food'],
                sectors['CC'], config=config),
            tools.create_product("Jus de pomme", '3.50', categories['goods'],
                sectors['CC'], config=config),
            ]
        point = tools.create_point("Caisse", 'shop', sectors['CC'], config)
        methods = tools.create_payment_methods(config)

    ids = {
        'products': [p.id for p in products],
        'cash': methods['cash'].id,
        }
    sell_day(config, args, point.id, ids)
    copies = copy_database(args)
    print(f"load before posting: {os.getloadavg()}", flush=True)
    children = {}
    for name in STEPS[:2]:
        command = [sys.executable, __file__, '--backend', args.backend,
            '--database', copies[name], '--batch', str(args.batch),
            '--step', name]
        if args.profile and name == 'chain':
            command += ['--profile', args.profile]
        children[name] = subprocess.Popen(
            command, stdout=subprocess.PIPE, text=True)
    results = {n: _result(c) for n, c in children.items()}
    print(f"load after posting: {os.getloadavg()}", flush=True)
    if args.profile:
        return
    verify = subprocess.run([sys.executable, __file__,
            '--backend', args.backend, '--database', copies['chain'],
            '--step', 'verify'], stdout=subprocess.PIPE, text=True)
    verified, verify_time = _result(verify)
    (sales, stock), (_, chain) = results['stock'], results['chain']
    print(f"stock posting : {stock * 1000 / sales:.1f} ms per sale "
        f"({sales / stock:.1f} sales/s)")
    print(f"chain posting : {chain * 1000 / sales:.1f} ms per sale "
        f"({sales / chain:.1f} sales/s)")
    print(f"chain extra cost : {(chain / stock - 1) * 100:+.1f} % "
        "(target < 20 %)")
    print(f"integrity check : {verified} sales in {verify_time:.2f} s = "
        f"{verified / verify_time:.0f} sales/s (target >= 5000/s)")


def _result(process):
    """The figures a step printed last, once it ended well."""
    if isinstance(process, subprocess.Popen):
        output, _ = process.communicate()
        returncode = process.returncode
    else:
        output, returncode = process.stdout, process.returncode
    lines = output.splitlines()
    print('\n'.join(lines[:-1]), flush=True)
    if returncode:
        sys.exit(f"a step failed ({returncode})")
    count, seconds = lines[-1].split()
    return int(count), float(seconds)


def copy_database(args):
    """Two identical copies of the database, for the stock and the chained
    postings; return their names."""
    from trytond import backend, config
    copies = {n: f'{args.database}_{n}' for n in STEPS[:2]}
    if args.backend == 'sqlite':
        # SQLite's backup: the committed state, journal included.
        folder = config.get('database', 'path')
        source = sqlite3.connect(
            os.path.join(folder, f'{args.database}.sqlite'))
        for name in copies.values():
            target = sqlite3.connect(os.path.join(folder, f'{name}.sqlite'))
            source.backup(target)
            target.close()
        source.close()
        return copies
    # PostgreSQL copies from a template nobody is connected to.
    backend.Database(args.database).close()
    db = backend.Database().connect()
    connection = db.get_connection(autocommit=True)
    try:
        for name in copies.values():
            db.create(connection, name, template=args.database)
    finally:
        db.put_connection(connection)
    return copies


def step(args):
    """One step, in its own process, on the copy `--database`: post every
    done sale (stock or chain), or verify the chain; print the number of
    sales and the seconds taken as the last line."""
    # The environment (database URI and folder, sealing key) is the one
    # the main process prepared.
    from proteus import config as proteus_config
    from trytond.pool import Pool
    config = proteus_config.set_trytond(args.database)

    def done_sales():
        Sale = Pool().get('sale.point.sale')
        return [s.id for s in Sale.search(
                [('state', '=', 'done')], order=[('id', 'ASC')])]
    if args.step == 'verify':
        verified, elapsed = verify(config)
        print(verified, elapsed)
        return
    sale_ids, _ = transaction(config, done_sales)
    chain = args.step == 'chain'
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
        elapsed = profiler.runcall(post, config, args, sale_ids, chain)
        profiler.dump_stats(args.profile)
    else:
        elapsed = post(config, args, sale_ids, chain)
    print(harness.line(
            f"  {args.step} posting: {len(sale_ids)} sales posted", elapsed))
    print(len(sale_ids), elapsed)


def transaction(config, func, extras=None):
    """Run func in a transaction, restarted with the locks it asks for (as
    Tryton's dispatcher does).  The locks asked for are kept in extras so
    that the next batches of the same till take them at once instead of
    being restarted; return (result, restarts)."""
    from trytond.transaction import Transaction, TransactionError
    extras = {} if extras is None else extras
    restarts = 0
    while True:
        try:
            with Transaction().start(config.database_name, config.user,
                    context=config.context, **extras) as tx:
                result = func()
                tx.commit()
                return result, restarts
        except TransactionError as error:
            error.fix(extras)
            restarts += 1


def sell_day(config, args, point_id, ids):
    """The day at the till (not timed): SALES sales of 3 lines created,
    paid in cash and processed (state done, numbered), BATCH sales per ORM
    call and transaction."""
    from trytond.pool import Pool
    today = datetime.date.today()
    extras = {}

    def line_values():
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Point = pool.get('sale.point')
        sale = Sale(point=Point(point_id), date=today)
        values = []
        for product_id, quantity in zip(ids['products'], [2, 2, 1]):
            line = Line(sale=sale, product=product_id, quantity=quantity)
            line.on_change_product()
            values.append({
                    'product': product_id, 'quantity': quantity,
                    'unit_list_price': line.unit_list_price,
                    'unit_gross_price': line.unit_gross_price,
                    'sector': line.sector.id,
                    })
        return values
    lines, _ = transaction(config, line_values, extras)

    def batch(size):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Payment = pool.get('sale.point.payment')
        sales = Sale.create([{
                    'point': point_id, 'date': today,
                    'lines': [('create', lines)],
                    } for _ in range(size)])
        amount = sales[0].amount_to_pay
        Payment.create([{
                    'sale': s.id, 'method': ids['cash'], 'amount': amount,
                    } for s in sales])
        sales = Sale.browse(sales)
        Sale.process(sales)
        return [s.id for s in sales]

    start = time.perf_counter()
    sale_ids, restarts = [], 0
    while len(sale_ids) < args.sales:
        size = min(args.batch, args.sales - len(sale_ids))
        created, restarted = transaction(
            config, lambda: batch(size), extras)
        sale_ids.extend(created)
        restarts += restarted
    print(f"  till day: {len(sale_ids)} sales created, paid and processed "
        f"in {time.perf_counter() - start:.1f} s ({restarts} restarts)",
        flush=True)


def post(config, args, sale_ids, chain):
    """The closing of the till (timed): the done sales posted BATCH per
    transaction, with the chain (ptce_sectors) or by the stock sale_point
    posting alone (the chain skipped); returns the time taken."""
    from trytond.modules.sale_point.sale import POSSale as StockPOSSale
    from trytond.pool import Pool
    extras = {}

    def batch(ids):
        Sale = Pool().get('sale.point.sale')
        sales = Sale.browse(ids)
        if chain:
            Sale.post(sales)
        else:
            # The stock posting alone: what sale_point does without the
            # chain of ptce_sectors.
            StockPOSSale.post.__func__(Sale, sales)

    # The first transaction posts one sale: the locks it asks for (trytond
    # restarts a transaction to take them) are then taken at the start of
    # every batch, so no batch is posted twice.
    slices = [sale_ids[:1]] + [sale_ids[i:i + args.batch]
        for i in range(1, len(sale_ids), args.batch)]
    start = time.perf_counter()
    restarts = 0
    for ids in slices:
        _, restarted = transaction(config, lambda: batch(ids), extras)
        restarts += restarted
    elapsed = time.perf_counter() - start
    print(f"  {'chain' if chain else 'stock'}: {len(slices)} transactions, "
        f"{restarts} restarts")
    return elapsed


def verify(config):
    "The integrity check of every point of sale: (sales, seconds)"
    from trytond.pool import Pool

    def check():
        Sale = Pool().get('sale.point.sale')
        start = time.perf_counter()
        results = Sale.verify_chain()
        elapsed = time.perf_counter() - start
        for result in results:
            assert result['broken'] is None, result
            assert result['unverifiable'] == 0, result
        return sum(r['sales'] for r in results), elapsed
    result, _ = transaction(config, check)
    return result


if __name__ == '__main__':
    main()
