# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Cells of the CSV and XLSX files the modules export, made safe to open in
a spreadsheet.

Shared by the modules that depend on ptce_company (scic_members'
registers, ptce_sectors' journals and archives, ptce_reporting's packs).
Plain Python, no Tryton.

- Formula injection (OWASP "CSV injection"): a text that starts with
  = + - @, a tab or a carriage return is read as a formula by spreadsheet
  software; it is prefixed with a single quote. Only text: numbers, dates
  and amounts (a negative amount too) stay numbers.
- Control characters other than tab, line feed and carriage return are
  not allowed in the XML of an XLSX file (openpyxl raises
  IllegalCharacterError): they are removed.
"""
import re

FORMULA_START = ('=', '+', '-', '@', '\t', '\r')
# What openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE refuses
CONTROL_RE = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f]')


def neutralise_formula(value):
    """value prefixed with a single quote when it is a text that a
    spreadsheet would run as a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def strip_control(value):
    "value without the control characters an XLSX file cannot hold"
    if isinstance(value, str):
        return CONTROL_RE.sub('', value)
    return value


def csv_value(value):
    "A cell of a CSV export: texts neutralised, other values unchanged"
    return neutralise_formula(value)


def xlsx_value(value):
    """A cell of an XLSX export: texts without control characters, then
    neutralised; numbers, dates and None unchanged."""
    return neutralise_formula(strip_control(value))


def xlsx_row(values):
    "xlsx_value of each value, for Worksheet.append"
    return [xlsx_value(v) for v in values]
