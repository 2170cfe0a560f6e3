# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""What the sectors give ptce_reporting: the recyclerie and culture
indicators, the point-of-sale tickets that estimate the visitors of a day
without a count, and the points of sale that block the year-end closing.
The figures are those of this module: the tonnage of Intake._tonnage, the
tickets of Event._tickets_sold."""
import datetime
from decimal import Decimal

from sql import Literal
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce
from sql.operators import Like
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .recyclerie import RATES

# The origins of the moves of the points of sale: one per sale, or one per
# till and day (ptce.pos.day_move)
POS_ORIGINS = ['sale.point.sale', 'ptce.pos.day_move']


class Indicator(metaclass=PoolMeta):
    __name__ = 'ptce.indicator'

    @classmethod
    def _indicators(cls):
        return super()._indicators() + [
            (80, 'WASTE', gettext('ptce_sectors.msg_indicator_waste'), 'kg'),
            (81, 'WASTE_OUTCOME',
                gettext('ptce_sectors.msg_indicator_waste_outcome'), 'kg'),
            (82, 'WASTE_RATE',
                gettext('ptce_sectors.msg_indicator_waste_rate'), '%'),
            (90, 'CULTURE', gettext('ptce_sectors.msg_indicator_culture'),
                'count'),
            ]

    @classmethod
    def compute_waste(cls, company, year):
        """Recyclerie: kg collected by flow (WASTE); kg by outcome
        (WASTE_OUTCOME) and the reuse, recycling and disposal rates
        (WASTE_RATE: outcome weight / collected weight, in percent), from
        the tonnage of the recyclerie (Intake._tonnage), per month of the
        intake."""
        pool = Pool()
        Intake = pool.get('ptce.recyclerie.intake')
        Flow = pool.get('ptce.recyclerie.flow')
        intake = Intake.__table__()
        waste = cls.figure('WASTE')
        outcomes = cls.figure('WASTE_OUTCOME')
        rows = Intake._tonnage(intake,
            (intake.company == company.id)
            & (intake.date >= datetime.date(year - 1, 1, 1))
            & (intake.date <= datetime.date(year, 12, 31)),
            group_by=[intake.date])
        codes = {f.id: f.code for f in Flow.browse(
                list({flow for _, flow, _, _ in rows}))}
        for date, flow, measure, weight in rows:
            date = cls.to_date(date)
            if measure == 'collected':
                series = waste.series[codes[flow]]
            else:
                series = outcomes.series[measure]
            series.add(date, cls.to_decimal(weight), year)
        for series in list(waste.series.values()) + list(
                outcomes.series.values()):
            _round_kg(series)
        collected = _sum_series(cls.series(), waste.series.values())
        rates = cls.figure('WASTE_RATE')
        for key, types in RATES:
            part = _sum_series(cls.series(),
                (outcomes.series[t] for t in types if t in outcomes.series))
            cls.percent(rates.series[key], part, collected)
        return [waste, outcomes, rates]

    @classmethod
    def compute_culture(cls, company, year):
        """Culture: events held, tickets sold for them (Event._tickets_sold)
        counted in the month of the event, and equipment loans by start
        date."""
        pool = Pool()
        Event = pool.get('ptce.culture.event')
        Equipment = pool.get('ptce.culture.equipment')
        Loan = pool.get('ptce.culture.equipment.loan')
        event = Event.__table__()
        equipment = Equipment.__table__()
        loan = Loan.__table__()
        cursor = Transaction().connection.cursor()
        culture = cls.figure('CULTURE')
        cls.fill(culture, cls.monthly(cursor, event, event.date,
                Literal('events'), [Count(event.id)],
                event.company == company.id, year), year)
        for date, quantity in cls._event_tickets(company, year).items():
            culture.series['tickets'].add(date, quantity, year)
        cls.fill(culture, cls.monthly(cursor,
                loan.join(equipment,
                    condition=loan.equipment == equipment.id),
                loan.start_date, Literal('loans'), [Count(loan.id)],
                equipment.company == company.id, year), year)
        for key in ['events', 'tickets', 'loans']:
            culture.series[key]
        return [culture]

    @classmethod
    def _event_tickets(cls, company, year):
        """Tickets sold per event date over year and year - 1:
        {date: quantity}"""
        Event = Pool().get('ptce.culture.event')
        event = Event.__table__()
        result = {}
        for date, quantity in Event._tickets_sold(event, event.date,
                (event.company == company.id)
                & (event.date >= datetime.date(year - 1, 1, 1))
                & (event.date <= datetime.date(year, 12, 31))):
            result[cls.to_date(date)] = cls.to_decimal(quantity)
        return result

    @classmethod
    def _visitor_estimates(cls, company, year):
        """The point-of-sale sales (tickets de caisse) done or posted of the
        day plus the tickets sold for the events of the day"""
        Sale = Pool().get('sale.point.sale')
        sale = Sale.__table__()
        cursor = Transaction().connection.cursor()
        result = super()._visitor_estimates(company, year)
        cursor.execute(*sale.select(sale.date, Count(sale.id),
                where=(sale.company == company.id)
                & sale.state.in_(['done', 'posted'])
                & (sale.date >= datetime.date(year - 1, 1, 1))
                & (sale.date <= datetime.date(year, 12, 31)),
                group_by=[sale.date]))
        estimates = [{cls.to_date(d): Decimal(c) for d, c in cursor},
            cls._event_tickets(company, year)]
        for values in estimates:
            for date, value in values.items():
                result[date] = result.get(date, 0) + value
        return result


def _round_kg(series):
    "Weights are floats in the database: round them to 0.1 kg"
    tenth = Decimal('0.1')
    series.months = [v.quantize(tenth) for v in series.months]
    series.previous_months = [
        v.quantize(tenth) for v in series.previous_months]
    series.total = series.total.quantize(tenth)
    series.previous = series.previous.quantize(tenth)


def _sum_series(result, series_list):
    "Add the series of series_list into result"
    for series in series_list:
        result.months = [a + b for a, b in zip(result.months, series.months)]
        result.previous_months = [a + b for a, b in zip(
                result.previous_months, series.previous_months)]
        result.total += series.total
        result.previous += series.previous
    return result


class FiscalYear(metaclass=PoolMeta):
    __name__ = 'account.fiscalyear'

    def _year_end_blockers(self):
        """Sales and cash sessions of the points of sale not posted, and
        the points of sale without the yearly closing of the cash-register
        law"""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Session = pool.get('sale.point.cash.session')
        Closing = pool.get('ptce.pos.closing')
        blockers = super()._year_end_blockers()
        sales = Sale.search([
                ('company', '=', self.company.id),
                ('date', '>=', self.start_date),
                ('date', '<=', self.end_date),
                ('state', 'in', ['open', 'done']),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        blockers.append((40, 'pos_sales',
                gettext('ptce_sectors.msg_blocker_pos_sales'),
                [(s, f'{s.date:%d/%m/%Y} {s.rec_name}') for s in sales]))
        sessions = Session.search([
                ('point.company', '=', self.company.id),
                ('state', '!=', 'posted'),
                # create_date is a timestamp: up to the end of the last day
                ('create_date', '<', datetime.datetime.combine(
                        self.end_date + datetime.timedelta(days=1),
                        datetime.time())),
                ])
        blockers.append((50, 'pos_sessions',
                gettext('ptce_sectors.msg_blocker_pos_sessions'),
                sessions))
        points = {s.point for s in Sale.search([
                    ('company', '=', self.company.id),
                    ('date', '>=', self.start_date),
                    ('date', '<=', self.end_date),
                    ('state', '=', 'posted'),
                    ])}
        closed = {c.point for c in Closing.search([
                    ('company', '=', self.company.id),
                    ('type', '=', 'year'),
                    ('date_to', '>=', self.end_date),
                    ])}
        blockers.append((60, 'pos_closings',
                gettext('ptce_sectors.msg_blocker_pos_closings'),
                sorted(points - closed, key=lambda p: p.rec_name)))
        return blockers

    def _cross_checks(self):
        """Per journal of the points of sale: the sales with taxes and the
        taxes of the ledger against the totals of the closings of the year
        (compared by accounts and amounts, whatever the moves: one per sale
        or per till and day); per sector: the analytic revenue against the
        sector report, and the revenue of the ledger against its total"""
        checks = super()._cross_checks()
        checks.extend(self._cross_checks_pos())
        checks.extend(self._cross_checks_sectors())
        return checks

    def _cross_checks_pos(self):
        pool = Pool()
        Point = pool.get('sale.point')
        Closing = pool.get('ptce.pos.closing')
        Method = pool.get('sale.point.payment.method')
        Tax = pool.get('account.tax')
        company = self.company
        points = Point.search([('company', '=', company.id)])
        if not points:
            return []
        expected_total = expected_tax = Decimal(0)
        for point in points:
            for closing in self._pos_closings(Closing, point):
                expected_total += closing.total
                expected_tax += closing.total_tax
        # The counterpart of the sales: the payments and the tips
        excluded = {m.account.id for m in Method.search([
                    ('company', '=', company.id),
                    ('active', 'in', [True, False]),
                    ])}
        excluded |= {p.tip_account.id for p in points if p.tip_account}
        taxes = Tax.search([
                ('company', '=', company.id),
                ('active', 'in', [True, False]),
                ])
        tax_accounts = ({t.invoice_account for t in taxes}
            | {t.credit_note_account for t in taxes}) - {None}
        tax_accounts = {a.id for a in tax_accounts}
        total = tax = Decimal(0)
        for account, amount in self._pos_ledger_amounts().items():
            if account in excluded:
                continue
            total += amount
            if account in tax_accounts:
                tax += amount
        return [
            (50, 'pos_total',
                gettext('ptce_sectors.msg_cross_check_pos_total'),
                expected_total, total),
            (51, 'pos_tax',
                gettext('ptce_sectors.msg_cross_check_pos_tax'),
                expected_tax, tax),
            ]

    def _pos_ledger_amounts(self):
        """Credit minus debit per account id of the posted moves of the
        points of sale (POS_ORIGINS) in the standard periods of the fiscal
        year: by accounts and amounts, whether a move is per sale or per
        till and day"""
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        move = Move.__table__()
        line = MoveLine.__table__()
        period = Period.__table__()
        cursor = Transaction().connection.cursor()
        origin = Literal(False)
        for model in POS_ORIGINS:
            origin |= Like(move.origin, f'{model},%')
        cursor.execute(*line
            .join(move, condition=line.move == move.id)
            .join(period, condition=move.period == period.id)
            .select(line.account,
                Sum(Coalesce(line.credit, 0) - Coalesce(line.debit, 0)),
                where=(move.company == self.company.id)
                & (move.state == 'posted')
                & (period.fiscalyear == self.id)
                & (period.type == 'standard')
                & origin,
                group_by=[line.account]))
        currency = self.company.currency
        result = {}
        for account, value in cursor:
            # SQLite sums numerics as floats or bytes
            if isinstance(value, bytes):
                value = value.decode()
            result[account] = currency.round(Decimal(str(value or 0)))
        return result

    def _pos_closings(self, Closing, point):
        """The closings that cover the sales of the point in the fiscal
        year: the yearly ones, else the monthly, else the daily ones"""
        for type_ in ['year', 'month', 'day']:
            closings = Closing.search([
                    ('point', '=', point.id),
                    ('type', '=', type_),
                    ('date_from', '>=', self.start_date),
                    ('date_to', '<=', self.end_date),
                    ])
            if closings:
                return closings
        return []

    def _cross_checks_sectors(self):
        pool = Pool()
        Indicator = pool.get('ptce.indicator')
        Sector = pool.get('ptce.sector')
        Analytic = pool.get('analytic_account.account')
        company = self.company
        sectors = Sector.search([
                ('company', '=', company.id),
                ('active', 'in', [True, False]),
                ], order=[('code', 'ASC')])
        if not sectors:
            return []
        # The sector report: the revenue per sector of ptce_reporting's
        # indicators, by analytic code, for the calendar year of the
        # closing date
        revenue, = Indicator.compute_revenue(company, self.end_date.year)
        checks = []
        report_total = Decimal(0)
        with Transaction().set_context(
                start_date=self.start_date, end_date=self.end_date):
            for sequence, sector in enumerate(sectors, 60):
                analytic = Analytic(sector.analytic_account.id)
                series = revenue.series.get(analytic.code)
                expected = series.total if series else Decimal(0)
                report_total += expected
                found = analytic.credit - analytic.debit
                if not expected and not found:
                    continue
                checks.append((sequence, f'sector_{sector.code}',
                        gettext('ptce_sectors.msg_cross_check_sector',
                            sector=sector.rec_name),
                        expected, found))
        debit, credit = self.cross_check_period_amounts(
            self.cross_check_accounts('70'))
        checks.append((69, 'sector_revenue',
                gettext('ptce_sectors.msg_cross_check_sector_revenue'),
                report_total, credit - debit))
        return checks
