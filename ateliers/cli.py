"""The ``ateliers`` command: set up, serve and run Les Ateliers ERP.

Each module adds its own sub-commands from ``ateliers/commands/<name>.py``.
Errors are printed as one line, with exit code 1.
"""
import datetime
import fcntl
import importlib
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

import click

from . import environment
from .environment import MODULES, ToolError

SAO_VERSION = '8.0'


class Group(click.Group):
    "Turn expected errors into one clear line instead of a traceback"

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ToolError as error:
            raise click.ClickException(str(error))
        except (click.ClickException, click.exceptions.Exit,
                click.exceptions.Abort):
            raise
        except Exception as error:
            # UserError and friends carry a message meant for the user
            from trytond.exceptions import UserError, UserWarning
            if isinstance(error, (UserError, UserWarning)):
                message = error.message
                if getattr(error, 'description', None):
                    message += ' ' + error.description
                raise click.ClickException(message)
            if os.environ.get('ATELIERS_DEBUG'):
                raise
            # Anything else (database unreachable, bad file...): one line;
            # ATELIERS_DEBUG=1 shows the traceback.
            raise click.ClickException(
                f"{type(error).__name__}: {error}".strip().splitlines()[0])


database_option = click.option(
    '--database', '-d', default=lambda: os.environ.get(
        'ATELIERS_DATABASE', 'ateliers'),
    show_default='ateliers (or ATELIERS_DATABASE)',
    help="Name of the database.")


@click.group(cls=Group)
@click.option(
    '--config', '-c', 'config_file', type=click.Path(dir_okay=False),
    help="trytond configuration file (default: TRYTOND_CONFIG, then "
    "TRYTOND_* variables, then SQLite under ./var).")
def main(config_file):
    "Les Ateliers ERP: the Tryton modules of the SCIC Les Ateliers."
    environment.prepare(config_file)


def _bin(name):
    "A script installed beside the running Python (trytond, trytond-admin)"
    path = pathlib.Path(sys.executable).parent / name
    return str(path) if path.exists() else (shutil.which(name) or name)


@main.command()
@database_option
@click.option('--demo', is_flag=True, help="Load the demo data.")
@click.option('--reset', is_flag=True,
    help="Drop and re-create the database if it exists.")
@click.option('--language', default='fr', show_default=True,
    help="Default language of the database.")
@click.option('--year', type=int, default=lambda: datetime.date.today().year,
    help="Fiscal year to open (default: this year).")
def init(database, demo, reset, language, year):
    """Create the database with the four modules, the company Les Ateliers,
    the French chart of accounts and the fiscal year."""
    if environment.database_exists(database) and not reset:
        click.echo(
            f"La base « {database} » existe déjà : rien n'est modifié "
            "(--reset pour la recréer).")
        return
    environment.create_database(database, reset=reset)
    password_file = environment.password_file(database)
    env = dict(os.environ, TRYTONPASSFILE=str(password_file),
        TRYTOND_DATABASE__LANGUAGE=language)
    with click.progressbar(length=3, label="Initialisation") as bar:
        bar.label = "Installation des modules"
        # One run creates the base tables and activates the modules
        run = subprocess.run([_bin('trytond-admin'), '-d', database,
                '--email', 'admin@les-ateliers.test',
                '-u', *MODULES, '--activate-dependencies', '-l', language],
            env=env, capture_output=True, text=True)
        if run.returncode:
            sys.stderr.write(run.stderr[-4000:])
            raise ToolError("trytond-admin a échoué : voir ci-dessus.")
        bar.update(1)
        bar.label = "Société et plan comptable"
        config = _proteus(database, language)
        from .setup import setup_les_ateliers
        setup_les_ateliers(config=config, year=year)
        bar.update(1)
        if demo:
            bar.label = "Données de démonstration"
            load_demo(config)
        bar.update(1)
    click.echo(f"Base « {database} » prête ({environment.backend_name()}).")


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


def load_demo(config):
    """Each module contributes its demo data in ``<module>/demo.py``
    (function ``create_demo(config)``), called in dependency order."""
    for module in MODULES:
        try:
            demo = importlib.import_module(f'{module}.demo')
        except ModuleNotFoundError as error:
            if error.name != f'{module}.demo':
                raise
            continue
        demo.create_demo(config)


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
@click.option('--host', default='127.0.0.1', show_default=True)
@click.option('--port', default=8000, show_default=True, type=int)
@click.option('--web/--no-web', default=True,
    help="Serve the web client (installed from npm on first use).")
def serve(database, host, port, web):
    "Serve the database over HTTP with the web client."
    if not environment.database_exists(database):
        raise ToolError(
            f"La base « {database} » n'existe pas : lancez "
            f"« ateliers init --database {database} --demo ».")
    from trytond import config
    env = dict(os.environ, TRYTOND_WEB__LISTEN=f'{host}:{port}')
    if web:
        root = pathlib.Path(config.get('web', 'root'))
        install_sao(root)
        env['TRYTOND_WEB__ROOT'] = str(root)
    click.echo(f"Les Ateliers ERP : http://{host}:{port}/")
    click.echo(f"Base « {database} », identifiant « admin », mot de passe "
        f"dans {environment.password_file(database)}")
    sys.stdout.flush()
    # The database is preloaded (-d) or the first login fails in 8.0.12
    os.execve(_bin('trytond'), [_bin('trytond'), '-d', database], env)


@main.command()
@database_option
def shell(database):
    "Python console on the database (pool and transaction ready)."
    if not environment.database_exists(database):
        raise ToolError(f"La base « {database} » n'existe pas.")
    os.execv(_bin('trytond-console'), [_bin('trytond-console'), '-d',
            database])


for _name in ['members', 'spaces', 'sectors', 'reporting']:
    _module = importlib.import_module(f'.commands.{_name}', __package__)
    for _command in getattr(_module, 'COMMANDS', []):
        main.add_command(_command)
