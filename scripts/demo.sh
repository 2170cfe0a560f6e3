#!/usr/bin/env bash
# Set up and serve the demo of Les Ateliers ERP on embedded SQLite:
# virtual environment, project install, demo database (kept if it exists;
# pass --reset to rebuild it), web client, server on http://127.0.0.1:8000.
# Data (database, web client, admin password) lives in ./var.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

DATABASE=${ATELIERS_DATABASE:-ateliers}
.venv/bin/ateliers init --database "$DATABASE" --demo "$@"
exec .venv/bin/ateliers serve --database "$DATABASE"
