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

ORGANISATIONS = [
    # name, category code, college, shares
    ("CAE REGATE", 'producers', 'Entreprises et structures', 20),
    ("CAE REGABAT", 'producers', 'Entreprises et structures', 20),
    ("Courgette", 'producers', 'Entreprises et structures', 10),
    ("Cocotte & cie", 'producers', 'Entreprises et structures', 10),
    ("ETIC – foncièrement responsable", 'supporters', 'Soutiens', 40),
    ("CPIE des Pays Tarnais", 'producers', 'Entreprises et structures', 10),
    ("leS", 'supporters', 'Soutiens', 20),
    ("CREPT Formation", 'producers', 'Entreprises et structures', 10),
    ("Les Ateliers de la Communication", 'producers',
        'Entreprises et structures', 5),
    ("Radiom", 'producers', 'Entreprises et structures', 5),
    ("L'Escal (épicerie sociale)", 'beneficiaries', 'Usagers', 5),
    ("Les Ateliers du bien-être", 'producers', 'Entreprises et structures', 5),
    ("ÔLyse Patrimoine", 'producers', 'Entreprises et structures', 5),
    ("ADIHT'ESS", 'supporters', 'Soutiens', 5),
    ("La Fibre Câline", 'producers', 'Entreprises et structures', 5),
    ("Troc Sel", 'beneficiaries', 'Usagers', 2),
    ("Café Plum", 'producers', 'Entreprises et structures', 5),
    ("IDRR", 'supporters', 'Soutiens', 5),
    ("Artisans du Monde", 'producers', 'Entreprises et structures', 5),
    ("Communauté d'agglomération Castres-Mazamet", 'public_bodies',
        'Soutiens', 30),
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
        people.append((name, category, college_of[category].name,
                rng.choice([1, 2, 4, 10])))
    entries = [(n, c, col, s, 'organisation')
        for n, c, col, s in ORGANISATIONS] + [
        (n, c, col, s, 'person') for n, c, col, s in people]

    parties = [Party(name=e[0]) for e in entries]
    Party.save(parties)
    members = []
    for party, (name, category, college, shares, kind) in zip(
            parties, entries):
        admission = datetime.date(2016, 6, 1) + datetime.timedelta(
            days=rng.randint(0, 3000))
        members.append(Member(
                party=party, kind=kind, category=categories[category],
                college=colleges[college], admission_date=min(
                    admission, today.replace(month=1, day=1)),
                admission_body='assembly'))
    Member.save(members)
    Member.click(members, 'admit')

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
