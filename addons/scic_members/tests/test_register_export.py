# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The CSV and XLSX exports of the register of associates open safely in a
spreadsheet: names cannot run as formulas, control characters do not break
the XLSX file, amounts stay numbers. Without a database."""
import csv
import datetime
import os
import tempfile
import unittest
from decimal import Decimal

from scic_members.share_register import write_csv, write_xlsx


def line(number, name, refund='0.00'):
    return {
        'number': number, 'name': name, 'kind': "Personne physique",
        'category': "Salariés", 'college': '',
        'admission_date': datetime.date(2016, 5, 1), 'exit_date': None,
        'shares': 4, 'subscribed': Decimal('200.00'),
        'called': Decimal('50.00'), 'paid': Decimal('50.00'),
        'refund': Decimal(refund),
        }


LINES = [
    line('1', '=HYPERLINK("http://example.com","clic")'),
    line('2', '+cmd|" /C calc"!A0'),
    line('3', 'Ali\x07ce Martin', refund='-12.50'),
    ]


class RegisterExportTestCase(unittest.TestCase):
    "Exports of the register of associates"

    def setUp(self):
        self.folder = tempfile.mkdtemp()

    def test_csv(self):
        "CSV: formulas quoted, a negative amount is not"
        path = os.path.join(self.folder, 'registre.csv')
        write_csv(path, LINES)
        with open(path, encoding='utf-8', newline='') as file:
            rows = list(csv.reader(file, delimiter=';'))
        self.assertEqual([r[1] for r in rows[1:]], [
                '\'=HYPERLINK("http://example.com","clic")',
                '\'+cmd|" /C calc"!A0', 'Ali\x07ce Martin'])
        self.assertEqual(rows[3][11], '-12.50')
        self.assertEqual(rows[3][5], '01/05/2016')

    def test_xlsx(self):
        "XLSX: opens with openpyxl, names are text, amounts numbers"
        from openpyxl import load_workbook
        path = os.path.join(self.folder, 'registre.xlsx')
        write_xlsx(path, LINES)
        rows = list(load_workbook(path).active.iter_rows(min_row=2))
        self.assertEqual([(r[1].value, r[1].data_type) for r in rows], [
                ('\'=HYPERLINK("http://example.com","clic")', 's'),
                ('\'+cmd|" /C calc"!A0', 's'),
                ('Alice Martin', 's')])
        self.assertEqual((rows[2][11].value, rows[2][11].data_type),
            (-12.5, 'n'))
        self.assertEqual(rows[0][7].value, 4)
