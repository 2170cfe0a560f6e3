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

# Regulation (EU) 2023/2831, art. 3(2): 300,000 EUR of de minimis aid per
# undertaking over any period of three years (200,000 EUR before 2024 under
# Regulation 1407/2013).
DE_MINIMIS_CEILING = Decimal('300000')
# Loi n° 47-1775 du 10 septembre 1947, art. 19 nonies (SCIC): at least
# 57.5 % of the surplus goes to impartible reserves (rule R11).
RESERVE_RATIO = Decimal('0.575')
# Loi 1947, art. 16: 15 % to the legal reserve until it equals the capital.
LEGAL_RESERVE_RATIO = Decimal('0.15')


class Configuration(
        ModelSingleton, ModelSQL, ModelView, CompanyMultiValueMixin):
    __name__ = 'ptce.reporting.configuration'
    __string__ = "Reporting Configuration"

    # The ceiling applies per undertaking and the ratios come from each
    # cooperative's statutes: one value per company.
    de_minimis_ceiling = fields.MultiValue(fields.Numeric(
            "De Minimis Ceiling", digits=(16, 2), required=True,
            help="Maximum public aid under the de minimis regulation over "
            "three rolling fiscal years (Regulation (EU) 2023/2831, art. 3: "
            "300,000 EUR)."))
    reserve_ratio = fields.MultiValue(fields.Numeric(
            "Impartible Reserve Ratio", digits=(4, 4), required=True,
            help="Minimum share of the surplus allocated to impartible "
            "reserves (loi 1947, art. 19 nonies: 57.5 %)."))
    legal_reserve_ratio = fields.MultiValue(fields.Numeric(
            "Legal Reserve Ratio", digits=(4, 4), required=True,
            help="Share of the surplus proposed for the legal reserve "
            "(loi 1947, art. 16: 15 %)."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in {'de_minimis_ceiling', 'reserve_ratio',
                'legal_reserve_ratio'}:
            return pool.get('ptce.reporting.configuration.company')
        return super().multivalue_model(field)

    @classmethod
    def default_de_minimis_ceiling(cls, **pattern):
        return DE_MINIMIS_CEILING

    @classmethod
    def default_reserve_ratio(cls, **pattern):
        return RESERVE_RATIO

    @classmethod
    def default_legal_reserve_ratio(cls, **pattern):
        return LEGAL_RESERVE_RATIO


class ConfigurationCompany(ModelSQL, CompanyValueMixin):
    "The reporting values of one company"
    __name__ = 'ptce.reporting.configuration.company'
    __string__ = "Reporting Configuration per Company"

    de_minimis_ceiling = fields.Numeric(
        "De Minimis Ceiling", digits=(16, 2), required=True)
    reserve_ratio = fields.Numeric(
        "Impartible Reserve Ratio", digits=(4, 4), required=True)
    legal_reserve_ratio = fields.Numeric(
        "Legal Reserve Ratio", digits=(4, 4), required=True)

    @classmethod
    def default_de_minimis_ceiling(cls):
        return DE_MINIMIS_CEILING

    @classmethod
    def default_reserve_ratio(cls):
        return RESERVE_RATIO

    @classmethod
    def default_legal_reserve_ratio(cls):
        return LEGAL_RESERVE_RATIO
