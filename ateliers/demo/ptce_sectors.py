# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data of the four sectors: products of the restaurant, the
producers' shop, the textile boutique and the recyclerie, a season of
events, the equipment pool, a consignment agreement and recyclerie
intakes.  The sales at the tills are the simulation's (``ateliers
init --demo`` simulates the year so far, see ateliers/simulate)."""
import datetime
from decimal import Decimal

from proteus import Model

from ..setup import (
    create_categories,
    create_payment_methods,
    create_point,
    create_product,
    create_sectors,
    get_account,
)
from .parties import add_siren, set_address


def setup(config, modules, company):
    sectors = create_sectors(config)
    categories = create_categories(config)
    create_payment_methods(config)
    Party = Model.get('party.party', config=config)
    Journal = Model.get('account.journal', config=config)

    for name, kind, sector in [
            ("Restaurant Café Plum", 'restaurant', 'CC'),
            ("Magasin de producteurs", 'shop', 'CC'),
            ("Boutique textile La Fibre Câline", 'boutique', 'TA'),
            ("Caisse recyclerie", 'recyclerie', 'EC'),
            ("Billetterie culture", 'culture', 'CU'),
            ]:
        create_point(name, kind, sectors[sector], config)

    def product(name, price, category, sector, **kwargs):
        return create_product(
            name, price, categories[category], sectors[sector],
            config=config, **kwargs)

    # The restaurant's menu
    product("Plat du jour", '14.50', 'food', 'CC', meal_voucher=True)
    product("Entrée de saison", '6.50', 'food', 'CC', meal_voucher=True)
    product("Dessert maison", '5.50', 'food', 'CC', meal_voucher=True)
    product("Café", '2.00', 'food', 'CC', meal_voucher=True)
    product("Jus de pomme du Tarn", '3.50', 'goods', 'CC')
    # Consignment: the producers' goods are theirs until sold
    farm = Party(name="Ferme du Sidobre")
    set_address(farm, ("Lieu-dit La Barthe", "81260", "Le Bez"), config)
    add_siren(farm)
    farm.save()
    expense, = Journal.find([('type', '=', 'expense')], limit=1)
    Agreement = Model.get('ptce.consignment.agreement', config=config)
    agreement = Agreement(
        reference="DV-SIDOBRE", depositor=farm,
        commission_rate=Decimal('0.20'), sector=sectors['CC'],
        commission_account=get_account('706', config),
        depositor_account=get_account('4672', config), journal=expense)
    agreement.save()
    shop = [
        product("Tomme de brebis du Sidobre", '7.80', 'food', 'CC'),
        product("Miel de châtaignier", '9.00', 'food', 'CC'),
        product("Pain de campagne", '4.20', 'food', 'CC'),
        ]
    for consigned in shop[:2]:
        consigned.template.consigned = True
        consigned.template.consignment_agreement = agreement
        consigned.template.save()
    product("Écharpe en laine", '35.00', 'goods', 'TA')
    product("Sac en tissu recyclé", '22.00', 'goods', 'TA')
    product("Vêtements au kilo", '8.00', 'goods', 'EC', unit='Kilogram')
    product("Chaise d'occasion", '12.00', 'goods', 'EC')
    product("Livre d'occasion", '2.00', 'goods', 'EC')

    # A season of events with their tickets
    Event = Model.get('ptce.culture.event', config=config)
    today = datetime.date.today()
    for offset, name, capacity in [
            (-20, "Concert Radiom", 80),
            (10, "Soirée contes - Troc Sel", 40),
            (25, "Projection documentaire ESS", 60),
            (45, "Bal folk de fin d'année", 120),
            ]:
        event = Event(
            name=name, date=today + datetime.timedelta(days=offset),
            venue="Grande salle", capacity=capacity)
        event.save()
        for label, price in [("plein tarif", '12.00'),
                ("tarif réduit", '8.00')]:
            ticket = product(
                f"{name} - {label}", price, 'service', 'CU', type='service')
            ticket.template.event = event
            ticket.template.save()

    # Equipment pool
    Equipment = Model.get('ptce.culture.equipment', config=config)
    for code, name in [('SONO', "Sonorisation"),
            ('PROJ', "Vidéoprojecteur"), ('ECR', "Écran")]:
        Equipment(code=code, name=name).save()

    # Paniers culturels: a recurring subscription service
    Service = Model.get('sale.subscription.service', config=config)
    basket = product("Panier culturel mensuel", '25.00', 'service', 'CU',
        type='service')
    Service(product=basket).save()

    # Recyclerie intakes of the month
    Flow = Model.get('ptce.recyclerie.flow', config=config)
    Intake = Model.get('ptce.recyclerie.intake', config=config)
    flows = {f.code: f for f in Flow.find([])}
    for code, source, weight, outcomes in [
            ('TEX', 'dropoff', 140.0, [('reused_sold', 80.0),
                    ('recycled', 50.0), ('disposed', 10.0)]),
            ('MEU', 'collection', 320.0, [('reused_sold', 200.0),
                    ('recycled', 90.0)]),
            ('DEEE', 'partner', 60.0, [('recycled', 55.0)]),
            ('LIV', 'dropoff', 45.0, [('reused_given', 30.0)]),
            ]:
        intake = Intake(date=today.replace(day=1), flow=flows[code],
            source=source, weight=weight)
        for type_, outcome_weight in outcomes:
            intake.outcomes.new(type=type_, weight=outcome_weight)
        intake.save()
