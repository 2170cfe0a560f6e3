# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from decimal import Decimal

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

from ateliers.testing import (
    AllModulesTestMixin,
    PartyReplaceAllFieldsMixin,
)


def create_space(company, code, name, kind='office'):
    pool = Pool()
    Space = pool.get('ptce.space')
    space = Space(company=company, code=code, name=name, kind=kind)
    space.save()
    return space


class PtceSpacesTestCase(
        AllModulesTestMixin, PartyCompanyCheckEraseMixin,
        PartyCheckReplaceMixin, PartyReplaceAllFieldsMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test ptce_spaces module"
    module = 'ptce_spaces'

    @with_transaction()
    def test_space_search_rec_name_negative(self):
        "Search spaces by code and name with negative operators"
        pool = Pool()
        Space = pool.get('ptce.space')
        company = create_company()
        with set_company(company):
            workshop = create_space(company, 'A1', "Atelier bois", 'workshop')
            office = create_space(company, 'B2', "Bureau")

            self.assertEqual(
                Space.search([('rec_name', 'ilike', '%bois%')]), [workshop])
            self.assertEqual(
                Space.search([('rec_name', 'not ilike', '%bois%')]),
                [office])
            self.assertEqual(
                Space.search([('rec_name', 'not ilike', '%a1%')]), [office])
            self.assertEqual(
                Space.search([('rec_name', '!=', 'Bureau')]), [workshop])

    @with_transaction()
    def test_lease_search_rec_name_negative(self):
        "Search leases by reference and tenant with negative operators"
        pool = Pool()
        Lease = pool.get('ptce.lease')
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            leases = []
            for i, (tenant, code) in enumerate(
                    [("Bistrot du coin", 'R1'), ("Atelier Vélo", 'W1')]):
                party = Party(name=tenant)
                party.save()
                lease = Lease(
                    company=company, reference=f'BAIL-{i + 1}',
                    tenant=party, kind='commercial', index_kind='ILC',
                    reference_index_year=2025, reference_index_quarter=3,
                    revision_date=datetime.date(2027, 1, 1),
                    spaces=[create_space(company, code, tenant)],
                    start_date=datetime.date(2026, 1, 1),
                    rent=Decimal(500))
                lease.save()
                leases.append(lease)
            bistrot, velo = leases

            self.assertEqual(
                Lease.search([('rec_name', 'ilike', '%vélo%')]), [velo])
            self.assertEqual(
                Lease.search([('rec_name', 'not ilike', '%vélo%')]),
                [bistrot])
            self.assertEqual(
                Lease.search([('rec_name', 'not ilike', '%bail-1%')]),
                [velo])
            self.assertEqual(
                Lease.search([('rec_name', '!=', 'BAIL-2')]), [bistrot])


    @with_transaction()
    def test_erase_party_booking(self):
        "A party with a confirmed booking not yet invoiced cannot be erased"
        pool = Pool()
        Party = pool.get('party.party')
        Booking = pool.get('ptce.booking')
        Erase = pool.get('party.erase', type='wizard')
        Session = pool.get('ir.session.wizard')
        company = create_company()
        with set_company(company):
            party = Party(name="Association Lecture", active=False)
            party.save()
            room = create_space(company, 'S1', "Salle", 'meeting_room')
            room.bookable = True
            room.hourly_price = Decimal(20)
            room.save()
            booking = Booking(
                company=company, space=room, party=party,
                start_datetime=datetime.datetime(2026, 3, 2, 9),
                end_datetime=datetime.datetime(2026, 3, 2, 11))
            booking.save()
            Booking.confirm([booking])
            session = Session()
            session.save()

            with self.assertRaises(EraseError):
                Erase(session.id).check_erase(party)
            Booking.cancel([booking])
            Erase(session.id).check_erase(party)


del ModuleTestCase
