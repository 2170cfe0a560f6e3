"""The reporting side of the year: the visitors counted each opening day,
the grants' instalments received at the bank, the customers' transfers
received at the bank and matched with their invoices at the end of each
month, and the indicators computed at the end."""
import datetime
from decimal import Decimal

from trytond.pool import Pool

from ..demo.ptce_reporting import GRANTS

# About 150 visitors an opening day at scale 1
VISITORS = (110, 190)
# Share of the customers who pay their invoices by transfer within the
# month after their due date (the others are late: left to dunning)
PAYING = 0.95
# The revenue account of an operating grant, by funder (accounting.md:
# 74 Subventions d'exploitation, detailed by ptce_reporting's chart)
GRANT_ACCOUNTS = {
    "Préfecture du Tarn (État)": '741',
    "Région Occitanie": '742',
    "Département du Tarn": '743',
    "Communauté d'agglomération Castres-Mazamet": '744',
    }
OTHER_GRANTS = '748'
# The operating grants due from the funders until they pay (accounting.md)
GRANT_RECEIVABLE = '4417'
BANK = '5121'


def _account(code):
    Account = Pool().get('account.account')
    account, = Account.search([('code', '=', code)], limit=1)
    return account


def _bank_journal(sim):
    "The bank journal of the transfers received (created once)"
    Journal = Pool().get('account.journal')
    journals = Journal.search([('code', '=', 'BQ')], limit=1)
    if journals:
        return journals[0]
    journal, = Journal.create([{
                'name': "Banque", 'code': 'BQ', 'type': 'cash'}])
    return journal


def setup(sim):
    pool = Pool()
    Grant = pool.get('ptce.grant')
    Method = pool.get('account.invoice.payment.method')
    rng = sim.rng
    journal = _bank_journal(sim)
    bank = _account(BANK)
    methods = Method.search([
            ('company', '=', sim.company), ('journal', '=', journal.id)],
        limit=1)
    if methods:
        method, = methods
    else:
        method, = Method.create([{
                    'company': sim.company, 'name': "Virement reçu",
                    'journal': journal.id,
                    'debit_account': bank.id, 'credit_account': bank.id,
                    }])

    # The instalments of the grants of the year, on the dates the funders
    # pay (the share the demo's GRANTS say is received in the year)
    received = {programme: share
        for _, programme, _, _, _, _, share in GRANTS}
    plan = {}
    grants = Grant.search([
            ('company', '=', sim.company),
            ('state', 'in', ['awarded', 'received']),
            ('start_date', '<=', datetime.date(sim.year, 12, 31)),
            ('end_date', '>=', sim.start),
            ], order=[('reference', 'ASC')])
    for grant in grants:
        share = received.get(grant.programme, Decimal('0.5'))
        amount = grant.currency.round(grant.amount * share)
        amount -= sum((i.amount for i in grant.instalments), Decimal(0))
        if amount <= 0:
            continue
        first = max(grant.award_date or sim.start, sim.start)
        days = sorted(d for d in sim.opening_days
            if d > first + datetime.timedelta(days=30))
        if not days:
            continue
        if share == 1 and len(days) > 120:
            # Paid in two: an advance, the balance later
            advance = grant.currency.round(amount * Decimal('0.6'))
            first_day = rng.choice(days[:60])
            plan.setdefault(first_day.isoformat(), []).append(
                (grant.id, str(advance)))
            plan.setdefault(rng.choice(days[120:]).isoformat(), []).append(
                (grant.id, str(amount - advance)))
        else:
            plan.setdefault(rng.choice(days[:90]).isoformat(), []).append(
                (grant.id, str(amount)))
    sim.state['ptce_reporting'] = {
        'plan': plan, 'journal': journal.id, 'method': method.id}
    _recognise_grants(sim, plan)
    sim.summary['reporting.grants'] = len(grants)


def day(sim, date):
    pool = Pool()
    VisitorCount = pool.get('ptce.visitor.count')
    if sim.is_open(date):
        count = sum(sim.rng.randint(*VISITORS) for _ in range(sim.scale))
        VisitorCount.create([{
                    'company': sim.company, 'date': date,
                    'site': "Les Ateliers", 'count': count}])
        sim.summary['reporting.visitors'] += count
        sim.summary['opening_days'] += 1
    for grant_id, amount in sim.state['ptce_reporting']['plan'].pop(
            date.isoformat(), []):
        _receive_instalment(sim, date, grant_id, Decimal(amount))
    if date == sim.end and not sim.reaches_year_end:
        # A year so far (the demo): its indicators as of today
        _compute_indicators(sim)


def _post_move(sim, grant, date, description, debit, credit, amount):
    "Post the move debit / credit of amount for the grant, return it"
    pool = Pool()
    Move = pool.get('account.move')
    Line = pool.get('account.move.line')
    Period = pool.get('account.period')
    Journal = pool.get('account.journal')
    lines = [Line(account=debit, debit=amount, credit=Decimal(0)),
        Line(account=credit, debit=Decimal(0), credit=amount)]
    for line in lines:
        if line.account.party_required:
            line.party = grant.funder
    move = Move(company=grant.company,
        journal=Journal(sim.state['ptce_reporting']['journal']),
        period=Period.find(grant.company, date=date), date=date,
        # No origin: account.move does not list ptce.grant among its
        # origins; the instalment points to the bank line instead
        description=description, lines=lines)
    Move.save([move])
    Move.post([move])
    return move


def _recognise_grants(sim, plan):
    """The operating grants the funders notified for the year: the amount
    they will pay in the year is due (4417 / 74x) from the first day of
    the simulated range, settled by their instalments"""
    Grant = Pool().get('ptce.grant')
    due = {}
    for events in plan.values():
        for grant_id, amount in events:
            due[grant_id] = due.get(grant_id, Decimal(0)) + Decimal(amount)
    for grant_id, amount in sorted(due.items()):
        grant = Grant(grant_id)
        _post_move(sim, grant, sim.start, f"Subvention {grant.reference}",
            _account(GRANT_RECEIVABLE),
            _account(GRANT_ACCOUNTS.get(grant.funder.name, OTHER_GRANTS)),
            amount)


def _receive_instalment(sim, date, grant_id, amount):
    """The funder's transfer on the bank statement: 512 / 4417, and the
    instalment of the grant linked to its bank line"""
    pool = Pool()
    Grant = pool.get('ptce.grant')
    Instalment = pool.get('ptce.grant.instalment')
    grant = Grant(grant_id)
    move = _post_move(sim, grant, date, f"Versement {grant.reference}",
        _account(BANK), _account(GRANT_RECEIVABLE), amount)
    bank_line, = [l for l in move.lines if l.account.code == BANK]
    Instalment.create([{
                'grant': grant.id, 'date': date, 'amount': amount,
                'move_line': bank_line.id, 'description': "Versement"}])
    if grant.state == 'awarded':
        Grant.receive([grant])
    sim.summary['reporting.instalments'] += 1


def month_end(sim, date):
    """The transfers of the month received at the bank, each matched with
    the invoice it pays (the stock payment of account_invoice: a bank
    line reconciled with the invoice's receivable line)"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Method = pool.get('account.invoice.payment.method')
    Line = pool.get('account.move.line')
    method = Method(sim.state['ptce_reporting']['method'])
    rng = sim.rng
    invoices = Invoice.search([
            ('company', '=', sim.company),
            ('type', '=', 'out'),
            ('state', '=', 'posted'),
            ('invoice_date', '<=', date),
            ], order=[('invoice_date', 'ASC'), ('id', 'ASC')])
    paid = 0
    for invoice in invoices:
        if rng.random() >= PAYING or not invoice.amount_to_pay:
            continue
        # Paid within the month after the invoice (rents at the due date)
        day = min(date, max(invoice.invoice_date, date.replace(day=1))
            + datetime.timedelta(days=rng.randint(0, 20)))
        lines = invoice.pay_invoice(
            invoice.amount_to_pay, method, day,
            f"Virement {invoice.party.rec_name}")
        to_reconcile = [l for l in invoice.lines_to_pay
            if not l.reconciliation] + list(lines)
        Line.reconcile(to_reconcile)
        paid += 1
    sim.summary['reporting.bank_receipts'] += paid


def year_end(sim):
    _compute_indicators(sim)


def _compute_indicators(sim):
    "The indicators of the year as the wizard computes them"
    pool = Pool()
    Company = pool.get('company.company')
    Value = pool.get('ptce.indicator.value')
    Value.refresh(Company(sim.company), sim.year)
