"""Fixtures of the cross-module tests (helpers in tests/smoke.py)."""
import pathlib
import tempfile

import pytest
from smoke import SiteBuild

_BUILD = []


def _start_site(config):
    if not _BUILD:
        factory = getattr(config, '_tmp_path_factory', None)
        if factory is not None:
            home = factory.mktemp('home')
        else:
            home = pathlib.Path(tempfile.mkdtemp(prefix='ateliers-home-'))
        _BUILD.append(SiteBuild(home))
    return _BUILD[0]


def pytest_collection_finish(session):
    """Start building the demo database at once when a selected test needs
    it: the other tests run meanwhile (the build is other processes)"""
    if any('site' in getattr(item, 'fixturenames', ())
            for item in session.items):
        _start_site(session.config)


def pytest_sessionfinish(session):
    while _BUILD:
        _BUILD.pop().close()


@pytest.fixture(scope='session')
def site(pytestconfig):
    """A demo database made by `ateliers init --demo` after a first run
    was killed, and the environment to use it:
    (env, database, password, what was seen after the kill)"""
    return _start_site(pytestconfig).result()
