"""Front-line load benchmark: the till and the member portal under
concurrent clients, trytond run as in production, on PostgreSQL.

    .venv/bin/python bench/bench_frontline.py [--database bench_frontline]
        [--reuse] [--clients 20] [--seconds 30] [--think 0]
        [--servers 1|2] [--points shared|distinct] [--portal-clients N]
        [--home DIR] [--profile FILE]

The demo database is made by `ateliers init --database X --demo` (about 5
minutes; --reuse keeps the one of a previous run).  trytond and
trytond-worker -n 2 run with config/trytond.conf and config/logging.conf
as docker-compose.yml starts them (`[queue] worker = True`, pools of
maxconn 10), plus a second file with what the containers provide (the
listen address, the folders of this machine and the sealing key): no
nginx in front.  The clients talk to trytond as the pages do:

- a till logs in with POST /<db>/session/login (the session cookie) and
  calls the JSON-RPC the way till/till.js does.  The page keeps the order
  in the browser and sends it paid in one call (till_checkout); the
  server's pos_add_line is not exposed by RPC, so "adding a line" is
  measured as the smallest call the till sends, the checkout of a 1-line
  order ("pos: 1 ligne").  Then a 3-line order paid cash ("pos: 3 lignes
  espèces") and one split between a meal voucher and a card ("pos: 3
  lignes TR + CB"), each recorded, paid, processed and posted into the
  inalterable chain in one request;
- a member logs in to the portal (POST /<db>/portal/login) and reads
  "Mes factures" (GET /<db>/portal/invoices) and "Réserver une salle"
  (GET /<db>/portal/bookings).

Each client is a thread with its own HTTP session; it sends its next
request when the previous one is answered, after --think seconds.  Half
of the clients are members on the portal (--portal-clients), the others
are tills.  --points shared: every till on the demo's restaurant (two
tills, several cashiers: the posting locks the point's chain, they wait
for each other); distinct: one point of sale per till (copies of it).

--servers 2: two trytond processes on the same database (two ports, the
tills split between them, no portal), then the checks: every checkout
answered is recorded once, posted and chained, `ateliers pos verify`
passes and the chain numbers of each point are contiguous.

Prints p50, p95, max, count and errors of each action and whether the
targets of issue #16 are met: till actions p95 < 150 ms, pages p95 <
300 ms, no request error.  --profile FILE runs the (first) trytond under
cProfile and writes its statistics to FILE at the end.
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from decimal import Decimal

import harness

ROOT = pathlib.Path(harness.ROOT)
BIN = pathlib.Path(sys.executable).parent
CACHE = pathlib.Path(os.environ.get(
        'ATELIERS_CACHE', ROOT / '.cache'))
PASSWORD = 'banc-essai-2026'
HEADERS = {'Content-Type': 'application/json',
    'X-Requested-With': 'XMLHttpRequest'}
POS_TARGET, PAGE_TARGET = 0.150, 0.300
POS_ACTIONS = ['pos: 1 ligne', 'pos: 3 lignes espèces',
    'pos: 3 lignes TR + CB']
GROUPS = ['Cashier', 'POS', 'POS Posting']
PAGE_ACTIONS = ['portail: mes factures', 'portail: réserver une salle']


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.strip().splitlines()[0])
    parser.add_argument('--database', default='bench_frontline')
    parser.add_argument('--reuse', action='store_true',
        help="keep the database of a previous run when it exists")
    parser.add_argument('--home', type=pathlib.Path,
        default=CACHE / 'bench-frontline',
        help="data folder of the tool (ATELIERS_HOME: admin password, "
        "sealing key, archives, server logs)")
    parser.add_argument('--clients', type=int, default=20)
    parser.add_argument('--seconds', type=float, default=30)
    parser.add_argument('--think', type=float, default=0,
        help="seconds a client waits between two requests")
    parser.add_argument('--servers', type=int, choices=[1, 2], default=1)
    parser.add_argument('--points', choices=['shared', 'distinct'],
        default='shared')
    parser.add_argument('--portal-clients', type=int,
        help="clients on the portal (default: half; none with --servers 2)")
    parser.add_argument('--why', action='store_true',
        help="log why a request failed (trytond.wsgi at DEBUG level in "
        "the server logs of --home)")
    parser.add_argument('--profile', type=pathlib.Path,
        help="after the load, profile (cProfile, statistics to FILE) 20 "
        "checkouts of 3 lines run in-process as the RPC dispatcher runs "
        "them (one transaction each, restarted for the posting locks)")
    return parser.parse_args()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def tool_env(home):
    "The environment of the ateliers command (as tests/smoke.py)"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_', 'ATELIERS_'))}
    env.update(ATELIERS_HOME=str(home),
        TRYTOND_DATABASE__URI=harness.pg_uri(),
        TRYTOND_DATABASE__PATH=str(home / 'db'))
    return env


def ateliers(env, *args, check=True):
    run = subprocess.run([BIN / 'ateliers', *map(str, args)], env=env,
        capture_output=True, text=True)
    if check and run.returncode:
        sys.exit(f"ateliers {' '.join(map(str, args))} failed:\n"
            f"{run.stdout}{run.stderr}")
    return run


def database_exists(env, database):
    run = subprocess.run([sys.executable, '-c',
            'import sys\n'
            'from ateliers import environment\n'
            'environment.prepare()\n'
            'print(environment.database_exists(sys.argv[1]))', database],
        env=env, capture_output=True, text=True, check=True)
    return run.stdout.strip() == 'True'


def build_database(args, env):
    "The demo database (made again unless --reuse finds it)"
    if args.reuse and database_exists(env, args.database):
        print(f"base {args.database} réutilisée")
        return
    start = time.monotonic()
    ateliers(env, 'init', '--database', args.database, '--demo', '--reset')
    print(f"base {args.database} créée (ateliers init --demo) en "
        f"{time.monotonic() - start:.0f} s")


class Servers:
    """trytond (one or two) and trytond-worker -n 2 started as
    docker-compose.yml does, with config/trytond.conf"""

    def __init__(self, args, env):
        self.args, self.env = args, env
        self.processes = []
        self.logs = args.home / 'logs'
        self.logs.mkdir(parents=True, exist_ok=True)

    def local_config(self, port):
        """What the containers provide instead of the image: the listen
        address, the folders of this machine and the sealing key (a later
        file wins)"""
        home = self.args.home
        path = home / f'local-{port}.conf'
        (home / 'web').mkdir(exist_ok=True)
        (home / 'web' / 'index.html').write_text('<html>sao</html>')
        path.write_text(
            f"[web]\nlisten = 127.0.0.1:{port}\nroot = {home / 'web'}\n"
            f"[database]\npath = {home / 'db'}\n"
            f"[ptce_sectors]\nchain_key_file = {home / 'pos-chain.key'}\n"
            f"archive_path = {home / 'pos-archives'}\n")
        return path

    def logging_config(self):
        path = ROOT / 'config' / 'logging.conf'
        if not self.args.why:
            return path
        # The tracebacks of the failed requests: trytond logs them at DEBUG
        text = path.read_text().replace('keys = root', 'keys = root,wsgi')
        debug = self.args.home / 'logging-why.conf'
        debug.write_text(text + '\n[logger_wsgi]\nlevel = DEBUG\n'
            'handlers = console\nqualname = trytond.wsgi\npropagate = 0\n')
        return debug

    def command(self, name, port, extra=()):
        return [BIN / name, '-c', ROOT / 'config' / 'trytond.conf',
            self.local_config(port), '--logconf', self.logging_config(),
            '-d', self.args.database, *extra]

    def start(self, name, port, extra=()):
        command = self.command(name, port, extra)
        log = open(self.logs / f'{name}-{port}.log', 'w')
        # A session of its own: the worker's pool processes are stopped
        # with it (they outlived it otherwise)
        process = subprocess.Popen(command, env=self.env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def up(self):
        "Start the servers; return their ports once they answer"
        ports = [free_port() for _ in range(self.args.servers)]
        for port in ports:
            self.start('trytond', port)
        self.start('trytond-worker', ports[0], ['-n', '2'])
        for port in ports:
            wait_for(f'http://127.0.0.1:{port}/{self.args.database}'
                '/pos/static/till.css', self.processes)
        return ports

    def down(self):
        for process in self.processes:
            os.killpg(process.pid, signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                pass
            # What is left of its group (the worker's pool)
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def wait_for(url, processes, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                sys.exit(f"a server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer in {timeout} s")


def admin_config(port, database, home):
    from proteus import config as pconfig
    password = (home / f'{database}.admin-password').read_text().strip()
    return pconfig.set_xmlrpc(
        f'http://admin:{password}@127.0.0.1:{port}/{database}/rpc/')


def set_up(config, args, tills, members):
    """Through proteus as admin: the cashiers' logins, the points of sale
    (the demo's restaurant, or copies of it), the web users of parties
    with posted invoices (rents posted when there are none).  Return
    (cashiers, points, catalog, web users)."""
    from proteus import Model
    User = Model.get('res.user', config=config)
    Group = Model.get('res.group', config=config)
    Point = Model.get('sale.point', config=config)
    Company = Model.get('company.company', config=config)
    # The groups of scenario_till.rst, by their English names
    with config.set_context(language='en'):
        groups = [g.id for g in Group.find([('name', 'in', GROUPS)])]
    assert len(groups) == len(GROUPS), groups
    company = Company(config.context['company'])
    cashiers = []
    for i in range(tills):
        login = f'banc-caisse-{i:02d}'
        users = User.find([('login', '=', login)])
        if users:
            user, = users
        else:
            user = User(name=f"Caisse banc {i:02d}", login=login)
            user.groups.extend([Group(g) for g in groups])
            user.companies.append(Company(company.id))
            user.company = Company(company.id)
        user.password = PASSWORD
        user.save()
        cashiers.append(login)

    restaurant, = Point.find([('kind', '=', 'restaurant')], limit=1)
    if args.points == 'shared':
        points = [restaurant.id] * tills
    else:
        # Each copy with a sequence of its own, as every point of sale
        # has (the sale number is locked per sequence)
        Sequence = Model.get('ir.sequence.strict', config=config)
        points = []
        for i in range(tills):
            name = f"Caisse de banc {i:02d}"
            found = Point.find([('name', '=', name)])
            if not found:
                sequence, = Sequence.duplicate(
                    [restaurant.sequence], {'name': name})
                found = Point.duplicate([restaurant], {
                        'name': name, 'sequence': sequence.id})
            points.append(found[0].id)
    catalog = Point.till_catalog([restaurant.id], config.context)
    return cashiers, points, catalog, portal_users(config, args, members)


def portal_users(config, args, count):
    """Web users (one per portal client) of the parties that have posted
    customer invoices: the list of "Mes factures" is not empty"""
    from proteus import Model
    if not count:
        return []
    Invoice = Model.get('account.invoice', config=config)
    WebUser = Model.get('web.user', config=config)

    def parties():
        invoices = Invoice.find([
                ('type', '=', 'out'), ('state', 'in', ['posted', 'paid'])])
        return sorted({i.party.id for i in invoices})
    found = parties()
    if not found:
        # The rents of the month, posted (batches run by the worker)
        month = datetime.date.today().replace(day=1)
        run = ateliers(tool_env(args.home), 'rents', 'invoice',
            '--database', args.database, '--period', f'{month:%Y-%m}',
            '--post')
        print(run.stdout.strip())
        deadline = time.monotonic() + 300
        while not found and time.monotonic() < deadline:
            time.sleep(2)
            found = parties()
    if not found:
        sys.exit("no party with posted invoices for the portal")
    print(f"{len(found)} tiers avec des factures validées pour le portail")
    Party = Model.get('party.party', config=config)
    users = []
    for i in range(count):
        email = f'banc-portail-{i:02d}@example.org'
        existing = WebUser.find([('email', '=', email)])
        user = existing[0] if existing else WebUser(email=email)
        user.party = Party(found[i % len(found)])
        user.password = PASSWORD
        user.save()
        users.append(email)
    return users


class Recorder:
    "Latencies and errors per action, from every client thread"

    def __init__(self):
        self.lock = threading.Lock()
        self.times = {}
        self.errors = {}
        self.samples = {}
        self.recorded = []  # (key, point, receipt) of the checkouts
        self.failed = []  # keys of the checkouts answered by an error

    def add(self, action, seconds, error=None):
        with self.lock:
            self.times.setdefault(action, [])
            self.errors.setdefault(action, 0)
            if error:
                self.errors[action] += 1
                self.samples.setdefault(action, str(error)[:300])
            else:
                self.times[action].append(seconds)


def timed(recorder, action, function):
    start = time.perf_counter()
    try:
        result = function()
    except Exception as error:
        recorder.add(action, time.perf_counter() - start, error)
        return None
    recorder.add(action, time.perf_counter() - start)
    return result


def till_client(base, database, login, point, catalog, recorder, ready,
        think):
    """A till: logs in, then (once every client is ready) sends its
    checkouts in turn until the end"""
    import requests
    http = requests.Session()
    root = f'{base}/{database}/'
    response = http.post(root + 'session/login', headers=HEADERS,
        data=json.dumps({'params': [login, {'password': PASSWORD}, 'fr']}))
    response.raise_for_status()
    cookie = '; '.join(f'{k}={v}' for k, v in response.cookies.items())
    headers = dict(HEADERS, Cookie=cookie)
    rpc_id = [0]

    def rpc(method, params):
        rpc_id[0] += 1
        response = http.post(root + 'rpc/', headers=headers,
            data=json.dumps({'id': rpc_id[0], 'method': method,
                    'params': params + [context]}), timeout=60)
        response.raise_for_status()
        data = response.json()
        if data.get('error'):
            raise RuntimeError(data['error'])
        return data['result']
    # The page sends the user's preferences as context with every call
    context = {}
    context = rpc('model.res.user.get_preferences', [True])

    products = catalog['products']
    food = [p for p in products if p['meal_voucher']] or products
    cash = next(m for m in catalog['methods'] if m['cash'])
    voucher = next((m for m in catalog['methods'] if m['meal_voucher']),
        None)
    card = next((m for m in catalog['methods']
            if not m['cash'] and not m['meal_voucher']), cash)
    cap = Decimal(catalog['meal_voucher_cap'] or '1000000')
    orders = []
    # 1 line paid cash (the smallest request the till sends)
    one = food[0]
    orders.append((POS_ACTIONS[0], [one], lambda total, eligible: [
                (cash, total)], 1))
    three = [food[0], food[1 % len(food)], products[-1]]
    orders.append((POS_ACTIONS[1], three, lambda total, eligible: [
                (cash, total)], 2))

    def split(total, eligible):
        if voucher is None:
            return [(card, total)]
        part = min(cap, eligible)
        return [(voucher, part), (card, total - part)]
    orders.append((POS_ACTIONS[2], three, split, 2))

    turn, until = 0, ready()
    while time.monotonic() < until:
        action, lines, payments, covers = orders[turn % len(orders)]
        turn += 1
        total = sum(Decimal(p['price']) for p in lines)
        eligible = sum(Decimal(p['price']) for p in lines
            if p['meal_voucher'])
        key = str(uuid.uuid4())
        order = {
            'lines': [{'product': p['id'], 'quantity': '1', 'note': ''}
                for p in lines],
            'payments': [{'method': m['id'], 'amount': str(a)}
                for m, a in payments(total, eligible) if a],
            'table': '', 'covers': covers, 'tip': '0',
            }
        receipt = timed(recorder, action, lambda: rpc(
                'model.sale.point.sale.till_checkout',
                [point, order, key]))
        with recorder.lock:
            if receipt:
                recorder.recorded.append((key, point, receipt))
            else:
                recorder.failed.append(key)
        if think:
            time.sleep(think)


def portal_client(base, database, email, recorder, ready, think):
    """A member on the portal: logs in, then (once every client is ready)
    reads its two pages in turn until the end"""
    import requests
    http = requests.Session()
    root = f'{base}/{database}/portal/'
    response = http.post(root + 'login', allow_redirects=False,
        data={'email': email, 'password': PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"portal login of {email}: "
            f"{response.status_code}")
    # The cookie is Secure: sent by hand over plain HTTP on loopback
    cookie = '; '.join(f'{k}={v}' for k, v in response.cookies.items())
    pages = [(PAGE_ACTIONS[0], 'invoices', 'Mes factures'),
        (PAGE_ACTIONS[1], 'bookings', 'Réserver une salle')]

    def get(path, title):
        response = http.get(root + path, headers={'Cookie': cookie},
            allow_redirects=False, timeout=60)
        if response.status_code != 200 or title not in response.text:
            raise RuntimeError(f"GET {path}: {response.status_code}")
    turn, until = 0, ready()
    while time.monotonic() < until:
        action, path, title = pages[turn % len(pages)]
        turn += 1
        timed(recorder, action, lambda: get(path, title))
        if think:
            time.sleep(think)


def run_load(args, ports, cashiers, points, catalog, members):
    """Every client logs in, then they all start together and run for
    --seconds; the logins are not measured"""
    recorder = Recorder()
    threads, failures = [], []
    deadline = []
    # The clock starts once every client has logged in
    barrier = threading.Barrier(len(cashiers) + len(members) + 1,
        action=lambda: deadline.append(time.monotonic() + args.seconds))

    def ready():
        barrier.wait()
        return deadline[0]

    def run(target, *params):
        try:
            target(*params, recorder, ready, args.think)
        except Exception as error:
            failures.append(error)
            barrier.abort()
    for i, (login, point) in enumerate(zip(cashiers, points)):
        base = f'http://127.0.0.1:{ports[i % len(ports)]}'
        threads.append(threading.Thread(target=run, args=(
                    till_client, base, args.database, login, point,
                    catalog)))
    for i, email in enumerate(members):
        base = f'http://127.0.0.1:{ports[i % len(ports)]}'
        threads.append(threading.Thread(target=run, args=(
                    portal_client, base, args.database, email)))
    for thread in threads:
        thread.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    start = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    for error in failures:
        print(f"!! client failed: {error!r}")
    return recorder, elapsed, failures


def percentile(values, fraction):
    values = sorted(values)
    if not values:
        return float('nan')
    index = min(len(values) - 1, max(0, round(fraction * len(values)) - 1))
    return values[index]


def report(recorder, elapsed, args):
    print(f"\n{args.clients} clients, {args.seconds:g} s "
        f"({elapsed:.1f} s réels), {args.servers} trytond, points "
        f"{args.points}, réflexion {args.think:g} s, charge machine "
        f"{os.getloadavg()[0]:.1f}")
    print(f"{'action':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'nombre':>7} {'erreurs':>7} {'/s':>6}  objectif")
    met = True
    for action in POS_ACTIONS + PAGE_ACTIONS:
        if action not in recorder.times:
            continue
        times = recorder.times[action]
        errors = recorder.errors[action]
        target = POS_TARGET if action in POS_ACTIONS else PAGE_TARGET
        p95 = percentile(times, 0.95)
        ok = bool(times) and p95 < target and not errors
        met &= ok
        print(f"{action:32} {percentile(times, 0.5) * 1000:8.0f} "
            f"{p95 * 1000:8.0f} {max(times, default=0) * 1000:8.0f} "
            f"{len(times):7d} {errors:7d} {len(times) / elapsed:6.1f}  "
            f"p95 < {target * 1000:.0f} ms {'atteint' if ok else 'MANQUÉ'}")
    for action, sample in recorder.samples.items():
        print(f"   erreur {action}: {sample}")
    print("objectifs atteints" if met else "objectifs MANQUÉS")
    return met


def check_two_servers(config, args, recorder):
    """Every checkout answered is one posted sale, chained; pos verify
    passes; the chain numbers of each point are contiguous"""
    from proteus import Model
    Sale = Model.get('sale.point.sale', config=config)
    ok = True
    keys = [k for k, _, _ in recorder.recorded]
    found = {}
    for i in range(0, len(keys), 500):
        for sale in Sale.find([('till_key', 'in', keys[i:i + 500])]):
            found.setdefault(sale.till_key, []).append(sale)
    once = sum(1 for k in keys if len(found.get(k, [])) == 1)
    posted = sum(1 for sales in found.values() for s in sales
        if s.state == 'posted' and s.chain_number)
    print(f"ventes répondues {len(keys)}, enregistrées une fois {once}, "
        f"validées et chaînées {posted}")
    ok &= once == len(keys) == posted
    # A checkout answered by an error left nothing (its transaction was
    # rolled back): the till keeps it and sends it again with its key
    left = Sale.find([('till_key', 'in', recorder.failed[:1000])])
    print(f"ventes en erreur {len(recorder.failed)}, enregistrées "
        f"quand même {len(left)}")
    ok &= not left
    for point in sorted({p for _, p, _ in recorder.recorded}):
        numbers = sorted(s.chain_number for s in Sale.find([
                    ('point', '=', point), ('chain_number', '!=', None)]))
        contiguous = numbers == list(range(1, len(numbers) + 1))
        print(f"point {point}: numéros 1..{numbers[-1] if numbers else 0} "
            f"({len(numbers)} ventes) {'contigus' if contiguous else 'TROUS'}")
        ok &= contiguous
    run = ateliers(tool_env(args.home), 'pos', 'verify', '--database',
        args.database, check=False)
    print(f"ateliers pos verify: code {run.returncode}")
    print(re.sub('^', '   ', (run.stdout + run.stderr).strip(),
            flags=re.M))
    ok &= run.returncode == 0
    print("vérifications réussies" if ok else "vérifications ÉCHOUÉES")
    return ok


PROFILE = """
import cProfile, json, pstats, sys, time
from trytond import config
config.update_etc(sys.argv[1:3])
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError
database, login, point, order, output = sys.argv[3:8]
order = json.loads(order)
Pool(database).init()
with Transaction().start(database, 0) as transaction:
    User = Pool(database).get('res.user')
    user, = User.search([('login', '=', login)])
    user = user.id
with Transaction().start(database, user) as transaction:
    context = Pool(database).get('res.user').get_preferences(True)
pool = Pool(database)
Sale = pool.get('sale.point.sale')
profile = cProfile.Profile()
times, cpus, restarts = [], [], []
for i in range(21):
    if i == 1:  # the first one fills the caches
        profile.enable()
    start, cpu = time.perf_counter(), time.process_time()
    extras = {}
    while True:
        with Transaction().start(database, user, context=context,
                **extras) as transaction:
            try:
                Sale.till_checkout(int(point), order, f'profil-{time.time()}')
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)
                if i == 1:
                    restarts.append(getattr(error, '_table', repr(error)))
                continue
            transaction.commit()
        break
    times.append(time.perf_counter() - start)
    cpus.append(time.process_time() - cpu)
profile.disable()
profile.dump_stats(output)
times = sorted(times[1:])
print(f"un encaissement recommence {len(restarts)} fois sa transaction "
    f"pour prendre les verrous : {', '.join(restarts)}")
print(f"encaissement de 3 lignes seul, en processus : médiane "
    f"{times[len(times) // 2] * 1000:.0f} ms, min {times[0] * 1000:.0f} ms, "
    f"temps processeur de Python (sans l'attente de PostgreSQL) médian "
    f"{sorted(cpus[1:])[len(cpus) // 2] * 1000:.0f} ms")
stats = pstats.Stats(output)
stats.sort_stats('cumulative').print_stats(40)
"""


def profile_checkouts(args, servers, port, login, point, catalog):
    "cProfile of 20 checkouts of 3 lines paid cash, in-process"
    products = catalog['products']
    food = [p for p in products if p['meal_voucher']] or products
    lines = [food[0], food[1 % len(food)], products[-1]]
    cash = next(m for m in catalog['methods'] if m['cash'])
    order = {
        'lines': [{'product': p['id'], 'quantity': '1'} for p in lines],
        'payments': [{'method': cash['id'], 'amount': str(
                    sum(Decimal(p['price']) for p in lines))}],
        'covers': 2}
    run = subprocess.run([sys.executable, '-c', PROFILE,
            str(ROOT / 'config' / 'trytond.conf'),
            str(servers.local_config(port)), args.database, login,
            str(point), json.dumps(order), str(args.profile)],
        env=servers.env, capture_output=True, text=True)
    if run.returncode:
        print(run.stderr[-3000:])
    text = run.stdout
    print(text[:text.find('ncalls') + 6000] if 'ncalls' in text else text)


def main():
    args = parse_args()
    args.home = args.home.absolute()
    args.home.mkdir(parents=True, exist_ok=True)
    env = tool_env(args.home)
    build_database(args, env)
    portal = args.portal_clients
    if portal is None:
        portal = 0 if args.servers == 2 else args.clients // 2
    tills = args.clients - portal
    servers = Servers(args, {k: v for k, v in env.items()
            if k != 'TRYTOND_DATABASE__PATH'})
    ok = True
    try:
        ports = servers.up()
        config = admin_config(ports[0], args.database, args.home)
        cashiers, points, catalog, members = set_up(
            config, args, tills, portal)
        recorder, elapsed, failures = run_load(
            args, ports, cashiers, points, catalog, members)
        ok &= report(recorder, elapsed, args) and not failures
        if args.servers == 2:
            ok &= check_two_servers(config, args, recorder)
        if args.profile and cashiers:
            profile_checkouts(args, servers, ports[0], cashiers[0],
                points[0], catalog)
    finally:
        servers.down()
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
