"""Benchmark of scic_members: import of a 10,000-associate register,
export of the register (10,000 associates, 50,000 movements), tally of an
assembly with 10,000 voters.

    .venv/bin/python bench/bench_members.py [--backend sqlite|postgresql]
        [--associates 10000] [--path bulk|create|save|both|all]
        [--batch 100] [--database bench_scic_members] [--cache DIR]

Creates a throw-away database (SQLite in memory, or the PostgreSQL
database named by --database on BENCH_PG_URI, by default 127.0.0.1; see
bench/harness.py), prints one line per step: wall-clock and CPU seconds.
The import is measured with scic_members.bulk (what it does) and, side by
side, with the public ORM in its place (--path): the decision to keep
bulk.py rests on it (issue #14: more than 2 times slower). Measured on
2026-12-01 (2 shared cores, load 5 to 7: wall-clock times are inflated,
CPU times of this process are the steadier figure), seconds wall (CPU):

    associates  backend      bulk          create         save
    10,000      SQLite        8.05 (5.25)  244.88 (66.07)
    10,000      PostgreSQL   10.07 (5.42)  256.94 (78.33)
    2,000       SQLite        4.14 (0.88)   59.67 (14.16)  62.57 (14.88)

(create and save on batches of 100, the fastest of 100 to 1,000. The
PostgreSQL bulk figure is of bulk.py's executemany, in a later run; in
the run of the create figure, with multi-row INSERTs: 66.47 (12.30).)
"""
import datetime
import os
import tempfile
from decimal import Decimal

import harness

parser = harness.parser(__doc__, database='bench_scic_members')
parser.add_argument('--associates', type=int, default=10000)
parser.add_argument('--import-rows', type=int, default=None,
    help="Rows of the imported workbook (default: --associates); the "
    "other associates are inserted directly for the export and tally.")
parser.add_argument('--path', default='both',
    choices=['bulk', 'create', 'save', 'both', 'all'],
    help="How the import writes its records: bulk (scic_members.bulk, "
    "what it does), create (the public ORM instead: Model.create on "
    "batches of values), save (Model.save on batches of records); both is "
    "bulk then create, all is the three, one after the other on the same "
    "database, all but the last rolled back (default: both).")
parser.add_argument('--batch', type=int, default=100,
    help="Records per Model.create/save call (default 100: the fastest "
    "of the sizes tried, 100 to 1000)")
args = parser.parse_args()
harness.prepare(args, memory=True)

from proteus import Model  # noqa: E402
from trytond.tests.tools import activate_modules  # noqa: E402

from ateliers.setup import setup_les_ateliers  # noqa: E402
from scic_members.tests.tools import call, make_xls  # noqa: E402

N = args.associates
step = harness.step

print(f"Setting up the database ({args.backend})…", flush=True)
config = activate_modules(
    ['scic_members', 'analytic_account', 'account_invoice'],
    setup_les_ateliers)
Company = Model.get('company.company')
company, = Company.find([])
company.scic_share_value = Decimal(50)
company.scic_colleges_used = True
company.save()
College = Model.get('scic.college')
colleges = [College(name=n, weight=Decimal(w)) for n, w in [
        ("Salariés", 30), ("Usagers", 25), ("Entreprises", 30),
        ("Soutiens", 15)]]
College.save(colleges)
CATEGORIES = ["Salariés", "Bénéficiaires et usagers", "Producteurs",
    "Soutiens et autres"]

IMPORT_ROWS = args.import_rows or N
rows = []
for i in range(IMPORT_ROWS):
    organisation = i % 5 == 0
    shares = 1 + i % 20
    rows.append([
            '', 'PM' if organisation else 'PP', f"Associé {i:05d}",
            '' if organisation else "Prénom", '', f"a{i}@example.org",
            f"{i} rue Méridonde", '81100', 'Castres',
            CATEGORIES[i % 4], colleges[i % 4].name,
            datetime.date(2016, 1, 1) + datetime.timedelta(days=i % 3000),
            shares, shares * 50 / 4 if i % 2 else shares * 50, None])
content = make_xls(rows)
print(f"Workbook: {N} rows, {len(content) // 1024} KiB", flush=True)


def rolled_back(config, function):
    "Run function(pool, company) as call does, then roll back"
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(config.database_name, config.user,
                context=config.context, **extras) as transaction:
            pool = Pool()
            Company = pool.get('company.company')
            try:
                return function(pool, Company(config.context['company']))
            except TransactionError as error:
                # The table locks restart the transaction (as call does)
                transaction.rollback()
                error.fix(extras)
                continue
            finally:
                transaction.rollback()


def orm_create(Model, vlist):
    "bulk_create through the public ORM: Model.create on batches"
    ids = []
    for start in range(0, len(vlist), args.batch):
        ids.extend(r.id for r in Model.create(vlist[start:start + args.batch]))
    return ids


def orm_save(Model, vlist):
    "bulk_create through the public ORM: Model.save on batches of records"
    ids = []
    for start in range(0, len(vlist), args.batch):
        records = [Model(**v) for v in vlist[start:start + args.batch]]
        Model.save(records)
        ids.extend(r.id for r in records)
    return ids


WRITERS = {'create': orm_create, 'save': orm_save}


def import_(path, commit=True):
    """The import with bulk_create, or with it replaced by the public ORM
    (the rest of the import, its rules and values, the same)"""
    from scic_members import bulk, register_import
    fast = bulk.bulk_create
    writer = WRITERS.get(path, fast)

    def function(pool, company):
        return register_import.import_register(
            content, company, filename='bench.xls')
    # The import imports bulk_create once; create_opening at each call
    bulk.bulk_create = register_import.bulk_create = writer
    try:
        return (call if commit else rolled_back)(config, function)
    finally:
        bulk.bulk_create = register_import.bulk_create = fast


paths = {'both': ['bulk', 'create'], 'all': ['bulk', 'create', 'save']}.get(
    args.path, [args.path])
for i, path in enumerate(paths):
    last = i == len(paths) - 1
    if os.environ.get('BENCH_PROFILE'):
        import cProfile
        import pstats
        profile = cProfile.Profile()
        count = profile.runcall(import_, path, last)
        profile.dump_stats(f"{os.environ['BENCH_PROFILE']}.{path}")
        pstats.Stats(profile).sort_stats('cumulative').print_stats(40)
    else:
        count = step(
            f"import of {IMPORT_ROWS} associates, {path}"
            f"{'' if last else ' (rolled back)'}", lambda: import_(path, last))
    assert count.created == IMPORT_ROWS, count


def add_members(pool, company):
    "The associates beyond the imported ones, raw inserts"
    from trytond.transaction import Transaction
    Party = pool.get('party.party')
    Member = pool.get('scic.member')
    Movement = pool.get('scic.share.movement')
    College = pool.get('scic.college')
    Category = pool.get('scic.category')
    cursor = Transaction().connection.cursor()
    party, member, movement = (
        Party.__table__(), Member.__table__(), Movement.__table__())
    colleges = College.search([], order=[('id', 'ASC')])
    categories = Category.search([], order=[('id', 'ASC')])
    now = datetime.datetime.now()
    date = datetime.date(2016, 1, 1)
    for start in range(IMPORT_ROWS, N, 1000):
        stop = min(N, start + 1000)
        cursor.execute(*party.insert(
                [party.name, party.code, party.active, party.create_uid,
                    party.create_date],
                [[f"Associé {i:05d}", f"B{i}", True, 0, now]
                    for i in range(start, stop)]))
        ids = Party.search([('code', 'in', [f"B{i}" for i in range(
                            start, stop)])], order=[('id', 'ASC')])
        cursor.execute(*member.insert(
                [member.company, member.party, member.kind, member.category,
                    member.college, member.number, member.state,
                    member.admission_date, member.admission_body,
                    member.create_uid, member.create_date],
                [[company.id, p.id, 'person', categories[i % 4].id,
                        colleges[i % 4].id, f"X{i}", 'admitted', date,
                        'board', 0, now]
                    for i, p in zip(range(start, stop), ids)]))
        members = Member.search([('number', 'in', [f"X{i}" for i in range(
                            start, stop)])], order=[('id', 'ASC')])
        cursor.execute(*movement.insert(
                [movement.company, movement.number, movement.date,
                    movement.kind, movement.member, movement.shares,
                    movement.amount, movement.state, movement.opening,
                    movement.shares_delta, movement.subscribed_delta,
                    movement.called_delta, movement.paid_delta,
                    movement.refund_delta, movement.create_uid,
                    movement.create_date],
                [[company.id, f"S{m.id}", date, 'subscription', m.id, 2,
                        Decimal(100), 'confirmed', True, 2, Decimal(100),
                        Decimal(100), Decimal(100), Decimal(0), 0, now]
                    for m in members]))


call(config, add_members)


def add_movements(pool, company):
    "40,000 more confirmed movements (calls and payments), raw inserts"
    Movement = pool.get('scic.share.movement')
    Member = pool.get('scic.member')
    from trytond.transaction import Transaction
    table = Movement.__table__()
    cursor = Transaction().connection.cursor()
    members = Member.search([], order=[('id', 'ASC')])
    columns = [table.company, table.number, table.date, table.kind,
        table.member, table.amount, table.state, table.opening,
        table.shares_delta, table.subscribed_delta, table.called_delta,
        table.paid_delta, table.refund_delta, table.create_uid,
        table.create_date]
    values = []
    number = 10 ** 6
    today = datetime.date.today()
    now = datetime.datetime.now()
    for i in range(40000):
        member = members[i % len(members)]
        kind = 'call' if i % 2 == 0 else 'payment'
        amount = Decimal('0.01')
        number += 1
        values.append([company.id, f'B{number}', today, kind, member.id,
                amount, 'confirmed', False, 0, Decimal(0),
                amount if kind == 'call' else Decimal(0),
                amount if kind == 'payment' else Decimal(0), Decimal(0),
                0, now])
    for start in range(0, len(values), 1000):
        cursor.execute(*table.insert(columns, values[start:start + 1000]))


call(config, add_movements)


def export(suffix):
    from scic_members import share_register
    register_lines = share_register.register_lines
    write_csv, write_xlsx = share_register.write_csv, share_register.write_xlsx
    path = os.path.join(tempfile.mkdtemp(), 'registre' + suffix)

    def function(pool, company):
        lines = register_lines(company, datetime.date.today())
        (write_csv if suffix == '.csv' else write_xlsx)(path, lines)
        return lines
    return call(config, function)


lines = step(f"register export CSV ({N} associates, 50,000 movements)",
    lambda: export('.csv'))
assert len(lines) == N
step(f"register export XLSX ({N} associates, 50,000 movements)",
    lambda: export('.xlsx'))


def prepare_assembly(pool, company):
    from scic_members.bulk import bulk_create
    Assembly = pool.get('scic.assembly')
    Attendee = pool.get('scic.assembly.attendee')
    Resolution = pool.get('scic.assembly.resolution')
    Ballot = pool.get('scic.assembly.ballot')
    today = datetime.date.today()
    assembly, = Assembly.create([{
                'name': "AG", 'date': today, 'convocation_date': today,
                'company': company.id}])
    Assembly.convene([assembly])
    attendees = Attendee.search([('assembly', '=', assembly.id)])
    Attendee.write(attendees, {'attendance': 'present'})
    resolution, = Resolution.create([{
                'assembly': assembly.id, 'title': "Comptes"}])
    # Set-up, not measured: the ballots inserted set-based.
    bulk_create(Ballot, [{
                'resolution': resolution.id, 'attendee': a.id,
                'vote': ['yes', 'yes', 'no', 'abstain'][i % 4]}
            for i, a in enumerate(attendees)])
    return resolution.id


resolution_id = step(
    f"assembly set-up: convene {N}, mark present, {N} ballots",
    lambda: call(config, prepare_assembly))


def tally(pool, company):
    Resolution = pool.get('scic.assembly.resolution')
    resolution = Resolution(resolution_id)
    Resolution.tally([resolution])
    resolution = Resolution(resolution_id)
    return resolution.result, resolution.result_state


result = step(f"tally of an assembly with {N} voters (weighted)",
    lambda: call(config, tally))
print(f"result {result}")
