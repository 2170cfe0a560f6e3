# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The FEC (fichier des écritures comptables): export through account_fr
and an independent validator of the format of article A47 A-1 of the
Livre des procédures fiscales.

The validator is plain Python (no Tryton) so that it can check any file,
ours or another software's, and report the line and column of each defect.
"""
import datetime
import os
import re
import tempfile
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from decimal import Decimal

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


@dataclass(frozen=True)
class Defect:
    "One defect of a FEC: line (1 = header) and column (1-based, or None)"
    line: int
    column: int | None
    message: str

    def __str__(self):
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


def validate(content, start_date=None, end_date=None, opening='0'):
    """Check a FEC and return the list of its defects (empty when valid).

    content: bytes or str of the whole file. start_date / end_date: when
    given, every EcritureDate must fall in the fiscal year. opening: the
    EcritureNum of the opening entries, left out of the sequence check.

    Checks: header and 18 columns, separator (tab or |, A47 A-1, III),
    mandatory fields, dates YYYYMMDD, amounts with a comma decimal separator
    and no thousands separator, each entry balanced (debit = credit per
    journal and EcritureNum), EcritureNum sequential within each journal
    (increasing, each entry in one block) and continuous without gaps
    (over the file when numbers are unique across journals, as Tryton
    numbers moves with one sequence per fiscal year; else per journal).
    """
    defects = []
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
        return [Defect(1, None, "le fichier est vide")]
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
    return sorted(defects, key=lambda d: (d.line, d.column or 0))


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
