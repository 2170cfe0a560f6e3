# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from decimal import Decimal

from trytond.model.exceptions import DomainValidationError
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
    def test_portal_mandate_signed_on_leases(self):
        "A mandate signed on the portal collects the tenant's current rents"
        pool = Pool()
        Lease = pool.get('ptce.lease')
        Party = pool.get('party.party')
        Mandate = pool.get('account.payment.sepa.mandate')
        WebUser = pool.get('web.user')
        company = create_company()
        with set_company(company):
            tenant, other = Party.create([
                    {'name': "Bistrot du coin"}, {'name': "Atelier Vélo"}])
            leases = []
            for i, party in enumerate([tenant, tenant, other]):
                lease = Lease(
                    company=company, reference=f'BAIL-{i + 1}',
                    tenant=party, kind='commercial', index_kind='ILC',
                    reference_index_year=2025, reference_index_quarter=3,
                    revision_date=datetime.date(2027, 1, 1),
                    spaces=[create_space(company, f'S{i}', f"Local {i}")],
                    start_date=datetime.date(2026, 1, 1),
                    rent=Decimal(500))
                lease.save()
                leases.append(lease)
            current, ended, others = leases
            Lease.write([ended], {'state': 'terminated'})
            mandate = Mandate(party=tenant, company=company)
            mandate.save()
            user = WebUser(email='bistrot@example.com', party=tenant)
            user.save()

            user.portal_mandate_signed(mandate)

            self.assertEqual(current.sepa_mandate, mandate)
            self.assertIsNone(ended.sepa_mandate)
            self.assertIsNone(others.sepa_mandate)

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

    def _rooms_with_bookings(self, company):
        "Two rooms of a company in Paris and their bookings of 2 March 2026"
        pool = Pool()
        Party = pool.get('party.party')
        Booking = pool.get('ptce.booking')
        company.timezone = 'Europe/Paris'
        company.save()
        party = Party(name="Association Lecture")
        party.save()
        room = create_space(company, 'S1', "Salle", 'meeting_room')
        room.bookable = True
        room.opening_time = datetime.time(8)
        room.closing_time = datetime.time(20)
        room.save()
        hall = create_space(company, 'S2', "Grande salle", 'meeting_room')
        hall.bookable = True
        hall.save()
        create_space(company, 'B1', "Bureau")  # not bookable

        def utc(*args):
            # Paris is UTC+1 in March (before the last Sunday)
            return datetime.datetime(*args) - datetime.timedelta(hours=1)
        bookings = [Booking(
                    company=company, space=space, party=party,
                    start_datetime=utc(*start), end_datetime=utc(*end))
            for space, start, end in [
                (room, (2026, 3, 2, 9), (2026, 3, 2, 11)),
                (room, (2026, 3, 2, 14), (2026, 3, 2, 16)),
                (room, (2026, 3, 2, 15), (2026, 3, 2, 17)),  # draft overlap
                (room, (2026, 3, 2, 18), (2026, 3, 2, 19)),
                (room, (2026, 3, 3, 8), (2026, 3, 3, 20)),
                (hall, (2026, 3, 1, 22), (2026, 3, 2, 2)),
                (hall, (2026, 3, 2, 12, 30), (2026, 3, 2, 13)),
                ]]
        Booking.save(bookings)
        Booking.confirm([bookings[1], bookings[4], bookings[5]])
        Booking.cancel([bookings[3]])
        return room, hall

    @with_transaction()
    def test_booking_free_slots(self):
        "Free slots: opening hours, draft and confirmed bookings, timezone"
        pool = Pool()
        Booking = pool.get('ptce.booking')
        company = create_company()
        with set_company(company):
            room, hall = self._rooms_with_bookings(company)

            def at(day, hour, minute=0):
                return datetime.datetime(2026, 3, day, hour, minute)
            self.assertEqual(
                Booking.free_slots([room, hall], datetime.date(2026, 3, 2)),
                {
                    room.id: [
                        (at(2, 8), at(2, 9)),
                        (at(2, 11), at(2, 14)),
                        (at(2, 17), at(2, 20)),  # the 18h one is cancelled
                        ],
                    hall.id: [
                        (at(2, 2), at(2, 12, 30)),
                        (at(2, 13), at(3, 0)),
                        ],
                    })
            self.assertEqual(
                Booking.free_slots([room], datetime.date(2026, 3, 3)),
                {room.id: []})
            self.assertEqual(
                Booking.free_slots([room], datetime.date(2026, 3, 4)),
                {room.id: [(at(4, 8), at(4, 20))]})
            self.assertEqual(Booking.free_slots([], datetime.date.today()), {})

    @with_transaction()
    def test_availability(self):
        "Room availability of the day of the context, the free rooms"
        pool = Pool()
        Availability = pool.get('ptce.space.availability')
        company = create_company()
        with set_company(company):
            room, hall = self._rooms_with_bookings(company)
            with Transaction().set_context(date=datetime.date(2026, 3, 2)):
                availabilities = Availability.search([])
                self.assertEqual(
                    [a.space for a in availabilities], [room, hall])
                self.assertEqual(
                    availabilities[0].rec_name, "S1 - Salle")
                self.assertEqual(
                    [a.free_slots for a in availabilities], [
                        '08:00–09:00, 11:00–14:00, 17:00–20:00',
                        '02:00–12:30, 13:00–24:00'])
                self.assertEqual(
                    [a.free_time for a in availabilities], [
                        datetime.timedelta(hours=7),
                        datetime.timedelta(hours=21, minutes=30)])
                self.assertEqual(
                    Availability.search([('free', '=', True)]),
                    availabilities)
            with Transaction().set_context(date='2026-03-03'):
                self.assertEqual(
                    [a.space for a in Availability.search(
                            [('free', '=', True)])], [hall])
                self.assertEqual(
                    [a.space for a in Availability.search(
                            [('free', '=', False)])], [room])

    @with_transaction()
    def test_space_closing_after_opening(self):
        "A space closes after it opens"
        company = create_company()
        with set_company(company):
            room = create_space(company, 'S1', "Salle", 'meeting_room')
            room.opening_time = datetime.time(18)
            room.closing_time = datetime.time(8)
            with self.assertRaises(DomainValidationError):
                room.save()

    @with_transaction()
    def test_booking_start_sets_end(self):
        "A start without an end (a slot clicked in the calendar) gets one"
        pool = Pool()
        Booking = pool.get('ptce.booking')
        start = datetime.datetime(2026, 3, 2, 9)
        booking = Booking(start_datetime=start, end_datetime=None)
        booking.on_change_start_datetime()
        self.assertEqual(
            booking.end_datetime, start + datetime.timedelta(hours=1))
        booking.end_datetime = start + datetime.timedelta(hours=3)
        booking.on_change_start_datetime()
        self.assertEqual(
            booking.end_datetime, start + datetime.timedelta(hours=3))
        booking.start_datetime = start + datetime.timedelta(hours=4)
        booking.on_change_start_datetime()
        self.assertEqual(
            booking.end_datetime, start + datetime.timedelta(hours=5))
        booking.state = 'confirmed'
        self.assertEqual(booking.get_state_label('state_label'), "Confirmed")


del ModuleTestCase
