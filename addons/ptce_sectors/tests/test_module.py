# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.

import unittest
from decimal import Decimal

from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase

from ateliers.testing import AllModulesTestMixin

from ..sale_point import meal_voucher_error

D = Decimal


class PtceSectorsTestCase(
        AllModulesTestMixin, CompanyTestMixin, ModuleTestCase):
    "Test ptce_sectors module"
    module = 'ptce_sectors'


class MealVoucherTestCase(unittest.TestCase):
    "Meal voucher rules: eligible food, cap per person, one per cover"

    def error(self, amounts, eligible='49.50', cap='25', covers=3):
        result = meal_voucher_error(
            [D(a) for a in amounts], D(eligible),
            D(cap) if cap is not None else None, covers)
        return result[0] if result else None

    def test_one_guest_above_cap(self):
        self.assertEqual(
            self.error(['30']), 'msg_meal_voucher_above_cap')
        self.assertEqual(
            meal_voucher_error([D(30)], D('49.5'), D(25), 3)[1]['excess'],
            D(5))

    def test_guests_within_cap_each(self):
        "A table of three pays more than one cap, each guest within it"
        self.assertIsNone(self.error(['25', '20']))
        self.assertIsNone(self.error(['16.50', '16.50', '16.50']))
        self.assertIsNone(self.error(['25']))

    def test_more_payments_than_covers(self):
        self.assertEqual(
            self.error(['10', '10', '10', '5']), 'msg_meal_voucher_holders')
        self.assertIsNone(self.error(['10', '10', '10', '5'], covers=None))

    def test_above_eligible_food(self):
        self.assertEqual(
            self.error(['25', '25']), 'msg_meal_voucher_above_eligible')
        self.assertEqual(
            self.error(['5'], eligible='0'), 'msg_meal_voucher_not_food')

    def test_no_cap(self):
        self.assertIsNone(self.error(['40'], cap=None))


del ModuleTestCase
