"""The production set-up read from its files: docker-compose.yml,
config/trytond.conf, config/nginx.conf and the Dockerfile agree (HTTPS,
proxy headers, connection budget of PostgreSQL, sessions), and nginx
accepts its configuration and answers as intended when it is installed
(the tests that need it skip otherwise)."""
import base64
import configparser
import hashlib
import http.server
import json
import os
import pathlib
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).parent.parent
CONFIG = ROOT / 'config'
NGINX = (CONFIG / 'nginx.conf').read_text()
CACHE = pathlib.Path(os.environ.get('ATELIERS_CACHE', ROOT / '.cache'))
# The superuser_reserved_connections default of PostgreSQL
RESERVED = 3
# Connections left for ateliers init, trytond-admin, backups and psql
HEADROOM = 20


@pytest.fixture(scope='module')
def compose():
    yaml = pytest.importorskip(
        'yaml', reason="PyYAML (test extra) reads docker-compose.yml")
    return yaml.safe_load((ROOT / 'docker-compose.yml').read_text())


@pytest.fixture(scope='module')
def trytond_conf():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(CONFIG / 'trytond.conf')
    return parser


def processes(command):
    """Processes a trytond service runs and so connection pools: trytond
    one (threads), cron and worker a parent plus -n children (without -n,
    one per CPU: unbounded)"""
    name, *args = command
    if name == 'trytond':
        return 1
    assert name in {'trytond-cron', 'trytond-worker'}, command
    assert '-n' in args, f"{name} without -n runs one process per CPU"
    return 1 + int(args[args.index('-n') + 1])


def test_connections_fit_postgresql(compose, trytond_conf):
    """The pools of all trytond processes fit in max_connections, with
    headroom"""
    command = compose['services']['postgres']['command']
    settings = dict(arg.split('=', 1) for arg in command if '=' in arg)
    max_connections = int(settings['max_connections'])
    maxconn = trytond_conf.getint('database', 'maxconn')
    assert trytond_conf.getint('database', 'minconn') <= maxconn
    services = {name: service for name, service in compose['services'].items()
        if service.get('image') == 'les-ateliers-erp:8.0'
        and name != 'init'}
    assert set(services) == {'trytond', 'cron', 'worker'}
    for service in services.values():
        # A service could raise its own pool above the file's
        assert 'TRYTOND_DATABASE__MAXCONN' not in service.get(
            'environment', {})
    total = sum(processes(s['command']) for s in services.values()) * maxconn
    assert total == 60
    assert total + HEADROOM <= max_connections - RESERVED, (
        total, max_connections)


def test_trytond_conf(trytond_conf):
    "Database list off, one proxy trusted, sessions limited, throttling"
    assert trytond_conf.getboolean('database', 'list') is False
    assert trytond_conf.getint('web', 'num_proxies') == 1
    assert 0 < trytond_conf.getint('session', 'timeout') <= 3600
    assert trytond_conf.getint('session', 'timeout') <= (
        trytond_conf.getint('session', 'max_age'))
    assert 1 <= trytond_conf.getint('session', 'max_attempt') <= 10
    assert trytond_conf.getint('session', 'max_attempt_ip_network') > 0


def test_sealing_key_outside_database(compose, trytond_conf):
    """Every trytond service signs the tills with the key of a secret, and
    the closings' archives go to a volume of their own"""
    key = trytond_conf.get('ptce_sectors', 'chain_key_file')
    assert key == '/run/secrets/pos_chain_key'
    assert compose['secrets']['pos_chain_key']['file'] == (
        './secrets/pos_chain.key')
    archives = trytond_conf.get('ptce_sectors', 'archive_path')
    for name in ['init', 'trytond', 'cron', 'worker']:
        service = compose['services'][name]
        assert 'pos_chain_key' in service['secrets'], name
        assert f'posarchives:{archives}' in service['volumes'], name
    assert trytond_conf.getint('database', 'retry') >= 10


def headers():
    "The add_header directives of the HTTPS server: name -> value"
    https = NGINX[NGINX.index('listen 443'):]
    return {name.lower(): value for name, value in re.findall(
            r'add_header\s+(\S+)\s+"([^"]*)"\s+always;', https)}


def test_nginx_https(compose):
    """HTTPS with the certificate mounted read-only, port 80 redirected,
    the proxy headers trytond trusts set by nginx"""
    web = compose['services']['web']
    assert './secrets/tls:/etc/nginx/tls:ro' in web['volumes']
    assert './config/nginx.conf:/etc/nginx/conf.d/default.conf:ro' in (
        web['volumes'])
    assert sorted(web['ports']) == ['443:443', '80:80']
    assert re.search(r'listen 443 ssl;', NGINX)
    assert 'ssl_certificate /etc/nginx/tls/fullchain.pem;' in NGINX
    assert 'ssl_certificate_key /etc/nginx/tls/privkey.pem;' in NGINX
    http = NGINX[:NGINX.index('listen 443')]
    assert 'listen 80;' in http
    assert 'return 301 https://$host$request_uri;' in http
    upstream, = re.findall(r'proxy_pass http://([\w-]+):(\d+);', NGINX)
    assert upstream[0] in compose['services']
    assert upstream[1] in compose['services'][upstream[0]]['expose']
    for header, value in [
            ('X-Forwarded-For', '$proxy_add_x_forwarded_for'),
            ('X-Forwarded-Proto', '$scheme'),
            ('X-Forwarded-Host', '$host')]:
        assert f'proxy_set_header {header} {value};' in NGINX


def test_nginx_security_headers():
    found = headers()
    assert re.fullmatch(r'max-age=\d{7,}.*',
        found['strict-transport-security'])
    assert found['x-content-type-options'] == 'nosniff'
    assert found['x-frame-options'] == 'SAMEORIGIN'
    assert found['referrer-policy'] in {'same-origin', 'no-referrer',
        'strict-origin-when-cross-origin'}
    csp = dict(
        (d.split()[0], d.split()[1:])
        for d in found['content-security-policy'].split('; '))
    assert csp['default-src'] == ["'self'"]
    assert csp['frame-ancestors'] == ["'self'"]
    # sao evaluates PYSON with eval; inline scripts only by hash
    assert "'unsafe-eval'" in csp['script-src']
    assert "'unsafe-inline'" not in csp['script-src']
    assert csp['connect-src'] == ["'self'"]


def sao_pinned():
    dockerfile = (ROOT / 'Dockerfile').read_text()
    version, = re.findall(r'ARG SAO_VERSION=(\S+)', dockerfile)
    assert 'tryton-sao@${SAO_VERSION}' in dockerfile
    return version


def inline_script_hashes(index):
    return {'sha256-' + base64.b64encode(
            hashlib.sha256(script.encode()).digest()).decode()
        for script in re.findall(
            r'<script(?: type="text/javascript")?>(.*?)</script>', index,
            re.S)}


def test_csp_allows_sao():
    """The inline script of the web client the image installs is allowed
    by its hash (checked on a tryton-sao of that version found here)"""
    version = sao_pinned()
    assert re.fullmatch(r'8\.0\.\d+', version), "pin an exact 8.0 version"
    for folder in [CACHE / 'sao' / 'package', ROOT / 'var' / 'sao' /
            'package', pathlib.Path('/opt/sao/package')]:
        package = folder / 'package.json'
        if (package.exists() and json.loads(package.read_text())['version']
                == version):
            break
    else:
        pytest.skip(f"no tryton-sao {version} here to read its index.html")
    csp = headers()['content-security-policy']
    hashes = inline_script_hashes((folder / 'index.html').read_text())
    assert hashes
    for digest in hashes:
        assert f"'{digest}'" in csp, (digest, version)


# -- nginx itself, when installed --

needs_nginx = pytest.mark.skipif(
    not (shutil.which('nginx') or os.path.exists('/usr/sbin/nginx'))
    or not shutil.which('openssl'),
    reason="nginx and openssl are not installed (e.g. Debian's nginx-light)")


def nginx_bin():
    return shutil.which('nginx') or '/usr/sbin/nginx'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def nginx_setup(tmp_path, upstream, http_port=80, https_port=443):
    """A main nginx.conf in tmp_path including config/nginx.conf with a
    self-signed certificate, the upstream mapped to a local address and
    optionally other ports"""
    tls = tmp_path / 'tls'
    tls.mkdir()
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
            '-nodes', '-days', '1', '-subj', '/CN=localhost',
            '-keyout', tls / 'privkey.pem', '-out', tls / 'fullchain.pem'],
        check=True, capture_output=True)
    site = (NGINX.replace('/etc/nginx/tls/', f'{tls}/')
        .replace('http://trytond:8000', f'http://{upstream}')
        .replace('listen 80;', f'listen 127.0.0.1:{http_port};')
        .replace('listen 443 ssl;', f'listen 127.0.0.1:{https_port} ssl;'))
    (tmp_path / 'default.conf').write_text(site)
    temp = ''.join(f'{name}_temp_path {tmp_path}/{name};\n' for name in [
            'client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    main = tmp_path / 'nginx.conf'
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"access_log off;\n{temp}"
        f"include {tmp_path}/default.conf;\n"
        "}\n")
    return main


@needs_nginx
def test_nginx_syntax(tmp_path):
    "nginx -t accepts the configuration as docker-compose.yml mounts it"
    main = nginx_setup(tmp_path, '127.0.0.1:8000')
    run = subprocess.run([nginx_bin(), '-t', '-c', main, '-p', tmp_path],
        capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert 'syntax is ok' in run.stderr


class Upstream(http.server.BaseHTTPRequestHandler):
    "Answers with the request headers it got, as JSON"

    def do_GET(self):
        body = json.dumps(dict(self.headers.items())).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@needs_nginx
def test_nginx_answers(tmp_path):
    """nginx run on free ports: HTTP redirects to HTTPS, HTTPS answers
    with the security headers and passes the scheme and the client address
    to trytond (here a stand-in), a spoofed X-Forwarded-Proto is replaced"""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    main = nginx_setup(tmp_path, f'127.0.0.1:{server.server_port}',
        http_port, https_port)
    nginx = subprocess.Popen([nginx_bin(), '-c', main, '-p', tmp_path,
            '-g', 'daemon off;'], stderr=subprocess.PIPE)
    try:
        context = ssl.create_default_context(
            cafile=tmp_path / 'tls' / 'fullchain.pem')
        context.check_hostname = False
        opener = urllib.request.build_opener(NoRedirect)
        deadline = time.monotonic() + 10
        while True:
            try:
                with opener.open(f'http://127.0.0.1:{http_port}/a?b=1',
                        timeout=5) as response:
                    status, location = response.status, None
                break
            except urllib.error.HTTPError as error:
                status, location = error.code, error.headers['Location']
                break
            except OSError:
                assert nginx.poll() is None, nginx.stderr.read()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert status == 301
        assert location == 'https://127.0.0.1/a?b=1'
        request = urllib.request.Request(
            f'https://127.0.0.1:{https_port}/',
            headers={'X-Forwarded-Proto': 'http'})
        with urllib.request.urlopen(
                request, context=context, timeout=5) as response:
            got = json.loads(response.read())
            got = {k.lower(): v for k, v in got.items()}
            sent = {k.lower(): v for k, v in response.headers.items()}
        assert got['x-forwarded-proto'] == 'https'
        assert got['x-forwarded-for'] == '127.0.0.1'
        assert got['x-forwarded-host'] == '127.0.0.1'
        for name, value in headers().items():
            assert sent[name] == value
    finally:
        nginx.terminate()
        nginx.wait(10)
        server.shutdown()
