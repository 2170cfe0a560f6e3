# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""What the spaces and leases give ptce_reporting: the rents and occupancy
indicators, and the rents not invoiced that block the year-end closing."""
import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.operators import Like
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .lease import OCCUPYING_STATES


class Indicator(metaclass=PoolMeta):
    __name__ = 'ptce.indicator'

    @classmethod
    def _indicators(cls):
        return super()._indicators() + [
            (100, 'RENTS', gettext('ptce_spaces.msg_indicator_rents'),
                'EUR'),
            (110, 'OCCUPANCY',
                gettext('ptce_spaces.msg_indicator_occupancy'), '%'),
            ]

    @classmethod
    def compute_rents(cls, company, year):
        "Rents invoiced: untaxed lines of posted invoices coming from leases"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Line = pool.get('account.invoice.line')
        invoice = Invoice.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        rents = cls.figure('RENTS')
        cls.fill(rents, cls.monthly(cursor,
                line.join(invoice, condition=line.invoice == invoice.id),
                invoice.invoice_date, Literal('rents'),
                [Sum(Coalesce(line.quantity, 0)
                        * Coalesce(line.unit_price, 0))],
                (invoice.company == company.id)
                & invoice.state.in_(['posted', 'paid'])
                & (invoice.type == 'out')
                & Like(line.origin, 'ptce.lease,%'),
                year, digits=company.currency.digits), year)
        return [rents]

    @classmethod
    def compute_occupancy(cls, company, year):
        """Occupancy rate: leased m²·days / available m²·days of the active
        spaces, per month (ptce_reporting's doc/indicators.rst). One SQL
        query returns the distinct (space, area, lease start, lease end) of
        the leases occupying their spaces over the two years; the days of
        several leases of a shared space are counted once. Spaces without
        area weigh nothing (every space weighs 1 when none has an area).
        Also the vacant spaces (no leased day) per month."""
        pool = Pool()
        Space = pool.get('ptce.space')
        Lease = pool.get('ptce.lease')
        LeaseSpace = pool.get('ptce.lease-ptce.space')
        space = Space.__table__()
        lease = Lease.__table__()
        lease_space = LeaseSpace.__table__()
        cursor = Transaction().connection.cursor()
        first = datetime.date(year - 1, 1, 1)
        last = datetime.date(year, 12, 31)
        active = (space.company == company.id) & (
            space.active == Literal(True))
        cursor.execute(*space.select(space.id, space.area, where=active))
        areas = {i: cls.to_decimal(a) for i, a in cursor}
        weighted = any(areas.values())
        weights = {
            i: (a if weighted else Decimal(1)) for i, a in areas.items()}
        cursor.execute(*lease_space
            .join(lease, condition=lease_space.lease == lease.id)
            .join(space, condition=lease_space.space == space.id)
            .select(space.id, lease.start_date, lease.end_date,
                where=active & lease.state.in_(OCCUPYING_STATES)
                & (lease.start_date <= last)
                & ((lease.end_date == Null) | (lease.end_date >= first)),
                group_by=[space.id, lease.start_date, lease.end_date]))
        intervals = defaultdict(list)
        for space_id, start, end in cursor:
            start = max(cls.to_date(start), first)
            end = min(cls.to_date(end) if end else last, last)
            intervals[space_id].append((start, end))
        months = [(y, m) for y in (year - 1, year) for m in range(1, 13)]
        leased = {k: Decimal(0) for k in months}
        available = {k: Decimal(0) for k in months}
        vacant = {k: 0 for k in months}
        for (y, m) in months:
            days = calendar.monthrange(y, m)[1]
            for space_id, weight in weights.items():
                available[y, m] += weight * days
        vacant_year = {year - 1: 0, year: 0}
        for space_id in areas:
            busy = {k: 0 for k in months}
            for start, end in _merge(intervals.get(space_id, [])):
                for (y, m) in months:
                    m_start = datetime.date(y, m, 1)
                    m_end = datetime.date(
                        y, m, calendar.monthrange(y, m)[1])
                    overlap = (
                        min(end, m_end) - max(start, m_start)).days + 1
                    if overlap > 0:
                        busy[y, m] += overlap
            for key, days in busy.items():
                leased[key] += weights[space_id] * days
                if not days:
                    vacant[key] += 1
            for y in vacant_year:
                if not any(busy[y, m] for m in range(1, 13)):
                    vacant_year[y] += 1
        indicator = cls.figure('OCCUPANCY')
        series = indicator.series['rate']

        def rate(a, b):
            return (a * 100 / b).quantize(Decimal('0.1')) if b else (
                Decimal(0))
        series.months = [rate(leased[year, m], available[year, m])
            for m in range(1, 13)]
        series.previous_months = [
            rate(leased[year - 1, m], available[year - 1, m])
            for m in range(1, 13)]
        series.total = rate(
            sum(leased[year, m] for m in range(1, 13)),
            sum(available[year, m] for m in range(1, 13)))
        series.previous = rate(
            sum(leased[year - 1, m] for m in range(1, 13)),
            sum(available[year - 1, m] for m in range(1, 13)))
        # The figures behind the rate, for the pack's sheet
        indicator.leased, indicator.available = cls.series(), cls.series()
        indicator.vacant = cls.series()
        for attribute, values in [('leased', leased),
                ('available', available), ('vacant', vacant)]:
            part = getattr(indicator, attribute)
            part.months = [Decimal(values[year, m]) for m in range(1, 13)]
            part.previous_months = [
                Decimal(values[year - 1, m]) for m in range(1, 13)]
            if attribute == 'vacant':
                # spaces without any leased day in the year
                part.total = Decimal(vacant_year[year])
                part.previous = Decimal(vacant_year[year - 1])
            else:
                part.total = sum(part.months, Decimal(0))
                part.previous = sum(part.previous_months, Decimal(0))
        return [indicator]


def _merge(intervals):
    "Disjoint date intervals covering the given ones"
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + datetime.timedelta(1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class FiscalYear(metaclass=PoolMeta):
    __name__ = 'account.fiscalyear'

    def _year_end_blockers(self):
        "Rents due in the year (per the leases) without their invoice"
        Lease = Pool().get('ptce.lease')
        blockers = super()._year_end_blockers()
        missing = Lease.uninvoiced_periods(
            self.start_date, self.end_date, company=self.company)
        blockers.append((70, 'rents',
                gettext('ptce_spaces.msg_blocker_rents'),
                [(lease, f'{lease.rec_name} {key:%d/%m/%Y}')
                    for lease, key in missing]))
        return blockers

    def _cross_checks(self):
        """The deposits account against the deposits of the leases held at
        the closing date, and the deferred revenue (487) against the rents
        invoiced for days after it"""
        pool = Pool()
        Lease = pool.get('ptce.lease')
        Configuration = pool.get('ptce.spaces.configuration')
        checks = super()._cross_checks()
        company = self.company
        account = Configuration(1).get_multivalue(
            'deposit_account', company=company.id)
        if account:
            checks.append((40, 'deposits',
                    gettext('ptce_spaces.msg_cross_check_deposits',
                        account=account.rec_name),
                    Lease.deposits_held(company, self.end_date),
                    -self.cross_check_balance([account])))
        accounts = self.cross_check_accounts('487')
        if accounts:
            checks.append((41, 'deferred_rents',
                    gettext('ptce_spaces.msg_cross_check_deferred_rents',
                        accounts=', '.join(a.code for a in accounts)),
                    Lease.rents_invoiced_after(company, self.end_date),
                    -self.cross_check_balance(accounts)))
        return checks


class Lease(metaclass=PoolMeta):
    __name__ = 'ptce.lease'

    @classmethod
    def deposits_held(cls, company, date):
        """The deposits received and not returned at date: the deposit of
        each lease whose deposit move is posted by date, less those whose
        return move is"""
        leases = cls.search([
                ('company', '=', company.id),
                ('deposit_move', '!=', None),
                ('deposit_move.state', '=', 'posted'),
                ('deposit_move.date', '<=', date),
                ])
        return sum((l.currency.round(l.deposit_amount) for l in leases
                if not (l.deposit_return_move
                    and l.deposit_return_move.state == 'posted'
                    and l.deposit_return_move.date <= date)),
            Decimal(0))

    @classmethod
    def rents_invoiced_after(cls, company, date):
        """The untaxed rents and charges of the posted invoices dated up to
        date for the days billed after it (produits constatés d'avance),
        pro rata of the days of each invoiced period"""
        Period = Pool().get('ptce.lease.period')
        total = Decimal(0)
        for period in Period.search([
                    ('lease.company', '=', company.id),
                    ('invoice.state', 'in', ['posted', 'paid']),
                    ('invoice.invoice_date', '<=', date),
                    ('invoice_end', '>', date),
                    ]):
            days = (period.invoice_end - period.invoice_start).days + 1
            after = (period.invoice_end
                - max(date, period.invoice_start - datetime.timedelta(1))
                ).days
            invoice = period.invoice
            total += invoice.currency.round(
                invoice.untaxed_amount * after / days)
        return company.currency.round(total)
