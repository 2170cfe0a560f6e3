"""The ``ateliers`` command: set up, serve and run Les Ateliers ERP.

Each module adds its own sub-commands from ``ateliers/commands/<name>.py``.
Errors are printed as one line in French: exit code 2 for a usage or
validation error, 1 for a business error (see ateliers/options.py).
"""
import datetime
import fcntl
import importlib
import importlib.util
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile

import click

from . import environment, options
from .environment import MODULES, ToolError
from .options import database_option

SAO_VERSION = '8.0'


def one_line(error):
    """The message of an error raised while running a command, as one line:
    Tryton's UserError and friends carry a message meant for the user;
    anything else (database unreachable, bad file...) is named by its type
    (ATELIERS_DEBUG=1 shows the traceback)."""
    from trytond.exceptions import UserError, UserWarning
    if isinstance(error, (UserError, UserWarning)):
        message = error.message
        if getattr(error, 'description', None):
            message += ' ' + error.description
    elif isinstance(error, ToolError):
        message = str(error)
    else:
        message = f"{type(error).__name__}: {error}"
    return ' '.join(message.split()) or type(error).__name__


class Group(options.Group):
    "Turn expected errors into one clear line instead of a traceback"

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ToolError as error:
            raise click.ClickException(one_line(error))
        except (click.ClickException, click.exceptions.Exit,
                click.exceptions.Abort):
            raise
        except Exception as error:
            if os.environ.get('ATELIERS_DEBUG'):
                raise
            raise click.ClickException(one_line(error))


@click.group(cls=Group)
@click.option(
    '--config', '-c', 'config_file', type=options.ConfigFile(),
    metavar='FICHIER',
    help="Fichier de configuration de trytond (défaut : TRYTOND_CONFIG, "
    "puis les variables TRYTOND_*, puis SQLite sous ./var).")
def main(config_file):
    """Les Ateliers ERP : les modules Tryton de la SCIC Les Ateliers.

    Codes de sortie : 0 succès, 1 erreur métier, 2 erreur d'utilisation
    (option manquante ou invalide)."""
    environment.prepare(config_file)


def _bin(name):
    "A script installed beside the running Python (trytond, trytond-admin)"
    path = pathlib.Path(sys.executable).parent / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def _languages():
    "Codes of the languages trytond is translated to"
    spec = importlib.util.find_spec('trytond')
    folder = pathlib.Path(spec.submodule_search_locations[0]) / 'ir'
    return sorted({'en'} | {p.stem for p in folder.glob('locale/*.po')})


def _die_with_parent(parent):
    "In a child process: be killed when the parent dies (Linux)"
    def preexec():
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() != parent:
            os._exit(1)
    return preexec if sys.platform.startswith('linux') else None


def _run(args, env):
    """Run a step of the initialisation in a child process that dies with
    this one; its error output is shown when it fails"""
    run = subprocess.run(args, env=env, capture_output=True, text=True,
        preexec_fn=_die_with_parent(os.getpid()))
    if run.returncode:
        sys.stderr.write(run.stderr[-4000:])
        raise ToolError(
            "L'initialisation a échoué (voir ci-dessus) : la base n'a pas "
            "été créée.")


@main.command()
@database_option
@click.option('--demo', is_flag=True,
    help="Charger les données de démonstration.")
@click.option('--reset', is_flag=True,
    help="Recréer la base si elle existe (l'ancienne est remplacée une "
    "fois la nouvelle prête).")
@click.option('--language', type=click.Choice(_languages()), default='fr',
    show_default=True, metavar='LANGUE',
    help="Langue par défaut de la base (fr, en, de...).")
@options.year_option(default=lambda: datetime.date.today().year,
    show_default="l'année en cours",
    help="Exercice comptable à ouvrir (2000 à 2100).")
@click.option('--sales-since', type=options.Date(), default=None,
    metavar='DATE',
    help="Avec --demo : premier jour où les caisses vendent, AAAA-MM-JJ ou "
    "JJ/MM/AAAA, dans l'année (défaut : le 1er janvier ; plus tard, la "
    "base est plus vite construite).")
def init(database, demo, reset, language, year, sales_since):
    """Créer la base avec les quatre modules, la société Les Ateliers, le
    plan comptable français et l'exercice.

    La base est construite sous un nom temporaire puis renommée à la fin :
    une initialisation interrompue ne laisse pas de base à moitié faite."""
    sales_since = sales_since.date() if sales_since else None
    if sales_since and (not demo or sales_since.year != year):
        raise click.BadParameter(
            f"le {sales_since:%d/%m/%Y} n'est pas dans l'année {year}"
            if demo else "seulement avec --demo.",
            param_hint="'--sales-since'")
    if environment.database_exists(database) and not reset:
        if not environment.database_complete(database):
            raise ToolError(
                f"La base « {database} » est incomplète (initialisation "
                "interrompue) : relancez avec --reset pour la recréer.")
        click.echo(
            f"La base « {database} » existe déjà : rien n'est modifié "
            "(--reset pour la recréer).")
        if not environment.password_file(database):
            click.echo(environment.password_help(database))
        return
    with environment.init_lock(database):
        building = environment.building_name(database)
        # What an interrupted run left
        environment.drop_database(building)
        environment.discard_files(building)
        password, final_password = environment.init_password(database)
        environment.ensure_sealing_key()
        environment.create_database(building)
        try:
            _build(building, password, language, year, demo, sales_since)
            environment.rename_database(building, database)
        except BaseException:
            try:
                environment.drop_database(building)
                environment.discard_files(building)
            finally:
                if final_password:
                    password.unlink(missing_ok=True)
            raise
        if final_password:
            os.replace(password, final_password)
            password = final_password
    click.echo(f"Base « {database} » prête ({environment.backend_name()}), "
        f"mot de passe d'admin dans {password}.")


def _build(database, password, language, year, demo, sales_since=None):
    "Activate the modules and set up the company in the database"
    env = dict(os.environ, TRYTONPASSFILE=str(password),
        TRYTOND_DATABASE__LANGUAGE=language)
    with click.progressbar(length=3, label="Initialisation") as bar:
        bar.label = "Installation des modules"
        # One run creates the base tables and activates the modules
        _run([_bin('trytond-admin'), '-d', database,
                '--email', 'admin@les-ateliers.test',
                '-u', *MODULES, '--activate-dependencies', '-l', language],
            env)
        bar.update(1)
        bar.label = ("Société, plan comptable, données et année simulée "
            "(quelques minutes)" if demo else
            "Société, plan comptable et données")
        # In a process of its own: once it has ended, the database has no
        # session left open and can be renamed
        _run([sys.executable, '-c',
                'import sys; from ateliers.cli import setup_process; '
                'setup_process(*sys.argv[1:])',
                database, language, str(year), 'demo' if demo else '',
                sales_since.isoformat() if sales_since else ''],
            env)
        bar.update(2)


def setup_process(database, language, year, demo, sales_since=''):
    "The company set-up and demo data of ``ateliers init`` (child process)"
    environment.prepare()
    try:
        config = _proteus(database, language)
        from .setup import finish_init, setup_les_ateliers
        setup_les_ateliers(config=config, year=int(year))
        if demo:
            from .demo import setup as setup_demo
            setup_demo(config)
            simulate_demo(database, int(year), sales_since=(
                    datetime.date.fromisoformat(sales_since)
                    if sales_since else None))
        finish_init(config=config)
    except Exception as error:
        if os.environ.get('ATELIERS_DEBUG'):
            raise
        sys.stderr.write(one_line(error) + '\n')
        sys.exit(1)


# The share of the tills' daily sales in the demo's year: a few sales a
# day on each till (about 100 a day in a full simulation).  Each till's day
# still costs its closing and accounting move: the year so far takes
# minutes to build (``--sales-since`` makes it shorter: the tests)
DEMO_SALES_VOLUME = 0.05


def simulate_demo(database, year, today=None, sales_since=None):
    """The demo's year so far: a scale-1 simulation of the year up to
    today (the whole year when it is past, nothing when it is to come), so
    that every indicator and funder pack shows a real year; the tills sell
    from sales_since (default: 1 January)"""
    from .simulate import Simulation, run
    today = today or datetime.date.today()
    if year > today.year:
        return
    until = today if year == today.year else None
    run(Simulation(database, year, scale=1, until=until,
            sales_volume=DEMO_SALES_VOLUME, sales_since=sales_since))


def _proteus(database, language):
    "A proteus configuration in this process, as admin, in French"
    from proteus import Model
    from proteus import config as pconfig
    config = pconfig.set_trytond(database, user='admin')
    User = Model.get('res.user')
    Lang = Model.get('ir.lang')
    admin = User(config.user)
    lang, = Lang.find([('code', '=', language)])
    admin.language = lang
    admin.save()
    config._context = User.get_preferences(True, {})
    return config


def install_sao(root):
    "Fetch the web client tryton-sao from npm and install its libraries"
    done = root / f'.installed-{SAO_VERSION}'
    if done.exists():
        return
    npm = shutil.which('npm')
    if not npm:
        raise ToolError(
            "npm est introuvable : installez Node.js pour servir le client "
            "web (ou lancez « ateliers serve --no-web »).")
    folder = root.parent
    folder.mkdir(parents=True, exist_ok=True)
    # Two servers started together install it once; an install stopped
    # half-way has no marker and is done again.
    with open(folder / '.install.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return
        with tempfile.TemporaryDirectory() as tmp:
            click.echo(
                f"Installation du client web tryton-sao@{SAO_VERSION}…")
            subprocess.run([npm, 'pack', f'tryton-sao@{SAO_VERSION}'],
                cwd=tmp, check=True, capture_output=True)
            archive, = pathlib.Path(tmp).glob('tryton-sao-*.tgz')
            if root.exists():
                shutil.rmtree(root)
            with tarfile.open(archive) as tar:
                tar.extractall(folder, filter='data')
        subprocess.run([npm, 'install', '--omit=dev', '--legacy-peer-deps',
                '--no-audit', '--no-fund'],
            cwd=root, check=True, capture_output=True)
        done.touch()


@main.command()
@database_option
@click.option('--host', type=options.Host(), default='127.0.0.1',
    show_default=True, metavar='ADRESSE',
    help="Adresse d'écoute (nom ou adresse IP).")
@click.option('--port', type=options.PORT, default=8000, show_default=True,
    metavar='PORT', help="Port d'écoute (1 à 65535).")
@click.option('--web/--no-web', default=True, show_default=True,
    help="Servir le client web (installé depuis npm au premier usage).")
def serve(database, host, port, web):
    "Servir la base en HTTP avec le client web."
    _check_database(database)
    from trytond import config
    env = dict(os.environ, TRYTOND_WEB__LISTEN=f'{host}:{port}')
    if web:
        root = pathlib.Path(config.get('web', 'root'))
        install_sao(root)
        env['TRYTOND_WEB__ROOT'] = str(root)
    click.echo(f"Les Ateliers ERP : http://{host}:{port}/")
    password = environment.password_file(database)
    if password:
        click.echo(f"Base « {database} », identifiant « admin », mot de "
            f"passe dans {password}")
    else:
        click.echo(f"Base « {database} », identifiant « admin ».")
        click.echo(environment.password_help(database))
    sys.stdout.flush()
    # The database is preloaded (-d) or the first login fails in 8.0.12
    os.execve(_bin('trytond'), [_bin('trytond'), '-d', database], env)


def _check_database(database):
    "Refuse a database that does not exist or that init did not finish"
    if not environment.database_exists(database):
        raise ToolError(
            f"La base « {database} » n'existe pas : lancez "
            f"« ateliers init --database {database} --demo ».")
    if not environment.database_complete(database):
        raise ToolError(
            f"La base « {database} » est incomplète (initialisation "
            f"interrompue) : lancez « ateliers init --database {database} "
            "--reset ».")


@main.command()
@database_option
def shell(database):
    "Console Python sur la base (pool et transaction prêts)."
    _check_database(database)
    os.execv(_bin('trytond-console'), [_bin('trytond-console'), '-d',
            database])


for _name in ['members', 'spaces', 'sectors', 'reporting', 'operations',
        'simulate']:
    _module = importlib.import_module(f'.commands.{_name}', __package__)
    for _command in getattr(_module, 'COMMANDS', []):
        main.add_command(_command)
