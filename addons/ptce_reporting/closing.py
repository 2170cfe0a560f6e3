# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The accountant's year-end pack: what blocks closing (on the command
line and in the client's close-check wizard), and the FEC."""
import datetime
import os
from dataclasses import dataclass, field
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Model, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, check_access, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import fec
from .exceptions import FECError, YearClosingError

# The result of the fiscal year (PCG): 120 profit, 129 loss
RESULT_PROFIT, RESULT_LOSS = '120', '129'


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


@dataclass
class CrossCheck:
    """One consistency check of the closing (contrôle de cohérence): a
    figure of the ledger (found) against the same figure from the records
    of the module that owns the concept (expected)"""
    code: str
    label: str
    expected: Decimal
    found: Decimal

    @property
    def difference(self):
        return self.found - self.expected

    @property
    def ok(self):
        return self.difference == 0

    @property
    def status(self):
        return 'OK' if self.ok else 'KO'


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


    def cross_checks(self):
        """Return the CrossChecks of the fiscal year in the order of their
        sequence: the trial balance here, and what the other modules add
        through _cross_checks (capital and share register, deposits and
        leases, point-of-sale ledger and closings, revenue per sector,
        grants and instalments)."""
        return [CrossCheck(code, label, expected, found)
            for _, code, label, expected, found in sorted(
                self._cross_checks(), key=lambda c: c[0])]

    def _cross_checks(self):
        """The consistency checks of the closing as [(sequence, code, label,
        expected, found)]: found is read from the ledger (cross_check_*
        helpers), expected from the records of the module that owns the
        concept. A module adds its own to super()'s."""
        pool = Pool()
        Account = pool.get('account.account')
        accounts = Account.search([('company', '=', self.company.id)])
        debit, credit = self.cross_check_period_amounts(accounts)
        return [(10, 'trial_balance',
                gettext('ptce_reporting.msg_cross_check_trial_balance'),
                debit, credit)]

    def cross_check_accounts(self, prefix):
        "The accounts of the company whose code starts with prefix"
        Account = Pool().get('account.account')
        return Account.search([
                ('company', '=', self.company.id),
                ('code', 'like', f'{prefix}%'),
                ])

    def cross_check_balance(self, accounts, date=None):
        """Debit minus credit of the posted lines of accounts up to date
        (the closing date by default), with the deferrals of the previous
        fiscal years; each account counts its own lines only (flat), so
        that a list holding an account and its children counts them once"""
        Account = Pool().get('account.account')
        with Transaction().set_context(
                company=self.company.id, posted=True, flat_balance=True,
                date=date or self.end_date):
            accounts = Account.browse([int(a) for a in accounts])
            return sum((a.balance for a in accounts),
                Decimal(0))

    def cross_check_period_amounts(self, accounts, journal=None):
        """(debit, credit) of the posted lines of accounts in the standard
        periods of the fiscal year (the closing entries of the adjustment
        periods left out), of journal only when given; each account counts
        its own lines only"""
        amounts = self.cross_check_amounts_by_account(accounts, journal)
        return (sum((d for d, _ in amounts.values()), Decimal(0)),
            sum((c for _, c in amounts.values()), Decimal(0)))

    def cross_check_amounts_by_account(self, accounts, journal=None):
        "{account: (debit, credit)} as cross_check_period_amounts"
        pool = Pool()
        Account = pool.get('account.account')
        Period = pool.get('account.period')
        periods = Period.search([
                ('fiscalyear', '=', self.id),
                ('type', '=', 'standard'),
                ])
        context = {
            'company': self.company.id,
            'posted': True,
            'fiscalyear': self.id,
            'periods': [p.id for p in periods],
            }
        if journal:
            context['journal'] = int(journal)
        with Transaction().set_context(context):
            return {a: (a.debit, a.credit)
                for a in Account.browse([int(a) for a in accounts])}

    def failed_cross_checks(self):
        return [c for c in self.cross_checks() if not c.ok]


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
    cross_checks = fields.One2Many(
        'ptce.close_check.cross_check', None, "Consistency Checks",
        readonly=True,
        help="Each figure of the ledger against the records it comes from: "
        "a difference blocks the closing.")


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


class CloseCheckCrossCheck(ModelView):
    "Year-End Consistency Check"
    __name__ = 'ptce.close_check.cross_check'
    __string__ = "Year-End Consistency Check"

    code = fields.Char("Code", readonly=True)
    label = fields.Char("Check", readonly=True)
    expected = fields.Numeric("Expected", digits=(16, 2), readonly=True,
        help="The figure from the records (register, leases, closings...).")
    found = fields.Numeric("Found", digits=(16, 2), readonly=True,
        help="The figure read in the ledger.")
    difference = fields.Numeric("Difference", digits=(16, 2), readonly=True)
    status = fields.Char("Status", readonly=True)


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
        CrossCheckLine = pool.get('ptce.close_check.cross_check')
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
        # Totals only, no record shown: the accountant sees them even
        # without access to the registers, leases or tills they come from
        with without_check_access():
            cross_checks = fiscalyear.cross_checks()
        checks = [CrossCheckLine(
                code=c.code, label=c.label, expected=c.expected,
                found=c.found, difference=c.difference, status=c.status)
            for c in cross_checks]
        failed = [c for c in checks if c.status != 'OK']
        if lines or failed:
            summary = gettext('ptce_reporting.msg_close_check_blocked',
                count=len(lines) + len(failed),
                fiscalyear=fiscalyear.rec_name)
        else:
            summary = gettext('ptce_reporting.msg_close_check_none',
                fiscalyear=fiscalyear.rec_name)
        return {
            'fiscalyear': fiscalyear.id,
            'summary': summary,
            'lines': lines,
            'cross_checks': checks,
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


def closing_obstacles(fiscalyear):
    """(blockers, failed cross-checks) that stop the scripted closing: the
    blockers with items except the open periods, which the closing
    closes itself"""
    blockers = [b for b in fiscalyear.get_year_end_blockers()
        if b.count and b.code != 'open_periods']
    return blockers, fiscalyear.failed_cross_checks()


def close_year(fiscalyear, renew=False):
    """Close fiscalyear as the accountant does in the client, with Tryton's
    standard wizards: check that nothing blocks (close_check and the
    cross-checks), balance the non-deferral accounts (classes 6 and 7)
    into the result (120 profit, 129 loss) in an adjustment period on the
    closing date and post it, close all the periods and the fiscal year,
    and when renew, create the next fiscal year (with new sequences) as
    the renew wizard does. Nothing is written when a step fails (one
    transaction). Returns (closing move or None, next fiscal year or
    None)."""
    pool = Pool()
    Period = pool.get('account.period')
    Move = pool.get('account.move')
    ModelData = pool.get('ir.model.data')
    Journal = pool.get('account.journal')
    Account = pool.get('account.account')
    Balance = pool.get(
        'account.fiscalyear.balance_non_deferral', type='wizard')

    if fiscalyear.state != 'open':
        raise YearClosingError(gettext(
                'ptce_reporting.msg_close_year_not_open',
                fiscalyear=fiscalyear.rec_name))
    blockers, failed = closing_obstacles(fiscalyear)
    if blockers or failed:
        raise YearClosingError(gettext(
                'ptce_reporting.msg_close_year_blocked',
                fiscalyear=fiscalyear.rec_name,
                count=sum(b.count for b in blockers), checks=len(failed)))
    company = fiscalyear.company
    accounts = {}
    for code in [RESULT_PROFIT, RESULT_LOSS]:
        found = Account.search([
                ('company', '=', company.id),
                ('code', '=', code),
                ('type', '!=', None),
                ('deferral', '=', True),
                ], limit=1)
        if not found:
            raise YearClosingError(gettext(
                    'ptce_reporting.msg_close_year_result_account',
                    code=code, company=company.rec_name))
        accounts[code] = found[0]

    period = fec.adjustment_period(fiscalyear)
    if not period:
        period = Period(
            name=gettext('ptce_reporting.msg_close_year_period',
                fiscalyear=fiscalyear.name),
            fiscalyear=fiscalyear, type='adjustment',
            start_date=fiscalyear.end_date, end_date=fiscalyear.end_date)
        period.save()
    elif period.state != 'open':
        Period.reopen([period])

    session_id, _, _ = Balance.create()
    try:
        balance = Balance(session_id)
        balance.start.fiscalyear = fiscalyear
        balance.start.journal = Journal(
            ModelData.get_id('ptce_reporting', 'journal_closing'))
        balance.start.period = period
        balance.start.credit_account = accounts[RESULT_PROFIT]
        balance.start.debit_account = accounts[RESULT_LOSS]
        move = balance.create_move()
    finally:
        Balance.delete(session_id)
    if move:
        Move.post([move])

    Period.close(Period.search([('fiscalyear', '=', fiscalyear.id)]))
    fiscalyear.__class__.close([fiscalyear])
    next_fiscalyear = renew_fiscalyear(fiscalyear) if renew else None
    return move, next_fiscalyear


def next_fiscalyear(fiscalyear):
    "The fiscal year of the company that starts after fiscalyear, if any"
    FiscalYear = Pool().get('account.fiscalyear')
    years = FiscalYear.search([
            ('company', '=', fiscalyear.company.id),
            ('start_date', '>', fiscalyear.end_date),
            ], order=[('start_date', 'ASC')], limit=1)
    return years[0] if years else None


def renew_fiscalyear(fiscalyear):
    """The next fiscal year, created as the renew wizard does (same
    periods, new sequences numbered from 1) unless it exists"""
    pool = Pool()
    Renew = pool.get('account.fiscalyear.renew', type='wizard')
    existing = next_fiscalyear(fiscalyear)
    if existing:
        return existing
    session_id, _, _ = Renew.create()
    try:
        renew = Renew(session_id)
        renew.start.company = fiscalyear.company
        renew.start.previous_fiscalyear = fiscalyear
        renew.start.reset_sequences = True
        renew.start.on_change_previous_fiscalyear()
        new = renew.create_fiscalyear()
        new.save()
    finally:
        Renew.delete(session_id)
    return new


def trial_balance_totals(fiscalyear):
    """The total row of the trial balance (ledger.TrialBalance) of the
    fiscal year up to its last standard period, posted entries: opening,
    moves and closing balances on each side, and whether it balances"""
    pool = Pool()
    Period = pool.get('account.period')
    TrialBalance = pool.get('ptce.trial_balance', type='report')
    parameters = {'fiscalyear': fiscalyear.id, 'posted': True}
    periods = Period.search([
            ('fiscalyear', '=', fiscalyear.id),
            ('type', '=', 'standard'),
            ], order=[('start_date', 'DESC')], limit=1)
    if periods:
        parameters['end_period'] = periods[0].id
    with Transaction().set_context(
            company=fiscalyear.company.id, **parameters):
        ledger = TrialBalance.get_ledger(TrialBalance.get_accounts(None))
    return ledger['total'], ledger['balanced']
