# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The accountant's year-end pack: what blocks closing, and the FEC."""
import datetime
import os
from dataclasses import dataclass, field

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from . import fec
from .exceptions import FECError


@dataclass
class Blocker:
    "One kind of record that blocks the closing of the fiscal year"
    code: str
    label: str
    records: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.records)


def get_fiscalyear(company, year):
    "The fiscal year of company named year or containing 1 July of year"
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    years = FiscalYear.search([
            ('company', '=', company.id),
            ('start_date', '<=', datetime.date(year, 12, 31)),
            ('end_date', '>=', datetime.date(year, 1, 1)),
            ], order=[('start_date', 'ASC')])
    if not years:
        raise FECError(gettext(
                'ptce_reporting.msg_no_fiscalyear', year=year))
    for fiscalyear in years:
        if fiscalyear.name == str(year):
            return fiscalyear
    return years[-1]


def close_check(fiscalyear):
    """Return the list of Blockers of the fiscal year (see
    FiscalYear.get_year_end_blockers)."""
    return fiscalyear.get_year_end_blockers()


class FiscalYear(metaclass=PoolMeta):
    __name__ = 'account.fiscalyear'

    def get_year_end_blockers(self):
        """Return the Blockers of the closing of the fiscal year, in the
        order of their sequence: draft moves, open periods, unreconciled
        bank/transfer lines here, and what the other modules add through
        _year_end_blockers (point-of-sale sales, sessions and closings,
        rents not invoiced...). Each blocker lists the rec_names of the
        records concerned."""
        return [Blocker(code, label, records)
            for _, code, label, records in sorted(
                self._year_end_blockers(), key=lambda b: b[0])]

    def _year_end_blockers(self):
        """The blockers of the year-end closing as [(sequence, code, label,
        records)], records being the texts naming the records that block.
        A module adds its own to super()'s."""
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        blockers = []

        moves = Move.search([
                ('period.fiscalyear', '=', self.id),
                ('state', '=', 'draft'),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        blockers.append((10, 'draft_moves',
                gettext('ptce_reporting.msg_blocker_draft_moves'),
                [f'{m.date:%d/%m/%Y} {m.journal.rec_name} {m.rec_name}'
                    for m in moves]))

        periods = Period.search([
                ('fiscalyear', '=', self.id),
                ('state', '=', 'open'),
                ('type', '=', 'standard'),
                ], order=[('start_date', 'ASC')])
        blockers.append((20, 'open_periods',
                gettext('ptce_reporting.msg_blocker_periods'),
                [p.rec_name for p in periods]))

        # Bank (512), cash in transit (511) and internal transfers (58)
        # lines must be matched before closing; on reconcilable accounts
        # Tryton records the matching as a reconciliation.
        lines = Line.search([
                ('move.period.fiscalyear', '=', self.id),
                ('account.reconcile', '=', True),
                ('reconciliation', '=', None),
                ['OR',
                    ('account.code', 'like', '51%'),
                    ('account.code', 'like', '58%'),
                    ],
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        blockers.append((30, 'bank_lines',
                gettext('ptce_reporting.msg_blocker_bank_lines'),
                [f'{l.date:%d/%m/%Y} {l.account.code} {l.rec_name}'
                    for l in lines]))
        return blockers


class FiscalYearStatement(metaclass=PoolMeta):
    "Fiscal year with the bank statements of account_statement"
    __name__ = 'account.fiscalyear'

    def _year_end_blockers(self):
        pool = Pool()
        Statement = pool.get('account.statement')
        blockers = super()._year_end_blockers()
        statements = Statement.search([
                ('company', '=', self.company.id),
                ('date', '>=', self.start_date),
                ('date', '<=', self.end_date),
                ('state', 'not in', ['posted', 'cancelled']),
                ])
        for _, code, _, records in blockers:
            if code == 'bank_lines':
                records.extend(s.rec_name for s in statements)
        return blockers


def adjustment_period(fiscalyear):
    "The adjustment period holding the balance of non-deferral accounts"
    periods = [p for p in fiscalyear.periods if p.type == 'adjustment']
    return periods[-1] if periods else None


def export_fec(fiscalyear, directory):
    """Write the FEC of the fiscal year with account_fr's export in
    directory, named <SIREN>FEC<closing date>.txt, atomically (FECError
    and nothing written when the company has no SIREN); return
    (path, defects found by the validator, final) where final tells
    whether the fiscal year is locked (otherwise the file is provisional).
    """
    pool = Pool()
    FEC = pool.get('account.fr.fec', type='wizard')
    if not os.path.isdir(directory):
        raise FECError(gettext(
                'ptce_reporting.msg_fec_directory', directory=directory))
    # Before any work: without SIREN there is no lawful name for the file.
    name = fec.fec_filename(fiscalyear)
    session_id, _, _ = FEC.create()
    try:
        wizard = FEC(session_id)
        wizard.start.fiscalyear = fiscalyear
        wizard.start.type = 'is-bic'
        wizard.start.deferral_period = adjustment_period(fiscalyear)
        wizard.transition_generate()
        data = bytes(wizard.result.file)
    finally:
        FEC.delete(session_id)
    path = os.path.join(directory, name)
    fec.write_atomic(path, data)
    defects = fec.validate(
        data, fiscalyear.start_date, fiscalyear.end_date, filename=name)
    return path, defects, fiscalyear.state == 'locked'
