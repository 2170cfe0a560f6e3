# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from decimal import Decimal

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin,
    CompanyValueMixin,
)
from trytond.pool import Pool
from trytond.transaction import Transaction

# Daily cap of meal vouchers (titres-restaurant) per employee, Code du
# travail art. R3262-10, 25 € since 1 October 2022.
LEGAL_MEAL_VOUCHER_CAP = Decimal('25.00')


class Configuration(
        ModelSingleton, ModelSQL, ModelView, CompanyMultiValueMixin):
    "Sectors Configuration"
    __name__ = 'ptce.sectors.configuration'
    __string__ = "Sectors Configuration"

    meal_voucher_daily_cap = fields.MultiValue(fields.Numeric(
            "Meal Voucher Daily Cap", digits=(16, 2),
            domain=['OR',
                ('meal_voucher_daily_cap', '=', None),
                ('meal_voucher_daily_cap', '>=', 0),
                ],
            help="Highest amount of titres-restaurant accepted from one "
            "person for a meal, checked on each voucher payment (Code du "
            "travail, art. R3262-10: 25 € a day by default). Empty: the "
            "legal value."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'meal_voucher_daily_cap':
            return pool.get('ptce.sectors.configuration.company')
        return super().multivalue_model(field)

    @classmethod
    def default_meal_voucher_daily_cap(cls, **pattern):
        return LEGAL_MEAL_VOUCHER_CAP

    def get_meal_voucher_cap(self, company=None):
        "The cap of the company (default: the context's), or the legal one"
        if company is None:
            company = Transaction().context.get('company')
        cap = self.get_multivalue('meal_voucher_daily_cap', company=company)
        return LEGAL_MEAL_VOUCHER_CAP if cap is None else cap


class ConfigurationCompany(ModelSQL, CompanyValueMixin):
    "The sectors configuration of one company"
    __name__ = 'ptce.sectors.configuration.company'
    __string__ = "Sectors Configuration per Company"

    meal_voucher_daily_cap = fields.Numeric(
        "Meal Voucher Daily Cap", digits=(16, 2),
        domain=['OR',
            ('meal_voucher_daily_cap', '=', None),
            ('meal_voucher_daily_cap', '>=', 0),
            ])

    @classmethod
    def default_meal_voucher_daily_cap(cls):
        return LEGAL_MEAL_VOUCHER_CAP
