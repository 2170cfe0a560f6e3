# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
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
    deposit_journal = fields.Many2One(
        'account.journal', "Deposit Journal",
        help="The journal of the deposit entries (received and returned).")
    deposit_account = fields.Many2One(
        'account.account', "Deposit Account",
        domain=[('closed', '!=', True)],
        help="Liability account of the deposits received "
        "(165 Dépôts et cautionnements reçus, or its sub-account 1651).")
    deposit_bank_account = fields.Many2One(
        'account.account', "Deposit Bank Account",
        domain=[('closed', '!=', True)],
        help="Bank account the deposits are received on and paid back "
        "from (512).")
    sepa_journal = fields.Many2One(
        'account.payment.journal', "SEPA Payment Journal",
        domain=[('process_method', '=', 'sepa')],
        help="The payment journal of the SEPA direct debits of rents.")

