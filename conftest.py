"""pytest set-up shared by every test of the project.

Two things Tryton's own runner does that pytest does not:
- choose the backend and a database cache before trytond is imported;
- run the ``scenario_*.rst`` doctests (Tryton loads them through unittest's
  ``load_tests``, which pytest ignores) with Tryton's doctest settings.
"""
import datetime
import doctest
import hashlib
import os
import pathlib
import subprocess
import unittest

import pytest

ROOT = pathlib.Path(__file__).parent


def _source_key():
    "Key of the database cache: the sources that shape the schema and data"
    try:
        files = subprocess.run(
            ['git', 'ls-files', '-s', 'addons', 'ateliers'], cwd=ROOT,
            capture_output=True, check=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        files = ''
    digest = hashlib.sha1(files.encode())
    # Uncommitted edits count too, so a warm cache is never stale while
    # developing.
    for path in sorted(ROOT.glob('addons/*/**/*')):
        if path.is_file() and path.suffix in {'.py', '.xml', '.cfg', '.po'}:
            digest.update(path.read_bytes())
    for path in sorted(ROOT.glob('ateliers/*.py')):
        digest.update(path.read_bytes())
    # The set-up creates the fiscal year of today.
    digest.update(datetime.date.today().isoformat().encode())
    return digest.hexdigest()[:16]


os.environ.setdefault('TRYTOND_DATABASE__URI', 'sqlite://')
_backend = os.environ['TRYTOND_DATABASE__URI'].split(':', 1)[0]
_cache = pathlib.Path(os.environ.get('ATELIERS_CACHE', ROOT / '.cache'))
_key = _source_key()
if 'DB_CACHE' not in os.environ:
    if _backend == 'postgresql' and os.environ.get('ATELIERS_PG_TEMPLATES'):
        # Template databases are the fastest cache but trytond names them
        # after the module list only: drop them when the sources changed.
        # Only for a server used by one test run at a time (CI).
        os.environ['DB_CACHE'] = 'postgresql://'
    else:
        os.environ['DB_CACHE'] = str(
            _cache / 'db' / f'{_backend}-{_key}')


def _drop_stale_templates():
    marker = _cache / 'db' / 'postgresql-templates.key'
    if marker.exists() and marker.read_text() == _key:
        return
    from trytond.tests.test_tryton import DB_CACHE
    from trytond.transaction import Transaction
    if DB_CACHE != 'postgresql://':
        return
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        # Not Database.list(): it caches its answer for the whole run
        with transaction.connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database "
                "WHERE datname LIKE 'test-%%'")
            names = [name for name, in cursor]
        for name in names:
            transaction.database.drop(transaction.connection, name)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(_key)


def _restore_for_proteus(name):
    """trytond's restore_db_cache without its Pool(DB_NAME).init(): the
    scenarios' activate_modules gives the restored database to proteus,
    whose configuration loads the pool again at once (a second load of
    every module, seconds each time)"""
    from trytond import backend
    from trytond.tests import test_tryton
    if not test_tryton.DB_CACHE:
        return False
    cache_file = test_tryton._db_cache_file(test_tryton.DB_CACHE, name)
    if backend.name == 'sqlite':
        return test_tryton._sqlite_copy(cache_file, restore=True)
    elif backend.name == 'postgresql':
        return test_tryton._pg_restore(cache_file)
    return False


def _patch_activate_modules():
    from trytond.tests import test_tryton, tools
    if (tools.restore_db_cache is test_tryton.restore_db_cache
            and tools.activate_modules.__code__.co_names.count(
                '_get_config')
            and all(hasattr(test_tryton, name) for name in [
                    '_db_cache_file', '_sqlite_copy', '_pg_restore'])):
        tools.restore_db_cache = _restore_for_proteus


def pytest_sessionstart(session):
    if _backend == 'postgresql':
        _drop_stale_templates()
    _patch_activate_modules()
os.environ.setdefault('TRYTOND_EMAIL__FROM', 'erp@les-ateliers.test')


def _sealing_key():
    """A sealing key for the points of sale of the test run (each run its
    own, as each installation has its own), unless one is configured"""
    if os.environ.get('TRYTOND_PTCE_SECTORS__CHAIN_KEY_FILE'):
        return
    import base64
    import secrets
    import tempfile
    folder = pathlib.Path(tempfile.mkdtemp(prefix='ateliers-seal-'))
    path = folder / 'pos-chain.key'
    path.write_text(
        'test:' + base64.b64encode(secrets.token_bytes(32)).decode() + '\n')
    os.environ['TRYTOND_PTCE_SECTORS__CHAIN_KEY_FILE'] = str(path)


_sealing_key()


def pytest_collect_file(file_path, parent):
    if (file_path.suffix == '.rst'
            and file_path.name.startswith('scenario_')
            and file_path.parent.name == 'tests'):
        return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):
    def collect(self):
        import json
        config = self.path.with_suffix('.json')
        if config.exists():
            configs = json.loads(config.read_text())
        else:
            configs = [{}]
        for i, globs in enumerate(configs):
            name = self.path.stem if len(configs) == 1 else (
                f'{self.path.stem}[{i}]')
            yield ScenarioItem.from_parent(self, name=name, globs=globs)


class ScenarioFailure(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, globs, **kwargs):
        super().__init__(**kwargs)
        self.globs = globs

    def runtest(self):
        # Same flags, checker and set-up as trytond's load_doc_tests
        from trytond import backend
        from trytond.tests.test_tryton import (
            STRIP_DECIMAL,
            doctest_checker,
            doctest_setup,
            doctest_teardown,
        )
        optionflags = (
            doctest.REPORT_ONLY_FIRST_FAILURE
            | doctest.ELLIPSIS
            | doctest.IGNORE_EXCEPTION_DETAIL)
        if backend.name == 'sqlite':
            optionflags |= STRIP_DECIMAL
        suite = doctest.DocFileSuite(
            str(self.path), module_relative=False, globs=dict(self.globs),
            setUp=doctest_setup, tearDown=doctest_teardown,
            encoding='utf-8', checker=doctest_checker,
            optionflags=optionflags)
        result = unittest.TestResult()
        suite.run(result)
        problems = result.errors + result.failures
        if problems:
            raise ScenarioFailure('\n'.join(text for _, text in problems))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f'scenario: {self.name}'
