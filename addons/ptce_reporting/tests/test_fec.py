# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The FEC validator (Livre des procédures fiscales, art. A47 A-1) on good
and bad files, without a database."""
import datetime
import os
import tempfile
import unittest

from ptce_reporting.fec import (
    COLUMNS,
    Defect,
    check_filename,
    validate,
    write_atomic,
)

HEADER = '\t'.join(COLUMNS)


def row(journal='VE', number='1', date='20260115', account='706',
        debit='0,00', credit='0,00', **kw):
    values = {
        'JournalCode': journal, 'JournalLib': 'Ventes',
        'EcritureNum': number, 'EcritureDate': date, 'CompteNum': account,
        'CompteLib': 'Compte', 'CompAuxNum': '', 'CompAuxLib': '',
        'PieceRef': 'F1', 'PieceDate': date, 'EcritureLib': 'Vente',
        'Debit': debit, 'Credit': credit, 'EcritureLet': '',
        'DateLet': '', 'ValidDate': date, 'Montantdevise': '',
        'Idevise': ''}
    values.update(kw)
    return '\t'.join(values[c] for c in COLUMNS)


def good_lines():
    return [
        HEADER,
        row('OUV', '0', '20260101', '5121', debit='100,00'),
        row('OUV', '0', '20260101', '1013', credit='100,00'),
        row('VE', '1', account='4111', debit='120,00'),
        row('VE', '1', account='706', credit='100,00'),
        row('VE', '1', account='44571', credit='20,00'),
        row('BQ', '2', '20260120', '5121', debit='120,00'),
        row('BQ', '2', '20260120', '4111', credit='120,00'),
        row('VE', '3', '20260201', '4111', debit='1234567,50'),
        row('VE', '3', '20260201', '706', credit='1234567,50'),
        ]


def content(lines):
    return ('\n'.join(lines) + '\n').encode('utf-8')


class FECValidatorTestCase(unittest.TestCase):
    "Validator of the FEC format (LPF art. A47 A-1)"

    def defects(self, lines, **kw):
        return validate(content(lines), **kw)

    def test_good_file(self):
        "A correct FEC has no defect (A47 A-1)"
        self.assertEqual(self.defects(
                good_lines(),
                start_date=datetime.date(2026, 1, 1),
                end_date=datetime.date(2026, 12, 31)), [])

    def test_pipe_separator(self):
        "The | separator is allowed (A47 A-1, III)"
        lines = [l.replace('\t', '|') for l in good_lines()]
        self.assertEqual(self.defects(lines), [])

    def test_bad_header(self):
        "The header names the 18 fields in order"
        lines = good_lines()
        lines[0] = lines[0].replace('CompteLib', 'Libelle')
        self.assertEqual(self.defects(lines), [
                Defect(1, 6, "en-tête « Libelle » au lieu de « CompteLib »"),
                ])

    def test_missing_column(self):
        "Every line has 18 fields"
        lines = good_lines()
        lines[3] = lines[3].rsplit('\t', 1)[0]
        defects = self.defects(lines)
        self.assertEqual(defects[0].line, 4)
        self.assertIsNone(defects[0].column)
        self.assertIn('17 colonnes au lieu de 18', defects[0].message)

    def test_bad_date(self):
        "Dates are YYYYMMDD (A47 A-1)"
        lines = good_lines()
        lines[4] = row('VE', '1', '2026-01-15', '706', credit='100,00')
        defects = self.defects(lines)
        self.assertEqual(
            [(d.line, d.column) for d in defects],
            [(5, 4), (5, 10), (5, 16)])
        self.assertEqual(str(defects[0]),
            "ligne 5, colonne 4 (EcritureDate) : date « 2026-01-15 » "
            "invalide (AAAAMMJJ attendu)")

    def test_impossible_date(self):
        "A date of 8 digits must still exist"
        lines = good_lines()
        lines[3] = row('VE', '1', account='4111', debit='120,00',
            PieceDate='20260231')
        self.assertEqual(
            [(d.line, d.column) for d in self.defects(lines)], [(4, 10)])

    def test_decimal_point(self):
        "Amounts use a comma, no thousands separator (A47 A-1, III)"
        lines = good_lines()
        lines[8] = row('VE', '3', '20260201', '4111', debit='1234567.50')
        lines[9] = row('VE', '3', '20260201', '706', credit='1 234 567,50')
        defects = self.defects(lines)
        self.assertEqual(
            [(d.line, d.column) for d in defects], [(9, 12), (10, 13)])

    def test_unbalanced(self):
        "Every entry balances"
        lines = good_lines()
        lines[5] = row('VE', '1', account='44571', credit='19,99')
        defects = self.defects(lines)
        self.assertEqual(len(defects), 1)
        self.assertEqual((defects[0].line, defects[0].column), (4, 3))
        self.assertIn('déséquilibrée', defects[0].message)

    def test_gap_in_sequence(self):
        "EcritureNum is continuous: a missing number is reported"
        lines = good_lines()
        lines[8] = row('VE', '4', '20260201', '4111', debit='1234567,50')
        lines[9] = row('VE', '4', '20260201', '706', credit='1234567,50')
        defects = self.defects(lines)
        self.assertEqual(len(defects), 1)
        self.assertEqual((defects[0].line, defects[0].column), (9, 3))
        self.assertIn('3 manquant', defects[0].message)

    def test_not_increasing_in_journal(self):
        "Within a journal, numbers increase"
        lines = good_lines()[:3] + [
            row('VE', '3', '20260201', '4111', debit='10,00'),
            row('VE', '3', '20260201', '706', credit='10,00'),
            row('BQ', '2', '20260120', '5121', debit='120,00'),
            row('BQ', '2', '20260120', '4111', credit='120,00'),
            row('VE', '1', account='4111', debit='120,00'),
            row('VE', '1', account='706', credit='120,00'),
            ]
        defects = self.defects(lines)
        self.assertEqual(
            [(d.line, d.column) for d in defects], [(8, 3)])
        self.assertIn('non croissant', defects[0].message)

    def test_entry_split(self):
        "The lines of an entry are contiguous"
        lines = good_lines()
        lines.insert(5, row('VE', '3', '20260201', '706', credit='0,00'))
        defects = self.defects(lines)
        self.assertIn((7, 3), [(d.line, d.column) for d in defects])

    def test_per_journal_sequence(self):
        "Numbers repeated across journals are checked per journal"
        lines = [HEADER,
            row('VE', '1', account='4111', debit='1,00'),
            row('VE', '1', account='706', credit='1,00'),
            row('BQ', '1', account='5121', debit='1,00'),
            row('BQ', '1', account='4111', credit='1,00'),
            row('BQ', '3', account='5121', debit='1,00'),
            row('BQ', '3', account='4111', credit='1,00'),
            ]
        defects = self.defects(lines)
        self.assertEqual([(d.line, d.column) for d in defects], [(6, 3)])
        self.assertIn('du journal BQ', defects[0].message)

    def test_out_of_fiscal_year(self):
        "Entry dates fall in the fiscal year"
        lines = good_lines()
        defects = self.defects(lines,
            start_date=datetime.date(2026, 1, 16),
            end_date=datetime.date(2026, 12, 31))
        self.assertEqual(
            sorted({(d.line, d.column) for d in defects}),
            [(2, 4), (3, 4), (4, 4), (5, 4), (6, 4)])

    def test_mandatory(self):
        "CompteNum, EcritureLib... are mandatory"
        lines = good_lines()
        lines[3] = row('VE', '1', account='', debit='120,00')
        self.assertEqual(
            [(d.line, d.column) for d in self.defects(lines)], [(4, 5)])

    def test_filename(self):
        "The name is SIREN + FEC + closing date, extension optional (A47 A-1)"
        end = datetime.date(2026, 12, 31)
        for name in ['820043784FEC20261231.txt', '820043784FEC20261231',
                '820043784FEC20261231.csv', '/tmp/820043784FEC20261231.txt']:
            with self.subTest(name=name):
                self.assertEqual(check_filename(name, end), [])
        self.assertEqual(check_filename('820043784FEC20250630.txt'), [])

    def test_filename_without_siren(self):
        "A name without the SIREN is reported"
        for name, found in [
                ('SIRENFEC20261231.txt', ", pas par « SIREN »"),
                ('FEC20261231.csv', ""),
                ('82004378FEC20261231.txt', ", pas par « 82004378 »"),
                ]:
            with self.subTest(name=name):
                self.assertEqual(check_filename(name), [Defect(None, None,
                            f"« {name} » doit commencer par le SIREN de 9 "
                            "chiffres (<SIREN>FEC<AAAAMMJJ>[.extension])"
                            f"{found}")])

    def test_filename_bad(self):
        "Luhn key of the SIREN, closing date, missing FEC"
        end = datetime.date(2026, 12, 31)
        [defect] = check_filename('820043785FEC20261231.txt', end)
        self.assertIn('SIREN « 820043785 »', defect.message)
        self.assertIn('clé de Luhn', defect.message)
        [defect] = check_filename('820043784FEC2026-12-31.txt', end)
        self.assertIn('date de clôture « 2026-12-31 » est invalide',
            defect.message)
        [defect] = check_filename('820043784FEC20261130.txt', end)
        self.assertIn("20261130 n'est pas la date de clôture", defect.message)
        [defect] = check_filename('820043784_20261231.txt', end)
        self.assertIn('ne suit pas la forme', defect.message)
        self.assertEqual(str(defect), "nom du fichier : « 820043784_20261231"
            ".txt » ne suit pas la forme <SIREN>FEC<AAAAMMJJ>[.extension] "
            "(article A47 A-1 du LPF)")

    def test_validate_filename(self):
        "validate() reports a wrong name first, with the file's defects"
        lines = good_lines()
        lines[4] = row('VE', '1', account='706', credit='99,00')
        defects = validate(content(lines),
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 12, 31),
            filename='SIRENFEC20261231.txt')
        self.assertEqual([(d.line, d.column) for d in defects],
            [(None, None), (4, 3)])
        self.assertEqual(validate(content(good_lines()),
                filename='820043784FEC20261231.txt'), [])

    def test_empty_file(self):
        self.assertEqual(
            validate(b''), [Defect(1, None, "le fichier est vide")])

    def test_write_atomic(self):
        "An export never leaves a half-written file"
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, 'FEC.txt')
            write_atomic(path, b'abc')
            with open(path, 'rb') as file:
                self.assertEqual(file.read(), b'abc')
            # Writing something that is not bytes fails half-way
            with self.assertRaises(Exception):
                write_atomic(path, object())
            with open(path, 'rb') as file:
                self.assertEqual(file.read(), b'abc')
            self.assertEqual(os.listdir(folder), ['FEC.txt'])
