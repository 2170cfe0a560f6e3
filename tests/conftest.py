"""Fixtures of the cross-module tests (helpers in tests/smoke.py)."""
import pytest
from smoke import make_site


@pytest.fixture(scope='session')
def site(tmp_path_factory):
    """A demo database made by `ateliers init --demo` after a first run
    was killed, and the environment to use it:
    (env, database, password, what was seen after the kill)"""
    yield from make_site(tmp_path_factory)
