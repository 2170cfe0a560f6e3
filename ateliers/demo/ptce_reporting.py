# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data of ptce_reporting: the grants of Les Ateliers awarded for the
year and its registers (6 new activities, 12 direct jobs).  The year
itself (the visitors of each day, the instalments received, the
indicators) is simulated: ateliers/simulate/ptce_reporting.py."""
import datetime
from decimal import Decimal

from proteus import Model

from ..setup import get_sectors
from .parties import add_siren, set_address

# funder, programme, reference, amount, budget {nature code: amount},
# de minimis, received share
GRANTS = [
    ("Préfecture du Tarn (État)", "Appel à projets PTCE",
        "ETAT-PTCE-{year}", 30000, {'64': 30000}, False, Decimal('0.5')),
    ("Région Occitanie", "Pass ESS - coopération",
        "REG-OCC-{year}-117", 45000, {'64': 30000, '62': 10000, '60': 5000},
        False, Decimal('0.7')),
    ("ADEME", "Fonds économie circulaire - recyclerie",
        "ADEME-{year}-EC-042", 60000, {'INV': 40000, '64': 20000}, True,
        Decimal('0.3')),
    ("Caisse des Dépôts", "Appui aux PTCE - ingénierie",
        "CDC-{year}-PTCE", 25000, {'62': 25000}, False, Decimal('1')),
    ("Fondation de France", "Culture partagée",
        "FDF-{year}-0311", 15000, {'60': 5000, '62': 10000}, False,
        Decimal('0.5')),
    ("Département du Tarn", "Insertion et emploi",
        "CD81-{year}-INS", 20000, {'64': 20000}, False, Decimal('0.5')),
    ("Communauté d'agglomération Castres-Mazamet",
        "Animation commerciale du centre-ville", "CACM-{year}-08", 10000,
        {'62': 6000, '60': 4000}, False, Decimal('0')),
    ]

FUNDER_ADDRESSES = {
    "Préfecture du Tarn (État)": (
        "Place de la Préfecture", "81000", "Albi"),
    "Région Occitanie": (
        "22 boulevard du Maréchal Juin", "31400", "Toulouse"),
    "ADEME": ("20 avenue du Grésillé", "49000", "Angers"),
    "Caisse des Dépôts": ("56 rue de Lille", "75007", "Paris"),
    "Fondation de France": ("40 avenue Hoche", "75008", "Paris"),
    "Département du Tarn": ("Lices Georges Pompidou", "81000", "Albi"),
    "Communauté d'agglomération Castres-Mazamet": (
        "Espace d'entreprises Le Causse", "81100", "Castres"),
    }

ACTIVITIES = [
    ("Magasin de producteurs", 'CC', 2), ("Traiteur local", 'CC', 4),
    ("Atelier de couture partagé", 'TA', 3), ("Réparation de vélos", 'EC', 5),
    ("Ateliers d'éveil musical", 'CU', 9), ("Épicerie vrac", 'CC', 10),
    ]

JOBS = [
    ("Coordinatrice du pôle", 'cdi', '1', 1), ("Cuisinier", 'cdi', '1', 2),
    ("Commis de cuisine", 'cdd', '0.8', 3),
    ("Vendeuse magasin de producteurs", 'cdi', '0.8', 3),
    ("Valoriste", 'insertion', '1', 4), ("Valoriste", 'insertion', '1', 4),
    ("Agent de tri", 'insertion', '0.8', 5),
    ("Couturière", 'cdd', '0.5', 6), ("Apprenti cuisinier", 'apprentice',
        '1', 9), ("Chargée de programmation", 'cdi', '0.8', 9),
    ("Animateur réparation", 'cdd', '0.5', 10),
    ("Agent d'accueil", 'cdi', '1', 11),
    ]


def setup(config, modules, company):
    year = datetime.date.today().year
    Party = Model.get('party.party', config=config)
    Analytic = Model.get('analytic_account.account', config=config)
    Nature = Model.get('ptce.grant.budget.nature', config=config)
    Grant = Model.get('ptce.grant', config=config)

    roots = Analytic.find([('code', '=', 'SUB'), ('type', '=', 'root')])
    if roots:
        root, = roots
    else:
        root = Analytic(type='root', name="Subvention", code='SUB',
            company=company, state='opened')
        root.save()
    natures = {n.code: n for n in Nature.find([])}
    for (funder_name, programme, reference, amount, budget, de_minimis,
            received) in GRANTS:
        reference = reference.format(year=year)
        if Grant.find([('reference', '=', reference)]):
            continue
        funders = Party.find([('name', '=', funder_name)])
        if funders:
            funder = funders[0]
        else:
            funder = Party(name=funder_name)
            set_address(funder, FUNDER_ADDRESSES[funder_name], config)
            add_siren(funder, public=funder_name != "Fondation de France")
            funder.save()
        account = Analytic(type='normal', name=f"{funder_name} {year}",
            code=reference, root=root, parent=root, company=company,
            state='opened')
        account.save()
        grant = Grant(funder=funder, programme=programme,
            reference=reference, amount=Decimal(amount),
            requested_amount=Decimal(amount),
            start_date=datetime.date(year, 1, 1),
            end_date=datetime.date(year, 12, 31),
            award_date=datetime.date(year, 3, 15),
            analytic_account=account, de_minimis=de_minimis)
        for code, planned in budget.items():
            grant.budget_lines.new(nature=natures[code],
                amount=Decimal(planned))
        grant.save()
        grant.click('award')

    sectors = get_sectors(config=config)
    Activity = Model.get('ptce.activity', config=config)
    for name, sector, month in ACTIVITIES:
        Activity(name=name, sector=sectors.get(sector),
            start_date=datetime.date(year, month, 1)).save()
    Job = Model.get('ptce.job', config=config)
    for name, contract, fte, month in JOBS:
        Job(name=name, contract_type=contract, fte=Decimal(fte),
            start_date=datetime.date(year, month, 1),
            employer=company.party).save()
