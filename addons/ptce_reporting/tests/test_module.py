# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin,
    create_company,
    set_company,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from ateliers.testing import AllModulesTestMixin


class PtceReportingTestCase(
        AllModulesTestMixin, CompanyTestMixin, ModuleTestCase):
    "Test ptce_reporting module"
    module = 'ptce_reporting'

    @with_transaction()
    def test_indicator_numeric_sums_exact(self):
        """The indicators sum numeric columns exactly on both backends
        (SQLite sums them as floats: 0.1 + 0.2 = 0.30000000000000004)"""
        pool = Pool()
        Job = pool.get('ptce.job')
        from ..indicator import compute
        company = create_company()
        date = datetime.date(2026, 3, 2)
        with set_company(company):
            Job.create([{
                        'company': company.id, 'name': name,
                        'contract_type': 'cdd', 'start_date': date,
                        'fte': fte,
                        } for name, fte in [
                        ("Valoriste", Decimal('0.1')),
                        ("Vendeur", Decimal('0.2')),
                        ]])
            fte = compute(company, 2026, codes=['JOBS'])['JOBS_FTE']
        series = fte.series['cdd']
        self.assertEqual(
            (str(series.total), str(series.months[2])), ('0.30', '0.30'))


del ModuleTestCase
