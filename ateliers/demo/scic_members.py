# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data: the 50 associates of Les Ateliers (20 organisations, among
them the member organisations, and 30 persons) in 4 voting colleges, with
their subscriptions, and a general assembly."""
import datetime
import random
from decimal import Decimal

from proteus import Model

from .parties import BUILDING, add_siren, set_address

ORGANISATIONS = [
    # name, category code, college, shares, address (None: a tenant of
    # the building)
    ("CAE REGATE", 'producers', 'Entreprises et structures', 20, None),
    ("CAE REGABAT", 'producers', 'Entreprises et structures', 20,
        ("5 rue Frédéric Thomas", "81100", "Castres")),
    ("Courgette", 'producers', 'Entreprises et structures', 10, None),
    ("Cocotte & cie", 'producers', 'Entreprises et structures', 10,
        ("14 place Jean Jaurès", "81100", "Castres")),
    ("ETIC – foncièrement responsable", 'supporters', 'Soutiens', 40,
        ("24 rue Sainte-Catherine", "69001", "Lyon")),
    ("CPIE des Pays Tarnais", 'producers', 'Entreprises et structures', 10,
        None),
    ("leS", 'supporters', 'Soutiens', 20,
        ("3 rue Villegoudou", "81100", "Castres")),
    ("CREPT Formation", 'producers', 'Entreprises et structures', 10, None),
    ("Les Ateliers de la Communication", 'producers',
        'Entreprises et structures', 5, None),
    ("Radiom", 'producers', 'Entreprises et structures', 5, None),
    ("L'Escal (épicerie sociale)", 'beneficiaries', 'Usagers', 5, None),
    ("Les Ateliers du bien-être", 'producers', 'Entreprises et structures',
        5, ("8 rue Sabatier", "81100", "Castres")),
    ("ÔLyse Patrimoine", 'producers', 'Entreprises et structures', 5, None),
    ("ADIHT'ESS", 'supporters', 'Soutiens', 5,
        ("2 rue de la Libération", "81200", "Mazamet")),
    ("La Fibre Câline", 'producers', 'Entreprises et structures', 5, None),
    ("Troc Sel", 'beneficiaries', 'Usagers', 2, None),
    ("Café Plum", 'producers', 'Entreprises et structures', 5, None),
    ("IDRR", 'supporters', 'Soutiens', 5,
        ("10 boulevard Carnot", "81000", "Albi")),
    ("Artisans du Monde", 'producers', 'Entreprises et structures', 5, None),
    ("Communauté d'agglomération Castres-Mazamet", 'public_bodies',
        'Soutiens', 30, ("Espace d'entreprises Le Causse", "81100",
            "Castres")),
    ]
COLLEGES = [
    ("Salariés", Decimal(30), ['employees']),
    ("Usagers", Decimal(25), ['beneficiaries', 'volunteers']),
    ("Entreprises et structures", Decimal(30), ['producers']),
    ("Soutiens", Decimal(15), ['supporters', 'public_bodies']),
    ]
FIRST_NAMES = [
    "Camille", "Louise", "Jules", "Emma", "Hugo", "Léa", "Arthur", "Chloé",
    "Paul", "Manon", "Lucas", "Inès", "Nathan", "Jade", "Théo", "Zoé",
    "Marius", "Alice", "Gabriel", "Rose", "Louis", "Anna", "Noé", "Lina",
    "Tom", "Clara", "Sacha", "Lou", "Victor", "Margaux"]
LAST_NAMES = [
    "Alquier", "Bastide", "Cabrol", "Delmas", "Escande", "Fabre", "Gasc",
    "Huc", "Izard", "Jalabert", "Lacombe", "Maffre", "Nègre", "Ourliac",
    "Pujol", "Quintard", "Rouquette", "Sabatier", "Teulière", "Vidal",
    "Azaïs", "Barthe", "Cassan", "Durand", "Estève", "Fournier", "Granier",
    "Houlès", "Icher", "Julien"]
# 30 persons: 10 employees, 12 beneficiaries/users, 8 volunteers.
PERSON_CATEGORIES = (
    ['employees'] * 10 + ['beneficiaries'] * 12 + ['volunteers'] * 8)
STREETS = [
    "rue Gabriel Guy", "rue de l'Hôtel de Ville", "avenue du Sidobre",
    "rue Émile Zola", "boulevard des Docteurs Sicard", "rue Tolosane",
    "rue de la Platé", "avenue Charles de Gaulle", "rue Paul Bert",
    "chemin de Fontaine-Bonne"]
TOWNS = [("81100", "Castres")] * 6 + [
    ("81200", "Mazamet"), ("81290", "Labruguière"), ("81710", "Saïx"),
    ("81090", "Lagarrigue")]
# Two persons who applied in the last weeks, not admitted yet: the board
# decides at its next meeting.
CANDIDATES = [
    ("Mathilde Roques", 'volunteers', "Usagers"),
    ("Baptiste Calmels", 'employees', "Salariés"),
    ]


def setup(config, modules, company):
    Category = Model.get('scic.category', config=config)
    College = Model.get('scic.college', config=config)
    Party = Model.get('party.party', config=config)
    Member = Model.get('scic.member', config=config)
    Movement = Model.get('scic.share.movement', config=config)
    Assembly = Model.get('scic.assembly', config=config)
    rng = random.Random(2016)
    today = datetime.date.today()

    company.scic_share_value = Decimal('50')
    company.scic_colleges_used = True
    company.save()

    journal = create_direct_debit(config, company)

    categories = {c.code: c for c in Category.find([])}
    colleges = {}
    for name, weight, codes in COLLEGES:
        colleges[name] = College(
            name=name, weight=weight,
            categories=[categories[c] for c in codes])
    College.save(list(colleges.values()))
    college_of = {code: colleges[name]
        for name, _, codes in COLLEGES for code in codes}

    people = []
    for index, category in enumerate(PERSON_CATEGORIES):
        name = f"{FIRST_NAMES[index]} {LAST_NAMES[index]}"
        address = (f"{rng.randint(1, 60)} {rng.choice(STREETS)}",
            *rng.choice(TOWNS))
        people.append((name, category, college_of[category].name,
                rng.choice([1, 2, 4, 10]), address))
    entries = [(n, c, col, s, 'organisation', a or BUILDING)
        for n, c, col, s, a in ORGANISATIONS] + [
        (n, c, col, s, 'person', a) for n, c, col, s, a in people]

    parties = []
    for name, category, _, _, kind, address in entries:
        party = Party(name=name)
        set_address(party, address, config)
        if kind == 'organisation':
            add_siren(party, public=category == 'public_bodies')
        parties.append(party)
    Party.save(parties)
    members = []
    for party, (name, category, college, shares, kind, _) in zip(
            parties, entries):
        admission = min(
            datetime.date(2016, 6, 1) + datetime.timedelta(
                days=rng.randint(0, 3000)),
            today.replace(month=1, day=1))
        # The application comes first; the assembly admits a few weeks
        # later
        application = admission - datetime.timedelta(
            days=rng.randint(15, 75))
        members.append(Member(
                party=party, kind=kind, category=categories[category],
                college=colleges[college], application_date=application,
                admission_date=admission, admission_body='assembly'))
    Member.save(members)
    Member.click(members, 'admit')

    # Recent applications, waiting for the board
    candidates = []
    for name, category, college in CANDIDATES:
        party = Party(name=name)
        set_address(party, (f"{rng.randint(1, 60)} {rng.choice(STREETS)}",
                *rng.choice(TOWNS)), config)
        party.save()
        candidates.append(Member(party=party, kind='person',
                category=categories[category], college=colleges[college],
                application_date=today - datetime.timedelta(
                    days=rng.randint(5, 40))))
    Member.save(candidates)

    # Historical subscriptions, taken over from the paper register.
    movements = []
    for member, entry in zip(members, entries):
        shares = entry[3]
        movements.append(Movement(
                kind='subscription', opening=True, member=member,
                date=member.admission_date, shares=shares,
                amount_paid=Decimal(50) * shares,
                description="Reprise du registre papier"))
    Movement.save(movements)
    Movement.click(movements, 'confirm')

    # This year: new subscriptions partly paid, then a call and payment,
    # with their accounting entries.
    year_start = today.replace(month=1, day=15)
    recent = []
    for member in members[20:25]:
        recent.append(Movement(
                kind='subscription', member=member, date=year_start,
                shares=4, amount_paid=Decimal(50), amount_called=Decimal(50),
                description="Souscription complémentaire"))
    Movement.save(recent)
    Movement.click(recent, 'confirm')
    calls = [Movement(kind='call', member=m.member, amount=Decimal(150),
            date=year_start + datetime.timedelta(days=30))
        for m in recent[:3]]
    Movement.save(calls)
    Movement.click(calls, 'confirm')
    payments = [Movement(kind='payment', member=m.member,
            amount=Decimal(150),
            date=year_start + datetime.timedelta(days=45))
        for m in calls[:2]]
    Movement.save(payments)
    Movement.click(payments, 'confirm')
    # A subscription being entered, to confirm once the bulletin is signed
    Movement(kind='subscription', member=members[30], date=today,
        shares=2, amount_paid=Decimal(100),
        description="Souscription complémentaire").save()

    # The last call is not paid: the associate signed a SEPA mandate and
    # the call is collected by direct debit (one submitted payment).
    Move = Model.get('account.move', config=config)
    unpaid = calls[2]
    Move.click([recent[2].move, unpaid.move], 'post')
    create_mandate(config, unpaid.member.party, 'SCIC-DEMO-1',
        'FR14 2004 1010 0505 0001 3M02 606', year_start)
    company.scic_payment_journal = journal
    company.save()
    unpaid.click('direct_debit')

    assembly = Assembly(
        name=f"Assemblée générale ordinaire {today.year}",
        date=today.replace(month=6, day=20),
        convocation_date=today.replace(month=6, day=1),
        location="22 rue Méridonde, Castres")
    assembly.resolutions.new(
        title="Approbation des comptes de l'exercice",
        text="L'assemblée approuve les comptes de l'exercice écoulé.")
    assembly.resolutions.new(
        title="Affectation du résultat",
        text="57,5 % au moins du résultat est affecté aux réserves "
        "impartageables.")
    assembly.save()
    assembly.click('convene')


def create_direct_debit(config, company):
    """What the accountant sets up to collect share calls by SEPA direct
    debit: account 45625 collectable (type receivable, party required), the
    cooperative's creditor identifier (ICS), bank account and direct debit
    journal.  Returns the journal (set on the company once the entries of
    the year are in)."""
    Account = Model.get('account.account', config=config)
    Party = Model.get('party.party', config=config)
    Bank = Model.get('bank', config=config)
    BankAccount = Model.get('bank.account', config=config)
    PaymentJournal = Model.get('account.payment.journal', config=config)
    receivable, = Account.find([('code', '=', '45625')])
    receivable.type.receivable = True
    receivable.type.save()
    receivable.party_required = True
    receivable.save()
    party = Party(company.party.id)
    identifier = party.identifiers.new()
    identifier.type = 'eu_at_02'
    identifier.code = 'FR72ZZZ123456'
    party.save()
    bank_party = Party(name="Crédit Coopératif")
    set_address(bank_party, ("12 boulevard Pesaro", "92000", "Nanterre"),
        config)
    add_siren(bank_party)
    bank_party.save()
    bank = Bank(party=bank_party, bic='CCOPFRPP')
    bank.save()
    account = BankAccount(bank=bank)
    account.owners.append(Party(company.party.id))
    number = account.numbers.new(type='iban')
    number.number = 'FR76 3000 4000 0312 3456 7890 143'
    account.save()
    journal = PaymentJournal(name="Prélèvements SCIC")
    journal.process_method = 'sepa'
    journal.sepa_bank_account_number, = account.numbers
    journal.sepa_payable_flavor = 'pain.001.001.03'
    journal.sepa_receivable_flavor = 'pain.008.001.02'
    journal.save()
    return journal


def create_mandate(config, party, identification, iban, date):
    "A validated recurrent SEPA mandate of party on a new bank account"
    Party = Model.get('party.party', config=config)
    Bank = Model.get('bank', config=config)
    BankAccount = Model.get('bank.account', config=config)
    Mandate = Model.get('account.payment.sepa.mandate', config=config)
    bank, = Bank.find([('bic', '=', 'CCOPFRPP')])
    account = BankAccount(bank=bank)
    account.owners.append(Party(party.id))
    number = account.numbers.new(type='iban')
    number.number = iban
    account.save()
    mandate = Mandate(party=Party(party.id), identification=identification)
    mandate.account_number, = account.numbers
    mandate.type = 'recurrent'
    mandate.click('request')
    mandate.signature_date = date
    mandate.click('validate_mandate')
    return mandate
