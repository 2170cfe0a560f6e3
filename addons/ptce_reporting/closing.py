# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The accountant's year-end pack: what blocks closing (on the command
line and in the client's close-check wizard), and the FEC."""
import datetime
import os
from dataclasses import dataclass, field

from trytond.i18n import gettext
from trytond.model import Model, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import fec
from .exceptions import FECError


def _blocker_item(value):
    """(record or None, text) of one entry of a blocker: a record (named
    by its rec_name), a (record, text) pair or a text alone"""
    if isinstance(value, tuple):
        record, text = value
        return record, text
    if isinstance(value, Model):
        return value, value.rec_name
    return None, str(value)


@dataclass
class Blocker:
    """One kind of record that blocks the closing of the fiscal year:
    items are (record or None, text), records the texts alone"""
    code: str
    label: str
    items: list = field(default_factory=list)

    @property
    def records(self):
        return [text for _, text in self.items]

    @property
    def count(self):
        return len(self.items)


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

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'close_check': {
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button_action('ptce_reporting.wizard_close_check')
    def close_check(cls, fiscalyears):
        "Open the close-check wizard on the fiscal year"
        pass

    def get_year_end_blockers(self):
        """Return the Blockers of the closing of the fiscal year, in the
        order of their sequence: draft moves, open periods, unreconciled
        bank/transfer lines here, and what the other modules add through
        _year_end_blockers (point-of-sale sales, sessions and closings,
        rents not invoiced...). Each blocker lists the records concerned
        with their texts (items) and the texts alone (records)."""
        return [Blocker(code, label, [_blocker_item(r) for r in records])
            for _, code, label, records in sorted(
                self._year_end_blockers(), key=lambda b: b[0])]

    def _year_end_blockers(self):
        """The blockers of the year-end closing as [(sequence, code, label,
        records)]. Each entry of records is the record that blocks (named
        by its rec_name), a (record, text) pair, or a text alone; with the
        record, the close-check wizard links to it. A module adds its own
        to super()'s."""
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
                [(m, f'{m.date:%d/%m/%Y} {m.journal.rec_name} {m.rec_name}')
                    for m in moves]))

        periods = Period.search([
                ('fiscalyear', '=', self.id),
                ('state', '=', 'open'),
                ('type', '=', 'standard'),
                ], order=[('start_date', 'ASC')])
        blockers.append((20, 'open_periods',
                gettext('ptce_reporting.msg_blocker_periods'),
                periods))

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
                [(l, f'{l.date:%d/%m/%Y} {l.account.code} {l.rec_name}')
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
                records.extend(statements)
        return blockers


class CloseCheckStart(ModelView):
    "Year-End Close Check"
    __name__ = 'ptce.close_check.start'
    __string__ = "Year-End Close Check"

    fiscalyear = fields.Many2One(
        'account.fiscalyear', "Fiscal Year", required=True,
        domain=[
            ('company', '=', Eval('context', {}).get('company', -1)),
            ],
        help="The fiscal year to close.")

    @classmethod
    def default_fiscalyear(cls):
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        company = Transaction().context.get('company')
        if company is None:
            return None
        fiscalyears = FiscalYear.search([
                ('company', '=', company),
                ('state', '=', 'open'),
                ], order=[('start_date', 'ASC')], limit=1)
        return fiscalyears[0].id if fiscalyears else None


class CloseCheckResult(ModelView):
    "Year-End Close Check"
    __name__ = 'ptce.close_check.result'
    __string__ = "Year-End Close Check"

    fiscalyear = fields.Many2One(
        'account.fiscalyear', "Fiscal Year", readonly=True)
    summary = fields.Char("Summary", readonly=True)
    lines = fields.One2Many(
        'ptce.close_check.line', None, "Blockers", readonly=True,
        help="What must be done before closing the fiscal year: open a "
        "line to reach the record concerned.")


class CloseCheckLine(ModelView):
    "Year-End Blocker"
    __name__ = 'ptce.close_check.line'
    __string__ = "Year-End Blocker"

    code = fields.Char("Code", readonly=True)
    kind = fields.Char("Kind", readonly=True)
    description = fields.Char("Description", readonly=True)
    record = fields.Reference(
        "Record", selection='get_models', readonly=True,
        help="The record that blocks the closing: open it to settle it.")

    @classmethod
    def get_models(cls):
        """The models the user may read: the client hides a Reference
        field from a user who cannot read one of the models it offers"""
        pool = Pool()
        IrModel = pool.get('ir.model')
        ModelAccess = pool.get('ir.model.access')
        with check_access():
            return [(None, '')] + [(m, n)
                for m, n in IrModel.get_name_items()
                if ModelAccess.check(m, 'read', raise_exception=False)]


class CloseCheck(Wizard):
    """What blocks the closing of a fiscal year, from the client: the
    blockers of FiscalYear.get_year_end_blockers, one line per record with
    a link to it"""
    __name__ = 'ptce.close_check'
    _readonly = True
    start_state = 'choose'

    choose = StateTransition()
    start = StateView('ptce.close_check.start',
        'ptce_reporting.close_check_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('ptce.close_check.result',
        'ptce_reporting.close_check_result_view_form', [
            Button("Check Again", 'result', 'tryton-refresh'),
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_choose(self):
        # From a fiscal year (button or action), no need to ask for it
        if (self.model and self.model.__name__ == 'account.fiscalyear'
                and self.record):
            self.start.fiscalyear = self.record
            return 'result'
        return 'start'

    def default_result(self, fields):
        pool = Pool()
        Line = pool.get('ptce.close_check.line')
        fiscalyear = self.start.fiscalyear
        models = {m for m, _ in Line.get_models()}
        lines = []
        for blocker in fiscalyear.get_year_end_blockers():
            for record, text in blocker.items:
                if record is not None and record.__name__ not in models:
                    # Named, but not linked for who cannot read it
                    record = None
                lines.append(Line(
                        code=blocker.code, kind=blocker.label,
                        description=text, record=record))
        if lines:
            summary = gettext('ptce_reporting.msg_close_check_blocked',
                count=len(lines), fiscalyear=fiscalyear.rec_name)
        else:
            summary = gettext('ptce_reporting.msg_close_check_none',
                fiscalyear=fiscalyear.rec_name)
        return {
            'fiscalyear': fiscalyear.id,
            'summary': summary,
            'lines': lines,
            }


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
        # The period of the closing entries, as the client proposes it
        wizard.start.on_change_fiscalyear()
        wizard.transition_generate()
        data = bytes(wizard.result.file)
    finally:
        FEC.delete(session_id)
    path = os.path.join(directory, name)
    fec.write_atomic(path, data)
    defects = fec.validate(
        data, fiscalyear.start_date, fiscalyear.end_date, filename=name)
    return path, defects, fiscalyear.state == 'locked'
