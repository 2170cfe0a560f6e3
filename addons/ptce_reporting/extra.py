# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""What this module reads from the optional modules (scic_members,
ptce_spaces, ptce_sectors): each part runs only when its model exists in
the pool, i.e. when its module is activated."""
import calendar
import datetime
from decimal import Decimal

from sql import Literal
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
    if has_model('ptce.lease.period'):
        Period = pool.get('ptce.lease.period')
        periods = Period.search([
                ('lease.company', '=', fiscalyear.company.id),
                ('invoice', '=', None),
                ('invoice_start', '>=', fiscalyear.start_date),
                ('invoice_start', '<=', fiscalyear.end_date),
                ])
        blockers.append(Blocker(
                'rents', gettext('ptce_reporting.msg_blocker_rents'),
                [f'{p.lease.rec_name} {p.invoice_start:%d/%m/%Y}'
                    for p in periods]))
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
    "Recyclerie: kg collected by flow, and kg by outcome (reuse...)"
    from .indicator import Indicator, fill, monthly
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
            outcome.date, outcome.type, [Sum(outcome.weight)],
            intake.company == company.id, year), year)
    return [waste, outcomes]


def _culture(company, year, names):
    "Culture: events held per month"
    from .indicator import Indicator, fill, monthly
    pool = Pool()
    Event = pool.get('ptce.culture.event')
    event = Event.__table__()
    cursor = Transaction().connection.cursor()
    culture = Indicator('CULTURE', *names['CULTURE'])
    fill(culture, monthly(cursor, event, event.date, Literal('events'),
            [Count(event.id)], event.company == company.id, year), year)
    return [culture]


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
            year), year)
    return [rents]
