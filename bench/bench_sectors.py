"""Benchmark of ptce_sectors' inalterability chain.

    .venv/bin/python bench/bench_sectors.py [--backend sqlite|postgresql]
        [--sales 10000] [--batch 100]

Creates a database with ptce_sectors, then, on two identical points of
sale, the till's day (not timed): SALES sales of 3 lines created, paid
in cash and processed, BATCH sales per ORM call; then the closing of the
till (timed): the sales posted BATCH per transaction:
- "stock": the stock sale_point posting (the chain is skipped);
- "chain": the posting of ptce_sectors (gap-free number + SHA-256 chain);
the batches of both tills alternate, so that both postings share whatever
else the machine does; then runs the integrity check over every chained
sale.  Prints the time per sale of both, the extra cost of the chain and
the sales verified per second.
"""
import argparse
import datetime
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--backend', choices=['sqlite', 'postgresql'],
        default='sqlite')
    parser.add_argument('--sales', type=int, default=10000)
    parser.add_argument('--batch', type=int, default=250)
    parser.add_argument('--database', default='bench_sectors')
    parser.add_argument('--profile', metavar='FILE',
        help="profile the chained posting with cProfile into FILE")
    return parser.parse_args()


def main():
    args = parse_args()
    if args.backend == 'postgresql':
        os.environ['TRYTOND_DATABASE__URI'] = os.environ.get(
            'BENCH_PG_URI', 'postgresql://postgres@127.0.0.1:5432/')
        os.environ['DB_NAME'] = args.database
    else:
        os.environ['TRYTOND_DATABASE__URI'] = 'sqlite://'
        folder = tempfile.mkdtemp(prefix='bench-sectors-')
        os.environ['TRYTOND_DATABASE__PATH'] = folder
        os.environ['DB_NAME'] = args.database
        open(os.path.join(folder, f'{args.database}.sqlite'), 'w').close()
    os.environ.setdefault('DB_CACHE', os.path.join(
            tempfile.gettempdir(), f'bench-sectors-cache-{args.backend}'))
    sys.path.insert(0, ROOT)

    from trytond.tests.tools import activate_modules

    from ateliers.setup import setup_les_ateliers
    from ptce_sectors.tests import tools

    print(f"backend {args.backend}, {args.sales} sales of 3 lines, "
        f"batches of {args.batch}")
    start = time.perf_counter()
    if args.backend == 'postgresql':
        _drop_pg(args.database)
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
    cc = sectors['CC']
    stock_point = tools.create_point("Stock", 'shop', cc, config)
    chain_point = tools.create_point("Chain", 'shop', cc, config)
    methods = tools.create_payment_methods(config)
    print(f"set-up {time.perf_counter() - start:.1f} s")

    ids = {
        'products': [p.id for p in products],
        'cash': methods['cash'].id,
        }
    stock_ids = sell_day(config, args, stock_point.id, ids)
    chain_ids = sell_day(config, args, chain_point.id, ids)
    print(f"load before posting: {os.getloadavg()}")
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.runcall(post, config, args, chain_ids, chain=True)
        profiler.dump_stats(args.profile)
        return
    stock, chain = post_both(config, args, stock_ids, chain_ids)
    print(f"load after posting: {os.getloadavg()}")
    verified, verify_time = verify(config, chain_point.id)
    print(f"stock posting : {stock * 1000 / args.sales:.1f} ms per sale "
        f"({args.sales / stock:.1f} sales/s)")
    print(f"chain posting : {chain * 1000 / args.sales:.1f} ms per sale "
        f"({args.sales / chain:.1f} sales/s)")
    print(f"chain extra cost : {(chain / stock - 1) * 100:+.1f} % "
        "(target < 20 %)")
    print(f"integrity check : {verified} sales in {verify_time:.2f} s = "
        f"{verified / verify_time:.0f} sales/s (target >= 5000/s)")


def _drop_pg(name):
    from trytond import backend
    db = backend.Database().connect()
    connection = db.get_connection(autocommit=True)
    try:
        if name in db.list(hit_cache=False):
            db.drop(connection, name)
    except TypeError:
        if name in db.list():
            db.drop(connection, name)
    finally:
        db.put_connection(connection)


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
        f"in {time.perf_counter() - start:.1f} s ({restarts} restarts)")
    return sale_ids


def post(config, args, sale_ids, chain):
    """The closing of one till (profiled): the done sales posted BATCH per
    transaction; returns the time taken."""
    start = time.perf_counter()
    for _ in _posting(config, args, sale_ids, chain):
        pass
    return time.perf_counter() - start


def post_both(config, args, stock_ids, chain_ids):
    """The closing of both tills (timed), one batch of each in turn: the
    stock sale_point posting and the chained posting of ptce_sectors see
    the same load.  Returns the time taken by each."""
    elapsed = {False: 0, True: 0}
    postings = {
        False: _posting(config, args, stock_ids, chain=False),
        True: _posting(config, args, chain_ids, chain=True),
        }
    while postings:
        for chain, posting in list(postings.items()):
            start = time.perf_counter()
            try:
                next(posting)
            except StopIteration:
                del postings[chain]
            elapsed[chain] += time.perf_counter() - start
    for chain, ids in [(False, stock_ids), (True, chain_ids)]:
        print(f"  {'chain' if chain else 'stock'} posting: {len(ids)} "
            f"sales posted in {elapsed[chain]:.1f} s")
    return elapsed[False], elapsed[True]


def _posting(config, args, sale_ids, chain):
    """Post the done sales BATCH per transaction, with the chain
    (ptce_sectors) or by the stock sale_point posting alone (the chain
    skipped); yield after each transaction."""
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
    restarts = 0
    for ids in slices:
        _, restarted = transaction(config, lambda: batch(ids), extras)
        restarts += restarted
        yield
    print(f"  {'chain' if chain else 'stock'}: {len(slices)} transactions, "
        f"{restarts} restarts")


def verify(config, point_id):
    from trytond.pool import Pool

    def check():
        Sale = Pool().get('sale.point.sale')
        Point = Pool().get('sale.point')
        start = time.perf_counter()
        results = Sale.verify_chain([Point(point_id)])
        elapsed = time.perf_counter() - start
        for result in results:
            assert result['broken'] is None, result
        return sum(r['sales'] for r in results), elapsed
    result, _ = transaction(config, check)
    return result


if __name__ == '__main__':
    main()
