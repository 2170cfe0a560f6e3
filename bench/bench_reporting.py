"""Benchmark of ptce_reporting: all indicators of a year and the full
funder pack over a year of activity.

    .venv/bin/python bench/bench_reporting.py [--backend sqlite|postgresql]

Data, inserted in bulk with SQL (the ORM path is not what is measured):
12,000 invoices (posted moves of 3 lines on 4111/706/44571), 200,000
point-of-sale lines (as posted move lines of 707 sales, 10 lines per
move: what the POS sessions post), 50,000 analytic lines on the Filière
axis and on 7 grants, both years (the year and the previous one)."""
import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from decimal import Decimal

N_INVOICES = 12000
N_POS_LINES = 200000
N_ANALYTIC = 50000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--backend', default='sqlite',
        choices=['sqlite', 'postgresql'])
    args = parser.parse_args()
    if args.backend == 'postgresql':
        os.environ['TRYTOND_DATABASE__URI'] = os.environ.get(
            'BENCH_POSTGRESQL_URI', 'postgresql://postgres@127.0.0.1:5432/')
        os.environ['DB_NAME'] = 'bench_reporting'
    else:
        os.environ['TRYTOND_DATABASE__URI'] = 'sqlite://'
        os.environ['DB_NAME'] = ':memory:'
    os.environ.pop('DB_CACHE', None)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

    from trytond.tests.tools import activate_modules

    from ateliers.setup import create_fiscal_year, setup_les_ateliers
    start = time.perf_counter()
    config = activate_modules(['ptce_reporting'], setup_les_ateliers)
    year = datetime.date.today().year
    create_fiscal_year(year - 1, config=config)
    print(f"set-up: {time.perf_counter() - start:.1f} s")

    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(config.database_name, 0,
            context=config.context) as transaction:
        pool = Pool()
        start = time.perf_counter()
        company, grants = load(pool, year)
        transaction.commit()
        print(f"bulk load: {time.perf_counter() - start:.1f} s")

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
            f"{sorted(timings)[1]:.3f} s (revenue {revenue:.2f})")
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
                ('root.code', '=', 'FIL'), ('type', '=', 'normal')])]
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
    for line_id, credit, debit, date in revenue_lines[:N_ANALYTIC - 10000]:
        rows.append([generator.choice(sectors), line_id, date,
                debit or 0, credit or 0, 0, now])
    expense_moves = insert_moves(10000, 2, lambda: [
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


if __name__ == '__main__':
    main()
