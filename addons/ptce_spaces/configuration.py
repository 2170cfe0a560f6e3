# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from sql import Column
from trytond import backend
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin,
    CompanyValueMixin,
)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction


class Configuration(
        ModelSingleton, ModelSQL, ModelView, CompanyMultiValueMixin):
    __string__ = "Spaces Configuration"
    __name__ = 'ptce.spaces.configuration'

    rent_product = fields.Many2One(
        'product.product', "Rent Product",
        domain=[('type', '=', 'service')],
        help="The service invoiced for the rent; its revenue account "
        "(706) and its customer taxes are used on rent invoices.")
    charges_product = fields.Many2One(
        'product.product', "Charges Product",
        domain=[('type', '=', 'service')],
        help="The service invoiced for the provision on charges.")
    booking_product = fields.Many2One(
        'product.product', "Booking Product",
        domain=[('type', '=', 'service')],
        help="The service invoiced for room bookings.")
    # Accounts and journals belong to one company: one value per company
    # (sale_subscription/configuration.py), so that a second company never
    # books deposits or direct debits on the first one's.
    deposit_journal = fields.MultiValue(fields.Many2One(
            'account.journal', "Deposit Journal",
            help="The journal of the deposit entries (received and "
            "returned)."))
    deposit_account = fields.MultiValue(fields.Many2One(
            'account.account', "Deposit Account",
            domain=[
                ('closed', '!=', True),
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="Liability account of the deposits received "
            "(165 Dépôts et cautionnements reçus, or its sub-account "
            "1651)."))
    deposit_bank_account = fields.MultiValue(fields.Many2One(
            'account.account', "Deposit Bank Account",
            domain=[
                ('closed', '!=', True),
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="Bank account the deposits are received on and paid back "
            "from (512)."))
    sepa_journal = fields.MultiValue(fields.Many2One(
            'account.payment.journal', "SEPA Payment Journal",
            domain=[
                ('process_method', '=', 'sepa'),
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="The payment journal of the SEPA direct debits of "
            "rents."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in {'deposit_journal', 'deposit_account',
                'deposit_bank_account', 'sepa_journal'}:
            return pool.get('ptce.spaces.configuration.company')
        return super().multivalue_model(field)


class ConfigurationCompany(ModelSQL, CompanyValueMixin):
    "The accounts and journals of the spaces configuration of one company"
    __name__ = 'ptce.spaces.configuration.company'
    __string__ = "Spaces Configuration per Company"

    deposit_journal = fields.Many2One(
        'account.journal', "Deposit Journal")
    deposit_account = fields.Many2One(
        'account.account', "Deposit Account",
        domain=[
            ('closed', '!=', True),
            ('company', '=', Eval('company', -1)),
            ])
    deposit_bank_account = fields.Many2One(
        'account.account', "Deposit Bank Account",
        domain=[
            ('closed', '!=', True),
            ('company', '=', Eval('company', -1)),
            ])
    sepa_journal = fields.Many2One(
        'account.payment.journal', "SEPA Payment Journal",
        domain=[
            ('process_method', '=', 'sepa'),
            ('company', '=', Eval('company', -1)),
            ])

    @classmethod
    def __register__(cls, module):
        exist = backend.TableHandler.table_exist(cls._table)
        super().__register__(module)
        if not exist:
            cls._migrate_singleton_columns()

    @classmethod
    def _migrate_singleton_columns(cls):
        "Move the values stored on the singleton before they were per company"
        pool = Pool()
        Configuration = pool.get('ptce.spaces.configuration')
        Account = pool.get('account.account')
        names = ['deposit_journal', 'deposit_account',
            'deposit_bank_account', 'sepa_journal']
        table_h = Configuration.__table_handler__()
        if not all(table_h.column_exist(n) for n in names):
            return
        cursor = Transaction().connection.cursor()
        configuration = Configuration.__table__()
        account = Account.__table__()
        value = cls.__table__()
        # The deposit account tells which company the values were set for
        cursor.execute(*configuration.join(account,
                condition=configuration.deposit_account == account.id
                ).select(account.company,
                *[Column(configuration, n) for n in names]))
        for company, *values in cursor:
            cursor.execute(*value.insert(
                    [value.company] + [Column(value, n) for n in names],
                    [[company] + values]))

