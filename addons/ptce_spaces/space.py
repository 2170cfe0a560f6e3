# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import csv
import datetime
import os
from decimal import Decimal

from sql import Literal
from sql.functions import CurrentTimestamp
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from ptce_company.model import RecNameSearchMixin

KINDS = [
    ('office', "Office"),
    ('coworking', "Coworking Desk"),
    ('shop', "Shop"),
    ('workshop', "Workshop"),
    ('restaurant', "Restaurant"),
    ('meeting_room', "Meeting Room"),
    ('storage', "Storage"),
    ]

INDEX_KINDS = [
    ('ILC', "ILC (commercial rents)"),
    ('ILAT', "ILAT (tertiary activities)"),
    ('IRL', "IRL (housing rents)"),
    ]

RENT_INDEX_CSV = os.path.join(
    os.path.dirname(__file__), 'data', 'rent_index.csv')


class Space(RecNameSearchMixin, DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Space"
    __name__ = 'ptce.space'
    _rec_name_fields = ['code', 'name']
    _rec_name = 'code'

    company = fields.Many2One(
        'company.company', "Company", required=True)
    building = fields.Char(
        "Building", help="The building the space is in.")
    floor = fields.Char("Floor", help="For example: RDC, 1er.")
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    area = fields.Numeric(
        "Area (m²)", digits=(16, 2),
        domain=[If(Eval('area'), ('area', '>=', 0), ())],
        help="Surface area in square metres, used for the revenue per m².")
    capacity = fields.Integer(
        "Capacity",
        domain=[If(Eval('capacity'), ('capacity', '>=', 0), ())],
        help="How many people the space holds.")
    exclusive = fields.Boolean(
        "Exclusive",
        help="Only one lease at a time may cover an exclusive space "
        "(coworking desks shared by several members are not exclusive).")
    sector = fields.Many2One(
        'analytic_account.account', "Sector",
        domain=[
            ('sector', '=', True),
            ('type', '=', 'normal'),
            ('company', '=', Eval('company', -1)),
            ],
        help="The sector (filière) whose analytic account receives the "
        "revenue of the space.")
    bookable = fields.Boolean(
        "Bookable", help="The space can be booked by the hour or the day.")
    hourly_price = fields.Numeric(
        "Hourly Price", digits=(16, 2),
        states={'invisible': ~Eval('bookable')},
        help="Price excluding tax of one hour of booking.")
    half_day_price = fields.Numeric(
        "Half-Day Price", digits=(16, 2),
        states={'invisible': ~Eval('bookable')},
        help="Price excluding tax of a booking of 4 hours or more.")
    day_price = fields.Numeric(
        "Day Price", digits=(16, 2),
        states={'invisible': ~Eval('bookable')},
        help="Price excluding tax of a booking of 8 hours or more.")
    opening_time = fields.Time(
        "Opening Time",
        states={'invisible': ~Eval('bookable')},
        help="From when the space can be booked each day (local time); "
        "empty: from midnight.")
    closing_time = fields.Time(
        "Closing Time",
        domain=[If(Eval('opening_time') & Eval('closing_time'),
                ('closing_time', '>', Eval('opening_time')),
                ())],
        states={'invisible': ~Eval('bookable')},
        help="Until when the space can be booked each day (local time); "
        "empty: until midnight.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.company, t.code),
                'ptce_spaces.msg_space_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_exclusive():
        return True

    @staticmethod
    def default_bookable():
        return False

    @fields.depends('kind')
    def on_change_kind(self):
        # Only the kinds with defaults of their own have a method
        if method := getattr(self, f'_on_change_kind_{self.kind}', None):
            method()

    def _on_change_kind_coworking(self):
        self.exclusive = False

    def _on_change_kind_meeting_room(self):
        self.bookable = True

    def get_rec_name(self, name):
        return f'{self.code} - {self.name}'

    def booking_price(self, start, end):
        "Price of a booking from start to end (datetimes)"
        hours = Decimal(str((end - start).total_seconds() / 3600))
        days = int(hours // 24)
        rest = hours - 24 * days
        price = Decimal(0)
        day_price = self.day_price or Decimal(0)
        price += days * day_price
        if rest >= 8 and self.day_price is not None:
            price += day_price
        elif rest >= 4 and self.half_day_price is not None:
            price += self.half_day_price
        else:
            price += rest * (self.hourly_price or Decimal(0))
        return price


class SpaceViewMixin:
    """A read-only model with one row per space (the space's id), for the
    figures computed per space: occupancy, availability."""
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('space')
        cls._order = [('space', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _space_where(cls, space):
        "The spaces the model shows"
        return space.active == True  # noqa: E712

    @classmethod
    def table_query(cls):
        Space = Pool().get('ptce.space')
        space = Space.__table__()
        return space.select(
            space.id.as_('id'),
            space.create_uid.as_('create_uid'),
            space.create_date.as_('create_date'),
            space.write_uid.as_('write_uid'),
            space.write_date.as_('write_date'),
            space.id.as_('space'),
            space.company.as_('company'),
            where=cls._space_where(space))


class RentIndex(ModelSQL, ModelView):
    __string__ = "Rent Index"
    __name__ = 'ptce.rent.index'

    kind = fields.Selection(INDEX_KINDS, "Index", required=True)
    year = fields.Integer("Year", required=True)
    quarter = fields.Integer(
        "Quarter", required=True,
        domain=[('quarter', '>=', 1), ('quarter', '<=', 4)])
    value = fields.Numeric(
        "Value", digits=(16, 2), required=True,
        domain=[('value', '>', 0)],
        help="The value published by INSEE for the quarter.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('quarter_unique', Unique(t, t.kind, t.year, t.quarter),
                'ptce_spaces.msg_rent_index_unique'),
            ]
        cls._order = [
            ('kind', 'ASC'), ('year', 'DESC'), ('quarter', 'DESC'),
            ('id', 'DESC')]

    @classmethod
    def __register__(cls, module_name):
        super().__register__(module_name)
        cls._load_csv()

    @classmethod
    def _load_csv(cls, path=RENT_INDEX_CSV):
        """Insert the shipped index values that are not yet in the table.

        Values already present (perhaps corrected by the manager) are
        never overwritten."""
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(table.kind, table.year, table.quarter))
        existing = {tuple(r) for r in cursor}
        with open(path, newline='') as file:
            rows = [
                (r['kind'], int(r['year']), int(r['quarter']),
                    Decimal(r['value']))
                for r in csv.DictReader(file)]
        values = [
            [k, y, q, v, Literal(0), CurrentTimestamp()]
            for k, y, q, v in rows if (k, y, q) not in existing]
        if values:
            cursor.execute(*table.insert(
                    [table.kind, table.year, table.quarter, table.value,
                        table.create_uid, table.create_date],
                    values))

    def get_rec_name(self, name):
        return f'{self.kind} T{self.quarter} {self.year}'

    @classmethod
    def get_value(cls, kind, year, quarter):
        "Return the value of the index or None when not published"
        indexes = cls.search([
                ('kind', '=', kind),
                ('year', '=', year),
                ('quarter', '=', quarter),
                ], limit=1)
        if indexes:
            return indexes[0].value

    @staticmethod
    def quarter_of(date):
        return (date.month - 1) // 3 + 1


def month_bounds(date):
    "First and last day of the month of date"
    start = date.replace(day=1)
    if start.month == 12:
        end = datetime.date(start.year, 12, 31)
    else:
        end = start.replace(month=start.month + 1) - datetime.timedelta(1)
    return start, end

