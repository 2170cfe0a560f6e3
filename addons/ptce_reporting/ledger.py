# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The trial balance ("balance générale") and the general ledger ("grand
livre") as PDF documents.

Both read account's general ledger (account.general_ledger.account and
.line) with its context: fiscal year, range of periods or of dates, posted
moves only, journal. They are printed from the stock General Ledger screen
(its context and the accounts listed) or from the fiscal year through the
Print Ledgers wizard (the whole chart, a range of periods). The documents
are French documents: their texts are in French."""
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path

from genshi.core import Markup
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from ptce_company.report import DocumentReport

from . import fec
from .exceptions import ReportingError

# The keys of the context of account.general_ledger.account.context
PARAMETERS = ['fiscalyear', 'start_period', 'end_period', 'from_date',
    'to_date', 'posted', 'journal']
CLASSES = {
    '1': "Comptes de capitaux",
    '2': "Comptes d'immobilisations",
    '3': "Comptes de stocks et en-cours",
    '4': "Comptes de tiers",
    '5': "Comptes financiers",
    '6': "Comptes de charges",
    '7': "Comptes de produits",
    '8': "Comptes spéciaux",
    }
ZERO = Decimal(0)
# Markup: Genshi would escape the CSS of a <style> element
STYLESHEET = Markup(
    (Path(__file__).parent / 'report' / 'ledger.css').read_text(
        encoding='utf-8'))


def debit_credit(balance):
    "(debit, credit) of a balance: the side where it stands"
    return (balance, ZERO) if balance >= 0 else (ZERO, -balance)


class LedgerReport(DocumentReport):
    """Common to the trial balance and the general ledger: the parameters
    (from the wizard's data or from the screen's context), the accounts
    and the French formatting of the amounts"""

    @classmethod
    def parameters(cls, data):
        """The general ledger's context: the data of the Print Ledgers
        wizard, else the context of the screen printed from"""
        pool = Pool()
        LedgerContext = pool.get('account.general_ledger.account.context')
        if data.get('parameters'):
            return dict(data['parameters'])
        context = Transaction().context
        parameters = {k: context.get(k) for k in PARAMETERS if context.get(k)}
        if not parameters.get('fiscalyear'):
            # Printed from a screen opened without the ledger's context:
            # the screen's own default, the fiscal year of today
            parameters['fiscalyear'] = LedgerContext.default_fiscalyear()
        if not parameters.get('fiscalyear'):
            raise ReportingError(gettext(
                    'ptce_reporting.msg_ledger_no_fiscalyear'))
        return parameters

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Lang = pool.get('ir.lang')
        FiscalYear = pool.get('account.fiscalyear')
        Period = pool.get('account.period')
        Journal = pool.get('account.journal')
        Date = pool.get('ir.date')
        parameters = cls.parameters(data)
        fiscalyear = FiscalYear(parameters['fiscalyear'])
        with Transaction().set_context(
                company=fiscalyear.company.id, **parameters):
            context = super().get_context(records, header, data)
            accounts = cls.get_accounts(records)
            context.update(cls.get_ledger(accounts))

        start_date, end_date = fiscalyear.start_date, fiscalyear.end_date
        if parameters.get('start_period'):
            start_date = Period(parameters['start_period']).start_date
        if parameters.get('end_period'):
            end_date = Period(parameters['end_period']).end_date
        if parameters.get('from_date') or parameters.get('to_date'):
            start_date = parameters.get('from_date') or start_date
            end_date = parameters.get('to_date') or end_date
        # French documents whatever the user's language
        lang = Lang.get('fr')
        currency = fiscalyear.company.currency

        def amount(value, blank=True):
            "1 234,56 (nothing for zero unless blank is False)"
            if not value and blank:
                return ''
            return lang.format_number(
                currency.round(value), digits=currency.digits)

        def balance(value):
            "A balance on its side: 1 234,56 D, 78,00 C, 0,00"
            if not value:
                return amount(ZERO, blank=False)
            side = 'D' if value > 0 else 'C'
            return f'{amount(abs(value))} {side}'

        # The closing entries are left out by a standard end period
        closing = fec.adjustment_period(fiscalyear)
        closing_excluded = bool(closing and parameters.get('end_period')
            and parameters['end_period'] != closing.id)
        context.update({
                'fiscalyear': fiscalyear,
                'closing_excluded': closing_excluded,
                'start_date': start_date,
                'end_date': end_date,
                'posted': bool(parameters.get('posted')),
                'journal': (Journal(parameters['journal'])
                    if parameters.get('journal') else None),
                'final': fiscalyear.state != 'open',
                'today': Date.today(),
                'date': lambda d: d.strftime('%d/%m/%Y') if d else '',
                'amount': amount,
                'balance': balance,
                'ledger_stylesheet': STYLESHEET,
                'currency': currency,
                })
        return context

    @classmethod
    def get_accounts(cls, records):
        """The accounts of the general ledger in the context: those printed
        from the screen, else every account with a balance or a move, by
        code"""
        pool = Pool()
        LedgerAccount = pool.get('account.general_ledger.account')
        if records:
            accounts = LedgerAccount.browse([r.id for r in records])
        else:
            accounts = [a for a in LedgerAccount.search([])
                if a.start_balance or a.end_balance or a.line_count]
        return sorted(accounts, key=lambda a: (a.account.code or '', a.id))

    @classmethod
    def get_ledger(cls, accounts):
        raise NotImplementedError


class TrialBalance(LedgerReport):
    "Trial balance (balance générale) as PDF"
    __name__ = 'ptce.trial_balance'

    @classmethod
    def get_ledger(cls, accounts):
        """The rows by class of accounts with their subtotals and the
        total: opening balance, moves of the period and closing balance,
        each on the debit or credit side"""
        keys = ['start_debit', 'start_credit', 'debit', 'credit',
            'end_debit', 'end_credit']
        classes = OrderedDict()
        total = dict.fromkeys(keys, ZERO)
        for account in accounts:
            row = {'code': account.account.code, 'name': account.account.name}
            row['start_debit'], row['start_credit'] = debit_credit(
                account.start_balance)
            row['debit'], row['credit'] = account.debit, account.credit
            row['end_debit'], row['end_credit'] = debit_credit(
                account.end_balance)
            digit = (account.account.code or '?')[0]
            group = classes.setdefault(digit, {
                    'digit': digit,
                    'name': CLASSES.get(digit, "Autres comptes"),
                    'rows': [],
                    'total': dict.fromkeys(keys, ZERO),
                    })
            group['rows'].append(row)
            for key in keys:
                group['total'][key] += row[key]
                total[key] += row[key]
        return {
            'classes': list(classes.values()),
            'total': total,
            'balanced': all(total[f'{k}debit'] == total[f'{k}credit']
                for k in ['start_', '', 'end_']),
            }


class GeneralLedger(LedgerReport):
    "General ledger (grand livre) as PDF"
    __name__ = 'ptce.general_ledger'

    @classmethod
    def get_ledger(cls, accounts):
        """Each account with its opening balance, its lines (date, journal,
        entry number, label, debit, credit, running balance) and its
        totals; the grand total of the debits and credits"""
        pool = Pool()
        LedgerLine = pool.get('account.general_ledger.line')
        lines = {}
        if accounts:
            for line in LedgerLine.search([
                        ('account', 'in', [a.id for a in accounts]),
                        ], order=[('date', 'ASC'), ('id', 'ASC')]):
                lines.setdefault(line.account.id, []).append(line)
        sections = []
        total_debit = total_credit = ZERO
        for account in accounts:
            rows = []
            for line in lines.get(account.id, []):
                label = line.description_used or ''
                if line.party:
                    label = ' – '.join(filter(None, [label, line.party.name]))
                rows.append({
                        'date': line.date,
                        'journal': line.move.journal.code or '',
                        'number': line.move.number or '',
                        'label': label,
                        'debit': line.debit,
                        'credit': line.credit,
                        'balance': line.balance,
                        'draft': line.state == 'draft',
                        })
            start = account.start_balance
            debit = start if start > 0 else ZERO
            credit = -start if start < 0 else ZERO
            debit += account.debit
            credit += account.credit
            total_debit += debit
            total_credit += credit
            sections.append({
                    'code': account.account.code,
                    'name': account.account.name,
                    'start_balance': start,
                    'rows': rows,
                    'debit': debit,
                    'credit': credit,
                    'end_balance': account.end_balance,
                    })
        return {
            'sections': sections,
            'total': {'debit': total_debit, 'credit': total_credit},
            'balanced': total_debit == total_credit,
            }


class LedgerPrintStart(ModelView):
    "Print Ledgers"
    __name__ = 'ptce.ledger.print.start'
    __string__ = "Print Ledgers"

    fiscalyear = fields.Many2One(
        'account.fiscalyear', "Fiscal Year", required=True,
        domain=[
            ('company', '=', Eval('context', {}).get('company', -1)),
            ])
    start_period = fields.Many2One(
        'account.period', "Start Period",
        domain=[
            ('fiscalyear', '=', Eval('fiscalyear', -1)),
            If(Eval('end_period'),
                ('start_date', '<=', (Eval('end_period'), 'start_date')),
                ()),
            ],
        help="Leave empty to start at the beginning of the fiscal year.")
    end_period = fields.Many2One(
        'account.period', "End Period",
        domain=[
            ('fiscalyear', '=', Eval('fiscalyear', -1)),
            If(Eval('start_period'),
                ('start_date', '>=', (Eval('start_period'), 'start_date')),
                ()),
            ],
        help="Leave empty to go to the end of the fiscal year.")
    posted = fields.Boolean(
        "Posted Moves Only",
        help="Leave out the draft moves.")

    @classmethod
    def default_posted(cls):
        return False

    @fields.depends('fiscalyear', 'start_period', 'end_period')
    def on_change_fiscalyear(self):
        for name in ['start_period', 'end_period']:
            period = getattr(self, name)
            if period and period.fiscalyear != self.fiscalyear:
                setattr(self, name, None)


class LedgerPrint(Wizard):
    "Print the trial balance or the general ledger of a fiscal year as PDF"
    __name__ = 'ptce.ledger.print'

    start = StateView('ptce.ledger.print.start',
        'ptce_reporting.ledger_print_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("General Ledger", 'general_ledger', 'tryton-print'),
            Button("Trial Balance", 'trial_balance', 'tryton-print',
                default=True),
            ])
    trial_balance = StateReport('ptce.trial_balance')
    general_ledger = StateReport('ptce.general_ledger')

    def default_start(self, fields):
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        Date = pool.get('ir.date')
        if (self.model and self.model.__name__ == 'account.fiscalyear'
                and self.record):
            return {'fiscalyear': self.record.id}
        company = Transaction().context.get('company')
        if company is None:
            return {}
        fiscalyears = FiscalYear.search([
                ('company', '=', company),
                ('start_date', '<=', Date.today()),
                ], order=[('start_date', 'DESC')], limit=1)
        return {'fiscalyear': fiscalyears[0].id} if fiscalyears else {}

    def _data(self):
        pool = Pool()
        Period = pool.get('account.period')
        fiscalyear = self.start.fiscalyear
        parameters = {'fiscalyear': fiscalyear.id}
        if self.start.start_period:
            parameters['start_period'] = self.start.start_period.id
        end_period = self.start.end_period
        if not end_period:
            # Up to the last standard period: the year before its closing
            # entries, as in the FEC (the balance of the non-deferral
            # accounts would empty the classes 6 and 7)
            periods = Period.search([
                    ('fiscalyear', '=', fiscalyear.id),
                    ('type', '=', 'standard'),
                    ], order=[('start_date', 'DESC')], limit=1)
            end_period = periods[0] if periods else None
        if end_period:
            parameters['end_period'] = end_period.id
        if self.start.posted:
            parameters['posted'] = True
        return {'ids': [], 'parameters': parameters}

    def do_trial_balance(self, action):
        return action, self._data()

    def do_general_ledger(self, action):
        return action, self._data()
