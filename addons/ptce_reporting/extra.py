# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""What this module reads from the optional modules (scic_members,
ptce_spaces, ptce_sectors): each part runs only when its model exists in
the pool, i.e. when its module is activated."""
import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce
from sql.operators import Like
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction


def has_model(name):
    try:
        Pool().get(name)
    except KeyError:
        return False
    return True


def extra_blockers(fiscalyear):
    "Closing blockers from the optional modules"
    from .closing import Blocker
    pool = Pool()
    blockers = []
    if has_model('ptce.pos.closing') and has_model('sale.point.sale'):
        # Cash-register law: a yearly closing per point of sale
        Closing = pool.get('ptce.pos.closing')
        Sale = pool.get('sale.point.sale')
        points = {s.point for s in Sale.search([
                    ('company', '=', fiscalyear.company.id),
                    ('date', '>=', fiscalyear.start_date),
                    ('date', '<=', fiscalyear.end_date),
                    ('state', '=', 'posted'),
                    ])}
        closed = {c.point for c in Closing.search([
                    ('company', '=', fiscalyear.company.id),
                    ('type', '=', 'year'),
                    ('date_to', '>=', fiscalyear.end_date),
                    ])}
        blockers.append(Blocker(
                'pos_closings',
                gettext('ptce_reporting.msg_blocker_pos_closings'),
                sorted(p.rec_name for p in points - closed)))
    if has_model('ptce.lease'):
        # Rents due in the year (per the leases) without their invoice
        Lease = pool.get('ptce.lease')
        missing = Lease.uninvoiced_periods(
            fiscalyear.start_date, fiscalyear.end_date,
            company=fiscalyear.company)
        blockers.append(Blocker(
                'rents', gettext('ptce_reporting.msg_blocker_rents'),
                [f'{lease.rec_name} {key:%d/%m/%Y}'
                    for lease, key in missing]))
    return blockers


def indicator_functions():
    "Indicators over the optional modules: {code: function}"
    functions = {}
    if has_model('scic.member'):
        functions['ASSOC'] = _associates
    if has_model('ptce.recyclerie.intake'):
        functions['WASTE'] = _waste
    if has_model('ptce.culture.event'):
        functions['CULTURE'] = _culture
    if has_model('ptce.lease'):
        functions['RENTS'] = _rents
        functions['OCCUPANCY'] = _occupancy
    return functions


def _month_ends(year):
    for y in (year - 1, year):
        for m in range(1, 13):
            yield y, m, datetime.date(y, m, calendar.monthrange(y, m)[1])


def _associates(company, year, names):
    """Admitted associates at the end of each month (admitted before, not
    left): total, persons / organisations, and per college; the year's
    figure is the one at its end. One aggregation per month end."""
    from .indicator import Indicator
    pool = Pool()
    Member = pool.get('scic.member')
    College = pool.get('scic.college')
    member = Member.__table__()
    college = College.__table__()
    cursor = Transaction().connection.cursor()
    assoc = Indicator('ASSOC', *names['ASSOC'])
    by_college = Indicator('ASSOC_COLLEGE', *names['ASSOC_COLLEGE'])
    for y, m, end in _month_ends(year):
        cursor.execute(*member.join(college, 'LEFT',
                condition=member.college == college.id).select(
                member.kind, college.name, Count(member.id),
                where=(member.company == company.id)
                & (member.admission_date <= end)
                & ((member.exit_date == None)  # noqa: E711
                    | (member.exit_date > end)),
                group_by=[member.kind, college.name]))
        for kind, college_name, count in cursor:
            count = Decimal(count)
            for indicator, key in [(assoc, 'total'), (assoc, kind),
                    (by_college, college_name or '')]:
                series = indicator.series[key]
                if y == year:
                    series.months[m - 1] += count
                else:
                    series.previous_months[m - 1] += count
    for indicator in (assoc, by_college):
        for series in indicator.series.values():
            series.total = series.months[-1]
            series.previous = series.previous_months[-1]
    return [assoc, by_college]


def _waste(company, year, names):
    """Recyclerie: kg collected by flow; kg by outcome (reuse...) and the
    reuse, recycling and disposal rates (outcome weight / collected weight,
    in percent). Outcomes count in the month their batch was received, as
    ptce_sectors' tonnage report does, so that a rate never exceeds 100 %."""
    from .indicator import Indicator, fill, monthly, percent
    pool = Pool()
    Intake = pool.get('ptce.recyclerie.intake')
    Flow = pool.get('ptce.recyclerie.flow')
    Outcome = pool.get('ptce.recyclerie.outcome')
    intake = Intake.__table__()
    flow = Flow.__table__()
    outcome = Outcome.__table__()
    cursor = Transaction().connection.cursor()
    waste = Indicator('WASTE', *names['WASTE'])
    fill(waste, monthly(cursor,
            intake.join(flow, 'LEFT', condition=intake.flow == flow.id),
            intake.date, flow.code, [Sum(intake.weight)],
            intake.company == company.id, year), year)
    outcomes = Indicator('WASTE_OUTCOME', *names['WASTE_OUTCOME'])
    fill(outcomes, monthly(cursor,
            outcome.join(intake, condition=outcome.intake == intake.id),
            intake.date, outcome.type, [Sum(outcome.weight)],
            intake.company == company.id, year), year)
    for series in list(waste.series.values()) + list(
            outcomes.series.values()):
        _round_kg(series)
    collected = _sum_series(waste.series.values())
    rates = Indicator('WASTE_RATE', *names['WASTE_RATE'])
    for key, types in [
            ('reuse', ['reused_sold', 'reused_given']),
            ('recycling', ['recycled']),
            ('disposal', ['disposed']),
            ]:
        part = _sum_series(
            outcomes.series[t] for t in types if t in outcomes.series)
        percent(rates.series[key], part, collected)
    return [waste, outcomes, rates]


def _round_kg(series):
    "Weights are floats in the database: round them to 0.1 kg"
    tenth = Decimal('0.1')
    series.months = [v.quantize(tenth) for v in series.months]
    series.previous_months = [
        v.quantize(tenth) for v in series.previous_months]
    series.total = series.total.quantize(tenth)
    series.previous = series.previous.quantize(tenth)


def _sum_series(series_list):
    from .indicator import Series
    result = Series()
    for series in series_list:
        result.months = [a + b for a, b in zip(result.months, series.months)]
        result.previous_months = [a + b for a, b in zip(
                result.previous_months, series.previous_months)]
        result.total += series.total
        result.previous += series.previous
    return result


def _culture(company, year, names):
    """Culture: events held, tickets sold for them (POS sale lines of their
    ticket products, sales done or posted, refunds deducted) counted in the
    month of the event, and equipment loans by start date."""
    from .indicator import Indicator, fill, monthly
    pool = Pool()
    Event = pool.get('ptce.culture.event')
    event = Event.__table__()
    cursor = Transaction().connection.cursor()
    culture = Indicator('CULTURE', *names['CULTURE'])
    fill(culture, monthly(cursor, event, event.date, Literal('events'),
            [Count(event.id)], event.company == company.id, year), year)
    if has_model('sale.point.sale'):
        for date, quantity in event_tickets(cursor, company, year).items():
            series = culture.series['tickets']
            if date.year == year:
                series.months[date.month - 1] += quantity
                series.total += quantity
            else:
                series.previous_months[date.month - 1] += quantity
                series.previous += quantity
    if has_model('ptce.culture.equipment.loan'):
        Equipment = pool.get('ptce.culture.equipment')
        Loan = pool.get('ptce.culture.equipment.loan')
        equipment = Equipment.__table__()
        loan = Loan.__table__()
        fill(culture, monthly(cursor,
                loan.join(equipment,
                    condition=loan.equipment == equipment.id),
                loan.start_date, Literal('loans'), [Count(loan.id)],
                equipment.company == company.id, year), year)
    for key in ['events', 'tickets', 'loans']:
        culture.series[key]
    return [culture]


def event_tickets(cursor, company, year):
    """Tickets sold per event date over year and year - 1:
    {date: quantity} (sales done or posted, refunds deducted)"""
    from .indicator import _as_date, _d
    pool = Pool()
    event = pool.get('ptce.culture.event').__table__()
    sale = pool.get('sale.point.sale').__table__()
    line = pool.get('sale.point.sale.line').__table__()
    product = pool.get('product.product').__table__()
    template = pool.get('product.template').__table__()
    start = datetime.date(year - 1, 1, 1)
    end = datetime.date(year, 12, 31)
    cursor.execute(*line
        .join(sale, condition=line.sale == sale.id)
        .join(product, condition=line.product == product.id)
        .join(template, condition=product.template == template.id)
        .join(event, condition=template.event == event.id)
        .select(event.date, Sum(line.quantity),
            where=(event.company == company.id)
            & sale.state.in_(['done', 'posted'])
            & (event.date >= start) & (event.date <= end),
            group_by=[event.date]))
    return {_as_date(d): _d(q) for d, q in cursor}


def pos_tickets(cursor, company, year):
    """POS sales (tickets de caisse) done or posted per day over year and
    year - 1: {date: count}"""
    from .indicator import _as_date
    Sale = Pool().get('sale.point.sale')
    sale = Sale.__table__()
    cursor.execute(*sale.select(sale.date, Count(sale.id),
            where=(sale.company == company.id)
            & sale.state.in_(['done', 'posted'])
            & (sale.date >= datetime.date(year - 1, 1, 1))
            & (sale.date <= datetime.date(year, 12, 31)),
            group_by=[sale.date]))
    return {_as_date(d): Decimal(c) for d, c in cursor}


def _occupancy(company, year, names):
    """Occupancy rate: leased m²·days / available m²·days of the active
    spaces, per month (../shared/indicators.md). One SQL query returns the
    distinct (space, area, lease start, lease end) of the leases occupying
    their spaces over the two years; the days of several leases of a
    shared space are counted once. Spaces without area weigh nothing
    (every space weighs 1 when none has an area). Also the vacant spaces
    (no leased day) per month."""
    from ptce_spaces.lease import OCCUPYING_STATES

    from .indicator import Indicator, Series
    pool = Pool()
    Space = pool.get('ptce.space')
    Lease = pool.get('ptce.lease')
    LeaseSpace = pool.get('ptce.lease-ptce.space')
    space = Space.__table__()
    lease = Lease.__table__()
    lease_space = LeaseSpace.__table__()
    cursor = Transaction().connection.cursor()
    first, last = datetime.date(year - 1, 1, 1), datetime.date(year, 12, 31)
    active = (space.company == company.id) & (
        space.active == Literal(True))
    cursor.execute(*space.select(space.id, space.area, where=active))
    areas = {i: _dec(a) for i, a in cursor}
    weighted = any(areas.values())
    weights = {i: (a if weighted else Decimal(1)) for i, a in areas.items()}
    cursor.execute(*lease_space
        .join(lease, condition=lease_space.lease == lease.id)
        .join(space, condition=lease_space.space == space.id)
        .select(space.id, lease.start_date, lease.end_date,
            where=active & lease.state.in_(OCCUPYING_STATES)
            & (lease.start_date <= last)
            & ((lease.end_date == Null) | (lease.end_date >= first)),
            group_by=[space.id, lease.start_date, lease.end_date]))
    from .indicator import _as_date
    intervals = defaultdict(list)
    for space_id, start, end in cursor:
        start = max(_as_date(start), first)
        end = min(_as_date(end) if end else last, last)
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
                m_end = datetime.date(y, m, calendar.monthrange(y, m)[1])
                overlap = (min(end, m_end) - max(start, m_start)).days + 1
                if overlap > 0:
                    busy[y, m] += overlap
        for key, days in busy.items():
            leased[key] += weights[space_id] * days
            if not days:
                vacant[key] += 1
        for y in vacant_year:
            if not any(busy[y, m] for m in range(1, 13)):
                vacant_year[y] += 1
    indicator = Indicator('OCCUPANCY', *names['OCCUPANCY'])
    series = indicator.series['rate']

    def rate(a, b):
        return (a * 100 / b).quantize(Decimal('0.1')) if b else Decimal(0)
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
    indicator.leased, indicator.available = Series(), Series()
    indicator.vacant = Series()
    for attribute, values in [('leased', leased), ('available', available),
            ('vacant', vacant)]:
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


def _dec(value):
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _rents(company, year, names):
    "Rents invoiced: untaxed lines of posted invoices coming from leases"
    from .indicator import Indicator, fill, monthly
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Line = pool.get('account.invoice.line')
    invoice = Invoice.__table__()
    line = Line.__table__()
    cursor = Transaction().connection.cursor()
    rents = Indicator('RENTS', *names['RENTS'])
    fill(rents, monthly(cursor,
            line.join(invoice, condition=line.invoice == invoice.id),
            invoice.invoice_date, Literal('rents'),
            [Sum(Coalesce(line.quantity, 0) * Coalesce(line.unit_price, 0))],
            (invoice.company == company.id)
            & invoice.state.in_(['posted', 'paid'])
            & (invoice.type == 'out') & Like(line.origin, 'ptce.lease,%'),
            year, digits=company.currency.digits), year)
    return [rents]
