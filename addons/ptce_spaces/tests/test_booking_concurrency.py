# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Two transactions confirm overlapping bookings at the same time on
PostgreSQL: exactly one succeeds, the database refuses the other."""
import datetime as dt
import threading
import unittest

from trytond import backend
from trytond.model.exceptions import SQLConstraintError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from ateliers.environment import MODULES


@unittest.skipIf(backend.name != 'postgresql', "PostgreSQL only")
class BookingConcurrencyTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # The database the module test cases share (ateliers.testing)
        activate_module(sorted(MODULES))

    def setUp(self):
        from trytond.modules.company.tests import create_company
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Party = pool.get('party.party')
            Space = pool.get('ptce.space')
            companies = pool.get('company.company').search([])
            company = companies[0] if companies else create_company()
            with transaction.set_context(company=company.id):
                party, = Party.create([{'name': "Radiom"}])
                space, = Space.create([{
                            'code': 'CONC-%s' % dt.datetime.now().timestamp(),
                            'name': "Salle concurrente",
                            'kind': 'meeting_room',
                            'bookable': True,
                            'company': company.id,
                            }])
            self.company, self.party, self.space = (
                company.id, party.id, space.id)
            transaction.commit()

    def test_constraint_in_database(self):
        "The overlap rule is an EXCLUDE constraint of PostgreSQL"
        with Transaction().start(DB_NAME, 0) as transaction:
            cursor = transaction.connection.cursor()
            cursor.execute(
                "SELECT contype FROM pg_constraint "
                "WHERE conname = 'ptce_booking_no_overlap'")
            self.assertEqual(cursor.fetchone(), ('x',))

    def test_concurrent_confirm(self):
        "Exactly one of two concurrent overlapping confirmations succeeds"
        barrier = threading.Barrier(2)
        results = []
        starts = [dt.datetime(2026, 6, 1, 9), dt.datetime(2026, 6, 1, 10)]

        def book(start):
            try:
                with Transaction().start(
                        DB_NAME, 0,
                        context={'company': self.company}) as transaction:
                    Booking = Pool().get('ptce.booking')
                    booking, = Booking.create([{
                                'company': self.company,
                                'space': self.space,
                                'party': self.party,
                                'start_datetime': start,
                                'end_datetime': start + dt.timedelta(
                                    hours=2),
                                }])
                    barrier.wait(timeout=30)
                    try:
                        Booking.confirm([booking])
                        transaction.commit()
                    except SQLConstraintError:
                        transaction.rollback()
                        results.append('refused')
                    else:
                        results.append('confirmed')
            except Exception as exception:  # report it in the main thread
                results.append(repr(exception))

        threads = [threading.Thread(target=book, args=(s,)) for s in starts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(sorted(results), ['confirmed', 'refused'])

        with Transaction().start(DB_NAME, 0):
            Booking = Pool().get('ptce.booking')
            confirmed = Booking.search([
                    ('space', '=', self.space),
                    ('state', '=', 'confirmed'),
                    ])
            self.assertEqual(len(confirmed), 1)
