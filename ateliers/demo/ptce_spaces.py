# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data: the spaces of the building of Les Ateliers and its current
tenants.  The rents are invented but plausible for Castres."""
import datetime as dt
from decimal import Decimal

from proteus import Model

from ..setup import get_sectors, setup_spaces
from .parties import BUILDING, add_siren, set_address

# code, name, kind, floor, area, capacity, sector code, bookable prices
SPACES = [
    ('RDC-REST', "Restaurant", 'restaurant', "RDC", '180', 60, 'CC', None),
    ('RDC-MAG', "Magasin de producteurs", 'shop', "RDC", '95', 15, 'CC',
        None),
    ('RDC-BTQ', "Boutique textile-artisanat", 'shop', "RDC", '70', 10,
        'TA', None),
    ('RDC-RECY', "Recyclerie", 'shop', "RDC", '210', 20, 'EC', None),
    ('RDC-EPI', "Épicerie sociale", 'shop', "RDC", '60', 8, 'ST', None),
    ('AT-TEX', "Atelier textile partagé", 'workshop', "RDC", '85', 8,
        'TA', None),
    ('AT-BOIS', "Atelier bois et réparation", 'workshop', "RDC", '120', 6,
        'EC', None),
    ('E1-B01', "Bureau 1", 'office', "1er", '22', 3, 'ST', None),
    ('E1-B02', "Bureau 2", 'office', "1er", '18', 2, 'ST', None),
    ('E1-B03', "Bureau 3", 'office', "1er", '18', 2, 'ST', None),
    ('E1-B04', "Bureau 4", 'office', "1er", '25', 4, 'CU', None),
    ('E1-B05', "Bureau 5", 'office', "1er", '30', 4, 'ST', None),
    ('E1-B06', "Bureau 6", 'office', "1er", '16', 2, 'ST', None),
    ('E1-COW', "Espace coworking (12 postes)", 'coworking', "1er", '90',
        12, 'ST', None),
    ('E1-SR1', "Salle de réunion Méridonde", 'meeting_room', "1er", '40',
        20, 'ST', ('25', '80', '140')),
    ('E1-SR2', "Salle Agout", 'meeting_room', "1er", '20', 8, 'ST',
        ('15', '50', '90')),
    ('SS-STK', "Réserve", 'storage', "Sous-sol", '45', 0, 'ST', None),
    ]

# tenant, spaces, kind, start, rent, charges, frequency, index, deposit
LEASES = [
    ("Café Plum", ['RDC-REST'], 'commercial', dt.date(2022, 3, 1),
        '1650', '220', 'monthly', 'ILC', '3300'),
    ("Courgette", ['RDC-MAG'], 'commercial', dt.date(2021, 9, 1),
        '880', '120', 'monthly', 'ILC', '1760'),
    ("La Fibre Câline", ['RDC-BTQ', 'AT-TEX'], 'commercial',
        dt.date(2023, 1, 1), '1150', '160', 'monthly', 'ILC', '2300'),
    ("Troc Sel", ['RDC-RECY', 'AT-BOIS'], 'precarious',
        dt.date(2024, 4, 1), '1400', '250', 'quarterly', None, '0'),
    ("L'Escal (épicerie sociale)", ['RDC-EPI'], 'precarious',
        dt.date(2020, 1, 1),
        '350', '60', 'monthly', None, '0'),
    ("CAE REGATE", ['E1-B01'], 'professional', dt.date(2019, 6, 1),
        '330', '45', 'monthly', 'ILAT', '660'),
    ("CREPT Formation", ['E1-B02'], 'professional', dt.date(2021, 2, 1),
        '270', '40', 'monthly', 'ILAT', '540'),
    ("CPIE des Pays Tarnais", ['E1-B03'], 'professional',
        dt.date(2020, 10, 1), '270', '40', 'quarterly', 'ILAT', '540'),
    ("Radiom", ['E1-B04'], 'professional', dt.date(2023, 9, 1),
        '375', '55', 'monthly', 'ILAT', '750'),
    ("ÔLyse Patrimoine", ['E1-B05'], 'professional', dt.date(2024, 1, 1),
        '450', '60', 'monthly', 'ILAT', '900'),
    ("Les Ateliers de la Communication", ['E1-COW'], 'coworking',
        dt.date(2025, 1, 1), '190', '0', 'monthly', None, '0'),
    ("Artisans du Monde", ['SS-STK'], 'precarious', dt.date(2022, 5, 1),
        '90', '0', 'monthly', None, '0'),
    ]


def _party(name, config):
    """The party of the name (an associate's, from scic_members), else a
    new organisation in the building"""
    Party = Model.get('party.party', config=config)
    parties = Party.find([('name', '=', name)], limit=1)
    if parties:
        return parties[0]
    party = Party(name=name)
    set_address(party, BUILDING, config)
    add_siren(party)
    party.save()
    return party


def setup(config, modules, company):
    Space = Model.get('ptce.space', config=config)
    Lease = Model.get('ptce.lease', config=config)
    Booking = Model.get('ptce.booking', config=config)
    RentIndex = Model.get('ptce.rent.index', config=config)
    setup_spaces(config)
    today = dt.date.today()
    sectors = get_sectors(config=config)
    spaces = {}
    for code, name, kind, floor, area, capacity, sector, prices in SPACES:
        space = Space(code=code, name=name, kind=kind, floor=floor,
            building="Les Ateliers", area=Decimal(area), capacity=capacity,
            sector=sectors.get(sector))
        space.exclusive = kind != 'coworking'
        if prices:
            space.bookable = True
            space.hourly_price, space.half_day_price, space.day_price = (
                Decimal(p) for p in prices)
        space.save()
        spaces[code] = space
    for i, (tenant, codes, kind, start, rent, charges, frequency, index,
            deposit) in enumerate(LEASES, 1):
        lease = Lease(reference=f'BAIL-{i:03d}', tenant=_party(tenant, config),
            kind=kind)
        for code in codes:
            lease.spaces.append(Space(spaces[code].id))
        lease.start_date = start
        lease.rent = Decimal(rent)
        lease.charges = Decimal(charges)
        lease.frequency = frequency
        lease.deposit_amount = Decimal(deposit)
        lease.vat = kind != 'precarious'
        lease.index_kind = index
        if index:
            # reference: the last quarter published (loaded from the
            # shipped rent_index.csv, which holds checked values only)
            last, = RentIndex.find([('kind', '=', index)],
                order=[('year', 'DESC'), ('quarter', 'DESC')], limit=1)
            lease.reference_index_year = last.year
            lease.reference_index_quarter = last.quarter
            anniversary = start.replace(year=today.year)
            if anniversary < today:
                anniversary = anniversary.replace(year=today.year + 1)
            lease.revision_date = anniversary
        lease.save()
        lease.click('sign')
        lease.click('run')
    # Room bookings of the coming week
    monday = today + dt.timedelta(days=7 - today.weekday())
    for days, hour, hours, tenant, room in [
            (0, 9, 3, "CAE REGATE", 'E1-SR1'),
            (0, 14, 4, "CPIE des Pays Tarnais", 'E1-SR1'),
            (1, 9, 9, "CREPT Formation", 'E1-SR1'),
            (2, 10, 2, "Radiom", 'E1-SR2'),
            ]:
        start = dt.datetime.combine(
            monday + dt.timedelta(days=days), dt.time(hour))
        booking = Booking(space=spaces[room], party=_party(tenant, config),
            start_datetime=start,
            end_datetime=start + dt.timedelta(hours=hours))
        booking.click('confirm')
    # A request of the day, to confirm once the room is checked
    start = dt.datetime.combine(monday + dt.timedelta(days=3), dt.time(14))
    Booking(space=spaces['E1-SR2'], party=_party("Radiom", config),
        start_datetime=start, end_datetime=start + dt.timedelta(hours=3),
        description="Réunion des bénévoles").save()

    # The lease of the last free office, being negotiated
    lease = Lease(reference=f'BAIL-{len(LEASES) + 1:03d}',
        tenant=_party("Atelier Graphique du Tarn", config),
        kind='professional')
    lease.spaces.append(Space(spaces['E1-B06'].id))
    lease.start_date = (today.replace(day=1) + dt.timedelta(days=32)
        ).replace(day=1)
    lease.rent = Decimal('250')
    lease.charges = Decimal('35')
    lease.frequency = 'monthly'
    lease.deposit_amount = Decimal('500')
    lease.index_kind = 'ILAT'
    last, = RentIndex.find([('kind', '=', 'ILAT')],
        order=[('year', 'DESC'), ('quarter', 'DESC')], limit=1)
    lease.reference_index_year = last.year
    lease.reference_index_quarter = last.quarter
    lease.revision_date = lease.start_date.replace(
        year=lease.start_date.year + 1)
    lease.save()
