"""The associates' year: applications admitted by the board through the
year, each with a subscription paid a quarter at once, the rest called a
few weeks later and paid after the call; two associates leave and their
shares are redeemed at nominal value (scic_members' rules: loi 1947
art. 12 for the quarter, the statutory refund delay)."""
import datetime
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from ..demo.scic_members import FIRST_NAMES, LAST_NAMES, STREETS, TOWNS

# At scale 1: the associates admitted during the year and those leaving
ADMISSIONS = 8
EXITS = 2
# The associates of the demo (ateliers/demo/scic_members.py) that the
# scale multiplies: taken over from the paper register before the year
BASE_ASSOCIATES = 50
CALL_AFTER = datetime.timedelta(days=42)
PAY_AFTER = datetime.timedelta(days=21)


def _next_open(sim, date):
    "The first opening day on or after date, None after the year"
    while date.year == sim.year and not sim.is_open(date):
        date += datetime.timedelta(days=1)
    return date if date.year == sim.year else None


def _new_party(sim, kind='person'):
    "A person of the Tarn with an address (a new name each time)"
    pool = Pool()
    Party = pool.get('party.party')
    Country = pool.get('country.country')
    france, = Country.search([('code', '=', 'FR')], limit=1)
    rng = sim.rng
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    postal_code, city = rng.choice(TOWNS)
    party, = Party.create([{
                'name': name,
                'addresses': [('create', [{
                                'street': (f"{rng.randint(1, 60)} "
                                    f"{rng.choice(STREETS)}"),
                                'postal_code': postal_code,
                                'city': city,
                                'country': france.id,
                                }])],
                }])
    return party


def _colleges(company):
    "The college of each category code of the company"
    College = Pool().get('scic.college')
    colleges = {}
    for college in College.search([('company', '=', company.id)]):
        for category in college.categories:
            colleges[category.code] = college
    return colleges


def _confirm(movements):
    """Confirm the movements and post their entries: the register and the
    ledger move together, as the accountant does each day"""
    pool = Pool()
    Movement = pool.get('scic.share.movement')
    Move = pool.get('account.move')
    Movement.save(movements)
    Movement.confirm(movements)
    moves = [m.move for m in Movement.browse(movements)
        if m.move and m.move.state == 'draft']
    if moves:
        Move.post(moves)


def setup(sim):
    pool = Pool()
    Company = pool.get('company.company')
    Category = pool.get('scic.category')
    Member = pool.get('scic.member')
    Movement = pool.get('scic.share.movement')
    company = Company(sim.company)
    rng = sim.rng
    nominal = company.scic_share_value
    categories = {c.code: c for c in Category.search([])}
    colleges = _colleges(company)
    codes = sorted(colleges)

    # The scale brings more associates, taken over from the register
    extra = BASE_ASSOCIATES * (sim.scale - 1)
    members = []
    for _ in range(extra):
        code = rng.choice(codes)
        admission = sim.start - datetime.timedelta(
            days=rng.randint(30, 3000))
        members.append(Member(company=company,
                party=_new_party(sim), kind='person',
                category=categories[code], college=colleges[code],
                application_date=admission - datetime.timedelta(days=30),
                admission_date=admission, admission_body='assembly'))
    if members:
        Member.save(members)
        Member.admit(members)
        openings = [Movement(company=company, kind='subscription',
                opening=True, member=m, date=m.admission_date,
                shares=(shares := rng.choice([1, 2, 4, 10])),
                amount_paid=nominal * shares,
                description="Reprise du registre papier")
            for m in members]
        with Transaction().set_context(_scic_defer_public_check=True):
            Movement.save(openings)
            Movement.confirm(openings)
        sim.summary['scic.register_taken_over'] += len(members)

    _opening_balance(sim, company)

    # The calendar of the year, drawn once for the whole year so that a
    # run stopped early (--until) is the beginning of the full one
    days = sorted(d for d in sim.opening_days if d.month > 1)
    plan = {}
    for _ in range(ADMISSIONS * sim.scale):
        admission = rng.choice(days)
        code = rng.choice(codes)
        plan.setdefault(admission.isoformat(), []).append(
            ('admit', code, rng.choice([1, 2, 4, 10])))
    # Those who leave: associates holding fully paid shares, the oldest
    # first in the draw, never of a mandatory category emptied
    leaving = Member.search([
            ('company', '=', company.id),
            ('state', '=', 'admitted'),
            ('category.mandatory', '=', False),
            ], order=[('number', 'ASC')])
    leaving = [m for m in leaving
        if m.shares and m.amount_paid >= nominal * m.shares]
    for member in rng.sample(leaving, min(EXITS * sim.scale, len(leaving))):
        day = rng.choice([d for d in days if d.month >= 3])
        plan.setdefault(day.isoformat(), []).append(('exit', member.id))
    sim.state['scic_members'] = {'plan': plan}


def _opening_balance(sim, company):
    """The capital the register holds on the eve of the year and that the
    ledger does not show yet, brought in as its opening balance (the
    simulated ledger starts empty): paid (10131, received at the bank),
    called unpaid (1012, due by the associates) and uncalled (1011)"""
    from scic_members.share_register import register_lines, register_totals
    pool = Pool()
    Account = pool.get('account.account')
    Move = pool.get('account.move')
    Line = pool.get('account.move.line')
    Period = pool.get('account.period')
    eve = sim.start - datetime.timedelta(days=1)
    totals = register_totals(register_lines(company, eve))
    lines = []
    for kind, counterpart, amount in [
            ('capital_uncalled', 'uncalled',
                totals['subscribed'] - totals['called']),
            ('capital_called', 'receivable',
                totals['called'] - totals['paid']),
            ('capital_paid', 'cash', totals['paid']),
            ]:
        account = company.scic_account(kind)
        other = company.scic_account(counterpart)
        if not account or not other:
            continue
        with Transaction().set_context(company=company.id, date=eve):
            # A credit account: what the ledger shows is minus its balance
            amount += Account(account.id).balance
        amount = company.currency.round(amount)
        if not amount or other.party_required:
            # The called unpaid capital is due by associates (a line each):
            # none at the opening of the demo's register
            continue
        lines += [Line(account=account, debit=Decimal(0), credit=amount),
            Line(account=other, debit=amount, credit=Decimal(0))]
    if not lines:
        return
    move = Move(company=company, journal=company.scic_get_journal(),
        period=Period.find(company, date=sim.start), date=sim.start,
        description="Reprise du capital du registre", lines=lines)
    Move.save([move])
    Move.post([move])
    sim.summary['scic.opening_balance'] = 1


def day(sim, date):
    plan = sim.state['scic_members']['plan'].pop(date.isoformat(), [])
    if plan:
        _events(sim, date, plan)
    if date == sim.end:
        Member = Pool().get('scic.member')
        sim.summary['scic.members'] = Member.search_count([
                ('company', '=', sim.company),
                ('state', '=', 'admitted'),
                ])


def _events(sim, date, plan):
    pool = Pool()
    Company = pool.get('company.company')
    Category = pool.get('scic.category')
    Member = pool.get('scic.member')
    Movement = pool.get('scic.share.movement')
    company = Company(sim.company)
    nominal = company.scic_share_value
    categories = {c.code: c for c in Category.search([])}
    colleges = _colleges(company)
    rng = sim.rng

    admitted, subscriptions, exits, later = [], [], [], {}
    for event in plan:
        if event[0] == 'admit':
            _, code, shares = event
            category = categories[code]
            member = Member(company=company, party=_new_party(sim),
                kind='person', category=category, college=colleges[code],
                application_date=date - datetime.timedelta(
                    days=rng.randint(20, 60)),
                admission_date=date, admission_body='board')
            admitted.append((member, shares))
        elif event[0] == 'call':
            _, member_id, amount = event
            subscriptions.append(Movement(company=company, kind='call',
                    member=member_id, date=date, amount=Decimal(amount),
                    description="Appel du solde de la souscription"))
            pay = _next_open(sim, date + PAY_AFTER)
            if pay:
                later.setdefault(pay.isoformat(), []).append(
                    ('payment', member_id, amount))
            sim.summary['scic.calls'] += 1
        elif event[0] == 'payment':
            _, member_id, amount = event
            subscriptions.append(Movement(company=company, kind='payment',
                    member=member_id, date=date, amount=Decimal(amount),
                    description="Libération du solde"))
            sim.summary['scic.payments'] += 1
        elif event[0] == 'exit':
            exits.append(Member(event[1]))

    if admitted:
        members = [m for m, _ in admitted]
        Member.save(members)
        Member.admit(members)
        for member, shares in admitted:
            # A quarter at least paid at once (loi 1947 art. 12)
            paid = nominal * shares / 4
            paid = company.currency.round(paid)
            subscriptions.append(Movement(company=company,
                    kind='subscription', member=member, date=date,
                    shares=shares, amount_paid=paid, amount_called=paid,
                    description="Souscription à l'admission"))
            rest = nominal * shares - paid
            call = _next_open(sim, date + CALL_AFTER)
            if call and rest:
                later.setdefault(call.isoformat(), []).append(
                    ('call', member.id, str(rest)))
        sim.summary['scic.admissions'] += len(members)
        sim.summary['scic.subscriptions'] += len(members)
    if subscriptions:
        _confirm(subscriptions)

    if exits:
        Member.write(exits, {
                'exit_date': date,
                'exit_reason': "Démission reçue par le conseil",
                })
        Member.resign(exits)
        redemptions = [Movement(company=company, kind='redemption',
                member=m, date=date, shares=m.shares,
                description="Remboursement des parts à la sortie")
            for m in exits]
        _confirm(redemptions)
        sim.summary['scic.exits'] += len(exits)
        sim.summary['scic.redemptions'] += len(redemptions)

    plan = sim.state['scic_members']['plan']
    for key, events in later.items():
        plan.setdefault(key, []).extend(events)


def year_end(sim):
    """The accountant posts the entries of the register left in draft
    (those the demo data made) before closing the year"""
    pool = Pool()
    Move = pool.get('account.move')
    Movement = pool.get('scic.share.movement')
    moves = Move.search([
            ('company', '=', sim.company),
            ('state', '=', 'draft'),
            ('date', '>=', sim.start),
            ('date', '<=', sim.end),
            ('origin', 'like', f'{Movement.__name__},%'),
            ])
    if moves:
        Move.post(moves)
        sim.summary['scic.entries_posted_at_year_end'] += len(moves)
