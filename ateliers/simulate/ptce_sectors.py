"""The sectors' year: every opening day the restaurant, the producers'
shop, the textile boutique and the recyclerie (Wednesday and Saturday)
ring up their sales at the till, the culture desk sells the tickets of
the coming events; each till closes its day with the cash counted in the
drawer (``sale.point.till_close_day``: the inalterable closing and the one
accounting move of the day); the recyclerie records what it collects;
at the end of each month the consignment agreements are settled and the
tills close their month, at the end of the year their year.

Sales are created in one batch per till and day (created, paid, processed:
as many as the till rings up in a day), since one transaction a sale
would make the year take hours.  At scale N the building's tills are
copied N - 1 times (a till per site, like the leases' sites), each with
its own sequence and chain.  ``Simulation.sales_volume`` scales the number
of sales a day and ``Simulation.sales_since`` is the first day the tills
open (the demo takes a few sales a day; the tests' demo and year sell over
their last months only, to stay quick to build).
A range that stops today (the demo's year so far) leaves today to the
tills: nothing rung up, the day open."""
import datetime
import math
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

# Sales per opening day of a till at scale 1, by kind of point of sale,
# and the number of lines of a sale (low, high)
SALES_PER_DAY = {
    'restaurant': (35, 60),
    'shop': (20, 40),
    'boutique': (4, 12),
    'recyclerie': (10, 25),
    }
LINES = {
    'restaurant': (1, 4),
    'shop': (1, 4),
    'boutique': (1, 2),
    'recyclerie': (1, 3),
    }
# The recyclerie's till opens on these week days (Wednesday, Saturday)
RECYCLERIE_DAYS = {2, 5}
# How the customers pay: (method kind, share)
PAYMENTS = [('card', 0.55), ('cash', 0.35), ('cheque', 0.02),
    ('meal_voucher', 0.08)]
# A season of events: (month, day of the month, name, capacity); none in
# summer
EVENTS = [
    (1, 24, "Concert du Nouvel An", 100),
    (2, 14, "Soirée contes", 40),
    (3, 21, "Projection documentaire ESS", 60),
    (4, 11, "Bal folk de printemps", 120),
    (5, 23, "Scène ouverte", 80),
    (6, 20, "Fête de la musique des Ateliers", 150),
    (9, 26, "Concert de rentrée", 100),
    (10, 17, "Théâtre d'objets", 50),
    (11, 21, "Soirée jeux", 60),
    (12, 12, "Bal folk de fin d'année", 120),
    ]
# Tickets are sold during the weeks before the event
TICKET_WEEKS = 4
# Recyclerie intakes a day of the recyclerie: (flow code, source, weight
# range in kg, outcomes as shares of the weight)
INTAKES = [
    ('TEX', 'dropoff', (40, 160), [('reused_sold', 0.55),
            ('recycled', 0.35), ('disposed', 0.1)]),
    ('MEU', 'collection', (80, 320), [('reused_sold', 0.6),
            ('recycled', 0.3)]),
    ('DEEE', 'partner', (10, 60), [('recycled', 0.9)]),
    ('LIV', 'dropoff', (10, 45), [('reused_given', 0.7)]),
    ]


def _state(sim):
    return sim.state['ptce_sectors']


def _copy_points(sim, points, site):
    "The tills of another site, each with its own strict sequence"
    pool = Pool()
    Point = pool.get('sale.point')
    Sequence = pool.get('ir.sequence.strict')
    copies = []
    for point in points:
        sequence, = Sequence.copy([point.sequence], default={
                'name': f"{point.sequence.name} (site {site})",
                'prefix': f"{point.sequence.prefix or ''}{site}-",
                })
        copy, = Point.copy([point], default={
                'name': f"{point.name} (site {site})",
                'sequence': sequence.id,
                })
        copies.append(copy)
    return copies


def _season(sim, point):
    """The events of the year with their ticket products (full and reduced
    price), copied from the demo's tickets"""
    pool = Pool()
    Event = pool.get('ptce.culture.event')
    Template = pool.get('product.template')
    models = Template.search([
            ('event', '!=', None), ('salable', '=', True),
            ], order=[('id', 'ASC')])
    if not models:
        return []
    with Transaction().set_context(company=sim.company):
        models = sorted(Template.browse(models),
            key=lambda t: -(t.list_price or 0))
    full, reduced = models[0], models[-1]
    events = Event.create([{
                'company': sim.company,
                'name': name,
                'date': datetime.date(sim.year, month, day),
                'venue': "Grande salle",
                'capacity': capacity * sim.scale,
                } for month, day, name, capacity in EVENTS])
    season = []
    for event in events:
        tickets = []
        for model, label in [(full, "plein tarif"),
                (reduced, "tarif réduit")]:
            template, = Template.copy([model], default={
                    'name': f"{event.name} {event.date.year} - {label}",
                    'event': event.id,
                    })
            tickets.append(template.products[0].id)
        season.append({'event': event.id, 'date': event.date.isoformat(),
                'capacity': event.capacity, 'tickets': tickets})
    return season


def setup(sim):
    pool = Pool()
    Point = pool.get('sale.point')
    Method = pool.get('sale.point.payment.method')
    Closing = pool.get('ptce.pos.closing')
    Agreement = pool.get('ptce.consignment.agreement')
    Flow = pool.get('ptce.recyclerie.flow')
    points = Point.search([('company', '=', sim.company)],
        order=[('id', 'ASC')])
    sites = {p.id: 1 for p in points}
    for site in range(2, sim.scale + 1):
        for copy in _copy_points(sim, points, site):
            sites[copy.id] = site
    points = Point.search([('company', '=', sim.company)],
        order=[('id', 'ASC')])
    # The days a till already closed (the demo's last days): no more
    # sales on them
    closed = {}
    for point, date in Closing.get_last_closed_dates(points).items():
        closed[point] = date.isoformat()
    methods = {}
    for method in Method.search([('company', '=', sim.company)],
            order=[('id', 'ASC')]):
        methods.setdefault(method.kind, method.id)
    culture = [p for p in points if p.kind == 'culture']
    sim.state['ptce_sectors'] = {
        'points': {p.id: p.kind for p in points if p.kind},
        'closed': closed,
        'methods': methods,
        'season': _season(sim, culture[0]) if culture else [],
        'sold': {},
        'agreements': [a.id for a in Agreement.search([
                    ('company', '=', sim.company)])],
        'flows': {f.code: f.id for f in Flow.search([])},
        }
    sim.summary['sectors.points'] = len(points)


def _line_values(point, product_ids, date):
    "The values of a line of each product as the till prices it"
    pool = Pool()
    Sale = pool.get('sale.point.sale')
    Line = pool.get('sale.point.sale.line')
    sale = Sale(point=point, date=date)
    values = {}
    for product_id in product_ids:
        line = Line(sale=sale, product=product_id, quantity=1)
        line.on_change_product()
        values[product_id] = {
            'product': product_id,
            'unit_list_price': line.unit_list_price,
            'unit_gross_price': line.unit_gross_price,
            'sector': line.sector.id if line.sector else None,
            }
    return values


def _quantity(rng, product):
    if product.default_uom.category.name != 'Units' and (
            product.default_uom.rounding < 1):
        # Sold by weight (clothes by the kilogram)
        return round(rng.uniform(0.3, 4.0), 1)
    return rng.choice([1, 1, 1, 2, 2, 3])


def _share(rng, count):
    "A whole count whose mean is count (a fraction rounded at random)"
    whole = int(count)
    return whole + (rng.random() < count - whole)


def _carts(sim, point, kind, date):
    "The lines of each sale of the day at the till"
    rng = sim.rng
    if kind == 'culture':
        return _ticket_carts(sim, date)
    low, high = SALES_PER_DAY[kind]
    count = rng.randint(low, high)
    if date.weekday() == 5 and kind in {'shop', 'boutique'}:
        count = count * 3 // 2      # Saturday: the market day
    count = _share(rng, count * sim.sales_volume)
    products = [p for p in point.till_products() if not p.template.event]
    if not products or not count:
        return []
    carts = []
    for _ in range(count):
        size = rng.randint(*LINES[kind])
        carts.append([(p, _quantity(rng, p))
                for p in rng.sample(products, min(size, len(products)))])
    return carts


def _ticket_carts(sim, date):
    "Tickets of the events of the coming weeks, within their capacity"
    rng = sim.rng
    state = _state(sim)
    Product = Pool().get('product.product')
    carts = []
    for event in state['season']:
        day = datetime.date.fromisoformat(event['date'])
        if not (0 <= (day - date).days < 7 * TICKET_WEEKS):
            continue
        sold = state['sold'].get(str(event['event']), 0)
        # Most events end nearly full; the last days sell the most
        left = event['capacity'] - sold
        # Each site's desk sells its share of the tickets (the capacity
        # grows with the scale)
        wanted = _share(rng, event['capacity'] / sim.scale
            * rng.uniform(0.02, 0.06) * sim.sales_volume)
        if (day - date).days < 7:
            wanted *= 2
        carts_count = 0
        while left > 0 and carts_count * 2 < wanted:
            full, reduced = Product.browse(event['tickets'])
            cart = [(full, min(left, rng.choice([1, 2, 2, 3])))]
            left -= cart[0][1]
            if left > 0 and rng.random() < 0.4:
                cart.append((reduced, 1))
                left -= 1
            carts.append(cart)
            carts_count += 1
        state['sold'][str(event['event'])] = event['capacity'] - left
    return carts


def _payments(sim, sale, methods):
    "How the customer pays the sale: (method id, amount)"
    rng = sim.rng
    to_pay = sale.amount_to_pay
    roll, kind = rng.random(), 'card'
    for kind, share in PAYMENTS:
        if roll < share:
            break
        roll -= share
    if kind == 'meal_voucher':
        eligible = sum((l.gross_amount for l in sale.lines
                if l.product.template.meal_voucher_eligible), Decimal(0))
        voucher = min(eligible, Decimal('12.00'), to_pay)
        if voucher > 0 and 'meal_voucher' in methods:
            rest = to_pay - voucher
            return [(methods['meal_voucher'], voucher)] + (
                [(methods['card'], rest)] if rest else [])
        kind = 'card'
    return [(methods.get(kind, methods['cash']), to_pay)]


def _sell_day(sim, point, kind, date):
    "The sales of the day at the till, created, paid and processed"
    pool = Pool()
    Sale = pool.get('sale.point.sale')
    Payment = pool.get('sale.point.payment')
    carts = _carts(sim, point, kind, date)
    if not carts:
        return []
    methods = _state(sim)['methods']
    prices = _line_values(point, sorted({p.id for c in carts for p, _ in c}),
        date)
    sales = Sale.create([{
                'point': point.id,
                'date': date,
                'covers': sum(int(q) for _, q in cart)
                if kind == 'restaurant' else None,
                'table': str(1 + i % 12) if kind == 'restaurant' else None,
                'lines': [('create', [
                            {**prices[p.id], 'quantity': q}
                            for p, q in cart])],
                } for i, cart in enumerate(carts)])
    sales = Sale.browse(sales)
    Payment.create([{'sale': s.id, 'method': m, 'amount': a}
            for s in sales for m, a in _payments(sim, s, methods)])
    sales = Sale.browse(sales)
    Sale.process(sales)
    return sales


def _close_day(sim, point, date):
    """Close the till's day with the cash counted in the drawer (what the
    session expects: the simulated cashiers count right)"""
    pool = Pool()
    Point = pool.get('sale.point')
    Session = pool.get('sale.point.cash.session')
    sessions = Session.search([
            ('point', '=', point.id), ('state', '=', 'open')])
    counted = sum((s.start_amount + s.balance for s in sessions), Decimal(0))
    Point.till_close_day([point], counted, date=date)


def _lock_tills(points):
    """Lock the tills and their sequences all at once: posting and closing
    lock each one in turn, and on PostgreSQL each lock not taken at the
    start of the transaction starts the day again (a hundred tills at
    scale 20)"""
    pool = Pool()
    Point = pool.get('sale.point')
    Sequence = pool.get('ir.sequence.strict')
    Point.lock(points)
    Sequence.lock(list({p.sequence for p in points}))


def day(sim, date):
    pool = Pool()
    Point = pool.get('sale.point')
    state = _state(sim)
    if not sim.is_open(date):
        return
    if date.weekday() in RECYCLERIE_DAYS:
        _intakes(sim, date)
    if date < sim.sales_since:
        return
    if date == sim.end == datetime.date.today():
        # The last day of a year so far (the demo's today) is the tills'
        # own: open, nothing rung up yet
        return
    _lock_tills(Point.browse(list(state['points'])))
    for point_id, kind in state['points'].items():
        closed = state['closed'].get(point_id)
        if closed and date.isoformat() <= closed:
            continue
        if kind == 'recyclerie' and date.weekday() not in RECYCLERIE_DAYS:
            continue
        if kind not in SALES_PER_DAY and kind != 'culture':
            continue
        point = Point(point_id)
        with Transaction().set_context(company=sim.company):
            sales = _sell_day(sim, point, kind, date)
        if not sales:
            continue
        _close_day(sim, point, date)
        sim.summary['sectors.sales'] += len(sales)
        sim.summary['sectors.day_closings'] += 1
        if kind == 'culture':
            sim.summary['sectors.tickets'] += sum(
                int(l.quantity) for s in sales for l in s.lines)


def _intakes(sim, date):
    "What the recyclerie collected that day, weighed and sorted"
    pool = Pool()
    Intake = pool.get('ptce.recyclerie.intake')
    rng = sim.rng
    flows = _state(sim)['flows']
    records = []
    for _ in range(sim.scale):
        for code, source, (low, high), outcomes in INTAKES:
            if code not in flows or rng.random() < 0.3:
                continue
            weight = round(rng.uniform(low, high), 1)
            records.append({
                    'company': sim.company,
                    'date': date, 'flow': flows[code], 'source': source,
                    'weight': weight,
                    'outcomes': [('create', [{
                                    'type': type_, 'date': date,
                                    # Weighed down to 100 g: never more
                                    # than what came in
                                    'weight': math.floor(
                                        weight * share * 10) / 10,
                                    } for type_, share in outcomes])],
                    })
    Intake.create(records)
    sim.summary['sectors.intakes'] += len(records)


def month_end(sim, date):
    """The consignment settlements of the month and the closing of the
    month of each till that sold in it"""
    pool = Pool()
    Agreement = pool.get('ptce.consignment.agreement')
    Point = pool.get('sale.point')
    Closing = pool.get('ptce.pos.closing')
    state = _state(sim)
    first = date.replace(day=1)
    if state['agreements']:
        settlements = Agreement.settle(
            Agreement.browse(state['agreements']), first, date)
        sim.summary['sectors.settlements'] += len(settlements)
    points = Point.browse(list(state['points']))
    _lock_tills(points)
    for point in points:
        if _has_days(point, first, date):
            Closing.close(point, 'month', date)
            sim.summary['sectors.month_closings'] += 1


def _has_days(point, date_from, date_to):
    "Whether the till closed days in the period (there is a period to seal)"
    Closing = Pool().get('ptce.pos.closing')
    return bool(Closing.search([
                ('point', '=', point.id), ('type', '=', 'day'),
                ('date_from', '>=', date_from), ('date_to', '<=', date_to),
                ], limit=1))


def year_end(sim):
    "The closing of the year of each till that sold in it"
    pool = Pool()
    Point = pool.get('sale.point')
    Closing = pool.get('ptce.pos.closing')
    first = datetime.date(sim.year, 1, 1)
    last = datetime.date(sim.year, 12, 31)
    points = Point.browse(list(_state(sim)['points']))
    _lock_tills(points)
    for point in points:
        if _has_days(point, first, last):
            Closing.close(point, 'year', last)
            sim.summary['sectors.year_closings'] += 1
