"""The set-up shared by the benchmarks of bench/.

    import harness
    parser = harness.parser(__doc__, database='bench_x')
    parser.add_argument(...)                # the script's own options
    args = parser.parse_args()
    harness.prepare(args)                   # before trytond is imported
    from trytond.tests.tools import activate_modules
    ...
    result = harness.step("label", function)    # or: with harness.timer(..)

Importing this module puts the repository root on sys.path.  On
PostgreSQL the server is BENCH_PG_URI (the older BENCH_POSTGRESQL_URI is
read too), by default postgresql://postgres@127.0.0.1:5432/.
"""
import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_URI = 'postgresql://postgres@127.0.0.1:5432/'
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def pg_uri():
    "The PostgreSQL server of the benchmarks"
    return (os.environ.get('BENCH_PG_URI')
        or os.environ.get('BENCH_POSTGRESQL_URI') or PG_URI)


def parser(doc, database):
    """An ArgumentParser described by the first line of doc, with
    --backend, --database (default database) and --cache"""
    parser = argparse.ArgumentParser(
        description=(doc or '').strip().splitlines()[0] if doc else None)
    parser.add_argument('--backend', choices=['sqlite', 'postgresql'],
        default='sqlite')
    parser.add_argument('--database', default=database,
        help="database name (PostgreSQL: dropped and created again; "
        f"default {database})")
    parser.add_argument('--cache', metavar='DIR',
        help="keep the activated database (modules + company set-up) in DIR "
        "and restore it on the next run (trytond's DB_CACHE); the set-up is "
        "not part of the measured figures")
    return parser


def prepare(args, memory=False, drop=()):
    """Set the environment of trytond from args (call it before trytond is
    imported): the database URI and DB_NAME, DB_CACHE from --cache.

    SQLite: in memory if memory, else an empty file args.database in a new
    temporary folder (TRYTOND_DATABASE__PATH).  PostgreSQL: args.database
    and the databases named in drop are dropped (trytond creates it again).
    Return the database name."""
    if args.backend == 'postgresql':
        os.environ['TRYTOND_DATABASE__URI'] = pg_uri()
        name = args.database
    else:
        os.environ['TRYTOND_DATABASE__URI'] = 'sqlite://'
        if memory:
            name = ':memory:'
        else:
            name = args.database
            folder = tempfile.mkdtemp(prefix=f'{args.database}-')
            os.environ['TRYTOND_DATABASE__PATH'] = folder
            open(os.path.join(folder, f'{name}.sqlite'), 'w').close()
    os.environ['DB_NAME'] = name
    if args.cache:
        os.environ['DB_CACHE'] = args.cache
    else:
        os.environ.pop('DB_CACHE', None)
    if args.backend == 'postgresql':
        drop_databases([args.database, *drop])
    return name


def drop_databases(names):
    "Drop the PostgreSQL databases of names that exist"
    from trytond import backend
    db = backend.Database().connect()
    connection = db.get_connection(autocommit=True)
    try:
        existing = db.list()
        for name in names:
            if name in existing:
                db.drop(connection, name)
    finally:
        db.put_connection(connection)


def sealing_key():
    """A new sealing key of the points of sale for this run (this process
    and those it starts), unless TRYTOND_PTCE_SECTORS__CHAIN_KEY_FILE names
    one; return its path.  Call it after prepare."""
    variable = 'TRYTOND_PTCE_SECTORS__CHAIN_KEY_FILE'
    if not os.environ.get(variable):
        from trytond import config

        from ptce_sectors import seal
        path = os.path.join(tempfile.mkdtemp(prefix='bench-seal-'), 'key')
        seal.create_key_file(path)
        os.environ[variable] = path
        if not config.has_section(seal.SECTION):
            config.add_section(seal.SECTION)
        config.set(seal.SECTION, 'chain_key_file', path)
    return os.environ[variable]


class timer:
    """Context manager timing its block: wall-clock seconds in .wall, CPU
    seconds of this process in .cpu; prints one aligned line at the end
    (unless label is None).  On SQLite all the work is done in-process: the
    CPU time is what the wall-clock time would be on an idle machine."""

    def __init__(self, label=None):
        self.label = label
        self.wall = self.cpu = None

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        if self.label is not None and exc[0] is None:
            print(line(self.label, self.wall, self.cpu), flush=True)
        return False


def line(label, wall, cpu=None):
    "One aligned line of a step: label, wall-clock and CPU seconds"
    text = f"{label:70} {wall:8.2f} s"
    if cpu is not None:
        text += f"  (CPU {cpu:7.2f} s)"
    return text


def step(label, function):
    "Run function, print its line (see timer); return its result"
    with timer(label):
        return function()
