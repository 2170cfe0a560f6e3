# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.

from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase

from ateliers.testing import AllModulesTestMixin


class PtceReportingTestCase(
        AllModulesTestMixin, CompanyTestMixin, ModuleTestCase):
    "Test ptce_reporting module"
    module = 'ptce_reporting'


del ModuleTestCase
