"""Moved to the module ptce_company (ptce_company/spreadsheet.py).

Kept only for ptce_reporting/pack.py, which still imports it from here
while it is being restructured: remove once it imports
``ptce_company.spreadsheet``."""
from ptce_company.spreadsheet import (  # noqa: F401
    csv_value,
    neutralise_formula,
    strip_control,
    xlsx_row,
    xlsx_value,
)
