"""Cells of the CSV and XLSX exports made safe to open in a spreadsheet
(ptce_company.spreadsheet, shared by the modules' exports)."""
import csv
import datetime
import io
from decimal import Decimal

import pytest

from ptce_company.spreadsheet import (
    csv_value,
    neutralise_formula,
    strip_control,
    xlsx_row,
    xlsx_value,
)


@pytest.mark.parametrize('text', [
        '=HYPERLINK("http://example.com","clic")', '+cmd|" /C calc"!A0',
        '-2+3', '@SUM(A1:A2)', '\t=1+1', '\r=1+1'])
def test_formula_neutralised(text):
    "OWASP CSV injection: = + - @ tab CR at the start get a quote"
    assert neutralise_formula(text) == "'" + text
    assert csv_value(text) == "'" + text
    assert xlsx_value(text) == "'" + text


@pytest.mark.parametrize('value', [
        'Alice Martin', '', "l'Atelier", ' =1', 'a=b', None, 0, -12,
        -12.5, Decimal('-7000.00'), datetime.date(2026, 1, 1)])
def test_other_values_unchanged(value):
    "Other texts, numbers (a negative amount too), dates are kept"
    assert csv_value(value) == value
    assert xlsx_value(value) == value
    assert type(xlsx_value(value)) is type(value)


def test_control_characters():
    "XLSX cannot hold control characters but tab, LF, CR: removed"
    assert strip_control('Ali\x07ce\x00\x1f\x0b\x0c') == 'Alice'
    assert strip_control('a\tb\nc\rd') == 'a\tb\nc\rd'
    # Removed first, then neutralised: what remains would be a formula
    assert xlsx_value('\x07=1+1') == "'=1+1"
    assert xlsx_row(['=1', -3, 'x\x08']) == ["'=1", -3, 'x']


def test_xlsx_opens():
    "A workbook of hostile names opens with openpyxl, numbers stay numbers"
    openpyxl = pytest.importorskip('openpyxl')
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(xlsx_row(['=HYPERLINK("http://x","y")', '+cmd', 'Bel\x07',
                -50.0]))
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    cells = next(openpyxl.load_workbook(data).active.iter_rows())
    assert [c.value for c in cells] == [
        '\'=HYPERLINK("http://x","y")', "'+cmd", 'Bel', -50]
    assert [c.data_type for c in cells] == ['s', 's', 's', 'n']


def test_csv():
    "In CSV the formula is quoted, the negative amount is not"
    output = io.StringIO()
    csv.writer(output, delimiter=';').writerow(
        [csv_value(v) for v in ['+cmd', Decimal('-12.50'), '@x']])
    assert output.getvalue() == "'+cmd;-12.50;'@x\r\n"
