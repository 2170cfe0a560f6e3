"""What the ``ateliers`` commands share for their command line: click in
French, the option types that validate the input, the options used by
several commands and an atomic writer for output files.

Exit codes: 2 for a usage or validation error (click's ``UsageError``:
missing or invalid option, unknown command, unreadable input file, year
without fiscal year...), 1 for a business error (``ToolError``, Tryton's
``UserError``) or an unexpected one, 0 on success.
"""
import configparser
import contextlib
import datetime
import gettext
import os
import pathlib
import re
import socket
import tempfile

import click

# click has no French catalogue: its messages go through gettext's
# ``_``/``ngettext`` bound in each of its modules, replaced below by this
# table (tests/test_cli.py checks that each key is still a message of the
# installed click).
FRENCH = {
    'Aborted!': "Interrompu.",
    'Usage:': "Utilisation :",
    'Options': "Options",
    'Commands': "Commandes",
    'Positional arguments': "Arguments",
    'Show this message and exit.': "Afficher cette aide et quitter.",
    'Show the version and exit.': "Afficher la version et quitter.",
    'Error: {message}': "Erreur : {message}",
    "Try '{command} {option}' for help.":
        "Aide : « {command} {option} ».",
    'Missing command.': "Commande manquante.",
    'No such command {name!r}.': "Commande inconnue : {name!r}.",
    'No such option {name!r}.': "Option inconnue : {name!r}.",
    'Missing argument': "Argument manquant",
    'Missing option': "Option obligatoire manquante",
    'Missing parameter': "Paramètre manquant",
    'Missing {param_type}': "Paramètre manquant ({param_type})",
    'Missing parameter: {param_name}': "Paramètre manquant : {param_name}",
    'Invalid value for {param_hint}: {message}':
        "Valeur invalide pour {param_hint} : {message}",
    'Invalid value: {message}': "Valeur invalide : {message}",
    'Could not open file {filename!r}: {message}':
        "Impossible d'ouvrir le fichier {filename!r} : {message}",
    'unknown error': "erreur inconnue",
    'Option {name!r} does not take a value.':
        "L'option {name!r} ne prend pas de valeur.",
    'Argument {name!r} takes {nargs} values.':
        "L'argument {name!r} prend {nargs} valeurs.",
    'Invalid start character for option ({option})':
        "Caractère initial invalide pour l'option ({option})",
    'Value must be an iterable.': "La valeur doit être une liste.",
    'env var: {var}': "variable d'environnement : {var}",
    'default: {default}': "défaut : {default}",
    'required': "obligatoire",
    '(dynamic)': "(calculé)",
    'Choose from:\n\t{choices}': "Choisir parmi :\n\t{choices}",
    '{value!r} is not a valid {number_type}.':
        "{value!r} n'est pas un nombre valide.",
    '{value} is not in the range {range}.':
        "{value} n'est pas dans l'intervalle {range}.",
    '{value!r} is not a valid boolean. Recognized values: {states}':
        "{value!r} n'est pas un booléen ; valeurs reconnues : {states}",
    '{value!r} is not a valid UUID.': "{value!r} n'est pas un UUID valide.",
    'file': "le fichier",
    'directory': "le dossier",
    'path': "le chemin",
    '{name} {filename!r} does not exist.': "{name} {filename!r} n'existe pas.",
    '{name} {filename!r} is a file.': "{name} {filename!r} est un fichier.",
    '{name} {filename!r} is a directory.':
        "{name} {filename!r} est un dossier.",
    '{name} {filename!r} is not readable.':
        "{name} {filename!r} n'est pas lisible.",
    '{name} {filename!r} is not writable.':
        "{name} {filename!r} n'est pas accessible en écriture.",
    '{name} {filename!r} is not executable.':
        "{name} {filename!r} n'est pas exécutable.",
    'Do you want to continue?': "Voulez-vous continuer ?",
    'Confirm the action without prompting.':
        "Confirmer l'action sans la demander.",
    'Repeat for confirmation': "Répétez pour confirmer",
    'Error: The two entered values do not match.':
        "Erreur : les deux valeurs saisies diffèrent.",
    'Error: invalid input': "Erreur : saisie invalide",
    'Press any key to continue...':
        "Appuyez sur une touche pour continuer…",
    }

# Messages with a plural: English singular -> French singular and plural
FRENCH_PLURAL = {
    'Did you mean {possibility}?': (
        "Vouliez-vous dire {possibility} ?",
        "(Vouliez-vous dire l'un de : {possibilities} ?)"),
    'Got unexpected extra argument ({args})': (
        "Argument en trop : {args}", "Arguments en trop : {args}"),
    'Takes {nargs} values but 1 was given.': (
        "Prend {nargs} valeurs mais 1 a été donnée.",
        "Prend {nargs} valeurs mais {len} ont été données."),
    '{value!r} is not {choice}.': (
        "{value!r} n'est pas {choice}.",
        "{value!r} n'est pas l'une des valeurs {choices}."),
    '{value!r} does not match the format {format}.': (
        "{value!r} ne suit pas le format {format}.",
        "{value!r} ne suit aucun des formats {formats}."),
    'Option {name!r} requires an argument.': (
        "L'option {name!r} attend une valeur.",
        "L'option {name!r} attend {nargs} valeurs."),
    '{len_type} values are required, but {len_value} was given.': (
        "{len_type} valeurs sont attendues, {len_value} donnée.",
        "{len_type} valeurs sont attendues, {len_value} données."),
    }

CLICK_MODULES = ['core', 'exceptions', 'types', 'parser', 'formatting',
    'decorators', 'termui']


def french_gettext(message):
    return FRENCH.get(message, message)


def french_ngettext(singular, plural, n):
    if singular in FRENCH_PLURAL:
        one, many = FRENCH_PLURAL[singular]
        return one if n <= 1 else many
    return gettext.ngettext(singular, plural, n)


def install_french():
    "Make click speak French in this process"
    import importlib
    for name in CLICK_MODULES:
        module = importlib.import_module(f'click.{name}')
        if hasattr(module, '_'):
            module._ = french_gettext
        if hasattr(module, 'ngettext'):
            module.ngettext = french_ngettext


install_french()


class HelpFormatter(click.HelpFormatter):
    "French typography: a space before the colon of the headings"

    def write_heading(self, heading):
        self.write(f"{'':>{self.current_indent}}{heading} :\n")


class Context(click.Context):
    formatter_class = HelpFormatter


class Command(click.Command):
    context_class = Context


class Group(click.Group):
    "A group of commands whose help and usage are French"
    context_class = Context
    command_class = Command
    group_class = type  # sub-groups of the same class

    def __init__(self, *args, **kwargs):
        kwargs.setdefault('subcommand_metavar', "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)


# -- Types -------------------------------------------------------------------

DATABASE_NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_-]{0,49}$')


class DatabaseName(click.ParamType):
    """A database name: letters, digits, '_' and '-' (50 at most), so that
    it never clashes with the temporary names of ``ateliers init``"""
    name = 'database'

    def convert(self, value, param, ctx):
        if not DATABASE_NAME.match(value):
            self.fail(
                f"nom de base {value!r} invalide : lettres, chiffres, « _ » "
                "et « - » seulement (50 au plus).", param, ctx)
        return value


class Period(click.ParamType):
    """A month written YYYY-MM, not beyond next month unless the eager
    ``--force`` option was given"""
    name = 'period'

    def convert(self, value, param, ctx):
        match = re.fullmatch(r'(\d{4})-(\d{2})', value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            self.fail(
                f"période {value!r} invalide : attendu AAAA-MM, par exemple "
                f"{datetime.date.today():%Y-%m}.", param, ctx)
        first = datetime.date(int(match.group(1)), int(match.group(2)), 1)
        today = datetime.date.today()
        next_month = (today.replace(day=28) + datetime.timedelta(days=4)
            ).replace(day=1)
        if first > next_month and not (ctx and ctx.params.get('force')):
            self.fail(
                f"la période {value} est au-delà du mois prochain "
                f"({next_month:%Y-%m}) : --force pour la traiter quand "
                "même.", param, ctx)
        return value


class Date(click.DateTime):
    """A day, YYYY-MM-DD or DD/MM/YYYY, not after today unless future"""
    name = 'date'

    def __init__(self, future=True):
        super().__init__(['%Y-%m-%d', '%d/%m/%Y'])
        self.future = future

    def get_metavar(self, param, ctx=None):
        return 'DATE'

    def convert(self, value, param, ctx):
        if isinstance(value, datetime.datetime):
            return value
        for format_ in self.formats:
            try:
                result = datetime.datetime.strptime(value, format_)
                break
            except ValueError:
                continue
        else:
            self.fail(
                f"date {value!r} invalide : attendu AAAA-MM-JJ ou "
                "JJ/MM/AAAA.", param, ctx)
        if not self.future and result.date() > datetime.date.today():
            self.fail(f"la date {value} est dans le futur.", param, ctx)
        return result


class Host(click.ParamType):
    "A host name or IP address that resolves"
    name = 'host'

    def convert(self, value, param, ctx):
        if not value or re.search(r'\s', value):
            self.fail(f"adresse {value!r} invalide.", param, ctx)
        try:
            socket.getaddrinfo(value, None)
        except (socket.gaierror, UnicodeError):
            self.fail(f"adresse {value!r} inconnue.", param, ctx)
        return value


class Text(click.ParamType):
    "A non-empty text"
    name = 'text'

    def convert(self, value, param, ctx):
        if not value.strip():
            self.fail("texte vide.", param, ctx)
        return value.strip()


class ConfigFile(click.Path):
    "A trytond configuration file that exists and parses"

    def __init__(self):
        super().__init__(exists=True, dir_okay=False, readable=True)

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(value, encoding='utf-8')
        except (configparser.Error, UnicodeError) as error:
            message = str(error).splitlines()[0]
            self.fail(f"fichier de configuration illisible : {message}",
                param, ctx)
        return value


class InputFile(click.Path):
    "A file to read: it must exist and be readable"

    def __init__(self, suffixes=None):
        super().__init__(exists=True, dir_okay=False, readable=True)
        self.suffixes = suffixes

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        if self.suffixes and (
                pathlib.Path(value).suffix.lower() not in self.suffixes):
            self.fail(f"{value!r} : extension attendue "
                f"{' ou '.join(self.suffixes)}.", param, ctx)
        try:
            with open(value, 'rb'):
                pass
        except OSError as error:
            self.fail(f"{value!r} illisible : {error.strerror}.", param, ctx)
        return value


class OutputFile(click.Path):
    """A file to write: a suffix among suffixes, in a folder that exists
    and can be written"""

    def __init__(self, suffixes):
        super().__init__(dir_okay=False, writable=True)
        self.suffixes = suffixes

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        path = pathlib.Path(value)
        if path.suffix.lower() not in self.suffixes:
            self.fail(f"{value!r} : le fichier doit se terminer par "
                f"{' ou '.join(self.suffixes)}.", param, ctx)
        folder = path.absolute().parent
        if not folder.is_dir():
            self.fail(f"le dossier {str(folder)!r} n'existe pas.", param, ctx)
        if not os.access(folder, os.W_OK | os.X_OK):
            self.fail(f"le dossier {str(folder)!r} n'est pas accessible en "
                "écriture.", param, ctx)
        return value


class OutputFolder(click.Path):
    "A folder to write into, created if missing under an existing parent"

    def __init__(self):
        super().__init__(file_okay=False, writable=True)

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        folder = pathlib.Path(value).absolute()
        if not folder.exists():
            if not folder.parent.is_dir():
                self.fail(f"le dossier {str(folder.parent)!r} n'existe pas.",
                    param, ctx)
            if not os.access(folder.parent, os.W_OK | os.X_OK):
                self.fail(f"le dossier {str(folder.parent)!r} n'est pas "
                    "accessible en écriture.", param, ctx)
        return value


YEAR = click.IntRange(2000, 2100)
PORT = click.IntRange(1, 65535)
POSITIVE = click.IntRange(min=1)


# -- Options shared by several commands ---------------------------------------

database_option = click.option(
    '--database', '-d', type=DatabaseName(), metavar='NOM',
    default=lambda: os.environ.get('ATELIERS_DATABASE', 'ateliers'),
    show_default='ateliers ou ATELIERS_DATABASE',
    help="Nom de la base de données.")

force_option = click.option(
    '--force', is_flag=True, is_eager=True,
    help="Accepter une période au-delà du mois prochain.")


def period_option(help):
    return click.option('--period', type=Period(), required=True,
        metavar='AAAA-MM', help=help)


def year_option(help="Exercice comptable (année).", **kwargs):
    return click.option('--year', type=YEAR, metavar='ANNÉE', help=help,
        **kwargs)


def check_fiscal_year(pool, year, param_hint="'--year'", company=None):
    """Raise a usage error (exit code 2) when no fiscal year of the company
    (default: the one of the context) covers year, naming those that
    exist"""
    from trytond.transaction import Transaction
    FiscalYear = pool.get('account.fiscalyear')
    if company is None:
        company = Transaction().context.get('company')
    fiscalyears = FiscalYear.search([('company', '=', int(company or -1))],
        order=[('start_date', 'ASC')])
    for fiscalyear in fiscalyears:
        if (fiscalyear.start_date.year <= year
                <= fiscalyear.end_date.year):
            return
    existing = ', '.join(f.name for f in fiscalyears) or 'aucun'
    raise click.BadParameter(
        f"aucun exercice comptable ne couvre {year} (exercices : "
        f"{existing}).", param_hint=param_hint)


# -- Output files -------------------------------------------------------------

@contextlib.contextmanager
def atomic_output(path):
    """Yield a temporary path in the folder of path, with the same suffix;
    rename it to path when the block succeeds, remove it otherwise: a
    failure never leaves a partial file."""
    path = pathlib.Path(path).absolute()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.stem}.',
        suffix=f'.tmp{path.suffix}')
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
