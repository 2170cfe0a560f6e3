# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The FEC (fichier des écritures comptables): export through account_fr
and an independent validator of the format of article A47 A-1 of the
Livre des procédures fiscales.

The validator is plain Python (no Tryton) so that it can check any file,
ours or another software's, and report the line and column of each defect.
The export refuses a company without SIREN: the file is named after it
(A47 A-1), in account_fr's wizard as in `ateliers accounting fec`.

There is one export, account_fr's wizard: the client runs it, and
`ateliers accounting fec` (closing.export_fec) drives it.  Its period to
leave out (the balance of the non-deferral accounts) is required by
account_fr only when the fiscal year has such a period: a fiscal year of
monthly periods, as ateliers.setup creates it, has none until its closing.
"""
import datetime
import os
import re
import tempfile
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from stdnum.fr import siren as siren_check
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .exceptions import FECError

# A47 A-1, I: the 18 fields, in this order, named as in the header.
COLUMNS = [
    'JournalCode', 'JournalLib', 'EcritureNum', 'EcritureDate',
    'CompteNum', 'CompteLib', 'CompAuxNum', 'CompAuxLib', 'PieceRef',
    'PieceDate', 'EcritureLib', 'Debit', 'Credit', 'EcritureLet',
    'DateLet', 'ValidDate', 'Montantdevise', 'Idevise',
    ]
MANDATORY = [
    'JournalCode', 'JournalLib', 'EcritureNum', 'EcritureDate',
    'CompteNum', 'CompteLib', 'PieceRef', 'PieceDate', 'EcritureLib',
    'Debit', 'Credit', 'ValidDate',
    ]
DATES = ['EcritureDate', 'PieceDate', 'ValidDate']
OPTIONAL_DATES = ['DateLet']
AMOUNTS = ['Debit', 'Credit']
OPTIONAL_AMOUNTS = ['Montantdevise']
# Comma as decimal separator, no thousands separator (A47 A-1, III).
AMOUNT_RE = re.compile(r'^-?\d+(,\d{1,2})?$')
DATE_RE = re.compile(r'^\d{8}$')
NUMBER_RE = re.compile(r'^(.*?)(\d+)$')
# A47 A-1: <SIREN>FEC<closing date YYYYMMDD>, with an optional extension.
FILENAME_RE = re.compile(r'^(?P<siren>.*?)FEC(?P<date>.*?)(?P<ext>\.[^.]*)?$')


@dataclass(frozen=True)
class Defect:
    """One defect of a FEC: line (1 = header, None for the file name) and
    column (1-based, or None)"""
    line: int | None
    column: int | None
    message: str

    def __str__(self):
        if self.line is None:
            return f"nom du fichier : {self.message}"
        where = f"ligne {self.line}"
        if self.column:
            where += f", colonne {self.column} ({COLUMNS[self.column - 1]})"
        return f"{where} : {self.message}"


def _parse_amount(value):
    return Decimal(value.replace(',', '.')) if value else Decimal(0)


def _parse_date(value):
    try:
        return datetime.datetime.strptime(value, '%Y%m%d').date()
    except ValueError:
        return None


def _number_key(value):
    "Split an entry number into (prefix, integer) when it ends with digits"
    match = NUMBER_RE.match(value)
    if match:
        return match.group(1), int(match.group(2))
    return value, None


def check_filename(filename, end_date=None):
    """The defects of the name of a FEC (A47 A-1): <SIREN>FEC<YYYYMMDD>
    where SIREN is the 9 digits of the company (Luhn key) and the date the
    closing date of the fiscal year (end_date when given), followed by an
    optional extension. filename may be a path."""
    name = os.path.basename(filename)
    expected = "<SIREN>FEC<AAAAMMJJ>[.extension]"
    match = FILENAME_RE.match(name)
    if not match:
        return [Defect(None, None,
                f"« {name} » ne suit pas la forme {expected} "
                "(article A47 A-1 du LPF)")]
    defects = []
    siren, date = match.group('siren'), match.group('date')
    if not re.fullmatch(r'\d{9}', siren):
        found = f", pas par « {siren} »" if siren else ""
        defects.append(Defect(None, None,
                f"« {name} » doit commencer par le SIREN de 9 chiffres "
                f"({expected}){found}"))
    elif not siren_check.is_valid(siren):
        defects.append(Defect(None, None,
                f"SIREN « {siren} » de « {name} » invalide (clé de Luhn)"))
    if not DATE_RE.match(date) or _parse_date(date) is None:
        defects.append(Defect(None, None,
                f"« {name} » : la date de clôture « {date} » est invalide "
                f"(AAAAMMJJ attendu, {expected})"))
    elif end_date and _parse_date(date) != end_date:
        defects.append(Defect(None, None,
                f"« {name} » : la date {date} n'est pas la date de clôture "
                f"de l'exercice ({end_date:%Y%m%d})"))
    return defects


def validate(content, start_date=None, end_date=None, opening='0',
        filename=None):
    """Check a FEC and return the list of its defects (empty when valid).

    content: bytes or str of the whole file. start_date / end_date: when
    given, every EcritureDate must fall in the fiscal year. opening: the
    EcritureNum of the opening entries, left out of the sequence check.
    filename: when given, its name is checked too (check_filename); the
    defects of the name come first, with line None.

    Checks: header and 18 columns, separator (tab or |, A47 A-1, III),
    mandatory fields, dates YYYYMMDD, amounts with a comma decimal separator
    and no thousands separator, each entry balanced (debit = credit per
    journal and EcritureNum), EcritureNum sequential within each journal
    (increasing, each entry in one block) and continuous without gaps
    (over the file when numbers are unique across journals, as Tryton
    numbers moves with one sequence per fiscal year; else per journal).
    """
    defects = []
    if filename is not None:
        defects.extend(check_filename(filename, end_date))
    if isinstance(content, bytes):
        try:
            content = content.decode('utf-8')
        except UnicodeDecodeError:
            content = content.decode('latin-1')
            defects.append(Defect(
                    1, None, "le fichier n'est pas en UTF-8 "
                    "(lu en ISO 8859-1)"))
    if content.startswith('\ufeff'):
        content = content[1:]
    lines = content.splitlines()
    if not lines:
        return defects + [Defect(1, None, "le fichier est vide")]
    header = lines[0]
    if '\t' in header:
        separator = '\t'
    elif '|' in header:
        separator = '|'
    else:
        return defects + [Defect(
                1, None, "séparateur inconnu : la tabulation ou le "
                "caractère | est attendu")]
    names = header.split(separator)
    if len(names) != len(COLUMNS):
        defects.append(Defect(
                1, None, f"l'en-tête a {len(names)} colonnes au lieu de "
                f"{len(COLUMNS)}"))
    for i, (name, expected) in enumerate(zip(names, COLUMNS), 1):
        if name.strip() != expected:
            defects.append(Defect(
                    1, i, f"en-tête « {name} » au lieu de « {expected} »"))
    index = {name: i for i, name in enumerate(COLUMNS)}

    entries = OrderedDict()  # (journal, number) -> [line, debit, credit]
    journal_order = defaultdict(list)  # journal -> [(number, line)]
    if len(lines) == 1:
        defects.append(Defect(1, None, "le fichier ne contient aucune "
                "écriture"))
    for lineno, text in enumerate(lines[1:], 2):
        if not text.strip():
            defects.append(Defect(lineno, None, "ligne vide"))
            continue
        values = text.split(separator)
        if len(values) != len(COLUMNS):
            defects.append(Defect(
                    lineno, None, f"{len(values)} colonnes au lieu de "
                    f"{len(COLUMNS)} (séparateur {separator!r} dans une "
                    "valeur ?)"))
            continue
        row = dict(zip(COLUMNS, values))
        for name in MANDATORY:
            if not row[name].strip():
                defects.append(Defect(
                        lineno, index[name] + 1, "valeur obligatoire vide"))
        for name in DATES + OPTIONAL_DATES:
            value = row[name]
            if not value and name in OPTIONAL_DATES:
                continue
            if value and (not DATE_RE.match(value)
                    or _parse_date(value) is None):
                defects.append(Defect(
                        lineno, index[name] + 1,
                        f"date « {value} » invalide (AAAAMMJJ attendu)"))
        ok_amounts = True
        for name in AMOUNTS + OPTIONAL_AMOUNTS:
            value = row[name]
            if not value and name in OPTIONAL_AMOUNTS:
                continue
            if value and not AMOUNT_RE.match(value):
                ok_amounts = False
                defects.append(Defect(
                        lineno, index[name] + 1,
                        f"montant « {value} » invalide (virgule décimale, "
                        "sans séparateur de milliers)"))
        if row['Montantdevise'] and not row['Idevise']:
            defects.append(Defect(
                    lineno, index['Idevise'] + 1,
                    "devise absente pour un montant en devise"))
        date = _parse_date(row['EcritureDate'])
        if date and start_date and end_date and not (
                start_date <= date <= end_date):
            defects.append(Defect(
                    lineno, index['EcritureDate'] + 1,
                    f"date {row['EcritureDate']} hors de l'exercice"))
        journal, number = row['JournalCode'], row['EcritureNum']
        key = (journal, number)
        if key not in entries:
            entries[key] = [lineno, Decimal(0), Decimal(0)]
            journal_order[journal].append((number, lineno))
        elif journal_order[journal][-1][0] != number:
            defects.append(Defect(
                    lineno, index['EcritureNum'] + 1,
                    f"l'écriture {number} du journal {journal} reprend "
                    "après une autre écriture (lignes non contiguës)"))
        if ok_amounts:
            entries[key][1] += _parse_amount(row['Debit'])
            entries[key][2] += _parse_amount(row['Credit'])

    for (journal, number), (lineno, debit, credit) in entries.items():
        if debit != credit:
            defects.append(Defect(
                    lineno, index['EcritureNum'] + 1,
                    f"écriture {number} du journal {journal} déséquilibrée : "
                    f"débit {debit} ≠ crédit {credit}"))

    defects.extend(_check_sequence(journal_order, opening, index))
    return sorted(defects, key=lambda d: (d.line or 0, d.column or 0))


def _check_sequence(journal_order, opening, index):
    defects = []
    column = index['EcritureNum'] + 1
    numbered = {}
    for journal, numbers in journal_order.items():
        last = None
        for number, lineno in numbers:
            if number == opening:
                continue
            prefix, value = _number_key(number)
            if value is None:
                continue
            if last is not None and last[0] == prefix and value <= last[1]:
                defects.append(Defect(
                        lineno, column,
                        f"numéro {number} du journal {journal} non "
                        f"croissant (après {last[0]}{last[1]})"))
            last = (prefix, value)
            numbered.setdefault((prefix, value), []).append(
                (journal, lineno))
    unique = all(len(v) == 1 for v in numbered.values())
    if unique:
        groups = {'': sorted(numbered.items())}
    else:
        groups = defaultdict(list)
        for key, places in numbered.items():
            for journal, lineno in places:
                groups[journal].append((key, [(journal, lineno)]))
        for journal in groups:
            groups[journal].sort()
    for journal, items in groups.items():
        previous = None
        for (prefix, value), places in items:
            if (previous is not None and previous[0] == prefix
                    and value != previous[1] + 1):
                missing = (f"{prefix}{previous[1] + 1}" if
                    value == previous[1] + 2 else
                    f"{prefix}{previous[1] + 1} à {prefix}{value - 1}")
                where = f" du journal {journal}" if journal else ""
                defects.append(Defect(
                        places[0][1], column,
                        f"rupture de séquence{where} : {missing} "
                        "manquant(s)"))
            previous = (prefix, value)
    return defects


def write_atomic(path, data):
    """Write bytes to path through a temporary file of the same folder
    renamed at the end, so that no half-written file is ever left."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp-')
    try:
        with os.fdopen(fd, 'wb') as file:
            file.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def company_siren(company):
    """The SIREN of company as 9 digits, read as account_fr does (the
    "fr_siren" identifier of its party, party_siret); raises FECError,
    saying where to enter it, when the company has none."""
    siren = company.party.siren
    code = re.sub(r'\D', '', siren.code) if siren and siren.code else ''
    if not code:
        raise FECError(gettext(
                'ptce_reporting.msg_fec_siren_missing',
                company=company.rec_name))
    return code


def fec_filename(fiscalyear, extension='.txt'):
    """The name of the FEC of fiscalyear (A47 A-1): SIREN + "FEC" + its
    closing date YYYYMMDD + extension; raises FECError without SIREN."""
    return (f'{company_siren(fiscalyear.company)}FEC'
        f'{fiscalyear.end_date:%Y%m%d}{extension}')


def adjustment_period(fiscalyear):
    """The adjustment period of fiscalyear that holds the balance of the
    non-deferral accounts (the closing entries, left out of the FEC): the
    last one ending on the closing date. An adjustment period at the start
    of the year holds opening entries, which belong to the FEC."""
    periods = sorted(
        (p for p in fiscalyear.periods
            if p.type == 'adjustment'
            and p.end_date == fiscalyear.end_date),
        key=lambda p: (p.start_date, p.id))
    return periods[-1] if periods else None


class FrFEC(metaclass=PoolMeta):
    """account_fr's FEC export refuses a company without SIREN, names the
    file after it and checks the file with the validator"""
    __name__ = 'account.fr.fec'

    def transition_generate(self):
        # Before any work: the file would be named after no SIREN.
        company_siren(self.start.fiscalyear.company)
        return super().transition_generate()

    def default_result(self, fields):
        file = self.result.file
        result = super().default_result(fields)
        fiscalyear = self.start.fiscalyear
        # account_fr formats the SIREN identifier record, not its code, and
        # names only the final file: the provisional one gets the same name
        # as on the command line.
        result['filename'] = fec_filename(fiscalyear, extension='.csv')
        checks = []
        if fiscalyear.state != 'locked':
            checks.append(gettext('ptce_reporting.msg_fec_provisional',
                    fiscalyear=fiscalyear.rec_name))
        if file is not None:
            defects = validate(bytes(file),
                fiscalyear.start_date, fiscalyear.end_date,
                filename=result['filename'])
            if defects:
                checks.append(gettext('ptce_reporting.msg_fec_defects',
                        count=len(defects)))
                checks.extend(str(d) for d in defects)
            else:
                checks.append(gettext('ptce_reporting.msg_fec_valid'))
        result['checks'] = '\n'.join(checks)
        return result


class FrFECStart(metaclass=PoolMeta):
    """The period to leave out is required only when the fiscal year has an
    adjustment period at its end, and proposed"""
    __name__ = 'account.fr.fec.start'

    deferral_required = fields.Boolean(
        "Deferral Period Required", readonly=True,
        help="The fiscal year has an adjustment period at its closing date.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # account_fr requires it whatever the fiscal year: without an
        # adjustment period (monthly periods only, before the closing) the
        # client could not export the FEC at all.
        cls.deferral_period.required = False
        cls.deferral_period.states = {
            **cls.deferral_period.states,
            'required': Eval('deferral_required', False),
            }
        # account_fr's French label, "Période de report", reads as the
        # opening balance ("report à nouveau"): it is the closing entries.
        cls.deferral_period.string = "Closing Entries Period"
        cls.deferral_period.help = (
            "The period of the closing entries that balance the "
            "non-deferral accounts, left out of the FEC; empty when the "
            "fiscal year has no adjustment period at its end.")

    @classmethod
    def default_deferral_required(cls):
        return False

    @fields.depends('fiscalyear')
    def on_change_with_deferral_required(self):
        return bool(self.fiscalyear and adjustment_period(self.fiscalyear))

    @fields.depends('fiscalyear', 'deferral_period')
    def on_change_fiscalyear(self):
        if self.fiscalyear:
            self.deferral_period = adjustment_period(self.fiscalyear)
        else:
            self.deferral_period = None


class FrFECResult(metaclass=PoolMeta):
    "The result of the validator beside the file"
    __name__ = 'account.fr.fec.result'

    checks = fields.Text(
        "Checks", readonly=True,
        help="Whether the FEC is final and the defects that the validator "
        "finds in its format (LPF art. A47 A-1).")
