# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Helpers for the scenarios of ptce_reporting."""
from decimal import Decimal

from proteus import Model

from ateliers.setup import get_account


def get_analytic(code, config=None):
    Analytic = Model.get('analytic_account.account', config=config)
    account, = Analytic.find([('code', '=', code)])
    return account


def create_move(date, journal_code, lines, post=True, config=None):
    """Create a move on date in the journal with lines given as
    (account code, debit, credit, analytic code or None, party or None)."""
    Move = Model.get('account.move', config=config)
    Journal = Model.get('account.journal', config=config)
    journal, = Journal.find([('code', '=', journal_code)])
    move = Move(journal=journal, date=date)
    for code, debit, credit, analytic, party in lines:
        line = move.lines.new()
        line.account = get_account(code, config=config)
        line.debit = Decimal(debit)
        line.credit = Decimal(credit)
        if party:
            line.party = party
        if analytic:
            analytic_line = line.analytic_lines.new()
            analytic_line.account = get_analytic(analytic, config=config)
            analytic_line.debit = Decimal(debit)
            analytic_line.credit = Decimal(credit)
            analytic_line.date = date
    move.save()
    if post:
        move.click('post')
    return move
