"""Benchmark of the posting of a till's day: one move per sale or per day.

    .venv/bin/python bench/bench_pos_posting.py [--backend sqlite|postgresql]
        [--sales 1000 6000] [--batch 50] [--database bench_pos_posting]
        [--cache DIR]

Creates a database with ptce_sectors and, for each number of SALES, two
restaurant tills (not timed): one posting "one move per sale" (the stock
sale_point posting: a move per sale), one "one move per day" (the
default); each rings up the same day of SALES sales of 3 lines (dish and
coffee at 10 %, a glass of wine at 20 %; --goods of them stocked goods,
the others services), paid in turn in cash, by
card, and by meal vouchers with the rest in cash, a tip on one sale in
five, created, paid and processed BATCH per transaction.  Then, side by
side in the same run (timed):
- "per sale": the sales posted BATCH per transaction, each with its own
  accounting move, numbered, signed and chained;
- "per day": the same posting without a move of the sale (still numbered,
  signed and chained, stock moves made), then the move of the day built
  and posted in one transaction, as the closing of the day does it.
Both tills are verified (`ateliers pos verify`'s check) afterwards.  Prints
the time, the sales per second and the ratio per sale / per day (target
>= 20).  PostgreSQL: the server of BENCH_PG_URI (see bench/harness.py).
"""
import datetime
import os
import tempfile
import time
from decimal import Decimal

import harness
from bench_sectors import transaction


def parse_args():
    parser = harness.parser(__doc__, database='bench_pos_posting')
    parser.add_argument('--sales', type=int, nargs='+', default=[1000, 6000])
    parser.add_argument('--batch', type=int, default=50)
    parser.add_argument('--goods', type=int, choices=[0, 1, 2, 3],
        default=0,
        help="how many of the 3 lines are goods, with a stock move each "
        "(both postings make them; default 0: the restaurant serves)")
    parser.add_argument('--profile', metavar='FILE',
        help="profile the posting per day with cProfile into FILE (the "
        "posting per sale is skipped)")
    return parser.parse_args()


def main():
    args = parse_args()
    # The set-up is not measured: keep the activated database
    args.cache = args.cache or os.environ.get('DB_CACHE') or os.path.join(
        tempfile.gettempdir(), f'bench-pos-posting-cache-{args.backend}')
    harness.prepare(args)
    harness.sealing_key()

    from trytond.tests.tools import activate_modules

    from ateliers.setup import setup_les_ateliers
    from ptce_sectors.tests import tools

    print(f"backend {args.backend}, sales {args.sales}, 3 lines each "
        f"({args.goods} of goods), batches of {args.batch}", flush=True)
    with harness.timer("set-up"):
        config = activate_modules(['ptce_sectors'], setup_les_ateliers)
        sectors = tools.create_sectors(config)
        categories = tools.create_categories(config)
        types = ['goods'] * args.goods + ['service'] * (3 - args.goods)
        products = [
            tools.create_product("Verre de vin", '5.00',
                categories['goods'], sectors['CC'], type=types[0],
                config=config),
            tools.create_product("Plat du jour", '14.50', categories['food'],
                sectors['CC'], type=types[1], meal_voucher=True,
                config=config),
            tools.create_product("Café", '2.00', categories['food'],
                sectors['CC'], type=types[2], meal_voucher=True,
                config=config),
            ]
        methods = tools.create_payment_methods(config)
    ids = {
        'products': [p.id for p in products],
        'methods': {k: m.id for k, m in methods.items()},
        }
    results = []
    for count in args.sales:
        points = {}
        for mode in ['sale', 'day']:
            point = tools.create_point(
                f"Restaurant {count} {mode}", 'restaurant', sectors['CC'],
                config)
            point.accounting_moves = mode
            point.save()
            points[mode] = point.id
            sell_day(config, args, count, point.id, ids)
        print(f"load before posting: {os.getloadavg()}", flush=True)
        if args.profile:
            import cProfile
            profiler = cProfile.Profile()
            per_day = profiler.runcall(
                post, config, args, points['day'], per_day=True)
            profiler.dump_stats(args.profile)
            return
        per_sale = post(config, args, points['sale'], per_day=False)
        per_day = post(config, args, points['day'], per_day=True)
        check(config, list(points.values()), count)
        results.append((count, per_sale, per_day))
        print(f"load after posting: {os.getloadavg()}", flush=True)
    print()
    # On SQLite all the work is in this process: its CPU time is what the
    # wall-clock time would be on an idle machine (see harness.timer)
    print(f"{'sales':>6} {'per sale':>10} {'sales/s':>8} {'per day':>9} "
        f"{'sales/s':>8} {'ratio':>6} {'CPU ratio':>9}  ({args.backend})")
    for count, (sale_wall, sale_cpu), (day_wall, day_cpu) in results:
        print(f"{count:6d} {sale_wall:9.2f}s {count / sale_wall:8.0f} "
            f"{day_wall:8.2f}s {count / day_wall:8.0f} "
            f"{sale_wall / day_wall:5.1f}x {sale_cpu / day_cpu:8.1f}x")
    print("target: ratio >= 20x")


def sell_day(config, args, count, point_id, ids):
    """The day at the till (not timed): COUNT sales of 3 lines, paid in
    cash, by card or by meal vouchers and cash, a tip on one in five,
    created, paid and processed, BATCH sales per transaction."""
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
        for product_id in ids['products']:
            line = Line(sale=sale, product=product_id, quantity=1)
            line.on_change_product()
            values.append({
                    'product': product_id, 'quantity': 1,
                    'unit_list_price': line.unit_list_price,
                    'unit_gross_price': line.unit_gross_price,
                    'sector': line.sector.id,
                    })
        return values
    lines, _ = transaction(config, line_values, extras)
    methods = ids['methods']

    def batch(start, size):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Payment = pool.get('sale.point.payment')
        tips = [Decimal('1.00') if (start + i) % 5 == 0 else Decimal(0)
            for i in range(size)]
        sales = Sale.create([{
                    'point': point_id, 'date': today, 'covers': 1,
                    'tip': tip, 'lines': [('create', lines)],
                    } for tip in tips])
        payments = []
        for i, sale in enumerate(sales):
            to_pay = sale.amount_to_pay
            kind = (start + i) % 3
            if kind == 2:
                voucher = Decimal('16.50')
                payments.append((sale, methods['meal_voucher'], voucher))
                payments.append((sale, methods['cash'], to_pay - voucher))
            else:
                method = methods['cash' if kind == 0 else 'card']
                payments.append((sale, method, to_pay))
        Payment.create([{
                    'sale': s.id, 'method': m, 'amount': a,
                    } for s, m, a in payments])
        sales = Sale.browse(sales)
        Sale.process(sales)
        return [s.id for s in sales]

    start = time.perf_counter()
    done = 0
    while done < count:
        size = min(args.batch, count - done)
        transaction(config, lambda: batch(done, size), extras)
        done += size
    print(f"  till day: {count} sales created, paid and processed in "
        f"{time.perf_counter() - start:.1f} s", flush=True)


def post(config, args, point_id, per_day):
    """Post the done sales of the point BATCH per transaction, then (per
    day) the move of the day in one transaction; return the seconds."""
    from trytond.pool import Pool
    today = datetime.date.today()
    extras = {}

    def sale_ids():
        Sale = Pool().get('sale.point.sale')
        return [s.id for s in Sale.search([
                    ('point', '=', point_id), ('state', '=', 'done'),
                    ], order=[('id', 'ASC')])]
    ids, _ = transaction(config, sale_ids)

    def batch(ids):
        Sale = Pool().get('sale.point.sale')
        Sale.post(Sale.browse(ids))

    def day_move():
        pool = Pool()
        DayMove = pool.get('ptce.pos.day_move')
        Point = pool.get('sale.point')
        return DayMove.post_days(Point(point_id), today, today)

    # The first transaction posts one sale: the locks it asks for are then
    # taken at the start of every batch (see bench_sectors.post)
    slices = [ids[:1]] + [ids[i:i + args.batch]
        for i in range(1, len(ids), args.batch)]
    label = "per day" if per_day else "per sale"
    with harness.timer(f"  {label}: {len(ids)} sales posted") as posting:
        for s_ids in slices:
            transaction(config, lambda: batch(s_ids), extras)
    wall, cpu = posting.wall, posting.cpu
    if per_day:
        with harness.timer("  per day: the move of the day") as day:
            days, _ = transaction(config, day_move, extras)
        assert len(days) == 1, days
        wall, cpu = wall + day.wall, cpu + day.cpu
    return wall, cpu


def check(config, point_ids, count):
    "Both tills verify, each sale posted once in the ledger"
    from trytond.pool import Pool

    def verify():
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Move = pool.get('account.move')
        results = Sale.verify_chain(point_ids)
        for result in results:
            assert result['broken'] is None, result
            assert result['sales'] == count, result
        return Move.search_count([])
    with harness.timer("  verify both tills"):
        moves, _ = transaction(config, verify)
    print(f"  accounting moves in the ledger: {moves}", flush=True)

if __name__ == '__main__':
    main()
