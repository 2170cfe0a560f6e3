"""Where the tool keeps its data and how it reads trytond's configuration.

trytond reads its options from a config file (``-c`` / ``TRYTOND_CONFIG``)
and from ``TRYTOND_<SECTION>__<OPTION>`` environment variables.  The tool
only supplies defaults for a local demo: SQLite files, the web client and
the admin password all under one data folder (``ATELIERS_HOME``, default
``./var``).
"""
import contextlib
import datetime
import os
import pathlib
import secrets
import shutil

# In dependency order: ptce_company is the base of the four others
MODULES = [
    'ptce_company', 'scic_members', 'ptce_spaces', 'ptce_sectors',
    'ptce_reporting']


class ToolError(Exception):
    "A business error shown to the user as one line, exit code 1"


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
        # The sealing key of the tills and their closing archives stay out
        # of the database (see ptce_sectors/seal.py)
        os.environ.setdefault(
            'TRYTOND_PTCE_SECTORS__CHAIN_KEY_FILE',
            str(home() / 'pos-chain.key'))
        os.environ.setdefault(
            'TRYTOND_PTCE_SECTORS__ARCHIVE_PATH',
            str(home() / 'pos-archives'))
    from trytond import config
    config.update_etc()
    return config


def backend_name():
    from trytond import config
    return config.get('database', 'uri').split(':', 1)[0]


def sao_root():
    return home() / 'sao' / 'package'


def password_file(database):
    """The admin password file of an existing database: TRYTONPASSFILE when
    set, else the file made by ``ateliers init`` under the data folder;
    None when there is none (never invents one: it would not match)."""
    path = os.environ.get('TRYTONPASSFILE')
    if path:
        return pathlib.Path(path)
    path = home() / f'{database}.admin-password'
    return path if path.exists() else None


def password_help(database):
    "How to set the admin password of an existing database, in French"
    config = os.environ.get('TRYTOND_CONFIG')
    config = f" -c {config}" if config else ''
    return (
        f"Aucun fichier de mot de passe pour la base « {database} » : "
        "pour redéfinir celui d'admin, écrivez-le sur une ligne dans un "
        f"fichier puis lancez « TRYTONPASSFILE=<fichier> trytond-admin"
        f"{config} -d {database} --password ».")


def init_password(database):
    """The password file ``ateliers init`` gives trytond-admin: (path,
    final) where final is where to rename path once the database is built
    (None when the file is already in place: TRYTONPASSFILE or a file kept
    from a previous database of that name)."""
    path = os.environ.get('TRYTONPASSFILE')
    if path:
        try:
            lines = pathlib.Path(path).read_text().splitlines()
        except (OSError, UnicodeError) as error:
            raise ToolError(
                f"TRYTONPASSFILE « {path} » illisible : {error}.")
        if len(lines) != 1 or not lines[0]:
            raise ToolError(
                f"TRYTONPASSFILE « {path} » doit contenir le mot de passe "
                "sur une seule ligne.")
        return pathlib.Path(path), None
    final = home() / f'{database}.admin-password'
    if final.exists():
        return final, None
    tmp = home() / f'.{database}.admin-password.tmp'
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w') as file:
        file.write(secrets.token_urlsafe(12) + '\n')
    return tmp, final


def _sqlite_file(database):
    from trytond import config
    return pathlib.Path(config.get('database', 'path')) / f'{database}.sqlite'


@contextlib.contextmanager
def _server():
    "An autocommit connection to the PostgreSQL server (not to a database)"
    from trytond import backend
    db = backend.Database().connect()
    connection = db.get_connection(autocommit=True)
    try:
        yield connection
    finally:
        db.put_connection(connection)


def _pg_exists(connection, database):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        return bool(cursor.fetchall())


def database_exists(database):
    "Whether the database exists and holds Tryton tables"
    from trytond import backend
    if backend_name() == 'sqlite':
        if not _sqlite_file(database).exists():
            return False
    else:
        with _server() as connection:
            if not _pg_exists(connection, database):
                return False
    db = backend.Database(database).connect()
    try:
        return db.test()
    finally:
        db.close()


def database_complete(database):
    """Whether the set-up of ``ateliers init`` went to its end: all the
    modules activated and the company created (a database half-built by
    an interrupted run, or not made by ``ateliers init``, is not)"""
    from trytond import backend
    db = backend.Database(database).connect()
    connection = db.get_connection(readonly=True)
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT COUNT(*) FROM ir_module WHERE state = 'activated' "
            "AND name IN (%s)" % ', '.join(["'%s'" % m for m in MODULES]))
        modules, = cursor.fetchone()
        if modules != len(MODULES):
            return False
        cursor.execute("SELECT COUNT(*) FROM company_company")
        companies, = cursor.fetchone()
        return companies > 0
    except Exception:
        return False
    finally:
        connection.rollback()
        db.put_connection(connection)
        db.close()


def building_name(database):
    """The temporary name ``ateliers init`` builds a database under: a
    name with a dot, which the tool refuses for --database, so it is never
    served nor taken for a finished database"""
    return f'{database}.building'


def create_database(database):
    "Create an empty database"
    from trytond import backend
    if backend_name() == 'sqlite':
        path = _sqlite_file(database)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        return
    with _server() as connection:
        backend.Database.create(connection, database)


def drop_database(database):
    """Drop the database if it exists, even with sessions still open on it
    (the process that built it may have been killed a moment ago)"""
    from psycopg import sql
    if backend_name() == 'sqlite':
        path = _sqlite_file(database)
        for suffix in ['', '-wal', '-shm', '-journal']:
            pathlib.Path(f'{path}{suffix}').unlink(missing_ok=True)
        return
    with _server() as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            .format(sql.Identifier(database)))


def _files(database):
    """The folders of files kept outside the database under its name: its
    filestore and the signed archives of its till closings"""
    from trytond import config
    folders = [('filestore',
            pathlib.Path(config.get('database', 'path')) / database)]
    archives = config.get('ptce_sectors', 'archive_path', default=None)
    if archives:
        folders.append(('archives', pathlib.Path(archives) / database))
    return folders


def discard_files(database):
    """Remove the files of a database that was never served (an
    interrupted build)"""
    for _, folder in _files(database):
        shutil.rmtree(folder, ignore_errors=True)


def _move_files(source, target):
    """Give the files of the database source to target.  The closing
    archives of a replaced target are legal records: they are kept aside
    (``<target>.replaced-<time>``), never deleted; its filestore goes with
    its database."""
    stamp = datetime.datetime.now().strftime('%Y%m%dT%H%M%S')
    for (kind, old), (_, new) in zip(_files(source), _files(target)):
        if new.exists():
            if kind == 'archives':
                new.rename(new.with_name(f'{new.name}.replaced-{stamp}'))
            else:
                shutil.rmtree(new)
        if old.exists():
            new.parent.mkdir(parents=True, exist_ok=True)
            old.rename(new)


def rename_database(source, target):
    """Give the database source the name target, replacing target if it
    exists, with its files (filestore, closing archives); on PostgreSQL
    the old target is dropped once the swap is committed"""
    _rename_database(source, target)
    _move_files(source, target)


def _rename_database(source, target):
    from psycopg import sql
    if backend_name() == 'sqlite':
        # Atomic, also when it replaces target; source is closed (built by
        # processes that ended) so its WAL is merged and removed
        os.replace(_sqlite_file(source), _sqlite_file(target))
        return
    old = f'{target}.old'
    drop_database(old)
    terminate = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()")
    rename = sql.SQL("ALTER DATABASE {} RENAME TO {}")
    with _server() as connection:
        with connection.transaction():
            # Sessions left open on source (this process's pools) and on
            # the target replaced by --reset
            connection.execute(terminate, (source,))
            if _pg_exists(connection, target):
                connection.execute(terminate, (target,))
                connection.execute(rename.format(
                        sql.Identifier(target), sql.Identifier(old)))
            connection.execute(rename.format(
                    sql.Identifier(source), sql.Identifier(target)))
    drop_database(old)


@contextlib.contextmanager
def init_lock(database):
    """Hold the lock of the initialisation of database: a second
    ``ateliers init`` of the same name stops at once. Released when the
    process ends, even killed."""
    if backend_name() == 'sqlite':
        import fcntl
        folder = _sqlite_file(database).parent
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f'.{database}.init-lock', 'w') as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ToolError(
                    f"Une initialisation de la base « {database} » est "
                    "déjà en cours.")
            yield
        return
    with _server() as connection:
        locked, = connection.execute(
            "SELECT pg_try_advisory_lock(hashtext(%s))",
            ('ateliers init ' + database,)).fetchone()
        if not locked:
            raise ToolError(
                f"Une initialisation de la base « {database} » est déjà "
                "en cours.")
        yield


def open_pool(database):
    "The pool of an existing database, loaded once per process"
    from trytond.pool import Pool
    if database in Pool.database_list():
        # Loading the modules costs seconds: a command running one
        # transaction per batch loads them for the first only (the modules
        # are activated by trytond-admin in its own process)
        return Pool(database)
    if not database_exists(database):
        raise ToolError(
            f"La base « {database} » n'existe pas : lancez "
            f"« ateliers init --database {database} ».")
    pool = Pool(database)
    pool.init()
    return pool


@contextlib.contextmanager
def as_admin(pool):
    """Act in the current transaction as admin (so records show who did
    it) in admin's company, without the access checks of a client
    request."""
    from trytond.transaction import Transaction
    User = pool.get('res.user')
    admin, = User.search([('login', '=', 'admin')])
    with Transaction().set_user(admin.id):
        context = User.get_preferences(context_only=True)
        with Transaction().set_context(context, _check_access=False):
            yield


@contextlib.contextmanager
def transaction(database, readonly=False):
    """Open a transaction as the admin user of the database with the
    company in the context; yields the pool. Commits on success."""
    from trytond.transaction import Transaction
    pool = open_pool(database)
    with Transaction().start(database, 0, readonly=readonly) as tx:
        with as_admin(pool):
            yield pool
        if not readonly:
            tx.commit()


def run(database, func, readonly=False, extras=None, attempts=20):
    """Run func(pool) in one transaction as admin with the company in the
    context, committed at the end (unless readonly).  Like the RPC
    dispatcher, restart the transaction with the records or tables locked
    when trytond asks for it (strict sequences, points of sale), and start
    again, waiting a little longer each time, when another process holds
    these locks, so that a command run beside the cashiers or the cron
    loses nothing.  extras, when given, is kept between calls so that the
    next batches take these locks at once instead of redoing their work."""
    import time

    from trytond import backend
    from trytond.transaction import Transaction, TransactionError
    pool = open_pool(database)
    if extras is None:
        extras = {}
    for attempt in range(attempts):
        try:
            with Transaction().start(
                    database, 0, readonly=readonly, **extras) as tx:
                with as_admin(pool):
                    result = func(pool)
                if not readonly:
                    tx.commit()
                return result
        except TransactionError as error:
            error.fix(extras)
        except backend.DatabaseOperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(min(0.1 * 2 ** attempt, 5))
    raise ToolError(
        "Base occupée : la transaction n'a pas pu prendre ses verrous.")


def ensure_sealing_key():
    """Create the sealing key of the points of sale named by the
    configuration when it does not exist yet (a new installation); return
    its path, or None when none is configured."""
    from trytond import config
    path = config.get('ptce_sectors', 'chain_key_file', default=None)
    if not path or pathlib.Path(path).exists():
        return path
    from ptce_sectors import seal
    seal.create_key_file(path)
    return path


def current_company(pool):
    "The company of the context of the running transaction (the admin's)"
    from trytond.transaction import Transaction
    return pool.get('company.company')(Transaction().context['company'])
