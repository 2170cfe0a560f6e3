# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.

from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class PtceSectorsTestCase(CompanyTestMixin, ModuleTestCase):
    "Test ptce_sectors module"
    module = 'ptce_sectors'
    extras = ['ptce_spaces']


del ModuleTestCase
