# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from itertools import groupby

from sql.operators import Equal
from trytond import backend
from trytond.i18n import gettext
from trytond.model import Check, Exclude, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.sql.functions import TSRange
from trytond.sql.operators import RangeOverlap
from trytond.tools import timezone as tz
from trytond.transaction import Transaction

from .exceptions import InvoicingError
from .space import SpaceViewMixin, month_bounds

_DRAFT = {'readonly': Eval('state') != 'draft'}
# The states of the bookings that take the space: a draft is a request
# that the space is held for until it is confirmed or cancelled.
BUSY_STATES = ['draft', 'confirmed']
# Background colours of the rooms in the calendar, by space
CALENDAR_COLORS = [
    '#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#8c564b',
    '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#ff7f0e',
    ]
DEFAULT_DURATION = datetime.timedelta(hours=1)


class Booking(Workflow, ModelSQL, ModelView):
    __string__ = "Room Booking"
    __name__ = 'ptce.booking'

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_DRAFT)
    space = fields.Many2One(
        'ptce.space', "Space", required=True, ondelete='RESTRICT',
        domain=[
            ('bookable', '=', True),
            ('company', '=', Eval('company', -1)),
            ],
        states=_DRAFT)
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        states=_DRAFT,
        context={'company': Eval('company', -1)}, depends={'company'})
    start_datetime = fields.DateTime("Start", required=True, states=_DRAFT)
    end_datetime = fields.DateTime("End", required=True, states=_DRAFT)
    description = fields.Char("Description")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), readonly=True,
        help="Price excluding tax, computed from the space's prices at "
        "confirmation.")
    invoice_line = fields.Many2One(
        'account.invoice.line', "Invoice Line", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('confirmed', "Confirmed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')
    # the web client shows the key of a selection in a calendar
    state_label = fields.Function(fields.Char("State"), 'get_state_label')
    calendar_color = fields.Function(
        fields.Char("Calendar Color"), 'get_calendar_color')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('dates_check', Check(t, t.end_datetime > t.start_datetime),
                'ptce_spaces.msg_booking_dates'),
            # On PostgreSQL with btree_gist this is a real EXCLUDE
            # constraint; elsewhere trytond checks it in validate, after
            # our own write, i.e. holding SQLite's database write lock.
            ('no_overlap', Exclude(t,
                    (t.space, Equal),
                    (TSRange(t.start_datetime, t.end_datetime, '[)'),
                        RangeOverlap),
                    where=t.state == 'confirmed'),
                'ptce_spaces.msg_booking_overlap'),
            ]
        cls._order = [('start_datetime', 'DESC'), ('id', 'DESC')]
        cls.__rpc__.update({
                'invoice_month': RPC(
                    readonly=False, instantiate=0, fresh_session=True),
                })
        cls._transitions |= {
            ('draft', 'confirmed'),
            ('confirmed', 'cancelled'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'confirmed']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        transaction = Transaction()
        database = transaction.database
        if (backend.name == 'postgresql'
                and not database.has_extension('btree_gist')):
            # The exclusion constraint needs btree_gist for the equality
            # on the space; without it trytond falls back on a locked
            # check in validate.
            cursor = transaction.connection.cursor()
            cursor.execute('SAVEPOINT ptce_btree_gist')
            try:
                cursor.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
            except Exception:
                cursor.execute('ROLLBACK TO SAVEPOINT ptce_btree_gist')
            else:
                cursor.execute('RELEASE SAVEPOINT ptce_btree_gist')
                database._extensions[database.name]['btree_gist'] = True
        super().__register__(module)

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    def get_state_label(self, name):
        return self.state_string

    def get_calendar_color(self, name):
        "Each room its colour in the calendar"
        if self.space:
            return CALENDAR_COLORS[self.space.id % len(CALENDAR_COLORS)]

    @fields.depends('start_datetime', 'end_datetime')
    def on_change_start_datetime(self):
        # A slot clicked in the calendar gives only the start
        if self.start_datetime and (
                not self.end_datetime
                or self.end_datetime <= self.start_datetime):
            self.end_datetime = self.start_datetime + DEFAULT_DURATION

    def get_rec_name(self, name):
        return '%s %s' % (
            self.space.rec_name,
            self.start_datetime.strftime('%d/%m/%Y %H:%M'))

    @classmethod
    def check_modification(
            cls, mode, bookings, values=None, external=False):
        super().check_modification(
            mode, bookings, values=values, external=external)
        if mode == 'delete':
            for booking in bookings:
                if booking.state == 'confirmed' or booking.invoice_line:
                    raise AccessError(gettext(
                            'ptce_spaces.msg_booking_delete',
                            booking=booking.rec_name))

    @classmethod
    def copy(cls, bookings, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('invoice_line')
        default.setdefault('amount')
        return super().copy(bookings, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, bookings):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, bookings):
        for booking in bookings:
            booking.amount = booking.company.currency.round(
                booking.space.booking_price(
                    booking.start_datetime, booking.end_datetime))
        # The state is written with the amount: the overlap constraint is
        # checked on this write.
        cls.save(bookings)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, bookings):
        for booking in bookings:
            if booking.invoice_line:
                raise AccessError(gettext(
                        'ptce_spaces.msg_booking_cancel_invoiced',
                        booking=booking.rec_name))

    @classmethod
    def invoice_month(cls, bookings, date):
        "RPC entry: invoice these bookings if due in the month of date"
        return [i.id for i in cls.invoice_bookings(date, bookings)]

    @classmethod
    def invoice_bookings(cls, date, bookings=None):
        """One invoice per party for its confirmed, not yet invoiced
        bookings of the month of date.  Returns the invoices."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Line = pool.get('account.invoice.line')
        Configuration = pool.get('ptce.spaces.configuration')
        config = Configuration(1)
        product = config.booking_product
        if not product:
            raise InvoicingError(gettext(
                    'ptce_spaces.msg_configuration_booking_product'))
        start, end = month_bounds(date)
        domain = [
            ('state', '=', 'confirmed'),
            ('invoice_line', '=', None),
            ('start_datetime', '>=', datetime.datetime.combine(
                    start, datetime.time())),
            ('start_datetime', '<', datetime.datetime.combine(
                    end + datetime.timedelta(1), datetime.time())),
            ]
        if bookings is not None:
            domain.append(('id', 'in', [b.id for b in bookings]))
        bookings = cls.search(
            domain, order=[('party', 'ASC'), ('start_datetime', 'ASC')])
        invoices = []
        for party, group in groupby(bookings, key=lambda b: b.party):
            group = list(group)
            company = group[0].company
            invoice = Invoice(
                company=company, type='out', party=party,
                invoice_address=party.address_get(type='invoice'),
                currency=company.currency,
                account=party.account_receivable_used,
                invoice_date=end,
                payment_term=party.customer_payment_term,
                description=gettext(
                    'ptce_spaces.msg_booking_invoice_description',
                    month=start.strftime('%m/%Y')),
                )
            invoice.set_journal()
            lines = []
            for booking in group:
                line = Line(
                    invoice=invoice, company=company,
                    currency=company.currency, type='line',
                    product=product, unit=product.default_uom, quantity=1,
                    unit_price=booking.amount,
                    account=product.account_revenue_used,
                    taxes=list(product.customer_taxes_used),
                    description=booking.rec_name,
                    origin=booking)
                sector = booking.space.sector
                if sector:
                    line.analytic_accounts = [{
                            'root': sector.root.id,
                            'account': sector.id,
                            }]
                lines.append(line)
            invoice.lines = lines
            invoices.append(invoice)
        Invoice.save(invoices)
        # link each booking to the line created for it (its origin)
        by_id = {b.id: b for b in bookings}
        for invoice in Invoice.browse(invoices):
            for line in invoice.lines:
                by_id[line.origin.id].invoice_line = line
        cls.save(bookings)
        return invoices

    @classmethod
    def free_slots(cls, spaces, date):
        """The free periods of the spaces on date: {space id: [(start,
        end)]}, naive datetimes in the timezone of the space's company.

        A space is free between its opening and closing times (the whole
        day without them) where no draft or confirmed booking takes it."""
        result = {}
        bounds = {}
        for space in spaces:
            zone = tz.get_tzinfo(space.company.timezone or 'UTC')
            opening = datetime.datetime.combine(
                date, space.opening_time or datetime.time())
            if space.closing_time:
                closing = datetime.datetime.combine(date, space.closing_time)
            else:
                closing = datetime.datetime.combine(
                    date + datetime.timedelta(1), datetime.time())
            bounds[space.id] = (zone, opening, closing)
            result[space.id] = []
        if not bounds:
            return result
        # bookings are stored in UTC: the widest local day in UTC
        day_start = min(
            o.replace(tzinfo=z).astimezone(tz.UTC).replace(tzinfo=None)
            for z, o, _ in bounds.values())
        day_end = max(
            c.replace(tzinfo=z).astimezone(tz.UTC).replace(tzinfo=None)
            for z, _, c in bounds.values())
        busy = {i: [] for i in bounds}
        for booking in cls.search([
                    ('space', 'in', list(bounds)),
                    ('state', 'in', BUSY_STATES),
                    ('start_datetime', '<', day_end),
                    ('end_datetime', '>', day_start),
                    ], order=[('start_datetime', 'ASC')]):
            zone = bounds[booking.space.id][0]

            def local(value):
                return value.replace(tzinfo=tz.UTC).astimezone(
                    zone).replace(tzinfo=None)
            busy[booking.space.id].append(
                (local(booking.start_datetime), local(booking.end_datetime)))
        for space_id, (_, opening, closing) in bounds.items():
            cursor = opening
            for start, end in sorted(busy[space_id]):
                if start > cursor:
                    result[space_id].append((cursor, min(start, closing)))
                cursor = max(cursor, end)
                if cursor >= closing:
                    break
            if cursor < closing:
                result[space_id].append((cursor, closing))
        return result


class Availability(SpaceViewMixin, ModelSQL, ModelView):
    "Free periods of one bookable space on the day of the context"
    __name__ = 'ptce.space.availability'
    __string__ = "Room Availability"

    space = fields.Many2One(
        'ptce.space', "Space", readonly=True, required=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    opening_time = fields.Function(
        fields.Time("Opening Time"), 'get_space')
    closing_time = fields.Function(
        fields.Time("Closing Time"), 'get_space')
    free_slots = fields.Function(
        fields.Char("Free Slots",
            help="The free periods of the day, between the opening and "
            "the closing of the space, outside its draft and confirmed "
            "bookings."),
        'get_availability')
    free_time = fields.Function(
        fields.TimeDelta("Free Time"), 'get_availability')
    free = fields.Function(
        fields.Boolean("Free", help="The space has a free period that day."),
        'get_availability', searcher='search_free')

    @classmethod
    def _space_where(cls, space):
        return (super()._space_where(space)
            & (space.bookable == True))  # noqa: E712

    @staticmethod
    def _date():
        date = Transaction().context.get('date')
        if isinstance(date, str):
            date = datetime.date.fromisoformat(date)
        return date or Pool().get('ir.date').today()

    def get_space(self, name):
        return getattr(self.space, name)

    def get_rec_name(self, name):
        return self.space.rec_name

    @classmethod
    def get_availability(cls, records, names):
        Booking = Pool().get('ptce.booking')
        slots = Booking.free_slots([r.space for r in records], cls._date())
        result = {n: {} for n in names}
        for record in records:
            free = slots[record.space.id]
            values = {
                'free_slots': ', '.join(
                    '%s–%s' % (s.strftime('%H:%M'), (
                            '24:00' if e.time() == datetime.time()
                            else e.strftime('%H:%M')))
                    for s, e in free),
                'free_time': sum(
                    (e - s for s, e in free), datetime.timedelta()),
                'free': bool(free),
                }
            for name in names:
                result[name][record.id] = values[name]
        return result

    @classmethod
    def search_free(cls, name, clause):
        pool = Pool()
        Space = pool.get('ptce.space')
        Booking = pool.get('ptce.booking')
        _, operator, value = clause
        spaces = Space.search([('bookable', '=', True)])
        slots = Booking.free_slots(spaces, cls._date())
        free = [i for i, s in slots.items() if s]
        if (operator == '=') == bool(value):
            return [('space', 'in', free)]
        return [('space', 'not in', free)]


class AvailabilityContext(ModelView):
    "Day of the availability"
    __name__ = 'ptce.space.availability.context'
    __string__ = "Room Availability Context"

    date = fields.Date("Date", required=True)

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()
