# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The accountant's year-end pack: what blocks closing, and the FEC."""
import datetime
import os
from dataclasses import dataclass, field

from trytond.i18n import gettext
from trytond.pool import Pool

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


def _model(name):
    pool = Pool()
    try:
        return pool.get(name)
    except KeyError:
        return None


def close_check(fiscalyear):
    """Return the list of Blockers of the fiscal year: draft moves, open
    periods, unreconciled bank/transfer lines, unposted point-of-sale
    sales and sessions, rents not invoiced (when ptce_spaces is active).
    Each blocker lists the rec_names of the records concerned."""
    pool = Pool()
    Move = pool.get('account.move')
    Line = pool.get('account.move.line')
    Period = pool.get('account.period')
    blockers = []

    moves = Move.search([
            ('period.fiscalyear', '=', fiscalyear.id),
            ('state', '=', 'draft'),
            ], order=[('date', 'ASC'), ('id', 'ASC')])
    blockers.append(Blocker(
            'draft_moves', gettext('ptce_reporting.msg_blocker_draft_moves'),
            [f'{m.date:%d/%m/%Y} {m.journal.rec_name} {m.rec_name}'
                for m in moves]))

    periods = Period.search([
            ('fiscalyear', '=', fiscalyear.id),
            ('state', '=', 'open'),
            ('type', '=', 'standard'),
            ], order=[('start_date', 'ASC')])
    blockers.append(Blocker(
            'open_periods', gettext('ptce_reporting.msg_blocker_periods'),
            [p.rec_name for p in periods]))

    # Bank (512), cash in transit (511) and internal transfers (58) lines
    # must be matched before closing; on reconcilable accounts Tryton
    # records the matching as a reconciliation.
    lines = Line.search([
            ('move.period.fiscalyear', '=', fiscalyear.id),
            ('account.reconcile', '=', True),
            ('reconciliation', '=', None),
            ['OR',
                ('account.code', 'like', '51%'),
                ('account.code', 'like', '58%'),
                ],
            ], order=[('date', 'ASC'), ('id', 'ASC')])
    records = [f'{l.date:%d/%m/%Y} {l.account.code} {l.rec_name}'
        for l in lines]
    Statement = _model('account.statement')
    if Statement:
        statements = Statement.search([
                ('company', '=', fiscalyear.company.id),
                ('date', '>=', fiscalyear.start_date),
                ('date', '<=', fiscalyear.end_date),
                ('state', 'not in', ['posted', 'cancelled']),
                ])
        records += [s.rec_name for s in statements]
    blockers.append(Blocker(
            'bank_lines', gettext('ptce_reporting.msg_blocker_bank_lines'),
            records))

    Sale = _model('sale.point.sale')
    if Sale:
        sales = Sale.search([
                ('company', '=', fiscalyear.company.id),
                ('date', '>=', fiscalyear.start_date),
                ('date', '<=', fiscalyear.end_date),
                ('state', 'in', ['open', 'done']),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        blockers.append(Blocker(
                'pos_sales', gettext('ptce_reporting.msg_blocker_pos_sales'),
                [f'{s.date:%d/%m/%Y} {s.rec_name}' for s in sales]))
    Session = _model('sale.point.cash.session')
    if Session:
        sessions = Session.search([
                ('point.company', '=', fiscalyear.company.id),
                ('state', '!=', 'posted'),
                # create_date is a timestamp: up to the end of the last day
                ('create_date', '<', datetime.datetime.combine(
                        fiscalyear.end_date + datetime.timedelta(days=1),
                        datetime.time())),
                ])
        blockers.append(Blocker(
                'pos_sessions',
                gettext('ptce_reporting.msg_blocker_pos_sessions'),
                [s.rec_name for s in sessions]))
    for blocker in _extra_blockers(fiscalyear):
        blockers.append(blocker)
    return blockers


def _extra_blockers(fiscalyear):
    "Blockers over the optional modules (see indicators_extra)"
    from .extra import extra_blockers
    return extra_blockers(fiscalyear)


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
