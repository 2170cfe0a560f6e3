"""Two trytond processes on one PostgreSQL database, as several workers
behind the reverse proxy would run (issue #17): the tills of one point of
sale send their checkouts through both at once; each sale is recorded
once, posted, and the inalterable chain has no gap nor break.  The
figures under load are bench/bench_frontline.py --servers 2."""
import concurrent.futures
import json
import os
import time
import urllib.error
import urllib.request
import uuid

import pytest
from smoke import BIN, POSTGRESQL, ROOT
from test_serve import free_port, server, wait_for  # noqa: F401

pytestmark = pytest.mark.skipif(not POSTGRESQL,
    reason="two processes share a database on PostgreSQL only (SQLite is "
    "one file of one process: not a production setup)")

PASSWORD = 'caisse-essai-2026'
HEADERS = {'Content-Type': 'application/json',
    'X-Requested-With': 'XMLHttpRequest'}
TILLS, SALES = 4, 3


def release(name, terminate=False):
    """Wait (30 s at most) until no other session uses the test database:
    this process's own pool is closed first, and with terminate the
    sessions left by earlier tests of the run are ended"""
    from trytond import backend
    from trytond.transaction import Transaction
    backend.Database(name).close()
    deadline = time.monotonic() + 30
    while True:
        with Transaction().start(
                None, 0, close=True, autocommit=True) as transaction:
            cursor = transaction.connection.cursor()
            others = ("FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()")
            cursor.execute(f"SELECT count(*) {others}", (name,))
            count, = cursor.fetchone()
            if count and terminate and time.monotonic() > deadline:
                cursor.execute(
                    f"SELECT pg_terminate_backend(pid) {others}", (name,))
                count = 0
        if not count or time.monotonic() > deadline:
            return
        time.sleep(0.2)


@pytest.fixture
def database():
    """A fresh test database with ptce_sectors (trytond's cache), dropped
    at the end once the servers' connections are gone"""
    from trytond.tests.test_tryton import DB_NAME, drop_db
    from trytond.tests.tools import activate_modules

    from ateliers.setup import setup_les_ateliers
    # The earlier tests of the run may still hold the test database that
    # the cache restore drops and makes again
    release(DB_NAME, terminate=True)
    config = activate_modules(['ptce_sectors'], setup_les_ateliers)
    yield DB_NAME, config
    release(DB_NAME)
    drop_db()


def start_trytond(server, tmp_path, database, port):  # noqa: F811
    """trytond with config/trytond.conf as docker-compose.yml runs it, and
    what the container provides in a later file"""
    from trytond import config
    local = tmp_path / f'local-{port}.conf'
    local.write_text(
        f"[web]\nlisten = 127.0.0.1:{port}\nroot = {tmp_path}\n"
        f"[database]\npath = {tmp_path}\n"
        "[ptce_sectors]\nchain_key_file = "
        f"{config.get('ptce_sectors', 'chain_key_file')}\n"
        f"archive_path = {tmp_path / 'archives'}\n")
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_'))}
    env['TRYTOND_DATABASE__URI'] = os.environ['TRYTOND_DATABASE__URI']
    process = server([BIN / 'trytond',
            '-c', ROOT / 'config' / 'trytond.conf', local,
            '--logconf', ROOT / 'config' / 'logging.conf',
            '-d', database], env)
    return process


class Till:
    "A till page: the session cookie, then JSON-RPC (as till/till.js)"

    def __init__(self, port, database, login):
        self.root = f'http://127.0.0.1:{port}/{database}/'
        self.context = {}
        response = self.post('session/login',
            {'params': [login, {'password': PASSWORD}, 'fr']})
        self.cookie = '; '.join(
            c.split(';', 1)[0] for c in response.headers.get_all(
                'Set-Cookie'))
        self.context = self.rpc('model.res.user.get_preferences', [True])

    def post(self, path, body, cookie=None):
        headers = dict(HEADERS, **({'Cookie': cookie} if cookie else {}))
        request = urllib.request.Request(self.root + path,
            data=json.dumps(body).encode(), headers=headers, method='POST')
        return urllib.request.urlopen(request, timeout=60)

    def rpc(self, method, params):
        with self.post('rpc/', {'id': 1, 'method': method,
                    'params': params + [self.context]},
                cookie=getattr(self, 'cookie', None)) as response:
            data = json.load(response)
        assert not data.get('error'), data['error']
        return data['result']


def test_two_servers_one_database(database, server, tmp_path):  # noqa: F811
    """Tills on two trytond processes check out on one point of sale at
    the same time: every sale once, posted, chained without a gap"""
    from proteus import Model

    from ateliers.setup import get_company
    from ptce_sectors.tests.tools import (
        create_categories,
        create_payment_methods,
        create_point,
        create_product,
        create_sectors,
    )
    name, config = database
    sectors = create_sectors(config)
    categories = create_categories(config)
    dish = create_product("Plat du jour", '14.50', categories['food'],
        sectors['CC'], meal_voucher=True, config=config)
    coffee = create_product("Café", '2.00', categories['goods'],
        sectors['CC'], config=config)
    restaurant = create_point("Restaurant", 'restaurant', sectors['CC'],
        config=config)
    methods = create_payment_methods(config)
    User = Model.get('res.user')
    Group = Model.get('res.group')
    cashier = User(name="Caisse", login='caisse')
    cashier.groups.extend(Group.find([('name', 'in',
                    ['Cashier', 'POS', 'POS Posting'])]))
    cashier.companies.append(get_company())
    cashier.company = get_company()
    cashier.password = PASSWORD
    cashier.save()

    ports = [free_port(), free_port()]
    processes = [start_trytond(server, tmp_path, name, p) for p in ports]
    for port, process in zip(ports, processes):
        wait_for(f'http://127.0.0.1:{port}/{name}/pos/static/till.css',
            process)
    tills = [Till(ports[i % 2], name, 'caisse') for i in range(TILLS)]

    order = {
        'lines': [
            {'product': dish.id, 'quantity': '2'},
            {'product': coffee.id, 'quantity': '1'}],
        'payments': [{'method': methods['cash'].id, 'amount': '31.00'}],
        'covers': 2}
    resent = []

    def ring_up(till):
        """The till's sales, one after the other: 2 dishes and a coffee.
        A 503 (the posting lock still held by the other server after the
        retries of [database] retry) is sent again with the same key, as
        till.js does with the sales it keeps"""
        keys = []
        for _ in range(SALES):
            key, receipt = str(uuid.uuid4()), None
            for _attempt in range(10):
                try:
                    receipt = till.rpc('model.sale.point.sale.till_checkout',
                        [restaurant.id, order, key])
                    break
                except urllib.error.HTTPError as error:
                    if error.code != 503:
                        raise
                    resent.append(key)
                    time.sleep(0.5)
            assert receipt and receipt['state'] == 'posted', key
            keys.append((key, receipt['id'], receipt['chain_number']))
        return keys
    with concurrent.futures.ThreadPoolExecutor(TILLS) as executor:
        answered = [k for keys in executor.map(ring_up, tills) for k in keys]
    print(f"{len(answered)} sales, {len(resent)} sent again after a 503")

    Sale = Model.get('sale.point.sale')
    sales = Sale.find([('point', '=', restaurant.id)])
    assert len(sales) == TILLS * SALES
    assert sorted(s.till_key for s in sales) == sorted(
        k for k, _, _ in answered)
    assert {s.state for s in sales} == {'posted'}
    assert sorted(s.chain_number for s in sales) == list(
        range(1, TILLS * SALES + 1))
    # Each till was told the number its sale kept
    assert {s.id: s.chain_number for s in sales} == {
        i: n for _, i, n in answered}
    result, = Sale.verify_chain([restaurant.id], config.context)
    assert result['broken'] is None, result
    assert result['sales'] == TILLS * SALES
