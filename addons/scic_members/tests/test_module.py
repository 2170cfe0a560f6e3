# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.account.tests import create_chart, get_fiscalyear
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

from ..exceptions import MovementError

CAPITAL_FIELDS = [
    'scic_capital', 'scic_capital_highest', 'scic_capital_floor',
    'scic_capital_public']


def create_register(company, share_value=Decimal(100)):
    """The company ready to keep its share register: the French chart (the
    register's entries use its PCG accounts), the fiscal year of today
    with its periods, the nominal value of a share."""
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    create_chart(company, chart='account_fr.root')
    fiscalyear = get_fiscalyear(company)
    fiscalyear.save()
    FiscalYear.create_period([fiscalyear])
    company.scic_share_value = share_value
    company.save()


def create_associate(company, name, category_code='supporters'):
    pool = Pool()
    Party = pool.get('party.party')
    Category = pool.get('scic.category')
    Member = pool.get('scic.member')
    category, = Category.search([('code', '=', category_code)])
    party = Party(name=name)
    party.save()
    member = Member(
        company=company, party=party, category=category,
        kind='organisation', admission_body='board',
        admission_date=datetime.date.today().replace(month=1, day=2))
    member.save()
    Member.admit([member])
    return member


def create_user(login, company, groups=()):
    "A functional user of company in the groups given by their XML id"
    pool = Pool()
    User = pool.get('res.user')
    Group = pool.get('res.group')
    ModelData = pool.get('ir.model.data')
    user = User(
        login=login, name=login, companies=[company], company=company,
        groups=[Group(ModelData.get_id(*g.split('.'))) for g in groups])
    user.save()
    return user


class ScicMembersTestCase(
        AllModulesTestMixin, PartyCompanyCheckEraseMixin,
        PartyCheckReplaceMixin, PartyReplaceAllFieldsMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test scic_members module"
    module = 'scic_members'

    @with_transaction()
    def test_capital_floor_highest_capital_as_number(self):
        """Loi n° 47-1775 du 10 septembre 1947, art. 13: the capital may
        not be reduced below a quarter of the highest capital ever reached.
        The highest capital is compared as a number: with a history 9,000
        -> 12,000 it is 12,000 (as text '9000.00' > '12000.00'), so the
        floor is 3,000 and redemptions below it are refused."""
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        Company = pool.get('company.company')
        company = create_company()
        with set_company(company):
            create_register(company)
            member = create_associate(company, "ETIC")
            date = datetime.date.today().replace(month=1, day=15)

            def movement(kind, shares, **values):
                movement = Movement(
                    company=company, kind=kind, member=member, date=date,
                    shares=shares, **values)
                movement.save()
                return movement
            for shares in [90, 30]:
                Movement.confirm([movement(
                            'subscription', shares,
                            amount_paid=shares * Decimal(100))])
            self.assertEqual(
                Movement.capital(company), Decimal('12000.00'))
            self.assertEqual(
                Movement.highest_capital(company), Decimal('12000.00'))
            self.assertEqual(
                Movement.capital_floor(company), Decimal('3000.00'))
            company = Company(company.id)
            self.assertEqual(
                (company.scic_capital_highest, company.scic_capital_floor),
                (Decimal('12000.00'), Decimal('3000.00')))

            # 12,000 -> 2,500: below the floor (above a quarter of 9,000)
            below = movement('redemption', 95)
            with self.assertRaises(MovementError):
                Movement.confirm([below])
            self.assertEqual(below.state, 'draft')

            # 12,000 -> 3,000: down to the floor, allowed
            Movement.confirm([movement('redemption', 90)])
            self.assertEqual(Movement.capital(company), Decimal('3000.00'))
            self.assertEqual(
                Movement.highest_capital(company), Decimal('12000.00'))

            # 3,000 -> 2,900: below the floor
            with self.assertRaises(MovementError):
                Movement.confirm([movement('redemption', 1)])
            self.assertEqual(Movement.capital(company), Decimal('3000.00'))

    @with_transaction()
    def test_member_search_rec_name_negative(self):
        "Search associates by number and party with negative operators"
        pool = Pool()
        Member = pool.get('scic.member')
        company = create_company()
        with set_company(company):
            create_register(company)
            etic = create_associate(company, "ETIC")
            bois = create_associate(company, "Coop Bois")

            self.assertEqual(
                Member.search([('rec_name', 'ilike', '%bois%')]), [bois])
            self.assertEqual(
                Member.search([('rec_name', 'not ilike', '%bois%')]), [etic])
            self.assertEqual(
                Member.search([('rec_name', '!=', 'Coop Bois')]), [etic])

    @with_transaction()
    def test_movement_search_rec_name_negative(self):
        "Search movements by number and associate with negative operators"
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        company = create_company()
        with set_company(company):
            create_register(company)
            date = datetime.date.today().replace(month=1, day=15)
            movements = []
            for name in ["ETIC", "Coop Bois"]:
                movement = Movement(
                    company=company, kind='subscription',
                    member=create_associate(company, name), date=date,
                    shares=10, amount_paid=Decimal(1000))
                movement.save()
                movements.append(movement)
            Movement.confirm(movements)
            etic, bois = movements

            self.assertEqual(
                Movement.search([('rec_name', 'ilike', '%bois%')]), [bois])
            self.assertEqual(
                Movement.search([('rec_name', 'not ilike', '%bois%')]),
                [etic])
            self.assertEqual(
                Movement.search([('rec_name', 'not ilike', etic.number)]),
                [bois])

    @with_transaction()
    def test_capital_fields_scic_groups_only(self):
        """The capital figures of the company (current, highest, floor,
        public bodies' part) are read only by the SCIC groups"""
        pool = Pool()
        Company = pool.get('company.company')
        company = create_company()
        with set_company(company):
            outsider = create_user('outsider', company)
            readers = [
                create_user('scic_readonly', company,
                    ['scic_members.group_scic_readonly']),
                create_user('scic_admin', company,
                    ['scic_members.group_scic_admin']),
                ]
        transaction = Transaction()
        for name in CAPITAL_FIELDS:
            with transaction.set_user(outsider.id), \
                    transaction.set_context(_check_access=True):
                # The company itself stays readable
                Company.read([company.id], ['rec_name'])
                with self.assertRaises(AccessError):
                    Company.read([company.id], [name])
                view = Company.fields_view_get(view_type='form')
                self.assertNotIn(name, view['fields'])
        for user in readers:
            with transaction.set_user(user.id), \
                    transaction.set_context(_check_access=True):
                values, = Company.read([company.id], CAPITAL_FIELDS)
                self.assertEqual(
                    [values[n] for n in CAPITAL_FIELDS], [Decimal(0)] * 4)
                view = Company.fields_view_get(view_type='form')
                self.assertTrue(set(CAPITAL_FIELDS) <= set(view['fields']))


    @with_transaction()
    def test_erase_party_associate(self):
        "An associate holding shares cannot be erased"
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        company = create_company()
        with set_company(company):
            create_register(company)
            member = create_associate(company, "ETIC")
            member.party.active = False
            member.party.save()
            self.erase(member.party)
            movement = Movement(
                company=company, kind='subscription', member=member,
                date=datetime.date.today().replace(month=1, day=15),
                shares=10, amount_paid=Decimal(1000))
            movement.save()
            Movement.confirm([movement])

            with self.assertRaises(EraseError):
                self.erase(member.party)


del ModuleTestCase
