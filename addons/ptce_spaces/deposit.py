# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"The deposit of a lease (dépôt de garantie): received, deducted, returned"
from decimal import Decimal
from types import SimpleNamespace

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval

from .exceptions import DepositError


class Lease(metaclass=PoolMeta):
    __name__ = 'ptce.lease'

    deposit_move = fields.Many2One(
        'account.move', "Deposit Move", readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    deposit_return_move = fields.Many2One(
        'account.move', "Deposit Return Move", readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    deductions = fields.One2Many(
        'ptce.lease.deposit.deduction', 'lease', "Deposit Deductions",
        states={'readonly': Bool(Eval('deposit_return_move'))},
        help="Amounts kept from the deposit at the return (repairs, "
        "unpaid rents...).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'post_deposit': {
                    'invisible': (
                        ~Eval('state').in_(['signed', 'running', 'notice'])
                        | Bool(Eval('deposit_move'))
                        | ~Eval('deposit_amount')),
                    'depends': ['state', 'deposit_move', 'deposit_amount'],
                    },
                'return_deposit': {
                    'invisible': (
                        ~Eval('state').in_(['notice', 'terminated'])
                        | ~Eval('deposit_move')
                        | Bool(Eval('deposit_return_move'))),
                    'depends': [
                        'state', 'deposit_move', 'deposit_return_move'],
                    },
                })

    @classmethod
    def copy(cls, leases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('deposit_move')
        default.setdefault('deposit_return_move')
        default.setdefault('deductions')
        return super().copy(leases, default=default)

    def _deposit_config(self):
        "The deposit journal and accounts of the lease's company"
        Configuration = Pool().get('ptce.spaces.configuration')
        config = Configuration(1)
        values = {name: config.get_multivalue(name, company=self.company.id)
            for name in [
                'deposit_journal', 'deposit_account', 'deposit_bank_account']}
        if not all(values.values()):
            raise DepositError(gettext(
                    'ptce_spaces.msg_configuration_deposit'))
        return SimpleNamespace(**values)

    def _deposit_move(self, date, lines):
        pool = Pool()
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        config = self._deposit_config()
        return Move(
            company=self.company,
            journal=config.deposit_journal,
            period=Period.find(self.company, date=date),
            date=date,
            origin=self,
            description=gettext(
                'ptce_spaces.msg_deposit_move', lease=self.reference),
            lines=lines)

    def _deposit_line(self, account, debit, credit, description=None):
        MoveLine = Pool().get('account.move.line')
        line = MoveLine(
            account=account, debit=debit, credit=credit,
            description=description)
        if account.party_required:
            line.party = self.tenant
        return line

    @classmethod
    @ModelView.button
    def post_deposit(cls, leases):
        "Deposit received: 512 Banque / 165 Dépôts et cautionnements reçus"
        pool = Pool()
        Move = pool.get('account.move')
        Date = pool.get('ir.date')
        moves = []
        for lease in leases:
            if lease.deposit_move or not lease.deposit_amount:
                continue
            config = lease._deposit_config()
            date = Date.today()
            amount = lease.currency.round(lease.deposit_amount)
            move = lease._deposit_move(date, [
                    lease._deposit_line(
                        config.deposit_bank_account, amount, Decimal(0)),
                    lease._deposit_line(
                        config.deposit_account, Decimal(0), amount),
                    ])
            moves.append(move)
            lease.deposit_move = move
        Move.save(moves)
        Move.post(moves)
        cls.save(leases)

    @classmethod
    @ModelView.button
    def return_deposit(cls, leases):
        """Deposit returned: 165 / 512 for the amount paid back and
        165 / 7xx for each deduction."""
        pool = Pool()
        Move = pool.get('account.move')
        Date = pool.get('ir.date')
        moves = []
        for lease in leases:
            if not lease.deposit_move or lease.deposit_return_move:
                continue
            config = lease._deposit_config()
            amount = lease.currency.round(lease.deposit_amount)
            deducted = sum(
                lease.currency.round(d.amount) for d in lease.deductions)
            if deducted > amount:
                raise DepositError(gettext(
                        'ptce_spaces.msg_deposit_deductions_exceed',
                        lease=lease.rec_name))
            lines = [lease._deposit_line(
                    config.deposit_account, amount, Decimal(0))]
            for deduction in lease.deductions:
                lines.append(lease._deposit_line(
                        deduction.account, Decimal(0),
                        lease.currency.round(deduction.amount),
                        deduction.description))
            if amount - deducted:
                lines.append(lease._deposit_line(
                        config.deposit_bank_account, Decimal(0),
                        amount - deducted))
            move = lease._deposit_move(Date.today(), lines)
            moves.append(move)
            lease.deposit_return_move = move
        Move.save(moves)
        Move.post(moves)
        cls.save(leases)


class DepositDeduction(ModelSQL, ModelView):
    __string__ = "Deposit Deduction"
    __name__ = 'ptce.lease.deposit.deduction'

    lease = fields.Many2One(
        'ptce.lease', "Lease", required=True, ondelete='CASCADE')
    description = fields.Char("Description", required=True)
    account = fields.Many2One(
        'account.account', "Account", required=True,
        domain=[('closed', '!=', True)],
        help="Revenue account credited with the amount kept (7xx).")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True,
        domain=[('amount', '>', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('lease')


