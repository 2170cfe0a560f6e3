"""The command line of `ateliers`: every option validated, errors in one
French line with exit code 2 for a usage error and 1 for a business one,
click's own messages and the help in French, no partial output file.

Most tests run the command without a database (the validation happens
before) and in this process, through click's CliRunner (`cli` fixture):
starting a Python process per check costs more than the check. The real
console script is still run for its exit codes, once per command group
(`test_console_script`), and for the errors that depend on the tool's
own configuration; the tests marked with the `site` fixture use the demo
database, in a process of their own."""
import datetime
import os
import pathlib
import re
import subprocess
import traceback

import click
import pytest
from click.testing import CliRunner
from smoke import ROOT, ateliers, tool_env

TODAY = datetime.date.today()
NEXT_MONTH = (TODAY.replace(day=28) + datetime.timedelta(days=4)).replace(
    day=1)
FAR_MONTH = f'{TODAY.year + 2}-01'
# A week ahead: still in the future if the run passes midnight
NEXT_WEEK = (TODAY + datetime.timedelta(days=7)).isoformat()
ENGLISH = ['Usage:', 'Error:', 'Options:', 'Commands:', 'Missing option',
    'No such', 'Invalid value', 'Show this message', 'Try ', 'is not',
    'does not', 'Traceback', 'default:', 'required]']


@pytest.fixture
def env(tmp_path):
    return tool_env(tmp_path / 'home')


@pytest.fixture
def cli(env):
    """Run the tool in this process with the environment env, as the
    console script would: returns what subprocess.run would (exit code,
    standard output and error); an exception that escapes the tool is
    written to its standard error as Python would print it"""
    from ateliers import cli as tool
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()

    def invoke(*args, cwd=None):
        args = [str(a) for a in args]
        saved, folder = dict(os.environ), os.getcwd()
        os.environ.clear()
        os.environ.update(env)
        try:
            if cwd:
                os.chdir(cwd)
            result = runner.invoke(tool.main, args, prog_name='ateliers')
        finally:
            os.chdir(folder)
            os.environ.clear()
            os.environ.update(saved)
        stderr = result.stderr
        if result.exception and not isinstance(
                result.exception, SystemExit):
            stderr += ''.join(traceback.format_exception(
                    *result.exc_info))
        return subprocess.CompletedProcess(
            ['ateliers', *args], result.exit_code, result.stdout, stderr)
    return invoke


def assert_usage_error(run, *expected):
    "Exit code 2, one French error line, no English, no traceback"
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    errors = [l for l in run.stderr.splitlines() if l.startswith('Erreur')]
    assert len(errors) == 1, run.stderr
    assert errors[0].startswith('Erreur : '), run.stderr
    for text in expected:
        assert text in errors[0], run.stderr
    for english in ENGLISH:
        assert english not in run.stderr, run.stderr
    return errors[0]


def assert_business_error(run, *expected):
    "Exit code 1, the error as one French line on standard error"
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr)
    assert run.stderr.strip().count('\n') == 0, run.stderr
    assert run.stderr.startswith('Erreur : '), run.stderr
    assert 'Traceback' not in run.stderr
    for text in expected:
        assert text in run.stderr, run.stderr


# -- click in French --

@pytest.mark.parametrize('args', [[], ['pos'], ['pos', 'close'],
        ['rents', 'invoice'], ['init'], ['serve']])
def test_help_in_french(cli, args):
    "`--help` of the tool, a group and commands: French headings and texts"
    run = cli(*args, '--help')
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"Utilisation : ateliers {' '.join(args)}")
    assert '\nOptions :\n' in run.stdout
    assert 'Afficher cette aide et quitter.' in run.stdout
    if args in [[], ['pos']]:
        assert '\nCommandes :\n' in run.stdout
        assert 'COMMANDE [ARGUMENTS]...' in run.stdout
    for english in ENGLISH + ['Name of', 'Show ']:
        assert english not in run.stdout, run.stdout


def test_unknown_command(cli):
    run = cli('nope')
    assert_usage_error(run, "Commande inconnue : 'nope'")
    assert run.stderr.startswith('Utilisation : ateliers [OPTIONS]')
    assert "Aide : « ateliers --help »." in run.stderr


def test_missing_option(cli):
    run = cli('rents', 'invoice')
    assert_usage_error(run, "Option obligatoire manquante '--period'")
    assert run.stderr.startswith('Utilisation : ateliers rents invoice')


def test_unknown_option(cli):
    assert_usage_error(cli('serve', '--nope'),
        "Option inconnue : '--nope'")


def test_option_without_value(cli):
    assert_usage_error(cli('serve', '--port'),
        "L'option '--port' attend une valeur.")


def test_missing_command_of_group(cli):
    "A group without command prints its help (French) with exit code 2"
    run = cli('pos')
    assert run.returncode == 2
    assert 'Utilisation : ateliers pos' in run.stdout + run.stderr


def test_catalogue_matches_click():
    """Each message of the French catalogue is a message of the installed
    click: an upgrade that renames one makes this fail, not English leak"""
    from ateliers import options
    source = ''.join(
        (pathlib.Path(click.__file__).parent / f'{name}.py').read_text()
        for name in options.CLICK_MODULES)
    for message in [*options.FRENCH, *options.FRENCH_PLURAL]:
        assert repr(message)[1:-1] in source or message in source, message


# -- every option validated --

def walk(command, path=()):
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from walk(sub, path + (name,))
    else:
        yield path, command


def test_every_option_is_typed_and_documented():
    """The inventory: every option and argument of every command has a
    French help, a type that validates it (no bare text or integer) and a
    line in README.md's table of options"""
    from ateliers import cli, options
    readme = (ROOT / 'README.md').read_text()
    table = readme[readme.index('**Options and their validation**'):]
    table = table[:table.index('\n\n', table.index('| option |'))]
    commands = dict(walk(cli.main))
    assert {' '.join(p) for p in commands} >= {
        'init', 'serve', 'shell', 'members import', 'members register',
        'rents invoice', 'pos verify', 'pos close', 'pos archive',
        'pos verify-archive', 'consignment settle', 'recyclerie tonnage',
        'accounting close-check', 'accounting close-year', 'accounting fec',
        'accounting surplus',
        'report funder', 'report activity'}
    validating = (options.DatabaseName, options.Period, options.Date,
        options.Host, options.Text, click.Path, click.Choice,
        click.IntRange, click.FloatRange)
    for path, command in commands.items():
        assert command.help and 'the ' not in command.help.lower(), path
        for param in command.params:
            if param.name == 'help':
                continue
            name = max(param.opts, key=len)
            if isinstance(param, click.Argument):
                name = param.metavar
            assert f'`{name}' in table, (
                f"{' '.join(path)} {name} is not in README.md's table")
            if isinstance(param, click.Option):
                assert param.help, (path, param.name)
                if param.is_flag:
                    continue
            assert isinstance(param.type, validating), (path, param.name)


@pytest.mark.parametrize('args, expected', [
        (['serve', '--port', '0'], "'--port' : 0 n'est pas dans"),
        (['serve', '--port', '65536'], "'--port' : 65536 n'est pas dans"),
        (['serve', '--port', 'http'], "'http' n'est pas un nombre valide"),
        (['serve', '--host', 'mauvais hôte'], "adresse 'mauvais hôte'"),
        (['serve', '--host', 'nowhere.invalid'], "inconnue"),
        (['serve', '--database', 'a b'], "nom de base 'a b' invalide"),
        (['shell', '--database', 'demo.building'], "nom de base"),
        (['init', '--language', 'xx'], "'--language' : 'xx' n'est pas"),
        (['init', '--year', '1999'], "'--year' : 1999 n'est pas dans"),
        (['init', '--year', 'deux'], "n'est pas un nombre valide"),
        (['rents', 'invoice', '--period', '2026-13'], "attendu AAAA-MM"),
        (['rents', 'invoice', '--period', '12/2026'], "attendu AAAA-MM"),
        (['rents', 'invoice', '--period', FAR_MONTH],
            "au-delà du mois prochain"),
        (['rents', 'invoice', '--period', f'{TODAY:%Y-%m}',
                '--batch-size', '0'], "'--batch-size' : 0 n'est pas dans"),
        (['consignment', 'settle', '--period', 'mars'], "attendu AAAA-MM"),
        (['consignment', 'settle', '--period', FAR_MONTH], "--force"),
        (['recyclerie', 'tonnage', '--period', FAR_MONTH], "--force"),
        (['members', 'register', '--output', 'registre.pdf'],
            ".csv ou .xlsx"),
        (['members', 'register', '--output', 'TMP/absent/r.csv'],
            "/absent' n'existe pas"),
        (['members', 'register', '--output', 'r.csv', '--at', '2026-02-30'],
            "date '2026-02-30' invalide"),
        (['members', 'register', '--output', 'r.csv', '--at', NEXT_WEEK],
            "dans le futur"),
        (['members', 'import', 'absent.xls'], "n'existe pas"),
        (['members', 'import', 'README.md'], "extension attendue .xls"),
        (['pos', 'close', '--point', 'Bar', '--date', NEXT_WEEK],
            "dans le futur"),
        (['pos', 'close', '--point', ' '], "'--point' : texte vide"),
        (['pos', 'close', '--point', 'Bar', '--type', 'week'],
            "'week' n'est pas l'une des valeurs 'day', 'month', 'year'"),
        (['pos', 'archive', '--point', 'Bar', '--date', '2026-01-01',
                '--output', 'archive.txt'], ".csv"),
        (['pos', 'verify-archive', 'absent.csv'], "n'existe pas"),
        (['pos', 'verify-archive', '/'], "est un dossier"),
        (['accounting', 'close-check'], "'--year'"),
        (['accounting', 'fec', '--year', '2026', '--output',
                'TMP/absent/fec'], "/absent' n'existe pas"),
        (['accounting', 'surplus', '--year', '3000'], "n'est pas dans"),
        (['accounting', 'close-year', '--year', '2026'], "'--output'"),
        (['accounting', 'close-year', '--output', 'TMP'], "'--year'"),
        (['accounting', 'close-year', '--year', '2026', '--output',
                'TMP/absent/fec'], "/absent' n'existe pas"),
        (['report', 'funder', '--year', '2026', '--output', 'pack.csv'],
            ".xlsx"),
        (['report', 'funder', '--funder', '', '--year', '2026',
                '--output', 'pack.xlsx'], "texte vide"),
        (['report', 'activity', '--year', '2026'], "'--output'"),
        (['--config', 'absent.conf', 'serve'], "'absent.conf' n'existe pas"),
        (['simulate', '--year', '2026', '--sales-volume', '0'],
            "'--sales-volume' : 0"),
        (['init', '--sales-since', '2026-02-01'], "seulement avec --demo"),
        (['init', '--demo', '--year', '2026', '--sales-since', '2025-12-01'],
            "'--sales-since' : le 01/12/2025 n'est pas dans l'année 2026"),
        (['simulate', '--year', '2026', '--sales-since', '2025-12-01'],
            "'--sales-since' : le 01/12/2025 n'est pas dans l'année 2026"),
        ])
def test_validation(cli, tmp_path, args, expected):
    "Each invalid input: a usage error, before anything is done"
    args = [a.replace('TMP', str(tmp_path)) for a in args]
    assert_usage_error(cli(*args, cwd=ROOT), expected)
    assert not (tmp_path / 'absent').exists()


def test_config_unreadable(cli, tmp_path):
    config = tmp_path / 'trytond.conf'
    config.write_text('not a section\n')
    assert_usage_error(cli('--config', config, 'serve'),
        "fichier de configuration illisible")


def test_force_accepts_far_period(cli):
    """--force lets a period beyond next month through the validation (the
    missing database is then a business error, exit code 1)"""
    assert_business_error(
        cli('rents', 'invoice', '--period', FAR_MONTH, '--force',
            '--database', 'absente'),
        "La base « absente » n'existe pas")
    assert_business_error(
        cli('rents', 'invoice', '--period', f'{NEXT_MONTH:%Y-%m}',
            '--database', 'absente'),
        "n'existe pas")


def test_business_error_exit_code(env):
    assert_business_error(
        ateliers('serve', '--database', 'absente', env=env),
        "La base « absente » n'existe pas")


# -- the real console script --

@pytest.mark.parametrize('args, expected', [
        (['nope'], "Commande inconnue : 'nope'"),
        (['init', '--year', '1999'], "'--year' : 1999 n'est pas dans"),
        (['serve', '--port', '0'], "'--port' : 0 n'est pas dans"),
        (['shell', '--database', 'demo.building'], "nom de base"),
        (['members', 'import', 'absent.xls'], "n'existe pas"),
        (['rents', 'invoice', '--period', '2026-13'], "attendu AAAA-MM"),
        (['pos', 'close', '--point', ' '], "'--point' : texte vide"),
        (['consignment', 'settle', '--period', 'mars'], "attendu AAAA-MM"),
        (['recyclerie', 'tonnage', '--period', FAR_MONTH], "--force"),
        (['accounting', 'close-check'], "'--year'"),
        (['report', 'activity', '--year', '2026'], "'--output'"),
        ])
def test_console_script(env, args, expected):
    """The installed `ateliers` script of each command: a usage error is
    one French line on standard error with exit code 2 (the other checks
    of this file run the same tool in this process)"""
    assert_usage_error(ateliers(*args, env=env, cwd=ROOT, timeout=120),
        expected)


def test_console_script_help(env):
    "The installed script prints its French help with exit code 0"
    run = ateliers('--help', env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith('Utilisation : ateliers [OPTIONS]')
    assert '\nCommandes :\n' in run.stdout


# -- validations against the database --

def test_year_without_fiscal_year(site):
    env, database, password, _ = site
    for command in [['accounting', 'close-check'], ['accounting', 'surplus']]:
        line = assert_usage_error(ateliers(*command, '--database', database,
                '--year', '2001', env=env),
            "'--year' : aucun exercice comptable ne couvre 2001")
        assert str(TODAY.year) in line
    assert_usage_error(ateliers('rents', 'invoice', '--database', database,
            '--period', '2001-01', env=env),
        "'--period' : aucun exercice comptable ne couvre 2001")


def test_report_failure_leaves_no_file(site, tmp_path):
    "A report stopped by an error leaves nothing in its folder"
    env, database, password, _ = site
    output = tmp_path / 'out'
    output.mkdir()
    assert_usage_error(ateliers('report', 'activity', '--database', database,
            '--year', '2001', '--output', output / 'rapport.xlsx', env=env),
        "aucun exercice")
    assert_usage_error(ateliers('report', 'funder', '--database', database,
            '--funder', 'Personne', '--year', TODAY.year,
            '--output', output / 'dossier.xlsx', env=env),
        "'--funder' : aucun tiers nommé « Personne »")
    assert list(output.iterdir()) == []


def test_register_written_atomically(site, tmp_path):
    """The register is written through a temporary file renamed at the
    end: the file is complete and no temporary file is left"""
    env, database, password, _ = site
    output = tmp_path / 'registre.csv'
    run = ateliers('members', 'register', '--database', database,
        '--output', output, env=env)
    assert run.returncode == 0, run.stderr
    lines = output.read_text(encoding='utf-8').splitlines()
    # The header and one line per associate the command counted
    written = re.search(r' : (\d+) associés écrits', run.stdout)
    assert written and int(written.group(1)) >= 50, run.stdout
    assert len(lines) == 1 + int(written.group(1)), lines[:3]
    assert [p.name for p in tmp_path.iterdir()] == ['registre.csv']


def test_tonnage_month_without_intake(site):
    "A month without intake prints every flow and the total at zero"
    env, database, password, _ = site
    run = ateliers('recyclerie', 'tonnage', '--database', database,
        '--period', '2001-01', env=env)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) > 1
    assert lines[-1].startswith('Total : collecté 0.0 kg')
    for line in lines:
        assert re.search(r' : collecté 0\.0 kg, réemploi 0\.0%, '
            r'recyclage 0\.0%, élimination 0\.0%$', line), line


def test_no_traceback_on_unexpected_error(env, tmp_path):
    """An unexpected error (here a database file that is not SQLite) is one
    line with exit code 1"""
    folder = tmp_path / 'home' / 'db'
    folder.mkdir(parents=True)
    (folder / 'abimee.sqlite').write_text('pas une base')
    run = ateliers('serve', '--database', 'abimee', env=env)
    assert_business_error(run)


# -- every text of the tool in French --

MESSAGE_CALLS = {'echo', 'secho', 'ToolError', 'ClickException',
    'UsageError', 'BadParameter', 'fail', 'progressbar', 'confirm',
    'prompt'}


def _texts(node):
    "The literal text of a string or f-string node (its fixed parts)"
    import ast
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield ' '.join(v.value for v in node.values
            if isinstance(v, ast.Constant))
    elif isinstance(node, ast.BinOp):
        yield from _texts(node.left)
        yield from _texts(node.right)


def tool_messages():
    """(file:line, text) of what the tool prints: the strings given to
    click.echo, ToolError, click's exceptions and fail(), progress labels
    and the help= of options"""
    import ast
    for path in sorted([*(ROOT / 'ateliers').glob('*.py'),
            *(ROOT / 'ateliers' / 'commands').glob('*.py')]):
        tree = ast.parse(path.read_text(encoding='utf-8'))
        for node in ast.walk(tree):
            nodes = []
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, 'attr', getattr(func, 'id', None))
                if name in MESSAGE_CALLS:
                    nodes.extend(node.args)
                nodes.extend(k.value for k in node.keywords
                    if k.arg in {'help', 'label', 'message', 'show_default',
                        'short_help', 'epilog'})
            elif isinstance(node, ast.Assign) and any(
                    getattr(t, 'attr', None) == 'label'
                    for t in node.targets):
                nodes.append(node.value)
            for arg in nodes:
                for text in _texts(arg):
                    yield f'{path.relative_to(ROOT)}:{node.lineno}', text


def test_tool_messages_in_french():
    """What the tool prints (messages, errors, progress, option help) is
    French: no English word in any of them"""
    from test_translations import english_words
    messages = list(tool_messages())
    assert len(messages) > 100
    english = [f'{where} {text!r} {english_words(text)}'
        for where, text in messages if english_words(text)]
    assert not english, '\n'.join(english)


def test_every_help_in_french():
    """The help of every command and group, its short help and the help
    of each of its options hold no English word (click's own texts are
    checked by test_help_in_french)"""
    from test_translations import english_words

    from ateliers import cli

    def commands(command, path=('ateliers',)):
        yield path, command
        for name, sub in getattr(command, 'commands', {}).items():
            yield from commands(sub, path + (name,))
    english, count = [], 0
    for path, command in commands(cli.main):
        texts = [command.help, command.short_help, command.epilog] + [
            getattr(p, 'help', None) for p in command.params]
        for text in texts:
            if not text:
                continue
            count += 1
            if english_words(text):
                english.append(
                    f"{' '.join(path)}: {text!r} {english_words(text)}")
    assert count > 40
    assert not english, '\n'.join(english)


def test_english_detected():
    "The check fails on an English help"
    from test_translations import english_words

    @click.command(help="Create the database with the four modules.")
    @click.option('--year', help="Fiscal year to open.")
    def command(year):
        pass
    assert english_words(command.help)
    assert english_words(command.params[0].help)
