"""Backup, restore and upgrade of a database (doc/operations.rst): the
demo database is backed up with `ateliers backup`, restored under a new
name with `ateliers restore` on the same backend, and checked there: the
tills' chain is intact against the signed closing archives, the share
register is the original's, a damaged backup is refused with nothing
restored, and the restored database upgrades cleanly with trytond-admin."""
import json
import subprocess
import uuid

import pytest
from smoke import BIN, ateliers, database_exists, drop


def register(env, database, path):
    run = ateliers('members', 'register', '--database', database,
        '--output', path, env=env)
    assert run.returncode == 0, run.stderr
    return path.read_bytes()


def verify(env, database):
    run = ateliers('pos', 'verify', '--database', database, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout.splitlines()


@pytest.fixture
def restored(site):
    env, database, password, _ = site
    name = f'restored_{uuid.uuid4().hex[:8]}'
    yield name
    drop(env, name)


def test_backup_restore(site, restored, tmp_path):
    env, database, password, _ = site
    backup = tmp_path / 'backup'
    run = ateliers('backup', '--database', database, '--output', backup,
        env=env)
    assert run.returncode == 0, run.stderr
    assert "clé de scellement" in run.stdout
    manifest = json.loads((backup / 'MANIFEST.json').read_text())
    assert manifest['database'] == database
    assert any(n.startswith('pos-archives/closing-')
        for n in manifest['files'])
    # The sealing key is kept apart, never in a backup
    assert not any('key' in n for n in manifest['files'])

    # A second backup never replaces the first
    run = ateliers('backup', '--database', database, '--output', backup,
        env=env)
    assert run.returncode == 1
    assert "existe déjà" in run.stderr

    run = ateliers('restore', '--database', restored, '--from', backup,
        env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "chaîne intacte" in run.stdout
    assert "dernière archive concordante" in run.stdout

    assert verify(env, restored) == verify(env, database)
    assert (register(env, restored, tmp_path / 'restored.csv')
        == register(env, database, tmp_path / 'original.csv'))

    # Never over an existing database
    run = ateliers('restore', '--database', restored, '--from', backup,
        env=env)
    assert run.returncode == 1
    assert "existe déjà" in run.stderr

    # The restored database upgrades cleanly and stays intact
    upgrade = subprocess.run([BIN / 'trytond-admin', '-d', restored,
            '-u', 'ptce_company', 'scic_members', 'ptce_spaces',
            'ptce_sectors', 'ptce_reporting'],
        env=env, capture_output=True, text=True, timeout=900)
    assert upgrade.returncode == 0, upgrade.stderr[-2000:]
    assert verify(env, restored) == verify(env, database)


def test_damaged_backup_refused(site, restored, tmp_path):
    env, database, password, _ = site
    backup = tmp_path / 'backup'
    run = ateliers('backup', '--database', database, '--output', backup,
        env=env)
    assert run.returncode == 0, run.stderr
    dump = next(backup.glob('database.*'))
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))

    run = ateliers('restore', '--database', restored, '--from', backup,
        env=env)
    assert run.returncode == 1
    assert "altérée" in run.stderr
    assert "Rien n'a été restauré" in run.stderr
    assert not database_exists(env, restored)

    # A file slipped into the backup is refused too
    dump.write_bytes(bytes(content))
    (backup / 'extra.sql').write_text('DROP TABLE party_party;')
    run = ateliers('restore', '--database', restored, '--from', backup,
        env=env)
    assert run.returncode == 1
    assert "extra.sql" in run.stderr
    assert not database_exists(env, restored)
