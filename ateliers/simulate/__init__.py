"""A realistic year of Les Ateliers, built through the modules' own methods.

``ateliers simulate --database DB --year YYYY --scale N [--seed S]
[--until YYYY-MM-DD]`` and ``ateliers init --demo`` (the current year so
far) run it.  Built like ``ateliers/demo/``: one file per module
(``ateliers/simulate/<module>.py``), called in the order of MODULES, but
in this process with trytond's ORM (Pool and Transaction) instead of
proteus, for speed.  The hooks call the modules' public methods (create,
write, the buttons and workflow transitions, the class methods behind the
wizards): never SQL.

Each module file defines:

- ``setup(sim)``: once, in its own transaction, before the first day: the
  reference data the module needs (taken from the demo data when the
  database has it);
- ``day(sim, date)``: every calendar day of the simulated range;
- ``month_end(sim, date)`` (optional): the last day of each month, after
  the days of all the modules, in the same transaction; ``ir.date.today``
  is then the next day (the month is over: its closings are allowed);
- ``year_end(sim)`` (optional): once, when the range reaches 31 December,
  ``ir.date.today`` being 1 January of the next year.

Each day is one transaction, committed after all the modules ran: a crash
loses one day at most.  The tasks the day pushed to the queue (the rent
run's batches) are run once it is committed, as the RPC dispatcher does.

The date of the day: stock ``ir.date.today()`` reads the clock, not the
context (trytond/ir/date.py), and the modules' buttons date their records
with it (a deposit move, a notice).  During a simulated day the driver
makes the pool's ``ir.date.today`` return the simulated date (only in this
process, only while the day runs; restored after); the hooks still pass
dates explicitly wherever a method takes one.

The static demo data (``ateliers.demo``: the company's identity, the
named associates, the building's spaces and tenants, the sectors'
products and points of sale, the funders) gives the year its faces: a
database without it gets it first.
"""
import collections
import contextlib
import copy
import datetime
import importlib
import random

from dateutil.easter import easter

from ..environment import MODULES, ToolError

# The summer closing: two weeks from the first Monday of August
SUMMER_CLOSING_WEEKS = 2


def french_holidays(year):
    "The French public holidays (jours fériés) of the year"
    paques = easter(year)
    return {
        datetime.date(year, 1, 1),
        paques + datetime.timedelta(days=1),    # lundi de Pâques
        datetime.date(year, 5, 1),
        datetime.date(year, 5, 8),
        paques + datetime.timedelta(days=39),   # Ascension
        paques + datetime.timedelta(days=50),   # lundi de Pentecôte
        datetime.date(year, 7, 14),
        datetime.date(year, 8, 15),
        datetime.date(year, 11, 1),
        datetime.date(year, 11, 11),
        datetime.date(year, 12, 25),
        }


def summer_closing(year):
    "The days of the summer closing in August"
    first = datetime.date(year, 8, 1)
    monday = first + datetime.timedelta(days=(7 - first.weekday()) % 7)
    return {monday + datetime.timedelta(days=n)
        for n in range(7 * SUMMER_CLOSING_WEEKS)}


def opening_days(year):
    "Tuesday to Saturday, except public holidays and the summer closing"
    closed = french_holidays(year) | summer_closing(year)
    day, days = datetime.date(year, 1, 1), set()
    while day.year == year:
        if day.weekday() in {1, 2, 3, 4, 5} and day not in closed:
            days.add(day)
        day += datetime.timedelta(days=1)
    return days


def last_of_month(date):
    return (date + datetime.timedelta(days=1)).month != date.month


class Simulation:
    """What the hooks share: the range, the scale, the random generator,
    the calendar, the counts of the summary and each module's state."""

    def __init__(self, database, year, scale=1, seed=None, until=None,
            progress=None, sales_volume=1.0, sales_since=None):
        self.database = database
        self.year = year
        self.scale = scale
        # The share of the tills' daily sales simulated (the demo takes
        # fewer to stay quick to build)
        self.sales_volume = sales_volume
        self.seed = year if seed is None else seed
        self.rng = random.Random(self.seed)
        self.start = datetime.date(year, 1, 1)
        self.end = until or datetime.date(year, 12, 31)
        if self.end < self.start or self.end.year != year:
            raise ToolError(
                f"La date de fin {self.end:%d/%m/%Y} n'est pas dans "
                f"l'année {year}.")
        # The first day the tills ring up (before it they stay shut, like
        # a shop not yet opened): the tests' demo and year take their last
        # months only, each till's day costing its closing
        self.sales_since = sales_since or self.start
        if self.sales_since.year != year:
            raise ToolError(
                f"Le premier jour de vente {self.sales_since:%d/%m/%Y} "
                f"n'est pas dans l'année {year}.")
        self.opening_days = opening_days(year)
        self.summary = collections.Counter()
        self.state = collections.defaultdict(dict)
        self.progress = progress or (lambda label: None)
        self.company = None
        self.today = self.start

    def is_open(self, date):
        return date in self.opening_days

    @property
    def days(self):
        "The calendar days of the range"
        day = self.start
        while day <= self.end:
            yield day
            day += datetime.timedelta(days=1)

    @property
    def reaches_year_end(self):
        return self.end == datetime.date(self.year, 12, 31)


def modules():
    "The simulation files of the modules, in dependency order"
    found = []
    for module in MODULES:
        name = f'{__package__}.{module}'
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            # A module without simulation
            if error.name != name:
                raise
    return found


@contextlib.contextmanager
def simulated_today(pool, date):
    "ir.date.today() returns date while the block runs (this process)"
    Date = pool.get('ir.date')
    saved = Date.__dict__.get('today')
    Date.today = staticmethod(lambda timezone=None: date)
    try:
        yield
    finally:
        if saved is None:
            del Date.today
        else:
            Date.today = saved


def _pool(sim):
    """The pool of the database, loaded once for the whole run
    (environment.open_pool loads every module again at each call)"""
    from trytond.pool import Pool

    from .. import environment
    pool = getattr(sim, '_pool', None)
    if pool is None:
        if sim.database in Pool.database_list():
            # Already loaded in this process (by proteus in ateliers init)
            pool = Pool(sim.database)
        else:
            pool = environment.open_pool(sim.database)
        sim._pool = pool
    return pool


def _transaction(sim, function, readonly=False):
    """function(pool) in one transaction as admin with the company in the
    context, committed at the end, like environment.run: started again
    when trytond asks for locks first or another process holds them"""
    import time

    from trytond import backend
    from trytond.transaction import Transaction, TransactionError

    from .. import environment
    pool = _pool(sim)
    # The locks a day asked for are taken at the start of the next days
    # (the same sequences, points and tables): a day is not started again
    # once per lock
    extras = {} if readonly else sim.__dict__.setdefault('_lock_extras', {})
    busy = 0
    # Each start again takes more locks: a finite number of them
    for _ in range(200):
        try:
            with Transaction().start(
                    sim.database, 0, readonly=readonly, **extras) as tx:
                with environment.as_admin(pool):
                    result = function(pool)
                if not readonly:
                    tx.commit()
                return result
        except TransactionError as error:
            error.fix(extras)
        except backend.DatabaseOperationalError:
            # Another process holds the locks: wait for it, 20 times
            busy += 1
            if busy == 20:
                raise
            time.sleep(min(0.1 * 2 ** busy, 5))
    raise ToolError(
        "Base occupée : la transaction n'a pas pu prendre ses verrous.")


def _in_day(sim, date, function):
    """Run function(pool) in one transaction dated date (see _transaction).
    The random generator, the summary and the states are put back as they
    were before each attempt: a restarted day makes the same records."""
    saved = (sim.rng.getstate(), copy.deepcopy(sim.summary),
        copy.deepcopy(sim.state))

    def attempt(pool):
        sim.rng.setstate(saved[0])
        sim.summary = copy.deepcopy(saved[1])
        sim.state = copy.deepcopy(saved[2])
        sim.today = date
        with simulated_today(pool, date):
            return function(pool)
    return _transaction(sim, attempt)


# Queue tasks the simulation leaves to the worker (trytond-worker): the
# PDF of each posted customer invoice, rendered again at its first print
# when no worker ran it; rendering them would double the run's time
LEFT_TO_WORKER = {('account.invoice', 'print_invoice')}


def _run_pending_tasks(sim):
    """Run the queue tasks the committed day pushed (the rent run's
    batches), each in its own transaction, as the dispatcher does"""
    from trytond.transaction import Transaction
    from trytond.worker import run_task
    pending = Transaction().tasks
    if not pending:
        return
    pool = _pool(sim)
    tasks = list(pending)
    del pending[:]

    def kinds(pool):
        # A task pushed by an attempt that was restarted for its locks
        # (PostgreSQL) was rolled back with it: it is not there any more
        Queue = pool.get('ir.queue')
        return {t.id: (t.data['model'], t.data['method'])
            for t in Queue.search([('id', 'in', tasks)])}
    kinds = _transaction(sim, kinds, readonly=True)
    for task_id in tasks:
        if task_id not in kinds or kinds[task_id] in LEFT_TO_WORKER:
            continue
        with simulated_today(pool, sim.today):
            run_task(pool, task_id)
        # The tasks that this one pushed in turn
        _run_pending_tasks(sim)


def ensure_demo_data(database):
    """Load the static demo data when the database has none (a database
    that ``ateliers init`` built without --demo); True when loaded"""
    from .. import environment

    def has_spaces(pool):
        return bool(pool.get('ptce.space').search([], limit=1))
    if environment.run(database, has_spaces, readonly=True):
        return False
    from ..cli import _proteus
    from ..demo import setup as setup_demo

    def admin_language(pool):
        "The language ``ateliers init`` gave the admin (French by default)"
        admin, = pool.get('res.user').search([('login', '=', 'admin')])
        return admin.language.code if admin.language else 'fr'
    language = environment.run(database, admin_language, readonly=True)
    config = _proteus(database, language)
    setup_demo(config)
    return True


def run(sim):
    """Simulate the range of sim: set-up, every day, every month end, the
    year end and the closing of the year (when the range reaches it)"""
    from .. import environment
    hooks = modules()

    def company(pool):
        return environment.current_company(pool).id
    sim.company = _transaction(sim, company, readonly=True)

    for module in hooks:
        sim.progress(f"Préparation ({module.__name__.rsplit('.', 1)[1]})")
        _in_day(sim, sim.start, lambda pool: module.setup(sim))
        _run_pending_tasks(sim)

    for date in sim.days:
        next_day = date + datetime.timedelta(days=1)

        def day(pool, date=date, next_day=next_day):
            for module in hooks:
                module.day(sim, date)
            if last_of_month(date):
                for module in hooks:
                    if hasattr(module, 'month_end'):
                        with simulated_today(pool, next_day):
                            module.month_end(sim, date)
        sim.progress(f"{date:%d/%m/%Y}")
        _in_day(sim, date, day)
        _run_pending_tasks(sim)
        sim.summary['days'] += 1

    if sim.reaches_year_end:
        for module in hooks:
            if hasattr(module, 'year_end'):
                sim.progress("Clôture")
                _in_day(sim, sim.end + datetime.timedelta(days=1),
                    lambda pool: module.year_end(sim))
                _run_pending_tasks(sim)
        close_year(sim)
    return sim.summary


def close_year(sim):
    """The closing of the simulated year with Tryton's standard steps as
    ``ateliers accounting close-year`` runs them (ptce_reporting.closing's
    close_year, when the module has it): only when nothing blocks it (the
    close-check and the cross-checks); what blocks is counted in the
    summary and the year stays open for the accountant to look at."""
    from ptce_reporting import closing
    sim.progress("Clôture")

    def close(pool):
        Company = pool.get('company.company')
        fiscalyear = closing.get_fiscalyear(Company(sim.company), sim.year)
        if hasattr(closing, 'closing_obstacles'):
            blockers, failed = closing.closing_obstacles(fiscalyear)
            count = sum(b.count for b in blockers) + len(failed)
        else:
            count = sum(b.count for b in fiscalyear.get_year_end_blockers()
                if b.code != 'open_periods')
        sim.summary['closing.blockers'] = count
        if count or not hasattr(closing, 'close_year'):
            sim.summary['closing.todo'] = 1
            return
        closing.close_year(fiscalyear, renew=False)
        sim.summary['closing.done'] = 1
    _in_day(sim, sim.end + datetime.timedelta(days=1), close)


# The lines of the summary, in the order printed, with their French label
SUMMARY = [
    ('days', "Jours simulés"),
    ('opening_days', "Jours d'ouverture"),
    ('scic.members', "Associés admis (au total)"),
    ('scic.register_taken_over', "Associés repris du registre (échelle)"),
    ('scic.admissions', "Admissions de l'année"),
    ('scic.subscriptions', "Souscriptions"),
    ('scic.calls', "Appels de capital"),
    ('scic.payments', "Libérations de capital"),
    ('scic.exits', "Sorties d'associés"),
    ('scic.redemptions', "Remboursements de parts"),
    ('scic.opening_balance', "Capital du registre repris en comptabilité"),
    ('scic.entries_posted_at_year_end',
        "Écritures du registre validées en fin d'exercice"),
    ('spaces.leases', "Baux en cours"),
    ('spaces.rent_invoices', "Factures de loyer"),
    ('spaces.indexations', "Révisions de loyer"),
    ('spaces.terminations', "Baux résiliés"),
    ('spaces.deposit_returns', "Dépôts de garantie restitués"),
    ('spaces.bookings', "Réservations de salles"),
    ('spaces.booking_invoices', "Factures de réservations"),
    ('sectors.points', "Caisses"),
    ('sectors.sales', "Ventes en caisse"),
    ('sectors.tickets', "Billets vendus"),
    ('sectors.day_closings', "Clôtures journalières de caisse"),
    ('sectors.month_closings', "Clôtures mensuelles de caisse"),
    ('sectors.year_closings', "Clôtures annuelles de caisse"),
    ('sectors.settlements', "Reversements aux déposants"),
    ('sectors.intakes', "Apports à la recyclerie"),
    ('reporting.visitors', "Visiteurs comptés"),
    ('reporting.grants', "Subventions"),
    ('reporting.instalments', "Versements de subventions"),
    ('reporting.bank_receipts', "Encaissements bancaires rapprochés"),
    ('closing.blockers', "Points bloquant la clôture"),
    ('closing.done', "Exercice clôturé"),
    ('closing.todo', "Exercice laissé ouvert (à clôturer)"),
    ]


def summary_lines(summary):
    "The summary as (label, value) lines: the known ones first"
    labels = dict(SUMMARY)
    lines = [(labels[k], summary[k]) for k, _ in SUMMARY if k in summary]
    lines += [(k, v) for k, v in sorted(summary.items()) if k not in labels]
    return lines
