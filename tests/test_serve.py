"""Smoke tests of the deployment: `ateliers init --demo` builds the demo
database of Les Ateliers (the README's main command), then a real client
logs in over the network to `ateliers serve` and to trytond started with
the production configuration (config/trytond.conf)."""
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from smoke import BIN, POSTGRESQL, ROOT


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for(url, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {timeout} s")


def login_and_read_company(port, database, password):
    "Log in as a real client (proteus over XML-RPC) and read the company"
    from proteus import Model
    from proteus import config as pconfig
    config = pconfig.set_xmlrpc(
        f'http://admin:{password}@127.0.0.1:{port}/{database}/rpc/')
    try:
        Company = Model.get('company.company', config=config)
        company, = Company.find([])
        return company.rec_name, company.currency.code
    finally:
        pconfig._CONFIG.current = None


@pytest.fixture
def server():
    processes = []

    def start(args, env):
        process = subprocess.Popen(args, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        processes.append(process)
        return process
    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.skipif(not shutil.which('npm'), reason="npm is needed")
def test_serve_web_client_and_login(site, server):
    "`ateliers serve` serves the web client and answers a real client"
    env, database, password, _ = site
    port = free_port()
    process = server([BIN / 'ateliers', 'serve', '--database', database,
            '--port', str(port)], env)
    index = wait_for(f'http://127.0.0.1:{port}/', process, timeout=300)
    assert b'sao' in index.lower() or b'tryton' in index.lower()
    assert login_and_read_company(port, database, password) == (
        'Les Ateliers SCIC', 'EUR')


@pytest.mark.skipif(not POSTGRESQL,
    reason="the production configuration targets PostgreSQL")
def test_production_config(site, server, tmp_path):
    "trytond runs with config/trytond.conf as in docker-compose.yml"
    env, database, password, _ = site
    port = free_port()
    # What the containers provide: the listen address and folders of this
    # machine instead of the image's (a later file wins)
    local = tmp_path / 'local.conf'
    local.write_text(
        f"[web]\nlisten = 127.0.0.1:{port}\nroot = {tmp_path}\n"
        f"num_proxies = 0\n[database]\npath = {tmp_path}\n")
    (tmp_path / 'index.html').write_text('<html>sao</html>')
    process = server([BIN / 'trytond',
            '-c', ROOT / 'config' / 'trytond.conf', local,
            '--logconf', ROOT / 'config' / 'logging.conf',
            '-d', database], env)
    wait_for(f'http://127.0.0.1:{port}/', process)
    assert login_and_read_company(port, database, password) == (
        'Les Ateliers SCIC', 'EUR')


def test_init_keeps_existing_database(site):
    "Re-running init does not destroy the database (only --reset does)"
    env, database, password, _ = site
    run = subprocess.run([BIN / 'ateliers', 'init', '--database', database],
        env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert 'existe déjà' in run.stdout
    assert login_rpc_free(env, database) == 'Les Ateliers SCIC'


def login_rpc_free(env, database):
    "Read the company name in-process through the tool's transaction"
    run = subprocess.run([sys.executable, '-c',
            'from ateliers import environment\n'
            'environment.prepare()\n'
            f'with environment.transaction({database!r}) as pool:\n'
            '    print(pool.get("company.company").search([])[0].rec_name)'],
        env=env, capture_output=True, text=True, check=True)
    return run.stdout.strip()


def test_errors_are_one_line(site):
    "A user error is one line on standard error, with a non-zero exit code"
    env, database, password, _ = site
    run = subprocess.run(
        [BIN / 'ateliers', 'serve', '--database', 'missing_database'],
        env=env, capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip().count('\n') == 0
    assert "n'existe pas" in run.stderr
    assert 'Traceback' not in run.stderr


DEMO_COUNTS = """\
from ateliers import environment
environment.prepare()
with environment.transaction(DATABASE) as pool:
    for model, domain in [
            ('scic.member', [('state', '=', 'admitted')]),
            ('scic.college', []),
            ('ptce.lease', [('state', '=', 'running')]),
            ('account.payment', [('state', '=', 'submitted')]),
            ('sale.point.sale', [('state', '=', 'posted')]),
            ('ptce.grant', []),
            ]:
        print(model, bool(pool.get(model).search_count(domain)))
    # The register's associates, admitted before this year (the demo's
    # year so far is simulated: its admissions and exits come after)
    import datetime
    print('associates', pool.get('scic.member').search_count([
                ('admission_date', '<', datetime.date(
                        datetime.date.today().year, 1, 1)),
                ]))
"""


def test_demo_data(site):
    """The demo holds Les Ateliers: the 50 associates of its register in 4
    colleges, running leases, a share call collected by direct debit,
    posted till sales and the grants"""
    env, database, password, _ = site
    run = subprocess.run([sys.executable, '-c',
            DEMO_COUNTS.replace('DATABASE', repr(database))],
        env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.split('\n')
    assert 'associates 50' in lines, run.stdout
    assert [l for l in lines if l.endswith('False')] == [], run.stdout


def test_rents_invoice_twice(site):
    """`ateliers rents invoice` on the demo: next month's rents are
    invoiced once, in batches of 2 leases (the rent run of the module,
    each batch run by the command in its own transaction); a second run
    finds them all already invoiced"""
    import datetime
    import re
    env, database, password, _ = site
    today = datetime.date.today()
    month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(
        day=1)
    if month.year != today.year:
        # The demo's fiscal year is this year's
        month = today.replace(day=1)
    command = [BIN / 'ateliers', 'rents', 'invoice', '--database', database,
        '--period', f'{month:%Y-%m}']
    first = subprocess.run(command + ['--batch-size', '2'], env=env,
        capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    created, already = map(int, re.search(
            r"(\d+) facture\(s\) créée\(s\).* (\d+) période\(s\) déjà",
            first.stdout).groups())
    assert created + already > 0, first.stdout
    second = subprocess.run(command, env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert (f"0 facture(s) créée(s) dont 0 comptabilisée(s), "
        f"{created + already} période(s) déjà facturée(s)") in second.stdout
