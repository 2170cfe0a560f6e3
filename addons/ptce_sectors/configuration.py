# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from decimal import Decimal

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields

# Daily cap of meal vouchers (titres-restaurant) per employee, Code du
# travail art. R3262-10, 25 € since 1 October 2022.
LEGAL_MEAL_VOUCHER_CAP = Decimal('25.00')


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Sectors Configuration"
    __name__ = 'ptce.sectors.configuration'
    __string__ = "Sectors Configuration"

    meal_voucher_daily_cap = fields.Numeric(
        "Meal Voucher Daily Cap", digits=(16, 2),
        domain=['OR',
            ('meal_voucher_daily_cap', '=', None),
            ('meal_voucher_daily_cap', '>=', 0),
            ],
        help="Highest amount of titres-restaurant accepted from one person "
        "for a meal, checked on each voucher payment (Code du travail, art. "
        "R3262-10: 25 € a day by default). Empty: the legal value.")

    @classmethod
    def default_meal_voucher_daily_cap(cls):
        return LEGAL_MEAL_VOUCHER_CAP

    def get_meal_voucher_cap(self):
        if self.meal_voucher_daily_cap is None:
            return LEGAL_MEAL_VOUCHER_CAP
        return self.meal_voucher_daily_cap
