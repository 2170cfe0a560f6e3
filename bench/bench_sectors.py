"""Benchmark of ptce_sectors' inalterability chain.

    .venv/bin/python bench/bench_sectors.py [--backend sqlite|postgresql]
        [--sales 10000] [--batch 100]

Creates a database with ptce_sectors, then, on two identical points of
sale, posts SALES sales of 3 lines each (create + cash payment + process +
post, BATCH sales per transaction, the way a till flushes its queue):
- "stock": the stock sale_point posting (the chain is skipped);
- "chain": the posting of ptce_sectors (gap-free number + SHA-256 chain);
then runs the integrity check over every chained sale.  Prints the time per
sale of both, the extra cost of the chain and the sales verified per
second.
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
    parser.add_argument('--batch', type=int, default=100)
    parser.add_argument('--database', default='bench_sectors')
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
    stock_point = tools.create_point("Stock", 'restaurant', cc, config)
    chain_point = tools.create_point("Chain", 'shop', cc, config)
    methods = tools.create_payment_methods(config)
    print(f"set-up {time.perf_counter() - start:.1f} s")

    ids = {
        'products': [p.id for p in products],
        'cash': methods['cash'].id,
        }
    stock = run(config, args, stock_point.id, ids, chain=False)
    chain = run(config, args, chain_point.id, ids, chain=True)
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


def transaction(config, func):
    "Run func in a transaction, restarted with the locks it asks for"
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        try:
            with Transaction().start(config.database_name, config.user,
                    context=config.context, **extras) as tx:
                result = func()
                tx.commit()
                return result
        except TransactionError as error:
            error.fix(extras)


def run(config, args, point_id, ids, chain):
    from trytond.modules.sale_point.sale import POSSale as StockPOSSale
    from trytond.pool import Pool
    today = datetime.date.today()

    def batch(size):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Payment = pool.get('sale.point.payment')
        Point = pool.get('sale.point')
        point = Point(point_id)
        sales = []
        for _ in range(size):
            sale = Sale(point=point, date=today, company=point.company)
            lines = []
            for product_id, quantity in zip(ids['products'], [2, 2, 1]):
                line = Line(sale=sale, product=product_id,
                    quantity=quantity)
                line.on_change_product()
                lines.append(line)
            sale.lines = lines
            sales.append(sale)
        Sale.save(sales)
        Payment.save([Payment(sale=s, method=ids['cash'],
                    amount=s.amount_to_pay) for s in sales])
        sales = Sale.browse(sales)
        Sale.process(sales)
        if chain:
            Sale.post(sales)
        else:
            # The stock posting alone: what sale_point does without the
            # chain of ptce_sectors.
            StockPOSSale.post.__func__(Sale, sales)

    start = time.perf_counter()
    done = 0
    while done < args.sales:
        size = min(args.batch, args.sales - done)
        transaction(config, lambda: batch(size))
        done += size
    elapsed = time.perf_counter() - start
    print(f"{'chain' if chain else 'stock'}: {done} sales posted in "
        f"{elapsed:.1f} s")
    return elapsed


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
    return transaction(config, check)


if __name__ == '__main__':
    main()
