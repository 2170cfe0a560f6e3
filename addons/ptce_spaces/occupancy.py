# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from collections import defaultdict
from decimal import Decimal

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .lease import OCCUPYING_STATES
from .space import KINDS, SpaceViewMixin, month_bounds


class Occupancy(SpaceViewMixin, ModelSQL, ModelView):
    "Occupancy of one space during the month of the context"
    __name__ = 'ptce.space.occupancy'
    __string__ = "Space Occupancy"

    space = fields.Many2One(
        'ptce.space', "Space", readonly=True, required=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    kind = fields.Function(fields.Selection(KINDS, "Kind"), 'get_space')
    area = fields.Function(
        fields.Numeric("Area (m²)", digits=(16, 2)), 'get_space')
    available_days = fields.Function(
        fields.Integer("Available Days"), 'get_occupancy')
    leased_days = fields.Function(
        fields.Integer("Leased Days",
            help="Days of the month covered by a signed or running lease."),
        'get_occupancy')
    rate = fields.Function(
        fields.Float("Occupancy Rate", digits=(16, 4),
            help="Leased days / available days."),
        'get_occupancy')
    vacant = fields.Function(
        fields.Boolean("Vacant", help="No lease at all in the month."),
        'get_occupancy', searcher='search_vacant')
    revenue = fields.Function(
        fields.Numeric("Revenue", digits=(16, 2),
            help="Rent and charges invoiced for the month (excluding tax), "
            "shared between the spaces of a lease by area."),
        'get_occupancy')
    revenue_per_m2 = fields.Function(
        fields.Numeric("Revenue per m²", digits=(16, 2)), 'get_occupancy')

    @staticmethod
    def _month():
        date = Transaction().context.get('month')
        if isinstance(date, str):
            date = datetime.date.fromisoformat(date)
        if not date:
            date = Pool().get('ir.date').today()
        return month_bounds(date)

    def get_space(self, name):
        return getattr(self.space, name)

    @classmethod
    def compute(cls, spaces, start, end):
        """Occupancy of the spaces between start and end (included):
        {space id: (available, leased, revenue)}"""
        pool = Pool()
        Lease = pool.get('ptce.lease')
        Period = pool.get('ptce.lease.period')
        available = (end - start).days + 1
        ids = [s.id for s in spaces]
        leased = defaultdict(set)
        leases = Lease.search([
                ('spaces', 'in', ids),
                ('state', 'in', OCCUPYING_STATES),
                ('start_date', '<=', end),
                ['OR', ('end_date', '=', None), ('end_date', '>=', start)],
                ])
        for lease in leases:
            first = max(start, lease.start_date)
            last = min(end, lease.end_date or end)
            days = {first + datetime.timedelta(i)
                for i in range((last - first).days + 1)}
            for space in lease.spaces:
                leased[space.id] |= days
        revenue = defaultdict(Decimal)
        periods = Period.search([
                ('lease.spaces', 'in', ids),
                ('invoice_start', '<=', end),
                ('invoice_end', '>=', start),
                ('invoice.state', 'in', ['posted', 'paid', 'validated']),
                ])
        for period in periods:
            lease_spaces = period.lease.spaces
            total_area = sum((s.area or 0) for s in lease_spaces)
            # share a multi-month period by days in the month
            first = max(start, period.invoice_start)
            last = min(end, period.invoice_end)
            share = Decimal((last - first).days + 1) / Decimal(
                (period.invoice_end - period.invoice_start).days + 1)
            amount = period.invoice.untaxed_amount * share
            for space in lease_spaces:
                if total_area:
                    part = amount * (space.area or 0) / total_area
                else:
                    part = amount / len(lease_spaces)
                revenue[space.id] += part
        return {
            s: (available, len(leased[s]), revenue[s]) for s in ids}

    @classmethod
    def get_occupancy(cls, records, names):
        start, end = cls._month()
        data = cls.compute([r.space for r in records], start, end)
        result = {n: {} for n in names}
        for record in records:
            available, leased, revenue = data[record.space.id]
            revenue = record.company.currency.round(revenue)
            values = {
                'available_days': available,
                'leased_days': leased,
                # Rounded to the field's digits (the web client takes an
                # unrounded float for a change of the record)
                'rate': round(leased / available, 4) if available else 0.0,
                'vacant': not leased,
                'revenue': revenue,
                'revenue_per_m2': (
                    record.company.currency.round(
                        revenue / record.space.area)
                    if record.space.area else None),
                }
            for name in names:
                result[name][record.id] = values[name]
        return result

    @classmethod
    def search_vacant(cls, name, clause):
        _, operator, value = clause
        Space = Pool().get('ptce.space')
        start, end = cls._month()
        spaces = Space.search([])
        data = cls.compute(spaces, start, end)
        vacant = [s for s, (_, leased, _) in data.items() if not leased]
        if (operator == '=') == bool(value):
            return [('space', 'in', vacant)]
        return [('space', 'not in', vacant)]


class OccupancyContext(ModelView):
    "Month of the occupancy"
    __name__ = 'ptce.space.occupancy.context'
    __string__ = "Space Occupancy Context"

    month = fields.Date("Month", help="Any day of the month to analyse.")

    @staticmethod
    def default_month():
        return Pool().get('ir.date').today()
