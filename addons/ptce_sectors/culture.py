# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Culture: events with their capacity and ticket products sold at the
desk, and the pool of equipment lent to members."""
from sql.aggregate import Sum
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import EventError


class Event(ModelSQL, ModelView):
    "Cultural Event"
    __name__ = 'ptce.culture.event'
    __string__ = "Cultural Event"

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True)
    date = fields.Date("Date", required=True)
    venue = fields.Char("Venue", help="Where the event takes place.")
    capacity = fields.Integer(
        "Capacity", required=True,
        domain=[('capacity', '>=', 0)],
        help="Highest number of tickets that can be sold.")
    ticket_products = fields.One2Many(
        'product.template', 'event', "Ticket Products",
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The products sold as tickets of the event (one per price).")
    tickets_sold = fields.Function(
        fields.Integer("Tickets Sold"), 'get_tickets_sold')
    tickets_left = fields.Function(
        fields.Integer("Tickets Left"), 'get_tickets_sold')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def get_tickets_sold(cls, events, names):
        sold = cls.count_tickets(events)
        result = {n: {} for n in names}
        for event in events:
            if 'tickets_sold' in result:
                result['tickets_sold'][event.id] = sold.get(event.id, 0)
            if 'tickets_left' in result:
                result['tickets_left'][event.id] = (
                    event.capacity - sold.get(event.id, 0))
        return result

    @classmethod
    def count_tickets(cls, events):
        """Return {event id: tickets} sold at the points of sale (see
        _tickets_sold)"""
        event = cls.__table__()
        ids = [e.id for e in events]
        return {e: int(q or 0) for e, q in cls._tickets_sold(
                event, event.id,
                fields.SQL_OPERATORS['in'](event.id, ids or [-1]))}

    @classmethod
    def _tickets_sold(cls, event, key, where):
        """Tickets sold, grouped by key, a column of event (the table of
        the events, which where may filter too): [(key, quantity)].

        A ticket is sold by a point-of-sale line of one of the event's
        ticket products in a sale not cancelled (an open sale holds its
        seats), a refund (negative quantity) deducted. This is the one
        definition of tickets sold: the event's counter and capacity check,
        and the culture and visitor indicators of ptce_reporting."""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        sale = Sale.__table__()
        line = Line.__table__()
        product = Product.__table__()
        template = Template.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line
            .join(sale, condition=line.sale == sale.id)
            .join(product, condition=line.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(event, condition=template.event == event.id)
            .select(key, Sum(line.quantity),
                where=where & (sale.state != 'cancelled'),
                group_by=[key]))
        return list(cursor)

    @classmethod
    def check_capacity(cls, events):
        "No more tickets sold than the capacity of the event"
        sold = cls.count_tickets(events)
        for event in events:
            if sold.get(event.id, 0) > event.capacity:
                raise EventError(gettext(
                        'ptce_sectors.msg_event_sold_out',
                        event=event.rec_name, capacity=event.capacity,
                        sold=sold[event.id]))


class EventVenueSpace(metaclass=PoolMeta):
    "Cultural Event with its venue in the building (ptce_spaces)"
    __name__ = 'ptce.culture.event'

    space = fields.Many2One(
        'ptce.space', "Space", ondelete='RESTRICT',
        help="The space of the building where the event takes place.")


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    event = fields.Many2One(
        'ptce.culture.event', "Event", ondelete='RESTRICT',
        help="Set on ticket products: the event the ticket gives access to.")


class POSSaleLine(metaclass=PoolMeta):
    __name__ = 'sale.point.sale.line'

    @classmethod
    def validate(cls, lines):
        super().validate(lines)
        events = {l.product.template.event for l in lines
            if l.product.template.event}
        if events:
            Pool().get('ptce.culture.event').check_capacity(list(events))


class Equipment(DeactivableMixin, ModelSQL, ModelView):
    "Pooled Equipment"
    __name__ = 'ptce.culture.equipment'
    __string__ = "Pooled Equipment"

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True)
    code = fields.Char("Code")
    loans = fields.One2Many(
        'ptce.culture.equipment.loan', 'equipment', "Loans")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class Loan(ModelSQL, ModelView):
    "Equipment Loan"
    __name__ = 'ptce.culture.equipment.loan'
    __string__ = "Equipment Loan"

    equipment = fields.Many2One(
        'ptce.culture.equipment', "Equipment", required=True,
        ondelete='CASCADE')
    borrower = fields.Many2One(
        'party.party', "Borrower", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The member who borrows the equipment.")
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date", required=True,
        domain=[('end_date', '>=', Eval('start_date'))])
    returned = fields.Boolean("Returned")
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('equipment')
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]

    @fields.depends('equipment', '_parent_equipment.company')
    def on_change_with_company(self, name=None):
        return self.equipment.company if self.equipment else None

    @classmethod
    def validate_fields(cls, loans, field_names):
        super().validate_fields(loans, field_names)
        for loan in loans:
            others = cls.search([
                    ('equipment', '=', loan.equipment.id),
                    ('id', '!=', loan.id),
                    ('start_date', '<=', loan.end_date),
                    ('end_date', '>=', loan.start_date),
                    ], limit=1)
            if others:
                other, = others
                raise EventError(gettext(
                        'ptce_sectors.msg_loan_conflict',
                        equipment=loan.equipment.rec_name,
                        borrower=other.borrower.rec_name,
                        start=other.start_date, end=other.end_date))
