"""`ateliers init` never leaves a half-built database, and neither init nor
serve writes an admin password file that does not match the database.

The database is built under a temporary name and renamed at the end; a
database of the final name that the set-up did not finish (made by an
older version) is refused with a French message pointing to --reset."""
import socket
import subprocess
import sys
import time

from smoke import BIN, POSTGRESQL, ateliers, database_exists, drop, tool_env

FAIL_BUILD = """\
import sys
from ateliers import cli, environment


def build(database, password, language, year, demo, sales_since=None):
    # Something is written, then the set-up fails half-way
    assert database.endswith('.building'), database
    assert environment.database_exists(database) is False
    raise RuntimeError("panne simulée")


cli._build = build
cli.main(sys.argv[1:])
"""


def init_failing(env, *args):
    "ateliers init whose build fails half-way (after the database exists)"
    return subprocess.run([sys.executable, '-c', FAIL_BUILD, 'init', *args],
        env=env, capture_output=True, text=True)


def test_killed_init_leaves_no_database(site):
    """An init killed (SIGKILL) during the module activation leaves no
    database of that name, serve refuses it, the helper processes die with
    it, and init then builds a clean database (the `site` fixture)"""
    env, database, password, killed = site
    assert not killed['exists']
    assert killed['serve'].returncode == 1, killed['serve'].stderr
    assert "n'existe pas" in killed['serve'].stderr
    assert killed['helpers'], "init had no helper process when killed"
    assert killed['helpers_alive'] == []
    assert "prête" in killed['init'].stdout
    assert not database_exists(env, f'{database}.building')


def test_init_failure_leaves_nothing(tmp_path):
    "A failed init removes its temporary database and password file"
    home = tmp_path / 'home'
    env = tool_env(home)
    run = init_failing(env, '--database', 'panne')
    assert run.returncode == 1, run.stderr
    assert run.stderr.strip() == "Erreur : RuntimeError: panne simulée"
    assert not database_exists(env, 'panne')
    assert not database_exists(env, 'panne.building')
    assert not [p for p in home.iterdir() if 'password' in p.name]
    if not POSTGRESQL:
        assert [p.name for p in (home / 'db').iterdir()
            if not p.name.startswith('.')] == []


def test_reset_failure_keeps_database(site):
    """A failed --reset keeps the database it was to replace, and its
    password file"""
    env, database, password, _ = site
    password_file = f"{env['ATELIERS_HOME']}/{database}.admin-password"
    run = init_failing(env, '--database', database, '--reset')
    assert run.returncode == 1, run.stderr
    assert open(password_file).read().strip() == password
    run = ateliers('init', '--database', database, env=env)
    assert run.returncode == 0, run.stderr
    assert 'existe déjà' in run.stdout


def test_init_lock(tmp_path):
    "Two inits of one database: the second stops at once"
    env = tool_env(tmp_path / 'home')
    holder = subprocess.Popen([sys.executable, '-c',
            'import time\n'
            'from ateliers import environment\n'
            'environment.prepare()\n'
            'with environment.init_lock("verrou"):\n'
            '    print("locked", flush=True)\n'
            '    time.sleep(60)\n'],
        env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'locked'
        run = ateliers('init', '--database', 'verrou', env=env)
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 1
    assert "Une initialisation de la base « verrou » est déjà en cours." in (
        run.stderr)


def copy_half_built(env, database, copy):
    "A copy of database where the last module is not activated"
    script = (
        'import sys\n'
        'from ateliers import environment\n'
        'environment.prepare()\n'
        'source, copy = sys.argv[1:]\n'
        'if environment.backend_name() == "sqlite":\n'
        '    import shutil\n'
        '    shutil.copy(environment._sqlite_file(source),\n'
        '        environment._sqlite_file(copy))\n'
        'else:\n'
        '    with environment._server() as connection:\n'
        '        connection.execute(\n'
        '            f\'CREATE DATABASE "{copy}" TEMPLATE "{source}"\')\n'
        'from trytond import backend\n'
        'db = backend.Database(copy).connect()\n'
        'connection = db.get_connection()\n'
        'connection.cursor().execute("UPDATE ir_module SET state = '
        '\'not activated\' WHERE name = \'ptce_reporting\'")\n'
        'connection.commit()\n'
        'db.put_connection(connection)\n'
        'db.close()\n')
    subprocess.run([sys.executable, '-c', script, database, copy], env=env,
        check=True)


def test_half_built_database_refused(site):
    """A database of the final name that the set-up did not finish is
    refused by serve and by init without --reset"""
    env, database, password, _ = site
    half = f'{database}_half'
    copy_half_built(env, database, half)
    try:
        for command in ['serve', 'init']:
            run = ateliers(command, '--database', half, env=env,
                timeout=120)
            assert run.returncode == 1, run.stderr
            assert f"La base « {half} » est incomplète" in run.stderr
            assert '--reset' in run.stderr
    finally:
        drop(env, half)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def serve_first_lines(env, database):
    "What `ateliers serve` prints before trytond starts"
    process = subprocess.Popen([BIN / 'ateliers', 'serve',
            '--database', database, '--no-web', '--port', str(free_port())],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True)
    lines = []
    deadline = time.monotonic() + 60
    try:
        for line in process.stdout:
            lines.append(line)
            if 'trytond-admin' in line or 'mot de passe dans' in line:
                break
            assert time.monotonic() < deadline
    finally:
        process.kill()
        process.wait()
    return ''.join(lines)


def test_no_password_file_invented(site, tmp_path):
    """On an existing database without its password file, serve and init
    say how to set the password and write no file"""
    env, database, password, _ = site
    env = dict(env, ATELIERS_HOME=str(tmp_path))
    output = serve_first_lines(env, database)
    assert f"Aucun fichier de mot de passe pour la base « {database} »" in (
        output)
    assert (f"TRYTONPASSFILE=<fichier> trytond-admin -d {database} "
        "--password") in output
    run = ateliers('init', '--database', database, env=env)
    assert run.returncode == 0, run.stderr
    assert 'trytond-admin' in run.stdout
    assert list(tmp_path.iterdir()) == []


DEMO_CHECK = """\
from ateliers import environment
from trytond.pyson import PYSONDecoder
environment.prepare()
with environment.transaction(DATABASE) as pool:
    company = pool.get('company.company')(1)
    print('company', company.legal_form, company.registration_city,
        company.siren, company.vat_number, sep='|')
    print('mentions', *company.get_legal_mentions(), sep='|')
    for party in pool.get('party.party').search([]):
        if not party.addresses or not all(
                a.street and a.postal_code and a.city
                for a in party.addresses):
            print('no address', party.name)
    for member in pool.get('scic.member').search([]):
        if member.kind == 'organisation' and not member.party.siren:
            print('no SIREN', member.party.name)
        if member.admission_date and not (
                member.application_date
                and member.application_date < member.admission_date):
            print('applied after admission', member.party.name)
    for item in pool.get('ir.module.config_wizard.item').search([]):
        if item.state != 'done':
            print('config wizard open', item.action.name)
    print('admin', pool.get('res.user').search(
            [('login', '=', 'admin')])[0].name)
    # The tab a list opens on: the first of its action
    Domain = pool.get('ir.action.act_window.domain')
    ModelData = pool.get('ir.model.data')
    for data in ModelData.search([
            ('model', '=', 'ir.action.act_window'),
            ('module', 'in', environment.MODULES)]):
        tabs = Domain.search([('act_window', '=', data.db_id)],
            order=[('sequence', 'ASC'), ('id', 'ASC')], limit=1)
        if tabs:
            tab, = tabs
            action = tab.act_window
            domain = [PYSONDecoder({}).decode(d) if d else []
                for d in [action.pyson_domain, tab.domain]]
            count = pool.get(action.res_model).search_count(domain)
            if not count:
                print('empty first tab', data.fs_id, tab.name)
"""


def test_demo_reads_like_the_cooperative(site):
    """The demo of `ateliers init --demo`: the company's legal identity
    (SCIC SAS, RCS Castres, a valid SIREN and its VAT number), every party
    with an address and every organisation with a SIREN, every associate
    admitted after applying, the configuration wizard done, the
    administrator named in French and no list opening on an empty tab"""
    from stdnum.fr import siren, tva
    env, database, password, _ = site
    run = subprocess.run([sys.executable, '-c',
            DEMO_CHECK.replace('DATABASE', repr(database))],
        env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    _, legal_form, city, code, vat = lines[0].split('|')
    assert (legal_form, city) == ("SCIC SAS à capital variable", "Castres")
    assert siren.is_valid(code), code
    assert tva.is_valid(vat), vat
    assert vat == 'FR' + siren.to_tva(siren.compact(code)), vat
    mentions = lines[1]
    assert f"RCS Castres {code}" in mentions, mentions
    assert "81100 castres" in mentions.lower(), mentions
    assert lines[2:] == ['admin Administrateur'], '\n'.join(lines[2:])
