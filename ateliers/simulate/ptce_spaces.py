"""The building's year: the rent run on the first of each month (the
method of ``ateliers rents invoice --post``), one lease revised with its
index, one lease given notice in spring, terminated when the notice ends
and its deposit returned, and the meeting rooms booked by the tenants on
opening days, invoiced at the end of each month."""
import datetime
from decimal import Decimal

from trytond.pool import Pool
from trytond.tools import timezone as tz

from ..demo.ptce_spaces import LEASES, SPACES

# Room bookings per opening day at scale 1 (the scale multiplies them)
BOOKINGS_PER_DAY = 0.8
# The tenant that leaves during the year (a professional lease, 6 months
# of notice) and the one whose rent is revised
LEAVING = "ÔLyse Patrimoine"
REVISED = "Café Plum"


def _add_months(date, months):
    month = date.month - 1 + months
    year = date.year + month // 12
    month = month % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, 28))


def _copy_site(sim, site):
    """At scale > 1, another site like the building, with its spaces and
    tenants (new organisations): its leases run from before the year"""
    pool = Pool()
    Space = pool.get('ptce.space')
    Lease = pool.get('ptce.lease')
    Party = pool.get('party.party')
    Country = pool.get('country.country')
    Analytic = pool.get('analytic_account.account')
    france, = Country.search([('code', '=', 'FR')], limit=1)
    sectors = {a.code: a for a in Analytic.search([
                ('sector', '=', True), ('type', '=', 'normal')])}
    spaces = {}
    for code, name, kind, floor, area, capacity, sector, prices in SPACES:
        space = Space(code=f'{code}-{site}', name=f"{name} (site {site})",
            kind=kind, floor=floor, building=f"Les Ateliers {site}",
            area=Decimal(area), capacity=capacity,
            sector=sectors.get(sector), exclusive=kind != 'coworking')
        if prices:
            space.bookable = True
            space.hourly_price, space.half_day_price, space.day_price = (
                Decimal(p) for p in prices)
        spaces[code] = space
    Space.save(list(spaces.values()))
    leases = []
    for i, (tenant, codes, kind, start, rent, charges, frequency, index,
            deposit) in enumerate(LEASES, 1):
        party, = Party.create([{
                    'name': f"{tenant} {site}",
                    'addresses': [('create', [{
                                    'street': f"{site} rue Méridonde",
                                    'postal_code': '81100',
                                    'city': "Castres",
                                    'country': france.id,
                                    }])],
                    }])
        leases.append(Lease(reference=f'BAIL-{site}-{i:03d}',
                tenant=party, kind=kind,
                spaces=[spaces[c] for c in codes], start_date=start,
                rent=Decimal(rent), charges=Decimal(charges),
                frequency=frequency, deposit_amount=Decimal(deposit),
                vat=kind != 'precarious'))
    Lease.save(leases)
    Lease.sign(leases)
    Lease.run(leases)
    return leases


def setup(sim):
    pool = Pool()
    Lease = pool.get('ptce.lease')
    RentIndex = pool.get('ptce.rent.index')
    for site in range(2, sim.scale + 1):
        _copy_site(sim, site)
    leases = Lease.search([
            ('company', '=', sim.company),
            ('state', '=', 'running'),
            ], order=[('reference', 'ASC')])
    # The deposits the tenants paid at their signature, brought into the
    # ledger at the opening (the simulated ledger starts empty)
    Lease.post_deposit([l for l in leases if l.deposit_amount])

    plan = {}
    by_tenant = {l.tenant.name: l for l in leases}
    revised = by_tenant.get(REVISED)
    if revised and revised.index_kind:
        # Revised on the anniversary in the year against the index
        # published a year after its reference (the last one published)
        last, = RentIndex.search([('kind', '=', revised.index_kind)],
            order=[('year', 'DESC'), ('quarter', 'DESC')], limit=1)
        date = revised.start_date.replace(year=sim.year)
        Lease.write([revised], {
                'reference_index_year': last.year - 1,
                'reference_index_quarter': last.quarter,
                'revision_date': date,
                })
        plan.setdefault(date.isoformat(), []).append(('revise', revised.id))
    leaving = by_tenant.get(LEAVING)
    if leaving:
        # Notice given so that the lease ends in the autumn (its deposit
        # returned two weeks later)
        notice = _add_months(datetime.date(sim.year, 10, 31),
            -(leaving.notice_period or 0))
        notice = max(notice, datetime.date(sim.year, 2, 1))
        notice = min(d for d in sim.opening_days if d >= notice)
        plan.setdefault(notice.isoformat(), []).append(
            ('notice', leaving.id))
    rooms = pool.get('ptce.space').search([
            ('company', '=', sim.company), ('bookable', '=', True)])
    sim.state['ptce_spaces'] = {
        'plan': plan,
        'rooms': [r.id for r in rooms],
        'tenants': sorted(l.tenant.id for l in leases),
        }
    sim.summary['spaces.leases'] = len(leases)


def day(sim, date):
    pool = Pool()
    Lease = pool.get('ptce.lease')
    state = sim.state['ptce_spaces']
    if date.day == 1:
        # The rent run of the month: its batches run once the day is
        # committed (see ateliers/simulate/__init__.py)
        Lease.run_rents(date, post=True,
            company=pool.get('company.company')(sim.company))
    for event, lease_id in state['plan'].pop(date.isoformat(), []):
        lease = Lease(lease_id)
        if event == 'revise':
            Lease.apply_indexation([lease])
            sim.summary['spaces.indexations'] += 1
        elif event == 'notice':
            Lease.give_notice([lease])
            end = Lease(lease_id).end_date
            state['plan'].setdefault(end.isoformat(), []).append(
                ('terminate', lease_id))
        elif event == 'terminate':
            Lease.terminate([lease])
            sim.summary['spaces.terminations'] += 1
            returned = date + datetime.timedelta(days=14)
            if returned.year == sim.year:
                state['plan'].setdefault(returned.isoformat(), []).append(
                    ('return_deposit', lease_id))
        elif event == 'return_deposit':
            if lease.deposit_move:
                Lease.return_deposit([lease])
                sim.summary['spaces.deposit_returns'] += 1
    if sim.is_open(date):
        _book_rooms(sim, date)
    if date == sim.end:
        sim.summary['spaces.rent_invoices'] = _count_rent_invoices(sim)


def _book_rooms(sim, date):
    "Tenants book the meeting rooms on their free slots of the day"
    pool = Pool()
    Booking = pool.get('ptce.booking')
    Space = pool.get('ptce.space')
    rng = sim.rng
    state = sim.state['ptce_spaces']
    count = sum(1 for _ in range(sim.scale)
        if rng.random() < BOOKINGS_PER_DAY)
    bookings = []
    for _ in range(count):
        room = Space(rng.choice(state['rooms']))
        hours = rng.choice([2, 3, 4, 9])
        free = Booking.free_slots([room], date).get(room.id, [])
        slots = []
        for slot_start, slot_end in free:
            # On the hour, from 9 o'clock
            start = max(slot_start, datetime.datetime.combine(
                    date, datetime.time(9)))
            if start.minute or start.second or start.microsecond:
                start = start.replace(minute=0, second=0, microsecond=0
                    ) + datetime.timedelta(hours=1)
            if start + datetime.timedelta(hours=hours) <= slot_end:
                slots.append(start)
        if not slots:
            continue
        # The free slots are in the company's time zone, bookings in UTC
        zone = tz.get_tzinfo(room.company.timezone or 'UTC')
        start = slots[0].replace(tzinfo=zone).astimezone(tz.UTC).replace(
            tzinfo=None)
        booking, = Booking.create([{
                    'space': room.id,
                    'party': rng.choice(state['tenants']),
                    'start_datetime': start,
                    'end_datetime': start + datetime.timedelta(hours=hours),
                    }])
        # Confirmed at once: the free slots of the next booking of the day
        # are those the confirmed bookings leave
        Booking.confirm([booking])
        bookings.append(booking)
    sim.summary['spaces.bookings'] += len(bookings)


def month_end(sim, date):
    pool = Pool()
    Booking = pool.get('ptce.booking')
    Invoice = pool.get('account.invoice')
    invoices = Booking.invoice_bookings(date)
    if invoices:
        Invoice.post(invoices)
        sim.summary['spaces.booking_invoices'] += len(invoices)


def _count_rent_invoices(sim):
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Lease = pool.get('ptce.lease')
    return Invoice.search_count([
            ('company', '=', sim.company),
            ('type', '=', 'out'),
            ('invoice_date', '>=', sim.start),
            ('invoice_date', '<=', sim.end),
            ('lines.origin', 'like', f'{Lease.__name__},%'),
            ])
