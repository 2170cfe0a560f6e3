# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Registers the funders ask about (activities, jobs, visitors) and the
indicators computed over them and the ledger (doc/indicators.rst).

Every indicator is one or two SQL aggregations grouped by year, month and
key over the year and the previous one; Python only reshapes the few rows
returned.

The indicators are a registry, the model ptce.indicator: this module
computes those of the ledger, the grants and its registers; each module
that owns other data (scic_members, ptce_spaces, ptce_sectors) adds its
own indicators by extending the model (its reporting.py)."""
import datetime
from collections import defaultdict
from decimal import Decimal

from sql import Literal
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce
from sql.operators import Like
from trytond.i18n import gettext
from trytond.model import Index, Model, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

CONTRACT_TYPES = [
    ('cdi', "Permanent (CDI)"),
    ('cdd', "Fixed-term (CDD)"),
    ('insertion', "Integration (insertion)"),
    ('apprentice', "Apprentice"),
    ('other', "Other"),
    ]

class CompanyMixin:
    __slots__ = ()
    company = fields.Many2One('company.company', "Company", required=True)

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


def _sector_domain():
    return [
        ('company', '=', Eval('company', -1)),
        ('type', '=', 'normal'),
        ('sector', '=', True),
        ]


class Activity(CompanyMixin, ModelSQL, ModelView):
    "Activity"
    __name__ = 'ptce.activity'
    __string__ = "Activity"
    name = fields.Char("Name", required=True)
    party = fields.Many2One(
        'party.party', "Carrier",
        context={'company': Eval('company', -1)}, depends={'company'},
        help="Organisation or person running the activity.")
    sector = fields.Many2One(
        'analytic_account.account', "Sector", domain=_sector_domain(),
        help="Sector (filière) of the activity.")
    start_date = fields.Date("Start Date", required=True,
        help="Date the activity started: it counts as created in that "
        "period.")
    end_date = fields.Date("End Date",
        domain=[If(Eval('end_date'),
                ('end_date', '>=', Eval('start_date')), ())])
    description = fields.Text("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.start_date, Index.Range())))
        cls._order.insert(0, ('start_date', 'DESC'))


class Job(CompanyMixin, ModelSQL, ModelView):
    "Job"
    __name__ = 'ptce.job'
    __string__ = "Job"
    name = fields.Char("Position", required=True)
    employer = fields.Many2One(
        'party.party', "Employer",
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The cooperative or the member organisation that hired.")
    sector = fields.Many2One(
        'analytic_account.account', "Sector", domain=_sector_domain())
    contract_type = fields.Selection(
        CONTRACT_TYPES, "Contract Type", required=True)
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date("End Date",
        domain=[If(Eval('end_date'),
                ('end_date', '>=', Eval('start_date')), ())])
    fte = fields.Numeric(
        "FTE", digits=(3, 2), required=True,
        domain=[('fte', '>', 0), ('fte', '<=', 1)],
        help="Full-time equivalent: 1 for full time, 0.5 for half time.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.start_date, Index.Range())))
        cls._order.insert(0, ('start_date', 'DESC'))

    @staticmethod
    def default_fte():
        return Decimal(1)


class VisitorCount(CompanyMixin, ModelSQL, ModelView):
    "Visitor Count"
    __name__ = 'ptce.visitor.count'
    __string__ = "Visitor Count"
    date = fields.Date("Date", required=True)
    site = fields.Char(
        "Site", required=True,
        help="Entrance or place where visitors are counted.")
    count = fields.Integer(
        "Visitors", required=True, domain=[('count', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('date_site_uniq', Unique(t, t.company, t.date, t.site),
                'ptce_reporting.msg_visitor_count_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.date, Index.Range())))
        cls._order.insert(0, ('date', 'DESC'))

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_site():
        return "Les Ateliers"


class Series:
    """Figures of one key of an indicator: 12 months and the year, for the
    year and the previous one."""

    def __init__(self):
        self.months = [Decimal(0)] * 12
        self.previous_months = [Decimal(0)] * 12
        self.total = Decimal(0)
        self.previous = Decimal(0)

    def __repr__(self):
        return f'<Series {self.total} (previous {self.previous})>'

    def add(self, date, value, year):
        "Add value to the month of date, of the year or the previous one"
        if date.year == year:
            self.months[date.month - 1] += value
            self.total += value
        else:
            self.previous_months[date.month - 1] += value
            self.previous += value


class Figure:
    """An indicator computed for a year: series by key. by_sector: the keys
    are the codes of the sectors (analytic accounts of the company's sector
    axis), '' for the figures without sector."""

    def __init__(self, code, name, unit, estimate=False, by_sector=False):
        self.code, self.name, self.unit = code, name, unit
        self.series = defaultdict(Series)
        self.estimate = estimate
        self.by_sector = by_sector

    def total(self, previous=False):
        return sum((s.previous if previous else s.total
                for s in self.series.values()), Decimal(0))


def _d(value):
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _as_date(value):
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def monthly(cursor, query, date_column, key, aggregates, where, year,
        digits=None):
    """Run query grouped by date and key over year and year - 1; the at
    most 730 dates per key are folded into months here (grouping by the
    date column itself lets the database use its index, where EXTRACT
    would be a Python function called on every row under SQLite).

    digits: the decimals of the summed columns (one for all aggregates or
    one per aggregate, None to leave a value as it comes): SQLite sums
    numeric columns as floats, rounded to their digits they are exact.

    Returns {(year, month, key): [aggregate values]}."""
    if digits is None or isinstance(digits, int):
        digits = [digits] * len(aggregates)
    quanta = [Decimal(1).scaleb(-d) if d is not None else None
        for d in digits]
    where &= ((date_column >= datetime.date(year - 1, 1, 1))
        & (date_column <= datetime.date(year, 12, 31)))
    # PostgreSQL cannot type a parameter in the select list: a constant key
    # stays in Python.
    if isinstance(key, Literal):
        constant, columns, group_by = key.value, [], [date_column]
    else:
        constant, columns, group_by = None, [key], [date_column, key]
    cursor.execute(*query.select(
            date_column, *columns, *aggregates, where=where,
            group_by=group_by))
    result = {}
    for row in cursor:
        date = _as_date(row[0])
        if constant is None:
            key_value, values = row[1], row[2:]
        else:
            key_value, values = constant, row[1:]
        index = (date.year, date.month,
            key_value if key_value is not None else '')
        values = [_d(v) if q is None else _d(v).quantize(q)
            for v, q in zip(values, quanta)]
        if index in result:
            result[index] = [a + b for a, b in zip(result[index], values)]
        else:
            result[index] = values
    return result


def fill(indicator, rows, year, index=0):
    "Put the rows of monthly() into the indicator's series (sums)"
    for (y, m, key), values in rows.items():
        series = indicator.series[key]
        if y == year:
            series.months[m - 1] += values[index]
            series.total += values[index]
        else:
            series.previous_months[m - 1] += values[index]
            series.previous += values[index]


def percent(series, part, whole):
    """Fill series with part / whole in percent (0.1), month by month and
    for both years"""
    def rate(a, b):
        return (a * 100 / b).quantize(Decimal('0.1')) if b else Decimal(0)
    series.months = [rate(a, b) for a, b in zip(part.months, whole.months)]
    series.previous_months = [rate(a, b)
        for a, b in zip(part.previous_months, whole.previous_months)]
    series.total = rate(part.total, whole.total)
    series.previous = rate(part.previous, whole.previous)


def compute(company, year, codes=None):
    """All indicators of company for the year with the previous one
    alongside: {code: Figure} (ptce.indicator's compute)."""
    return Pool().get('ptce.indicator').compute(company, year, codes=codes)


def _revenue(company, year, indicator):
    """Revenue per sector: posted analytic lines of the company's sector
    axis (ptce_company) on revenue accounts 70 (without taxes; consignment
    pass-through is on 467, never on 70)."""
    pool = Pool()
    Configuration = pool.get('ptce.configuration')
    Line = pool.get('analytic_account.line')
    Analytic = pool.get('analytic_account.account')
    MoveLine = pool.get('account.move.line')
    Move = pool.get('account.move')
    Account = pool.get('account.account')
    axis = Configuration.get_sector_axis(company)
    if not axis:
        return [indicator]
    line = Line.__table__()
    analytic = Analytic.__table__()
    move_line = MoveLine.__table__()
    move = Move.__table__()
    account = Account.__table__()
    cursor = Transaction().connection.cursor()
    query = (line
        .join(analytic, condition=line.account == analytic.id)
        .join(move_line, condition=line.move_line == move_line.id)
        .join(move, condition=move_line.move == move.id)
        .join(account, condition=move_line.account == account.id))
    rows = monthly(cursor, query, line.date, analytic.code,
        [Sum(Coalesce(line.credit, 0) - Coalesce(line.debit, 0))],
        (analytic.company == company.id) & (analytic.root == axis.id)
        & (move.state == 'posted') & Like(account.code, '70%'), year,
        digits=company.currency.digits)
    fill(indicator, rows, year)
    return [indicator]


class Indicator(Model):
    """Indicator

    The registry of the indicators, which other modules extend:

    - ``_indicators()``: [(sequence, code, name, unit)], each module adding
      its own to super()'s;
    - ``compute_<code>(company, year)``: one classmethod per indicator code
      returning [Figure]; a code computed together with another (JOBS_FTE
      with JOBS) has none of its own;
    - ``_visitor_estimates(company, year)``: the attendance that stands for
      the visitor count of a day without one.

    The helpers (``figure``, ``series``, ``monthly``, ``fill``,
    ``percent``, ``to_date``, ``to_decimal``) are there for the modules
    that compute indicators over their own tables."""
    __name__ = 'ptce.indicator'
    __string__ = "Indicator"

    @classmethod
    def _indicators(cls):
        """The indicators: [(sequence, code, name, unit)], reported in the
        order of their sequence"""
        return [
            (10, 'REVENUE', gettext('ptce_reporting.msg_indicator_revenue'),
                'EUR'),
            (20, 'SELF', gettext('ptce_reporting.msg_indicator_self'), '%'),
            (30, 'GRANTS', gettext('ptce_reporting.msg_indicator_grants'),
                'EUR'),
            (40, 'ACTIVITIES',
                gettext('ptce_reporting.msg_indicator_activities'), 'count'),
            (50, 'JOBS', gettext('ptce_reporting.msg_indicator_jobs'),
                'count'),
            (51, 'JOBS_FTE',
                gettext('ptce_reporting.msg_indicator_jobs_fte'), 'FTE'),
            (60, 'VISITORS',
                gettext('ptce_reporting.msg_indicator_visitors'),
                'visitors'),
            ]

    @classmethod
    def compute(cls, company, year, codes=None):
        """All indicators of company for the year with the previous one
        alongside: {code: Figure}, in the order of the registry. codes
        limits to the indicators of these codes (and those computed with
        them)."""
        result = {}
        for _, code, _, _ in sorted(cls._indicators(), key=lambda i: i[0]):
            method = getattr(cls, f'compute_{code.lower()}', None)
            if method is None or (codes and code not in codes):
                continue
            for figure in method(company, year):
                result[figure.code] = figure
        return result

    @classmethod
    def figure(cls, code, estimate=False, by_sector=False):
        "A new Figure of the indicator code, named from the registry"
        for _, code_, name, unit in cls._indicators():
            if code_ == code:
                return Figure(code, name, unit, estimate=estimate,
                    by_sector=by_sector)
        raise KeyError(code)

    @staticmethod
    def series():
        "A new empty Series"
        return Series()

    monthly = staticmethod(monthly)
    fill = staticmethod(fill)
    percent = staticmethod(percent)
    to_date = staticmethod(_as_date)
    to_decimal = staticmethod(_d)

    @classmethod
    def compute_revenue(cls, company, year):
        "Revenue per sector (see _revenue)"
        return _revenue(
            company, year, cls.figure('REVENUE', by_sector=True))

    @classmethod
    def _ledger_sums(cls, company, year, patterns):
        """Credit minus debit of the posted standard-period entries on the
        accounts whose code matches each pattern: {(year, month, key):
        [sum]}. One pass over the lines for all patterns: the accounts are
        matched first (a small table), the lines grouped by account."""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        Move = pool.get('account.move')
        Account = pool.get('account.account')
        Period = pool.get('account.period')
        move_line = MoveLine.__table__()
        move = Move.__table__()
        account = Account.__table__()
        period = Period.__table__()
        cursor = Transaction().connection.cursor()
        keys = {}
        for key, pattern in patterns.items():
            cursor.execute(*account.select(account.id,
                    where=(account.company == company.id)
                    & Like(account.code, pattern)))
            for account_id, in cursor:
                keys.setdefault(account_id, key)
        if not keys:
            return {}
        query = (move_line
            .join(move, condition=move_line.move == move.id)
            .join(period, condition=move.period == period.id))
        rows = monthly(cursor, query, move.date, move_line.account,
            [Sum(Coalesce(move_line.credit, 0)
                    - Coalesce(move_line.debit, 0))],
            (move.company == company.id) & (move.state == 'posted')
            & (period.type == 'standard')
            & move_line.account.in_(list(keys)),
            year, digits=company.currency.digits)
        result = {}
        for (y, m, account_id), values in rows.items():
            index = (y, m, keys[account_id])
            if index in result:
                result[index] = [
                    a + b for a, b in zip(result[index], values)]
            else:
                result[index] = values
        return result

    @classmethod
    def compute_self(cls, company, year):
        """Self-financing rate: own revenue (sales, services, rents: 70)
        over total revenue (70 + operating grants 74), in percent."""
        rows = cls._ledger_sums(
            company, year, {'own': '70%', 'grants': '74%'})
        parts = cls.figure('SELF')
        fill(parts, rows, year)
        own, grants = parts.series['own'], parts.series['grants']
        indicator = cls.figure('SELF')
        series = indicator.series['rate']

        def rate(a, b):
            return (a * 100 / (a + b)).quantize(Decimal('0.1')) if a + b else (
                Decimal(0))
        series.months = [
            rate(a, b) for a, b in zip(own.months, grants.months)]
        series.previous_months = [rate(a, b)
            for a, b in zip(own.previous_months, grants.previous_months)]
        series.total = rate(own.total, grants.total)
        series.previous = rate(own.previous, grants.previous)
        indicator.own, indicator.grants = own, grants
        return [indicator]

    @classmethod
    def compute_grants(cls, company, year, funder=None):
        """Grants awarded (award date), received (instalments), spent
        (analytic); of the grants of funder only when given (the figures of
        a funder's pack)."""
        pool = Pool()
        Grant = pool.get('ptce.grant')
        Instalment = pool.get('ptce.grant.instalment')
        Line = pool.get('analytic_account.line')
        grant = Grant.__table__()
        instalment = Instalment.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        indicator = cls.figure('GRANTS')
        digits = company.currency.digits
        grants = grant.company == company.id
        if funder:
            grants &= grant.funder == funder.id
        fill(indicator, monthly(cursor, grant, grant.award_date,
                Literal('awarded'), [Sum(grant.amount)],
                grants & (grant.state != 'requested'),
                year, digits=digits), year)
        fill(indicator, monthly(cursor,
                instalment.join(grant,
                    condition=instalment.grant == grant.id),
                instalment.date, Literal('received'),
                [Sum(instalment.amount)],
                grants, year, digits=digits), year)
        fill(indicator, monthly(cursor,
                line.join(grant,
                    condition=line.account == grant.analytic_account),
                line.date, Literal('spent'),
                [Sum(Coalesce(line.debit, 0) - Coalesce(line.credit, 0))],
                grants
                & (line.date >= grant.start_date)
                & (line.date <= grant.end_date), year, digits=digits), year)
        return [indicator]

    @classmethod
    def compute_activities(cls, company, year):
        "New activities: registered activities by start date, per sector"
        pool = Pool()
        Activity = pool.get('ptce.activity')
        Analytic = pool.get('analytic_account.account')
        activity = Activity.__table__()
        analytic = Analytic.__table__()
        cursor = Transaction().connection.cursor()
        query = activity.join(analytic, 'LEFT',
            condition=activity.sector == analytic.id)
        indicator = cls.figure('ACTIVITIES', by_sector=True)
        fill(indicator, monthly(cursor, query, activity.start_date,
                analytic.code, [Count(activity.id)],
                activity.company == company.id, year), year)
        return [indicator]

    @classmethod
    def compute_jobs(cls, company, year):
        """Direct jobs created: headcount and FTE by contract type, by start
        date (JOBS and JOBS_FTE)"""
        pool = Pool()
        Job = pool.get('ptce.job')
        job = Job.__table__()
        cursor = Transaction().connection.cursor()
        rows = monthly(cursor, job, job.start_date, job.contract_type,
            [Count(job.id), Sum(job.fte)], job.company == company.id, year,
            digits=[None, Job.fte.digits[1]])
        headcount = cls.figure('JOBS')
        fte = cls.figure('JOBS_FTE')
        fill(headcount, rows, year, 0)
        fill(fte, rows, year, 1)
        return [headcount, fte]

    @classmethod
    def _visitor_estimates(cls, company, year):
        """The attendance per day over year and year - 1 that stands for
        the visitors of a day without a count entered: {date: Decimal}.
        None here; ptce_sectors adds the point-of-sale tickets and the
        tickets of the day's events."""
        return {}

    @classmethod
    def compute_visitors(cls, company, year):
        """Visitors per day: average over the opening days of the visitors
        of all sites that day. A day without any count entered takes the
        estimate of _visitor_estimates() (doc/indicators.rst): the
        indicator is then flagged as an estimate and the estimated days
        are kept in `estimated_days`."""
        pool = Pool()
        Count_ = pool.get('ptce.visitor.count')
        count = Count_.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*count.select(count.date, Sum(count.count),
                where=(count.company == company.id)
                & (count.date >= datetime.date(year - 1, 1, 1))
                & (count.date <= datetime.date(year, 12, 31)),
                group_by=[count.date]))
        days = {_as_date(d): _d(v) for d, v in cursor}
        estimated = {date: value
            for date, value in cls._visitor_estimates(company, year).items()
            if date not in days}
        indicator = cls.figure('VISITORS')
        indicator.estimated_days = Series()
        if not days and not estimated:
            return [indicator]
        totals, opening = Series(), Series()
        for date, value in list(days.items()) + list(estimated.items()):
            totals.add(date, value, year)
            opening.add(date, Decimal(1), year)
            if date in estimated:
                indicator.estimated_days.add(date, Decimal(1), year)
        indicator.estimate = bool(indicator.estimated_days.total)

        def average(a, b):
            return (a / b).quantize(Decimal('0.1')) if b else Decimal(0)
        series = indicator.series['all']
        series.months = [average(a, b)
            for a, b in zip(totals.months, opening.months)]
        series.previous_months = [average(a, b)
            for a, b in zip(totals.previous_months, opening.previous_months)]
        series.total = average(totals.total, opening.total)
        series.previous = average(totals.previous, opening.previous)
        return [indicator]


class IndicatorValue(ModelSQL, ModelView):
    "Indicator Value"
    __name__ = 'ptce.indicator.value'
    __string__ = "Indicator Value"
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    indicator = fields.Selection(
        'get_indicators', "Indicator", required=True, readonly=True)
    date = fields.Date("Month", required=True, readonly=True)
    year = fields.Integer("Year", required=True, readonly=True)
    key = fields.Char("Key", readonly=True,
        help="Sector, contract type, college... the figure is about.")
    sector = fields.Many2One(
        'analytic_account.account', "Sector", readonly=True,
        help="The sector (filière) of the figure, for the indicators split "
        "by sector (revenue, new activities).")
    value = fields.Numeric("Value", digits=(16, 2), readonly=True)
    previous_value = fields.Numeric(
        "Previous Year", digits=(16, 2), readonly=True,
        help="The same month of the previous year.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.indicator, Index.Equality()), (t.date, Index.Range())))
        cls._order = [
            ('date', 'ASC'), ('indicator', 'ASC'), ('key', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def get_indicators(cls):
        "The indicators of the registry (ptce.indicator)"
        Indicator = Pool().get('ptce.indicator')
        return [(code, name) for _, code, name, _ in sorted(
                Indicator._indicators(), key=lambda i: i[0])]

    @classmethod
    def refresh(cls, company, year):
        """Replace the stored values of the year by a fresh computation
        (these values feed the dashboard graphs)."""
        cls.delete(cls.search([
                    ('company', '=', company.id), ('year', '=', year)]))
        pool = Pool()
        Indicator = pool.get('ptce.indicator')
        Analytic = pool.get('analytic_account.account')
        values = []
        # Stored with 2 digits; SQLite sums numerics as floats
        cent = Decimal('0.01')
        sectors = {a.code: a for a in Analytic.search([
                    ('company', '=', company.id), ('sector', '=', True),
                    ('type', '=', 'normal')])}
        for indicator in Indicator.compute(company, year).values():
            for key, series in indicator.series.items():
                sector = sectors.get(key) if indicator.by_sector else None
                for month in range(12):
                    values.append(cls(company=company,
                            indicator=indicator.code,
                            date=datetime.date(year, month + 1, 1),
                            year=year, key=key, sector=sector,
                            value=series.months[month].quantize(cent),
                            previous_value=series.previous_months[
                                month].quantize(cent)))
        cls.save(values)
        return values


class ComputeStart(ModelView):
    "Compute Indicators"
    __name__ = 'ptce.indicator.compute.start'
    __string__ = "Compute Indicators"
    year = fields.Integer("Year", required=True)

    @staticmethod
    def default_year():
        return Pool().get('ir.date').today().year


class Compute(Wizard):
    "Compute Indicators"
    __name__ = 'ptce.indicator.compute'
    start = StateView('ptce.indicator.compute.start',
        'ptce_reporting.indicator_compute_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Compute", 'compute', 'tryton-ok', default=True),
            ])
    compute = StateTransition()

    def transition_compute(self):
        pool = Pool()
        Value = pool.get('ptce.indicator.value')
        Company = pool.get('company.company')
        company = Company(Transaction().context['company'])
        Value.refresh(company, self.start.year)
        return 'end'
