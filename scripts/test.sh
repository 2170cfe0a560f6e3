#!/usr/bin/env bash
# Install the project with its test extras in .venv and run the whole test
# suite (lint, module tests, scenarios, cross-module tests).
# Backend: SQLite by default; PostgreSQL when TRYTOND_DATABASE__URI is a
# postgresql:// URI. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
# ATELIERS_INSTALL=only: install and stop; ATELIERS_INSTALL=no: test what
# is installed (.ci/run installs once for its two runs).
if [ "${ATELIERS_INSTALL:-}" != no ]; then
    # Two runs (one per backend) may start together: one installs while
    # the other waits.
    exec 9>.venv.lock
    flock 9
    if [ ! -x .venv/bin/python ]; then
        "$PYTHON" -m venv .venv
    fi
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[test]'
    flock -u 9
fi
if [ "${ATELIERS_INSTALL:-}" = only ]; then
    exit 0
fi

.venv/bin/ruff check .

# The freshly activated test databases are cached, keyed on the sources
# (see conftest.py), outside the work tree so that later runs are warm.
export ATELIERS_CACHE=${ATELIERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/les-ateliers}
status=0
.venv/bin/python -m pytest -q -ra "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "No test was collected: this is a failure." >&2
fi
exit "$status"
