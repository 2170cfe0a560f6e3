"""Helpers of the smoke tests and their fixture (tests/conftest.py): the
demo database that `ateliers init --demo` builds (the README's main
command), shared by test_serve.py, test_cli.py and test_init.py.

It is built the hard way: a first `ateliers init` is killed (SIGKILL) in
the middle of the module activation, then `ateliers init` runs again and
must build a clean database. What was seen between the two runs is kept
for test_init.py, so that the interrupted init costs the suite a few
seconds instead of a second full build. The build starts in the
background as soon as the tests are collected (SiteBuild)."""
import datetime
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
import uuid

ROOT = pathlib.Path(__file__).parent.parent
BIN = pathlib.Path(sys.executable).parent
URI = os.environ.get('TRYTOND_DATABASE__URI', 'sqlite://')
POSTGRESQL = URI.startswith('postgresql')
CACHE = pathlib.Path(os.environ.get('ATELIERS_CACHE', ROOT / '.cache'))


def ateliers(*args, env, **kwargs):
    "Run the ateliers command (a command that hangs fails the test)"
    kwargs.setdefault('timeout', 900)
    return subprocess.run([BIN / 'ateliers', *map(str, args)], env=env,
        capture_output=True, text=True, **kwargs)


def database_exists(env, database):
    "Whether the tool sees the database (file or PostgreSQL database)"
    run = subprocess.run([sys.executable, '-c',
            'import sys\n'
            'from ateliers import environment\n'
            'environment.prepare()\n'
            'print(environment.database_exists(sys.argv[1]))', database],
        env=env, capture_output=True, text=True, check=True)
    return run.stdout.strip() == 'True'


def drop(env, database):
    subprocess.run([sys.executable, '-c',
            'import sys\n'
            'from ateliers import environment\n'
            'environment.prepare()\n'
            'environment.drop_database(sys.argv[1])', database],
        env=env, check=True)


def tool_env(home):
    "The environment of the tool with its data under home"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_', 'ATELIERS_'))}
    env.update(ATELIERS_HOME=str(home), TRYTOND_DATABASE__URI=URI,
        TRYTOND_DATABASE__PATH=str(home / 'db'),
        # The web client is fetched from npm once and kept in the cache
        TRYTOND_WEB__ROOT=str(CACHE / 'sao' / 'package'))
    return env


def children(pid):
    "Pids of the child processes of pid (Linux)"
    pids = []
    for path in pathlib.Path(f'/proc/{pid}/task').glob('*/children'):
        pids += [int(p) for p in path.read_text().split()]
    return pids


def alive(pid):
    try:
        status = pathlib.Path(f'/proc/{pid}/status').read_text()
    except FileNotFoundError:
        return False
    return '\nState:\tZ' not in status


WAIT_FOR_DATABASE = """\
import sys
import time
from ateliers import environment
environment.prepare()
database, timeout = sys.argv[1], float(sys.argv[2])
deadline = time.monotonic() + timeout
while not environment.database_exists(database):
    if time.monotonic() > deadline:
        sys.exit(1)
    time.sleep(0.2)
"""


def kill_init_midway(env, database):
    """Start `ateliers init --demo`, SIGKILL it while trytond-admin builds
    the database and return what is seen then"""
    building = f'{database}.building'
    process = subprocess.Popen(
        [BIN / 'ateliers', 'init', '--database', database, '--demo'],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # One process asks the tool every 0.2 s whether the database is there
    # (a Python process per question cost more than the question)
    watcher = subprocess.Popen([sys.executable, '-c', WAIT_FOR_DATABASE,
            building, '120'], env=env)
    try:
        while watcher.poll() is None:
            assert process.poll() is None, "init ended before it was killed"
            time.sleep(0.2)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
    assert watcher.returncode == 0, "init did not start building"
    time.sleep(2)
    assert process.poll() is None, "init ended before it was killed"
    helpers = children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 20
    while any(alive(p) for p in helpers) and time.monotonic() < deadline:
        time.sleep(0.2)
    return {
        'helpers': helpers,
        'helpers_alive': [p for p in helpers if alive(p)],
        'exists': database_exists(env, database),
        'serve': ateliers('serve', '--database', database, '--no-web',
            env=env, timeout=60),
        }


def _sales_since(today=None):
    "The first day of last month, in this year"
    today = today or datetime.date.today()
    since = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return max(since, today.replace(month=1, day=1))


def make_site(env, database):
    """A demo database made by `ateliers init --demo` with env after a
    first run was killed: (env, database, password, what was seen after
    the kill)"""
    killed = kill_init_midway(env, database)
    # The demo simulates the year so far; its tills sell from the first
    # day of last month only (every till's day has its closing: the whole
    # year of them would take the suite 10 more minutes per backend)
    run = ateliers('init', '--database', database, '--demo',
        '--sales-since', _sales_since().isoformat(), env=env, timeout=1800)
    assert run.returncode == 0, run.stdout + run.stderr
    killed['init'] = run
    home = pathlib.Path(env['ATELIERS_HOME'])
    password = (home / f'{database}.admin-password').read_text().strip()
    return env, database, password, killed


class SiteBuild:
    """make_site in a thread, started as soon as the tests that need the
    demo database are known (tests/conftest.py): the build is two
    `ateliers init` processes, and the test run goes on beside them
    instead of waiting for them when the first such test comes."""

    def __init__(self, home):
        # Read here: a test may change os.environ while the build runs
        self.env = tool_env(home)
        self.database = f'smoke_{uuid.uuid4().hex[:8]}'
        self.outcome = None
        self.thread = threading.Thread(
            target=self._run, name='site build', daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.outcome = (True, make_site(self.env, self.database))
        except BaseException as error:
            self.outcome = (False, error)

    def result(self):
        "The site, once built; what the build raised, if it failed"
        self.thread.join()
        ok, value = self.outcome
        if not ok:
            raise value
        return value

    def close(self):
        """At the end of the run: stop a build still running (a run stopped
        early never waited for it), then drop the databases made"""
        if self.thread.is_alive():
            for pid in children(os.getpid()):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.thread.join(60)
        if POSTGRESQL:
            for name in [self.database, f'{self.database}.building']:
                drop(self.env, name)
