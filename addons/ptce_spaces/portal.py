# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The tenants' and associates' pages of the member portal (see
ptce_company): the invitation from a lease, and "Réserver une salle"
(free slots per room and day, book and cancel under the rules and prices
of the bookings)."""
import datetime
from pathlib import Path

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.protocols.wrappers import redirect
from trytond.tools import timezone as tz
from trytond.transaction import Transaction

from ptce_company.portal import PortalInviteMixin

TEMPLATES = Path(__file__).parent / 'portal'


class Lease(PortalInviteMixin, metaclass=PoolMeta):
    __name__ = 'ptce.lease'

    @property
    def portal_party(self):
        return self.tenant


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    @classmethod
    def portal_pages(cls):
        return super().portal_pages() + [
            ('bookings', "Réserver une salle", TEMPLATES)]

    def portal_mandate_signed(self, mandate):
        """The tenant's current leases collect their rents with the mandate
        just signed on the portal (it replaces a revoked or older one)."""
        pool = Pool()
        Lease = pool.get('ptce.lease')
        super().portal_mandate_signed(mandate)
        leases = Lease.search([
                ('tenant', '=', mandate.party.id),
                ('company', '=', mandate.company.id),
                ('state', 'in', ['draft', 'signed', 'running', 'notice']),
                ])
        if leases:
            Lease.write(leases, {'sepa_mandate': mandate.id})

    def portal_bookings(self, request):
        pool = Pool()
        Space = pool.get('ptce.space')
        Booking = pool.get('ptce.booking')
        Date = pool.get('ir.date')
        company = self.portal_company()
        zone = tz.get_tzinfo(company.timezone or 'UTC')
        today = Date.today()
        try:
            date = datetime.date.fromisoformat(
                request.values.get('date', ''))
        except ValueError:
            date = today
        date = max(date, today)
        error = None
        if request.method == 'POST':
            try:
                if request.form.get('action') == 'cancel':
                    self._portal_cancel_booking(request.form)
                else:
                    self._portal_book(request.form, zone)
            except UserError as exception:
                # Nothing of the refused action is kept: the page is shown
                # with the reason from a clean transaction
                Transaction().rollback()
                error = exception.message
            else:
                return redirect(
                    f'{request.base_url}?date={date.isoformat()}')
        spaces = Space.search([
                ('company', '=', company.id),
                ('bookable', '=', True),
                ], order=[('name', 'ASC')])
        slots = Booking.free_slots(spaces, date)
        now = datetime.datetime.now(tz.UTC).replace(tzinfo=None)
        bookings = Booking.search([
                ('party', '=', self.party.id),
                ('company', '=', company.id),
                ('state', 'in', ['draft', 'confirmed']),
                ('end_datetime', '>=', now),
                ], order=[('start_datetime', 'ASC')])

        def local(value):
            return value.replace(tzinfo=tz.UTC).astimezone(zone)
        return 'bookings.html', {
            'date': date,
            'today': today,
            'spaces': spaces,
            'slots': slots,
            'bookings': bookings,
            'local': local,
            'error': error,
            'timedelta': datetime.timedelta,
            }

    def _portal_book(self, form, zone):
        "Book a room for the user's party: confirmed at the room's price"
        pool = Pool()
        Space = pool.get('ptce.space')
        Booking = pool.get('ptce.booking')
        company = self.portal_company()
        try:
            space, = Space.search([
                    ('id', '=', int(form.get('space', 0))),
                    ('company', '=', company.id),
                    ('bookable', '=', True),
                    ])
            date = datetime.date.fromisoformat(form.get('date', ''))
            start = datetime.time.fromisoformat(form.get('start', ''))
            end = datetime.time.fromisoformat(form.get('end', ''))
        except ValueError:
            raise UserError(gettext('ptce_spaces.msg_portal_booking_form'))

        def utc(time):
            value = datetime.datetime.combine(date, time)
            return value.replace(tzinfo=zone).astimezone(tz.UTC).replace(
                tzinfo=None)
        start, end = utc(start), utc(end)
        if start < datetime.datetime.now(tz.UTC).replace(tzinfo=None):
            raise UserError(gettext('ptce_spaces.msg_portal_booking_past'))
        # Refused before anything is written, so that the page shows why;
        # the constraints of the booking still hold against a race
        if end <= start:
            raise UserError(gettext('ptce_spaces.msg_booking_dates'))
        if Booking.search([
                    ('space', '=', space.id),
                    ('state', '=', 'confirmed'),
                    ('start_datetime', '<', end),
                    ('end_datetime', '>', start),
                    ], limit=1):
            raise UserError(gettext('ptce_spaces.msg_booking_overlap'))
        booking = Booking(company=company, space=space, party=self.party,
            start_datetime=start, end_datetime=end,
            description=(form.get('description') or '')[:100] or None)
        Booking.save([booking])
        Booking.confirm([booking])

    def _portal_cancel_booking(self, form):
        "Cancel a booking of the user's party (another party's: not found)"
        pool = Pool()
        Booking = pool.get('ptce.booking')
        try:
            booking_id = int(form.get('booking', 0))
        except ValueError:
            booking_id = 0
        bookings = Booking.search([
                ('id', '=', booking_id),
                ('party', '=', self.party.id),
                ('state', 'in', ['draft', 'confirmed']),
                ])
        if not bookings:
            raise UserError(gettext('ptce_spaces.msg_portal_booking_unknown'))
        Booking.cancel(bookings)
