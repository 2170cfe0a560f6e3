"""Smoke tests of `ateliers pos` on the demo database: the closing of a
period through the restart-on-lock transaction of the tool, the signed
archive it writes outside the database, and the integrity check with and
without the sealing key (CGI art. 286 I 3° bis)."""
import datetime
import pathlib

from smoke import ateliers


def test_pos_close_verify(site):
    env, database, _, _ = site
    home = pathlib.Path(env['ATELIERS_HOME'])
    today = datetime.date.today()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)

    def close(point, type_, date):
        return ateliers('pos', 'close', '--database', database, '--point',
            point, '--type', type_, '--date', date.isoformat(), env=env)

    def refused(run, message):
        assert run.returncode == 1, run.stdout + run.stderr
        assert message in run.stderr
        assert 'Traceback' not in run.stderr

    # The month still running cannot be closed (not ended)
    refused(close('Magasin de producteurs', 'month', today),
        "n'est pas terminée")
    # Last month was closed by the tills' simulated year (ateliers init
    # --demo): once only
    if last_month.year == today.year:
        refused(close('Magasin de producteurs', 'month', last_month),
            "est déjà clôturée")

    # Today's day (the demo leaves it to the tills: nothing rung up yet)
    # can, once, and its signed archive is written outside (the boutique:
    # the till test sells at the shop today)
    boutique = 'Boutique textile La Fibre Câline'
    run = close(boutique, 'day', today)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith('Clôture n° '), run.stdout
    archives = sorted((home / 'pos-archives' / database).glob(
        f'closing-*-day-{today.isoformat()}.csv'))
    assert len(archives) == 1, archives
    assert archives[0].read_bytes().splitlines()[-1].startswith(
        b'hmac-sha256;')
    refused(close(boutique, 'day', today), "est déjà clôturée")

    run = ateliers('pos', 'verify', '--database', database, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines and all(l.startswith('OK ') for l in lines), run.stdout
    assert any('dernière archive concordante' in l for l in lines)

    run = ateliers('pos', 'verify-archive', '--database', database,
        archives[0], env=env)
    assert run.returncode == 0, run.stdout + run.stderr

    # Without the key: "not verifiable", never "intact"
    no_key = dict(env, TRYTOND_PTCE_SECTORS__CHAIN_KEY_FILE=str(
            home / 'missing.key'))
    run = ateliers('pos', 'verify', '--database', database, env=no_key)
    assert run.returncode == 3, run.stdout + run.stderr
    assert 'NON VÉRIFIABLE' in run.stdout
    assert 'intacte' not in run.stdout

    # A key rotation: the new key signs, the old one still verifies
    run = ateliers('pos', 'key', 'rotate', env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len((home / 'pos-chain.key').read_text().splitlines()) == 4
    run = ateliers('pos', 'verify', '--database', database, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
