"""Where the tool keeps its data and how it reads trytond's configuration.

trytond reads its options from a config file (``-c`` / ``TRYTOND_CONFIG``)
and from ``TRYTOND_<SECTION>__<OPTION>`` environment variables.  The tool
only supplies defaults for a local demo: SQLite files, the web client and
the admin password all under one data folder (``ATELIERS_HOME``, default
``./var``).
"""
import contextlib
import os
import pathlib
import secrets

MODULES = ['scic_members', 'ptce_spaces', 'ptce_sectors', 'ptce_reporting']


class ToolError(Exception):
    "An error shown to the user as one line, exit code 1"


def home():
    path = pathlib.Path(os.environ.get('ATELIERS_HOME', 'var')).absolute()
    path.mkdir(parents=True, exist_ok=True)
    return path


def prepare(config_file=None):
    """Set the defaults in the environment and load trytond's config.

    Must run before anything imports trytond's pool or backend."""
    if config_file:
        os.environ['TRYTOND_CONFIG'] = str(
            pathlib.Path(config_file).absolute())
    if not os.environ.get('TRYTOND_CONFIG'):
        os.environ.setdefault('TRYTOND_DATABASE__URI', 'sqlite://')
        os.environ.setdefault(
            'TRYTOND_DATABASE__PATH', str(home() / 'db'))
        os.environ.setdefault('TRYTOND_WEB__ROOT', str(sao_root()))
        os.environ.setdefault('TRYTOND_WEB__LISTEN', '127.0.0.1:8000')
    from trytond import config
    config.update_etc()
    return config


def backend_name():
    from trytond import config
    return config.get('database', 'uri').split(':', 1)[0]


def sao_root():
    return home() / 'sao' / 'package'


def password_file(database):
    """The admin password file: TRYTONPASSFILE when set, else a file made
    once with a random password under the data folder."""
    path = os.environ.get('TRYTONPASSFILE')
    if path:
        return pathlib.Path(path)
    path = home() / f'{database}.admin-password'
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12) + '\n')
        path.chmod(0o600)
    return path


def database_exists(database):
    "Whether the database exists and holds Tryton tables"
    from trytond import backend
    if backend_name() == 'sqlite':
        from trytond import config
        path = pathlib.Path(config.get('database', 'path')) / (
            f'{database}.sqlite')
        if not path.exists():
            return False
    else:
        db = backend.Database().connect()
        try:
            if database not in db.list():
                return False
        finally:
            db.close()
    db = backend.Database(database).connect()
    try:
        return db.test()
    finally:
        db.close()


def create_database(database, reset=False):
    "Create an empty database (dropping it first when reset)"
    from trytond import backend, config
    if backend_name() == 'sqlite':
        folder = pathlib.Path(config.get('database', 'path'))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f'{database}.sqlite'
        if reset and path.exists():
            path.unlink()
        path.touch()
        return
    db = backend.Database().connect()
    connection = db.get_connection(autocommit=True)
    try:
        if database in db.list():
            if not reset:
                return
            db.drop(connection, database)
        db.create(connection, database)
    finally:
        db.put_connection(connection)
        db.close()


@contextlib.contextmanager
def transaction(database, readonly=False):
    """Open a transaction as the admin user of the database with the
    company in the context; yields the pool. Commits on success."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    if not database_exists(database):
        raise ToolError(
            f"La base « {database} » n'existe pas : lancez "
            f"« ateliers init --database {database} ».")
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, readonly=readonly) as tx:
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        # The tool acts as admin (so records show who did it) in admin's
        # company, without the access checks of a client request.
        with Transaction().set_user(admin.id):
            context = User.get_preferences(context_only=True)
            with Transaction().set_context(context, _check_access=False):
                yield pool
        if not readonly:
            tx.commit()
