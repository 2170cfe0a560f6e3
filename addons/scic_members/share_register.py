# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The registers (associates, movements) at a date, their documents and
exports. The queries are set-based so that a register of 10,000 associates
is read with a handful of queries."""
import datetime
from decimal import Decimal

from sql.functions import CharLength
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import (
    Button,
    StateReport,
    StateTransition,
    StateView,
    Wizard,
)

from ptce_company.report import DocumentReport
from ptce_company.spreadsheet import csv_value, xlsx_row

REGISTER_COLUMNS = [
    ('number', "N° associé"),
    ('name', "Nom / Raison sociale"),
    ('kind', "Type"),
    ('category', "Catégorie"),
    ('college', "Collège"),
    ('admission_date', "Date d'admission"),
    ('exit_date', "Date de sortie"),
    ('shares', "Nombre de parts"),
    ('subscribed', "Montant souscrit"),
    ('called', "Montant appelé"),
    ('paid', "Montant libéré"),
    ('refund', "Montant à rembourser"),
    ]
THOUSANDS = '\u202f'
NBSP = '\u00a0'
# The documents are French legal documents: the values of the selections
# they print are worded here, in French whatever the languages loaded.
DOCUMENT_LABELS = {
    'movement': {
        'subscription': "Souscription",
        'call': "Appel",
        'payment': "Versement",
        'transfer': "Cession",
        'redemption_request': "Demande de remboursement",
        'redemption': "Remboursement",
        'refund': "Paiement du remboursement",
        'cancellation': "Annulation",
        },
    'assembly': {
        'ordinary': "ordinaire",
        'extraordinary': "extraordinaire",
        },
    'attendance': {
        'absent': "Absent",
        'present': "Présent",
        'represented': "Représenté",
        },
    'outcome': {
        'pending': "en attente",
        'adopted': "adoptée",
        'rejected': "rejetée",
        },
    }
KIND_LABELS = {
    'person': "Personne physique", 'organisation': "Personne morale"}


def register_lines(company, date=None):
    """The register of associates at `date` (today by default): one dict
    per associate admitted at that date or still holding shares or a
    refund, ordered by number, with the keys of REGISTER_COLUMNS."""
    pool = Pool()
    Member = pool.get('scic.member')
    Movement = pool.get('scic.share.movement')
    Party = pool.get('party.party')
    Category = pool.get('scic.category')
    College = pool.get('scic.college')
    date = date or datetime.date.today()
    cursor = Transaction().connection.cursor()
    member = Member.__table__()
    party = Party.__table__()
    balances = Movement.balances(None, date=date, company=company)
    categories = {c.id: c.rec_name for c in Category.search([
                ('active', 'in', [True, False])])}
    colleges = {c.id: c.rec_name for c in College.search([
                ('company', '=', int(company)),
                ('active', 'in', [True, False])])}
    cursor.execute(*member.join(party,
            condition=member.party == party.id).select(
            member.id, member.number, party.name, member.kind,
            member.category, member.college, member.admission_date,
            member.exit_date,
            where=(member.company == int(company))
            & (member.state != 'candidate')
            & (member.admission_date <= date),
            order_by=[
                CharLength(member.number).asc, member.number.asc,
                member.id.asc]))
    lines = []
    empty = Movement.empty_balance()
    for (member_id, number, name, kind, category, college, admission_date,
            exit_date) in cursor:
        balance = balances.get(member_id, empty)
        admission_date = _date(admission_date)
        exit_date = _date(exit_date)
        gone = exit_date and exit_date <= date
        if gone and not balance['shares'] and not balance['refund']:
            continue
        lines.append({
                'id': member_id,
                'number': number or '',
                'name': name,
                'kind': KIND_LABELS.get(kind, kind),
                'category': categories.get(category, ''),
                'college': colleges.get(college, ''),
                'admission_date': admission_date,
                'exit_date': exit_date if gone else None,
                'shares': balance['shares'],
                'subscribed': balance['subscribed'],
                'called': balance['called'],
                'paid': balance['paid'],
                'refund': balance['refund'],
                })
    return lines


def _date(value):
    # SQLite returns dates read by raw queries as text.
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def register_totals(lines):
    totals = {'count': len(lines)}
    for key in ['shares', 'subscribed', 'called', 'paid', 'refund']:
        totals[key] = sum((line[key] for line in lines),
            0 if key == 'shares' else Decimal(0))
    return totals


def movement_lines(company, date=None):
    "The confirmed movements up to `date`, in register order"
    pool = Pool()
    Movement = pool.get('scic.share.movement')
    domain = [
        ('company', '=', int(company)),
        ('state', '=', 'confirmed'),
        ]
    if date:
        domain.append(('date', '<=', date))
    return Movement.search(domain, order=[('number', 'ASC')])


def write_csv(path, lines):
    """The register lines as CSV (semicolon separated, UTF-8); names typed
    by users cannot run as formulas (ptce_company.spreadsheet)."""
    import csv
    with open(path, 'w', newline='', encoding='utf-8') as fp:
        writer = csv.writer(fp, delimiter=';')
        writer.writerow([label for _, label in REGISTER_COLUMNS])
        for line in lines:
            writer.writerow([_text(line[key]) for key, _ in REGISTER_COLUMNS])


def write_xlsx(path, lines):
    """The register lines as XLSX: amounts and shares as numbers, names
    made safe (no formula, no control character: ptce_company.spreadsheet)."""
    from openpyxl import Workbook
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Registre des associés")
    sheet.append([label for _, label in REGISTER_COLUMNS])
    for line in lines:
        sheet.append(xlsx_row(
                float(v) if isinstance(v, Decimal) else v
                for v in (line[key] for key, _ in REGISTER_COLUMNS)))
    workbook.save(path)


def _text(value):
    if value is None:
        return ''
    if isinstance(value, datetime.date):
        return value.strftime('%d/%m/%Y')
    if isinstance(value, str):
        return csv_value(value)
    # Numbers, a negative amount too, stay as written: not texts
    return str(value)


class PrintRegisterStart(ModelView):
    "Print SCIC Register"
    __name__ = 'scic.register.print.start'
    __string__ = "Print SCIC Register"
    company = fields.Many2One('company.company', "Company", required=True)
    date = fields.Date("Date", required=True)
    register = fields.Selection([
            ('members', "Register of Associates"),
            ('movements', "Register of Movements"),
            ], "Register", required=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return datetime.date.today()

    @classmethod
    def default_register(cls):
        return 'members'


class PrintRegister(Wizard):
    "Print SCIC Register"
    __name__ = 'scic.register.print'
    start = StateView('scic.register.print.start',
        'scic_members.register_print_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateTransition()
    members = StateReport('scic.member_register')
    movements = StateReport('scic.movement_register')

    def transition_print_(self):
        return self.start.register

    def _data(self, action):
        return action, {
            'company': self.start.company.id,
            'date': self.start.date,
            }

    def do_members(self, action):
        return self._data(action)

    def do_movements(self, action):
        return self._data(action)


class AttestationStart(ModelView):
    "Print SCIC Attestation"
    __name__ = 'scic.attestation.print.start'
    __string__ = "Print SCIC Attestation"
    date = fields.Date("Date", required=True,
        help="The shares held at this date are attested.")

    @classmethod
    def default_date(cls):
        return datetime.date.today()


class PrintAttestation(Wizard):
    "Print SCIC Attestation"
    __name__ = 'scic.attestation.print'
    start = StateView('scic.attestation.print.start',
        'scic_members.attestation_print_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('scic.attestation')

    def do_print_(self, action):
        return action, {
            'ids': [r.id for r in self.records],
            'date': self.start.date,
            }


class ScicReport(DocumentReport):
    """The documents of the share register and the general assembly: HTML
    templates rendered to PDF (ptce_company's DocumentReport), dates as
    dd/mm/yyyy and amounts in euros the French way."""

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        # The company of the register asked for, else of the records (an
        # associate, a movement, an assembly), else of the user
        company = None
        if data.get('company'):
            company = Company(data['company'])
        elif records and getattr(records[0], 'company', None):
            company = records[0].company
        if company and company != context['company']:
            context['company'] = company
            context['legal_mentions'] = company.get_legal_mentions()
        company = context['company']
        context['legal_mentions'] = _variable_capital(
            context['legal_mentions'])
        context['company_address'] = _address(
            company.party) if company else ''
        context['company_city'] = _city(company.party) if company else ''
        context['share_value'] = (
            company.scic_share_value if company else None)
        context['at_date'] = data.get('date') or datetime.date.today()
        context['today'] = datetime.date.today()
        context['labels'] = DOCUMENT_LABELS
        context['format_amount'] = _format_amount
        context['format_date'] = _format_date
        context['format_ratio'] = _format_ratio
        context['ordinal'] = _ordinal
        context['party_address'] = _address
        return context


def _variable_capital(lines):
    """A SCIC has a variable capital (loi 1947 art. 19 quinquies): every
    document it issues says "à capital variable" beside its name (C. com.
    art. L231-2), even when the legal form of the company omits it."""
    lines = list(lines)
    if lines and not any('capital variable' in line for line in lines):
        lines[0] += ", société coopérative d'intérêt collectif à capital " \
            "variable"
    return lines


def _address(party):
    "The address of `party` on one line"
    address = party.address_get() if party else None
    if address and address.full_address:
        return ', '.join(
            line.strip() for line in address.full_address.splitlines()
            if line.strip())
    return ''


def _city(party):
    address = party.address_get() if party else None
    return (address.city or '') if address else ''


def _format_amount(value):
    value = Decimal(value or 0).quantize(Decimal('0.01'))
    integer, decimals = f'{value:.2f}'.split('.')
    sign = '-' if integer.startswith('-') else ''
    integer = integer.lstrip('-')
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    # Narrow no-break spaces between thousands, a no-break space before €
    return f"{sign}{THOUSANDS.join(groups)},{decimals}{NBSP}€"


def _format_date(value):
    return value.strftime('%d/%m/%Y') if value else ''


def _format_ratio(value):
    "A ratio (0.7) as a French percentage (70,00 %)"
    if value is None:
        return '-'
    value = (Decimal(value) * 100).quantize(Decimal('0.01'))
    return f"{value:.2f}".replace('.', ',') + NBSP + '%'


ORDINALS = [
    "Première", "Deuxième", "Troisième", "Quatrième", "Cinquième",
    "Sixième", "Septième", "Huitième", "Neuvième", "Dixième", "Onzième",
    "Douzième", "Treizième", "Quatorzième", "Quinzième", "Seizième",
    "Dix-septième", "Dix-huitième", "Dix-neuvième", "Vingtième"]


def _ordinal(number):
    "The French feminine ordinal of `number` (1 → Première), as resolutions"
    if 1 <= number <= len(ORDINALS):
        return ORDINALS[number - 1]
    return f"{number}e"


class SubscriptionForm(ScicReport):
    "Bulletin de souscription"
    __name__ = 'scic.subscription_form'


class Attestation(ScicReport):
    "Attestation de détention de parts"
    __name__ = 'scic.attestation'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Member = pool.get('scic.member')
        context = super().get_context(records, header, data)
        holdings = []
        for member in records:
            holding = Member.get_holdings_data(
                member.party, context['at_date'], member.company)
            if holding:
                holdings.append((member, holding))
        context['holdings'] = holdings
        return context


class MemberRegister(ScicReport):
    "Registre des associés"
    __name__ = 'scic.member_register'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        lines = register_lines(context['company'], context['at_date'])
        context['lines'] = lines
        context['totals'] = register_totals(lines)
        return context


class MovementRegister(ScicReport):
    "Registre des mouvements"
    __name__ = 'scic.movement_register'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['movements'] = movement_lines(
            context['company'], context['at_date'])
        return context


class ConvocationList(ScicReport):
    "Liste des associés convoqués"
    __name__ = 'scic.assembly.convocation_list'


class AttendanceSheet(ScicReport):
    "Feuille de présence"
    __name__ = 'scic.assembly.attendance_sheet'


class Minutes(ScicReport):
    "Procès-verbal"
    __name__ = 'scic.assembly.minutes'
