"""Benchmark of ptce_reporting: all indicators of a year and the full
funder pack over a year of activity.

    .venv/bin/python bench/bench_reporting.py [--backend sqlite|postgresql]
        [--modules reporting|all] [--scale 1.0]
        [--database bench_reporting] [--cache DIR]

Data, inserted in bulk with SQL (the ORM path is not what is measured):
12,000 invoices (posted moves of 3 lines on 4111/706/44571), 200,000
point-of-sale lines (as posted move lines of 707 sales, 10 lines per
move: what the POS sessions post), 50,000 analytic lines on the Filière
axis and on 7 grants, both years (the year and the previous one).

With --modules all, scic_members, ptce_spaces and ptce_sectors
are activated too and their indicators get data: the 200,000 POS lines are
also inserted as point-of-sale tickets (20,000 sales of 10 lines, some of
them event tickets), with 300 associates, 60 spaces and 40 leases, 100
events, 4,000 recyclerie intakes with their outcomes; no visitor count is
entered, so the visitors fall back on the POS tickets.  --scale multiplies
these bulk-loaded counts (0.01: 120 invoices, 2,000 POS lines...).

SQLite in memory; PostgreSQL: the database --database on BENCH_PG_URI, by
default 127.0.0.1 (see bench/harness.py).  The set-up and the bulk load
print wall-clock and CPU seconds."""
import datetime
import os
import random
import tempfile
import time
from decimal import Decimal

import harness

N_INVOICES = 12000
N_POS_LINES = 200000
N_ANALYTIC = 50000
N_EXPENSES = 10000  # expense moves, with one analytic line each
N_INTAKES = 4000


def main():
    parser = harness.parser(__doc__, database='bench_reporting')
    parser.add_argument('--modules', default='reporting',
        choices=['all', 'reporting'],
        help="Activate the optional modules read by the indicators.")
    parser.add_argument('--scale', type=float, default=1.0,
        help="Multiply the bulk-loaded counts (default 1: 12,000 "
        "invoices, 200,000 POS lines, 50,000 analytic lines, 4,000 "
        "intakes)")
    args = parser.parse_args()
    harness.prepare(args, memory=True)
    global N_INVOICES, N_POS_LINES, N_ANALYTIC, N_EXPENSES, N_INTAKES
    N_INVOICES, N_POS_LINES, N_ANALYTIC, N_EXPENSES, N_INTAKES = (
        max(1, round(n * args.scale)) for n in [
            N_INVOICES, N_POS_LINES // 10, N_ANALYTIC, N_EXPENSES,
            N_INTAKES])
    N_POS_LINES *= 10  # whole tickets of 10 lines

    from trytond.tests.tools import activate_modules

    from ateliers.setup import create_fiscal_year, setup_les_ateliers
    with harness.timer("set-up"):
        modules = ['ptce_reporting']
        if args.modules == 'all':
            modules += ['scic_members', 'ptce_spaces', 'ptce_sectors']
        config = activate_modules(modules, setup_les_ateliers)
        year = datetime.date.today().year
        create_fiscal_year(year - 1, config=config)
        if args.modules == 'all':
            setup = setup_modules(config, year)

    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(config.database_name, 0,
            context=config.context) as transaction:
        pool = Pool()
        with harness.timer("bulk load"):
            company, grants = load(pool, year)
            if args.modules == 'all':
                load_modules(pool, year, setup)
            transaction.commit()
    if args.backend == 'postgresql':
        # The planner needs statistics of the bulk-loaded tables, as
        # autovacuum gathers them in production after such an insert.
        with Transaction().start(config.database_name, 0) as transaction:
            transaction.connection.cursor().execute('ANALYZE')
            transaction.commit()

    from ptce_reporting import indicator, pack
    with Transaction().start(config.database_name, 0,
            context=config.context):
        pool = Pool()
        company = pool.get('company.company')(company)
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            figures = indicator.compute(company, year)
            timings.append(time.perf_counter() - start)
        revenue = figures['REVENUE'].total()
        print(f"all indicators of {year}: median "
            f"{sorted(timings)[1]:.3f} s (revenue {revenue:.2f}; "
            f"{len(figures)} indicators: {', '.join(sorted(figures))})")
        for code in ['ASSOC', 'OCCUPANCY', 'VISITORS', 'CULTURE',
                'WASTE_RATE']:
            if code in figures:
                print(f"  {code}: " + ', '.join(
                        f'{k} {s.total}' for k, s in sorted(
                            figures[code].series.items())))
        for code in ['OCCUPANCY', 'VISITORS', 'CULTURE', 'WASTE']:
            if code in figures:
                start = time.perf_counter()
                indicator.compute(company, year, codes=[code])
                print(f"  {code} alone: "
                    f"{time.perf_counter() - start:.3f} s")
        folder = tempfile.mkdtemp()
        Party = pool.get('party.party')
        funder, = Party.search([('name', '=', 'Région Occitanie')])
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            pack.build_pack(company, year, os.path.join(folder, 'pack.xlsx'),
                funder=funder)
            timings.append(time.perf_counter() - start)
        print(f"funder pack (XLSX + PDF + PNG): median "
            f"{sorted(timings)[1]:.3f} s")
        start = time.perf_counter()
        pack.build_pack(company, year, os.path.join(folder, 'all.xlsx'))
        print(f"activity report: {time.perf_counter() - start:.3f} s")


def load(pool, year):
    from sql import Table
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    Company = pool.get('company.company')
    Account = pool.get('account.account')
    Journal = pool.get('account.journal')
    Period = pool.get('account.period')
    Analytic = pool.get('analytic_account.account')
    Party = pool.get('party.party')
    Grant = pool.get('ptce.grant')
    Nature = pool.get('ptce.grant.budget.nature')
    company, = Company.search([])
    accounts = {a.code: a.id for a in Account.search([
                ('code', 'in', ['4111', '706', '7071', '44571', '6411',
                        '6064', '5121'])])}
    journal, = Journal.search([('code', '=', 'REV')])
    periods = {}
    for period in Period.search([('type', '=', 'standard')]):
        periods[(period.start_date.year, period.start_date.month)] = (
            period.id)
    sectors = [a.id for a in Analytic.search([
                ('sector', '=', True), ('type', '=', 'normal')])]
    root = Analytic(type='root', name="Subvention", code='SUB',
        company=company, state='opened')
    root.save()
    natures = {n.code: n for n in Nature.search([])}
    grant_accounts = []
    for i, name in enumerate(["Région Occitanie", "ADEME",
                "Caisse des Dépôts", "Fondation de France",
                "Département du Tarn", "Castres-Mazamet", "État"]):
        party = Party(name=name)
        party.save()
        account = Analytic(type='normal', name=name, code=f'SUB{i}',
            root=root, parent=root, company=company, state='opened')
        account.save()
        grant = Grant(company=company, funder=party, reference=f'G{i}',
            amount=Decimal(50000), start_date=datetime.date(year, 1, 1),
            end_date=datetime.date(year, 12, 31),
            award_date=datetime.date(year, 2, 1), analytic_account=account,
            state='awarded')
        grant.budget_lines = [
            pool.get('ptce.grant.budget.line')(nature=natures['64'],
                amount=Decimal(30000)),
            pool.get('ptce.grant.budget.line')(nature=natures['62'],
                amount=Decimal(20000))]
        grant.save()
        grant_accounts.append(account.id)

    move = Table('account_move')
    line = Table('account_move_line')
    analytic = Table('analytic_account_line')
    generator = random.Random(42)
    now = datetime.datetime.now()

    def day():
        y = generator.choice([year - 1, year])
        d = datetime.date(y, 1, 1) + datetime.timedelta(
            days=generator.randrange(365))
        return d

    def insert_moves(n, lines_per_move, make_lines):
        "Insert n moves and their lines; return the ids of the lines"
        cursor.execute('SELECT MAX(id) FROM account_move')
        first_move = (cursor.fetchone()[0] or 0) + 1
        moves, lines = [], []
        for i in range(n):
            d = day()
            moves.append([first_move + i, company.id, journal.id,
                    periods[(d.year, d.month)], d, 'posted',
                    f'B{first_move + i}', d, 0, now])
            for account_id, debit, credit in make_lines():
                lines.append([first_move + i, account_id,
                        debit, credit, 'valid', 0, now])
        for chunk in range(0, len(moves), 5000):
            cursor.execute(*move.insert([move.id, move.company,
                        move.journal, move.period, move.date, move.state,
                        move.number, move.post_date, move.create_uid,
                        move.create_date], moves[chunk:chunk + 5000]))
        for chunk in range(0, len(lines), 5000):
            cursor.execute(*line.insert([line.move, line.account,
                        line.debit, line.credit, line.state,
                        line.create_uid, line.create_date],
                    lines[chunk:chunk + 5000]))
        return first_move, lines

    def invoice_lines():
        amount = Decimal(generator.randrange(2000, 200000)) / 100
        tax = (amount * Decimal('0.2')).quantize(Decimal('0.01'))
        return [(accounts['4111'], amount + tax, 0),
            (accounts['706'], 0, amount), (accounts['44571'], 0, tax)]

    def pos_lines():
        lines = []
        total = Decimal(0)
        for _ in range(9):
            amount = Decimal(generator.randrange(100, 5000)) / 100
            total += amount
            lines.append((accounts['7071'], 0, amount))
        return [(accounts['5121'], total, 0)] + lines

    insert_moves(N_INVOICES, 3, invoice_lines)
    insert_moves(N_POS_LINES // 10, 10, pos_lines)
    cursor.execute(
        'SELECT l.id, l.credit, l.debit, m.date FROM account_move_line l '
        'JOIN account_move m ON l.move = m.id '
        'WHERE l.account IN (%s, %s)' % (accounts['706'], accounts['7071']))
    revenue_lines = cursor.fetchall()
    generator.shuffle(revenue_lines)
    rows = []
    for line_id, credit, debit, date in revenue_lines[
            :max(0, N_ANALYTIC - N_EXPENSES)]:
        rows.append([generator.choice(sectors), line_id, date,
                debit or 0, credit or 0, 0, now])
    expense_moves = insert_moves(N_EXPENSES, 2, lambda: [
            (accounts['6411'], Decimal(generator.randrange(1000, 300000))
                / 100, 0),
            (accounts['5121'], 0, 0)])
    cursor.execute(
        'SELECT l.id, l.debit, m.date FROM account_move_line l '
        'JOIN account_move m ON l.move = m.id WHERE l.account = %s'
        % accounts['6411'])
    for line_id, debit, date in cursor.fetchall():
        rows.append([generator.choice(grant_accounts), line_id, date,
                debit, 0, 0, now])
    for chunk in range(0, len(rows), 5000):
        cursor.execute(*analytic.insert([analytic.account,
                    analytic.move_line, analytic.date, analytic.debit,
                    analytic.credit, analytic.create_uid,
                    analytic.create_date], rows[chunk:chunk + 5000]))
    del expense_moves
    print(f"  {N_INVOICES} invoices, {N_POS_LINES} POS lines, "
        f"{len(rows)} analytic lines")
    return company.id, grant_accounts


def setup_modules(config, year):
    """Points of sale, products, ticket products of events, spaces and
    leases, associates: with proteus (a few hundred records)"""
    from proteus import Model

    from ptce_sectors.tests.tools import (
        create_categories,
        create_payment_methods,
        create_point,
        create_product,
        create_sectors,
    )
    sectors = create_sectors(config)
    categories = create_categories(config)
    create_payment_methods(config)
    points = [create_point(name, kind, sectors[code], config=config).id
        for name, kind, code in [
            ("Restaurant", 'restaurant', 'CC'),
            ("Épicerie", 'shop', 'CC'),
            ("Recyclerie", 'recyclerie', 'EC'),
            ("Billetterie", 'culture', 'CU')]]
    products = [create_product(f"Produit {i}", '12.00',
            categories['goods'], sectors['CC'], config=config).id
        for i in range(5)]
    Event = Model.get('ptce.culture.event')
    generator = random.Random(7)
    events = []
    for i in range(100):
        y = year - 1 + i % 2
        events.append(Event(name=f"Événement {i}", capacity=100000,
                date=datetime.date(y, 1, 1) + datetime.timedelta(
                    days=generator.randrange(365))))
    Event.save(events)
    tickets = []
    for event in events[:20]:
        product = create_product(f"Billet {event.name}", '10.00',
            categories['service'], sectors['CU'], type='service',
            config=config)
        product.template.event = event
        product.template.save()
        tickets.append(product.id)

    Party = Model.get('party.party')
    parties = [Party(name=f"Associé {i}") for i in range(340)]
    Party.save(parties)
    company = Model.get('company.company')(config.context['company'])
    company.scic_colleges_used = True
    company.save()
    College = Model.get('scic.college')
    colleges = [College(name=n, weight=Decimal(w)) for n, w in [
            ("Salariés", 40), ("Usagers", 30), ("Partenaires", 30)]]
    College.save(colleges)
    Category = Model.get('scic.category')
    category, = Category.find([('code', '=', 'beneficiaries')])
    Member = Model.get('scic.member')
    members = []
    for i, party in enumerate(parties[:300]):
        members.append(Member(party=party, category=category,
                college=colleges[i % 3],
                kind='organisation' if i % 7 == 0 else 'person',
                admission_date=datetime.date(year - 2 + i % 3, 1, 1)
                + datetime.timedelta(days=i % 300),
                admission_body='board'))
    Member.save(members)
    Space = Model.get('ptce.space')
    spaces = [Space(code=f'S{i:02d}', name=f"Espace {i}", kind='office',
            area=Decimal(10 + i % 5 * 10)) for i in range(60)]
    Space.save(spaces)
    Lease = Model.get('ptce.lease')
    leases = []
    for i in range(40):
        lease = Lease(reference=f'B{i}', tenant=parties[300 + i],
            kind='commercial')
        lease.spaces.append(Space(spaces[i].id))
        lease.start_date = datetime.date(year - 1, 1, 1) + (
            datetime.timedelta(days=i * 15))
        lease.rent = Decimal(500)
        lease.charges = Decimal(50)
        lease.index_kind = None
        leases.append(lease)
    Lease.save(leases)
    return {
        'points': points, 'products': products, 'tickets': tickets,
        'flows': [f.id for f in Model.get('ptce.recyclerie.flow').find([])],
        'members': [m.id for m in members], 'leases': [l.id for l in leases],
        }


def load_modules(pool, year, setup):
    """Bulk insert: 20,000 POS tickets of 10 lines, 4,000 recyclerie
    intakes with 2 outcomes each; associates admitted, leases running"""
    from sql import Table
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    company, = pool.get('company.company').search([])
    sale = Table('sale_point_sale')
    line = Table('sale_point_sale_line')
    intake = Table('ptce_recyclerie_intake')
    outcome = Table('ptce_recyclerie_outcome')
    generator = random.Random(43)
    now = datetime.datetime.now()

    def day():
        return datetime.date(generator.choice([year - 1, year]), 1, 1) + (
            datetime.timedelta(days=generator.randrange(365)))
    cursor.execute('SELECT MAX(id) FROM sale_point_sale')
    first = (cursor.fetchone()[0] or 0) + 1
    sales, lines = [], []
    for i in range(N_POS_LINES // 10):
        sales.append([first + i, company.id, generator.choice(
                    setup['points']), day(), 'posted', f'T{first + i}', 0,
                now])
        for _ in range(10):
            product = generator.choice(
                setup['tickets'] if i % 10 == 0 else setup['products'])
            price = Decimal(generator.randrange(100, 3000)) / 100
            lines.append([first + i, product, 1, price, price, 0, now])
    for chunk in range(0, len(sales), 5000):
        cursor.execute(*sale.insert([sale.id, sale.company, sale.point,
                    sale.date, sale.state, sale.number, sale.create_uid,
                    sale.create_date], sales[chunk:chunk + 5000]))
    for chunk in range(0, len(lines), 5000):
        cursor.execute(*line.insert([line.sale, line.product, line.quantity,
                    line.unit_list_price, line.unit_gross_price,
                    line.create_uid, line.create_date],
                lines[chunk:chunk + 5000]))
    cursor.execute('SELECT MAX(id) FROM ptce_recyclerie_intake')
    first = (cursor.fetchone()[0] or 0) + 1
    intakes, outcomes = [], []
    for i in range(N_INTAKES):
        d = day()
        weight = float(generator.randrange(10, 500))
        intakes.append([first + i, company.id, d,
                generator.choice(setup['flows']), 'dropoff', weight, 0,
                now])
        outcomes.append([first + i, 'reused_sold', d, weight / 2, 0, now])
        outcomes.append([first + i, 'recycled', d, weight / 4, 0, now])
    cursor.execute(*intake.insert([intake.id, intake.company, intake.date,
                intake.flow, intake.source, intake.weight,
                intake.create_uid, intake.create_date], intakes))
    for chunk in range(0, len(outcomes), 5000):
        cursor.execute(*outcome.insert([outcome.intake, outcome.type,
                    outcome.date, outcome.weight, outcome.create_uid,
                    outcome.create_date], outcomes[chunk:chunk + 5000]))
    member = Table('scic_member')
    cursor.execute(*member.update([member.state], ['admitted'],
            where=member.id.in_(setup['members'])))
    lease = Table('ptce_lease')
    cursor.execute(*lease.update([lease.state], ['running'],
            where=lease.id.in_(setup['leases'])))
    print(f"  {len(sales)} POS tickets, {len(lines)} POS lines, "
        f"{len(intakes)} intakes, {len(setup['members'])} associates, "
        f"{len(setup['leases'])} leases")


if __name__ == '__main__':
    main()
