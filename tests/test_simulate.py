"""`ateliers simulate`: January at scale 1, then the whole year, on a database
that `ateliers init` built (without demo) and that received the static
demo data; the counts of the summary are those of the database, the same
seed makes the same year, the ledger agrees with the modules' records and
the whole year closes.

The base database (init + demo data, minutes) is kept in the test cache
(ATELIERS_CACHE) under a key of the sources, like the scenarios'
databases: SQLite as a file, PostgreSQL as a database used as template."""
import datetime
import hashlib
import json
import re
import shutil
import subprocess
import sys

import pytest
from smoke import CACHE, POSTGRESQL, ROOT, URI, ateliers, drop, tool_env

YEAR = datetime.date.today().year
UNTIL = f'{YEAR}-01-31'
# A tenth of the tills' daily sales: the test stays quick
SALES_VOLUME = 0.1

# What the database holds after the run, read through the ORM
COUNTS = r'''
import datetime, json, sys
from ateliers import environment
environment.prepare()
database, year = sys.argv[1], int(sys.argv[2])
start, end = datetime.date(year, 1, 1), datetime.date(year, 1, 31)

def counts(pool):
    Member = pool.get('scic.member')
    Movement = pool.get('scic.share.movement')
    Invoice = pool.get('account.invoice')
    Lease = pool.get('ptce.lease')
    Booking = pool.get('ptce.booking')
    Visitor = pool.get('ptce.visitor.count')
    Instalment = pool.get('ptce.grant.instalment')
    Line = pool.get('account.move.line')
    Sale = pool.get('sale.point.sale')
    Closing = pool.get('ptce.pos.closing')
    Settlement = pool.get('ptce.consignment.settlement')
    sales = Sale.search([('date', '>=', start), ('date', '<=', end)],
        order=[('id', 'ASC')])
    rents = Invoice.search([
            ('type', '=', 'out'),
            ('invoice_date', '>=', start), ('invoice_date', '<=', end),
            ('lines.origin', 'like', 'ptce.lease,%'),
            ], order=[('id', 'ASC')])
    # The movements of the associates admitted in the year (the demo data
    # has movements of its own this year)
    movements = Movement.search([
            ('date', '>=', start), ('opening', '=', False),
            ('member.admission_date', '>=', start),
            ('state', '=', 'confirmed'),
            ], order=[('id', 'ASC')])
    new = Member.search([('admission_date', '>=', start)],
        order=[('id', 'ASC')])
    return {
        'members': Member.search_count([('state', '=', 'admitted')]),
        'admissions': len(new),
        'subscriptions': sum(m.kind == 'subscription' for m in movements),
        'calls': sum(m.kind == 'call' for m in movements),
        'payments': sum(m.kind == 'payment' for m in movements),
        'leases': Lease.search_count([('state', '=', 'running')]),
        'rent_invoices': len(rents),
        'rents_posted': sum(i.state in {'posted', 'paid'} for i in rents),
        'bookings': Booking.search_count([
                ('state', '=', 'confirmed'),
                ('start_datetime', '>=', datetime.datetime(year, 1, 1)),
                ('start_datetime', '<', datetime.datetime(year, 3, 1)),
                ]),
        'visitors': sum(v.count for v in Visitor.search([
                    ('date', '>=', start), ('date', '<=', end)])),
        'instalments': Instalment.search_count([('date', '>=', start)]),
        'paid_rents': sum(i.state == 'paid' for i in rents),
        'sales': sum(s.state == 'posted' for s in sales),
        'unposted': [s.rec_name for s in sales if s.state != 'posted'],
        'sale_days': len({s.date for s in sales}),
        'day_closings': Closing.search_count([('type', '=', 'day'),
                ('date_from', '>=', start), ('date_to', '<=', end)]),
        'month_closings': Closing.search_count([('type', '=', 'month'),
                ('date_from', '>=', start), ('date_to', '<=', end)]),
        'settlements': Settlement.search_count([
                ('date_from', '>=', start), ('state', '=', 'posted')]),

        # What makes the year: the same seed gives the same records
        'fingerprint': {
            'members': [(m.party.name, str(m.admission_date), m.shares)
                for m in new],
            'movements': [(m.kind, str(m.date), str(m.amount), m.shares)
                for m in movements],
            'invoices': [(str(i.invoice_date), i.party.name,
                    str(i.total_amount), i.state) for i in Invoice.search(
                    [('type', '=', 'out')], order=[('id', 'ASC')])],
            'sales': [(s.point.name, str(s.date), str(s.total),
                    [p.method.name for p in s.payments]) for s in sales],
            'bookings': [(b.space.code, str(b.start_datetime))
                for b in Booking.search([], order=[('id', 'ASC')])],
            'bank': [(str(l.date), str(l.debit), str(l.credit))
                for l in Line.search([('account.code', '=', '5121'),
                        ('date', '>=', start)], order=[('id', 'ASC')])],
            },
        }

def failed_checks(pool):
    """The cross-checks of the year that fail once the accountant posted
    the register's entries left in draft by the demo data (as the
    simulation's year end does)"""
    import types
    from ateliers.simulate import scic_members
    FiscalYear = pool.get('account.fiscalyear')
    fiscalyear, = FiscalYear.search([
            ('start_date', '<=', start), ('end_date', '>=', start)])
    scic_members.year_end(types.SimpleNamespace(
            company=fiscalyear.company.id, start=start,
            end=fiscalyear.end_date,
            summary={'scic.entries_posted_at_year_end': 0}))
    return [(c.code, str(c.expected), str(c.found))
        for c in fiscalyear.failed_cross_checks()]

result = environment.run(database, counts, readonly=True)
# The ledger agrees with the share register, the leases, the tills'
# closings, the sector report and the grants
result['failed_checks'] = environment.run(database, failed_checks)
print(json.dumps(result))
'''

# A copy of the base database, with the tool's own functions
COPY = r'''
import shutil, sys
from ateliers import environment
environment.prepare()
source, target = sys.argv[1:]
if environment.backend_name() == 'postgresql':
    from trytond.transaction import Transaction
    with Transaction().start(None, 0, close=True, autocommit=True) as tx:
        with tx.connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
else:
    shutil.copy(environment._sqlite_file(source),
        environment._sqlite_file(target))
'''


def _key():
    "The sources the base database is made of"
    digest = hashlib.sha256(URI.split(':', 1)[0].encode())
    for path in sorted([*ROOT.glob('ateliers/*.py'),
                *ROOT.glob('ateliers/demo/*.py'),
                *ROOT.glob('addons/*/*.py'), *ROOT.glob('addons/*/*.xml'),
                *ROOT.glob('addons/*/*.cfg'),
                *ROOT.glob('addons/*/data/*')]):
        digest.update(path.read_bytes())
    digest.update(str(YEAR).encode())
    return digest.hexdigest()[:12]


def _python(env, script, *args):
    run = subprocess.run([sys.executable, '-c', script, *map(str, args)],
        env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


@pytest.fixture(scope='module')
def base(tmp_path_factory):
    """(env, name of the base database): init + the static demo data"""
    home = tmp_path_factory.mktemp('simulate')
    env = tool_env(home)
    name = f'simbase_{_key()}'
    # The tills sign their sales and closings: a key of this home (the
    # base database has none signed yet, it is kept without its home)
    run = ateliers('pos', 'key', 'create', env=env)
    assert run.returncode == 0, run.stderr
    cached = CACHE / 'simulate' / f'{name}.sqlite'
    if POSTGRESQL:
        exists = _python(env, 'import sys\n'
            'from ateliers import environment\n'
            'environment.prepare()\n'
            'print(environment.database_exists(sys.argv[1]))', name)
        if exists.strip() == 'True':
            return env, name
    elif cached.exists():
        (home / 'db').mkdir(parents=True, exist_ok=True)
        shutil.copy(cached, home / 'db' / f'{name}.sqlite')
        return env, name
    run = ateliers('init', '--database', name, env=env)
    assert run.returncode == 0, run.stderr
    _python(env, 'import sys\n'
        'from ateliers import environment\n'
        'environment.prepare()\n'
        'from ateliers.simulate import ensure_demo_data\n'
        'assert ensure_demo_data(sys.argv[1])', name)
    if not POSTGRESQL:
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(home / 'db' / f'{name}.sqlite', cached)
    return env, name


def _simulate(base, target):
    env, name = base
    drop(env, target)
    _python(env, COPY, name, target)
    run = ateliers('simulate', '--database', target, '--year', YEAR,
        '--until', UNTIL, '--seed', 7, '--sales-volume', SALES_VOLUME,
        env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    summary = {}
    for line in run.stdout.splitlines():
        match = re.match(r'^  (.*?)\s+(\d+)$', line)
        if match:
            summary[match.group(1)] = int(match.group(2))
    counts = json.loads(_python(env, COUNTS, target, YEAR))
    drop(env, target)
    return run.stdout, summary, counts


@pytest.fixture(scope='module')
def runs(base):
    "The same month simulated twice with the same seed"
    return [_simulate(base, f'sim_{i}') for i in (1, 2)]


def test_summary_matches_database(runs):
    "Test the counts of the summary are those of the database"
    output, summary, counts = runs[0]
    assert summary["Jours simulés"] == 31, output
    assert summary["Associés admis (au total)"] == counts['members']
    assert summary.get("Admissions de l'année", 0) == counts['admissions']
    assert summary.get("Souscriptions", 0) == counts['subscriptions']
    assert summary.get("Appels de capital", 0) == counts['calls']
    assert summary.get("Libérations de capital", 0) == counts['payments']
    assert summary["Baux en cours"] == counts['leases']
    assert summary["Factures de loyer"] == counts['rent_invoices']
    assert summary.get("Réservations de salles", 0) == counts['bookings']
    assert summary["Visiteurs comptés"] == counts['visitors']
    assert summary.get("Versements de subventions", 0) == (
        counts['instalments'])
    # A month of rents of the 12 leases of the building (10 monthly, 2
    # quarterly due in January), all posted, most of them paid by transfer
    # and matched
    assert counts['leases'] == 12
    assert counts['rent_invoices'] == 10 + 2
    assert counts['rents_posted'] == counts['rent_invoices']
    assert counts['paid_rents'] >= counts['rent_invoices'] // 2
    # About 150 visitors on each of the 20 to 22 opening days
    assert 100 * 20 <= counts['visitors'] <= 200 * 22
    assert counts['admissions'] <= 3
    # The tills: every sale posted, every day closed, each month closed
    # and the consignment settled
    assert summary["Ventes en caisse"] == counts['sales']
    assert not counts['unposted']
    assert summary["Clôtures journalières de caisse"] == (
        counts['day_closings'])
    assert summary["Clôtures mensuelles de caisse"] == (
        counts['month_closings'])
    assert counts['month_closings'] >= 4
    assert summary.get("Reversements aux déposants", 0) == (
        counts['settlements'])
    assert counts['settlements'] == 1
    # About 100 sales an opening day, a tenth of them simulated
    assert 5 * 20 <= counts['sales'] <= 20 * 22
    assert counts['sale_days'] >= 18


def test_cross_checks(runs):
    """Test the ledger of the simulated month agrees with the modules'
    records: capital and share register, deposits and leases, POS ledger
    and closings, revenue per sector and sector report, grants and
    instalments (ptce_reporting.closing)"""
    _, _, counts = runs[0]
    assert counts['failed_checks'] == []


def test_same_seed_same_year(runs):
    "Test the same seed makes the same records"
    (_, summary1, counts1), (_, summary2, counts2) = runs
    assert summary1 == summary2
    assert counts1 == counts2
    assert counts1['fingerprint']['invoices']


# The closed year: its fiscal year, its cross-checks and trial balance
YEAR_CHECKS = r'''
import json, sys
from ateliers import environment
environment.prepare()
database, year = sys.argv[1], int(sys.argv[2])

def checks(pool):
    import datetime
    from ptce_reporting import closing
    FiscalYear = pool.get('account.fiscalyear')
    Closing = pool.get('ptce.pos.closing')
    fiscalyear, = FiscalYear.search([
            ('start_date', '=', datetime.date(year, 1, 1))])
    _, balanced = closing.trial_balance_totals(fiscalyear)
    return {
        'state': fiscalyear.state,
        'periods': sorted({p.state for p in fiscalyear.periods}),
        'checks': [(c.code, c.ok) for c in fiscalyear.cross_checks()],
        'balanced': balanced,
        'year_closings': Closing.search_count([('type', '=', 'year')]),
        }
print(json.dumps(environment.run(database, checks, readonly=True)))
'''


@pytest.fixture(scope='module')
def year(base):
    """The whole year at scale 1, closed by the simulation; the tills
    ring up a twentieth of their daily sales in November and December
    only (each till's day costs its closing and accounting move: a year
    of them is minutes of CPU, too many for the suite; January has its
    own runs above)"""
    env, name = base
    target = 'sim_year'
    drop(env, target)
    _python(env, COPY, name, target)
    run = ateliers('simulate', '--database', target, '--year', YEAR,
        '--seed', 7, '--sales-volume', '0.05',
        '--sales-since', f'{YEAR}-11-01', env=env, timeout=1800)
    assert run.returncode == 0, run.stderr[-3000:]
    checks = json.loads(_python(env, YEAR_CHECKS, target, YEAR))
    verify = ateliers('pos', 'verify', '--database', target, env=env)
    drop(env, target)
    return run.stdout, checks, verify


def test_year_closed(year):
    """Test the simulated year closes: nothing blocks (close-check), every
    cross-check agrees (capital accounts and share register, deposits and
    leases, POS ledger and closings, revenue per sector and sector report,
    grants and instalments), the trial balance balances, the fiscal year
    and its periods are closed and the tills' chains verify"""
    output, checks, verify = year
    assert "Exercice clôturé" in output, output
    assert checks['state'] == 'closed', checks
    assert checks['periods'] == ['closed'], checks
    codes = dict(checks['checks'])
    assert all(codes.values()), checks['checks']
    for code in ['trial_balance', 'capital_uncalled', 'capital_called',
            'capital_paid', 'deposits', 'deferred_rents', 'pos_total',
            'pos_tax', 'sector_revenue', 'grants']:
        assert code in codes, (code, codes)
    assert checks['balanced'], checks
    assert checks['year_closings'] >= 4
    assert verify.returncode == 0, verify.stdout + verify.stderr
