# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.

import datetime
import unittest
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    CompanyTestMixin,
    PartyCompanyCheckEraseMixin,
    create_company,
    set_company,
)
from trytond.modules.party.exceptions import EraseError
from trytond.modules.party.tests import PartyCheckReplaceMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ateliers.testing import (
    AllModulesTestMixin,
    PartyReplaceAllFieldsMixin,
)

from ..sale_point import meal_voucher_error

D = Decimal


class PtceSectorsTestCase(
        AllModulesTestMixin, PartyCompanyCheckEraseMixin,
        PartyCheckReplaceMixin, PartyReplaceAllFieldsMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test ptce_sectors module"
    module = 'ptce_sectors'

    @with_transaction()
    def test_tonnage_report_access(self):
        """The tonnage report (RPC) sums only the intakes the user may
        read: without read access to the intakes it is refused, and the
        company rule leaves out the intakes of other companies"""
        pool = Pool()
        Intake = pool.get('ptce.recyclerie.intake')
        Flow = pool.get('ptce.recyclerie.flow')
        User = pool.get('res.user')
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        cashier = Group(ModelData.get_id('ptce_sectors', 'group_cashier'))
        flow, = Flow.search([('code', '=', 'TEX')])
        date = datetime.date(2026, 3, 2)
        companies, users = [], {}
        for name, weight in [("Les Ateliers", 120.5), ("Other", 80)]:
            company = create_company(name)
            with set_company(company):
                Intake.create([{
                            'company': company.id, 'date': date,
                            'flow': flow.id, 'weight': weight,
                            'outcomes': [('create', [{
                                            'type': 'recycled',
                                            'date': date,
                                            'weight': 20,
                                            }])],
                            }])
            companies.append(company)
        ateliers, other = companies
        for login, groups in [('cashier', [cashier]), ('outsider', [])]:
            users[login], = User.create([{
                        'login': login, 'name': login, 'groups': [
                            ('add', [g.id for g in groups])],
                        'companies': [('add', [ateliers.id])],
                        'company': ateliers.id,
                        }])

        def report(company, user=None):
            transaction = Transaction()
            with transaction.set_user(
                    user.id if user else transaction.user), \
                    transaction.set_context(
                        _check_access=bool(user), company=ateliers.id,
                        companies=[ateliers.id]):
                return Intake.tonnage_report(date, date, company.id)

        self.assertEqual(report(other)['total']['collected'], 80)
        self.assertEqual(report(ateliers)['TEX']['collected'], 120.5)
        self.assertEqual(
            report(ateliers, users['cashier'])['TEX']['collected'], 120.5)
        # The company rule: the intakes of another company are not summed
        result = report(other, users['cashier'])
        self.assertNotIn('TEX', result)
        self.assertEqual(
            (result['total']['collected'], result['total']['recycled']),
            (0, 0))
        with self.assertRaises(AccessError):
            report(ateliers, users['outsider'])
        # Refused for the access right itself, whatever the rules
        RuleGroup = pool.get('ir.rule.group')
        with Transaction().set_user(0):
            RuleGroup.delete([RuleGroup(ModelData.get_id(
                            'ptce_sectors', 'rule_group_intake_companies'))])
        self.assertEqual(
            report(other, users['cashier'])['TEX']['collected'], 80)
        with self.assertRaises(AccessError):
            report(ateliers, users['outsider'])

    @with_transaction()
    def test_erase_party_borrower(self):
        "A borrower cannot be erased until the equipment is returned"
        pool = Pool()
        Party = pool.get('party.party')
        Equipment = pool.get('ptce.culture.equipment')
        Loan = pool.get('ptce.culture.equipment.loan')
        company = create_company()
        with set_company(company):
            party = Party(name="Compagnie Tréteaux", active=False)
            party.save()
            equipment = Equipment(company=company, name="Sono")
            equipment.save()
            loan = Loan(
                equipment=equipment, borrower=party,
                start_date=datetime.date(2026, 3, 1),
                end_date=datetime.date(2026, 3, 3))
            loan.save()

            with self.assertRaises(EraseError):
                self.erase(party)
            loan.returned = True
            loan.save()
            self.erase(party)


class MealVoucherTestCase(unittest.TestCase):
    "Meal voucher rules: eligible food, cap per person, one per cover"

    def error(self, amounts, eligible='49.50', cap='25', covers=3):
        result = meal_voucher_error(
            [D(a) for a in amounts], D(eligible),
            D(cap) if cap is not None else None, covers)
        return result[0] if result else None

    def test_one_guest_above_cap(self):
        self.assertEqual(
            self.error(['30']), 'ptce_sectors.msg_meal_voucher_above_cap')
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
            self.error(['10', '10', '10', '5']),
            'ptce_sectors.msg_meal_voucher_holders')
        self.assertIsNone(self.error(['10', '10', '10', '5'], covers=None))

    def test_above_eligible_food(self):
        self.assertEqual(
            self.error(['25', '25']),
            'ptce_sectors.msg_meal_voucher_above_eligible')
        self.assertEqual(
            self.error(['5'], eligible='0'),
            'ptce_sectors.msg_meal_voucher_not_food')

    def test_no_cap(self):
        self.assertIsNone(self.error(['40'], cap=None))



del ModuleTestCase
