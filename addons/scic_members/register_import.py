# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Import of a legacy register of associates kept in an Excel 97-2003
workbook (layout in shared/register-import.md). All or nothing: every row
is checked first; any defect aborts with the list of all bad rows."""
import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from stdnum.fr import siret as siret_check
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from .bulk import bulk_create, instances
from .exceptions import RegisterImportError

# normalised header -> field
HEADERS = {
    'n° associe': 'number', 'numero': 'number', 'n°': 'number',
    'no associe': 'number', 'numero d\'associe': 'number',
    'type': 'kind',
    'nom': 'name', 'raison sociale': 'name', 'nom / raison sociale': 'name',
    'nom/raison sociale': 'name',
    'prenom': 'first_name',
    'siret': 'siret',
    'email': 'email', 'courriel': 'email', 'e-mail': 'email',
    'adresse': 'street', 'code postal': 'postal_code', 'ville': 'city',
    'categorie': 'category',
    'college': 'college',
    'date d\'admission': 'admission_date', 'date d\'entree': 'admission_date',
    'nombre de parts': 'shares', 'parts': 'shares',
    'montant libere': 'paid', 'libere': 'paid',
    'date de sortie': 'exit_date',
    }
REQUIRED = ['kind', 'name', 'category', 'admission_date', 'shares', 'paid']
KINDS = {
    'personne physique': 'person', 'pp': 'person',
    'personne morale': 'organisation', 'pm': 'organisation',
    }
EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')


def normalise(text):
    text = unicodedata.normalize('NFKD', str(text))
    text = ''.join(c for c in text if not unicodedata.combining(c))
    text = text.replace('’', "'")
    return ' '.join(text.lower().split())


class _Row(dict):
    pass


def read_rows(content):
    """Rows of the first sheet as (excel row number, {field: cell}) with
    cells as (type, value); raises RegisterImportError on an unreadable
    file or a missing column."""
    import xlrd
    try:
        book = xlrd.open_workbook(file_contents=content)
    except Exception as error:
        raise RegisterImportError(gettext(
                'scic_members.msg_import_file', error=error))
    sheet = book.sheet_by_index(0)
    columns = {}
    labels = {}
    if sheet.nrows:
        for col in range(sheet.ncols):
            label = str(sheet.cell_value(0, col)).strip()
            field = HEADERS.get(normalise(label))
            if field and field not in columns:
                columns[field] = col
                labels[field] = label
    missing = [f for f in REQUIRED if f not in columns]
    rows = []
    for index in range(1, sheet.nrows):
        row = _Row()
        for field, col in columns.items():
            cell = sheet.cell(index, col)
            row[field] = (cell.ctype, cell.value)
        rows.append((index + 1, row))
    return book.datemode, labels, missing, rows


def _text(cell):
    import xlrd
    ctype, value = cell
    if ctype == xlrd.XL_CELL_NUMBER and float(value).is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ''


def _date(cell, datemode):
    import xlrd
    ctype, value = cell
    if ctype in {xlrd.XL_CELL_DATE, xlrd.XL_CELL_NUMBER}:
        return xlrd.xldate.xldate_as_datetime(value, datemode).date()
    value = str(value).strip()
    for fmt in ('%d/%m/%Y', '%Y-%m-%d', '%d/%m/%y'):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


def import_register(content, company, filename='', dry_run=False):
    """Import the workbook `content` (bytes) into `company`.

    Creates the parties, the associates (admitted, or resigned when an
    exit date is given) and their opening subscriptions (confirmed,
    flagged opening: no accounting entry, the ledger's opening balance
    carries it). Returns the number of associates imported (or that would
    be with `dry_run`). Raises RegisterImportError listing every bad row,
    and then nothing is written."""
    pool = Pool()
    Category = pool.get('scic.category')
    College = pool.get('scic.college')
    Member = pool.get('scic.member')
    Movement = pool.get('scic.share.movement')
    Sequence = pool.get('ir.sequence.strict')
    if not dry_run:
        # Take the locks the numbering needs before any work: Tryton
        # restarts the transaction to acquire them.
        Movement.lock()
        Sequence.lock()
    currency = company.currency
    nominal = company.scic_share_value
    if not nominal:
        raise RegisterImportError(gettext(
                'scic_members.msg_share_value_missing',
                company=company.rec_name))
    datemode, labels, missing, rows = read_rows(content)
    errors = []

    def error(row_number, field, message, **values):
        errors.append(gettext(
                'scic_members.msg_import_row', row=row_number,
                column=labels.get(field, field),
                reason=gettext('scic_members.' + message, **values)))
    for field in missing:
        errors.append(gettext(
                'scic_members.msg_import_row', row=1, column=field,
                reason=gettext('scic_members.msg_import_missing_column')))
    if missing:
        _raise(filename, errors)

    categories = {}
    for category in Category.search([]):
        categories[normalise(category.name)] = category.id
        if category.code:
            categories[normalise(category.code)] = category.id
    colleges = {normalise(c.name): c.id for c in College.search([
                ('company', '=', company.id)])}
    existing_numbers = {m.number for m in Member.search([
                ('company', '=', company.id), ('number', '!=', None)])}
    seen_parties, seen_numbers, records = {}, {}, []
    import xlrd
    for row_number, row in rows:
        values = {f: _text(c) for f, c in row.items()}
        if not any(values.values()):
            continue
        if normalise(values.get('name', '')) == 'total' or not values.get(
                'kind'):
            continue
        record = {'row': row_number}
        count = len(errors)
        for field in REQUIRED:
            if not values.get(field):
                error(row_number, field, 'msg_import_required')
        kind = KINDS.get(normalise(values['kind']))
        if kind is None:
            error(row_number, 'kind', 'msg_import_kind', value=values['kind'])
        record['kind'] = kind
        record['name'] = values.get('name', '')
        record['first_name'] = values.get('first_name', '')
        if kind == 'person' and not record['first_name']:
            error(row_number, 'first_name', 'msg_import_first_name')
        siret = re.sub(r'\s', '', values.get('siret', ''))
        if siret and not siret_check.is_valid(siret):
            error(row_number, 'siret', 'msg_import_siret',
                value=values['siret'])
        record['siret'] = siret
        email = values.get('email', '')
        if email and not EMAIL.match(email):
            error(row_number, 'email', 'msg_import_email', value=email)
        record['email'] = email
        for field in ['street', 'postal_code', 'city']:
            record[field] = values.get(field, '')
        if values.get('category'):
            record['category'] = categories.get(
                normalise(values['category']))
            if not record['category']:
                error(row_number, 'category', 'msg_import_category',
                    value=values['category'])
        record['college'] = None
        if values.get('college'):
            record['college'] = colleges.get(normalise(values['college']))
            if not record['college']:
                error(row_number, 'college', 'msg_import_college',
                    value=values['college'])
        elif company.scic_colleges_used:
            error(row_number, 'college', 'msg_import_required')
        for field in ['admission_date', 'exit_date']:
            record[field] = None
            if values.get(field):
                try:
                    record[field] = _date(row[field], datemode)
                except (ValueError, xlrd.xldate.XLDateError):
                    error(row_number, field, 'msg_import_date',
                        value=values[field])
        if (record['exit_date'] and record['admission_date']
                and record['exit_date'] < record['admission_date']):
            error(row_number, 'exit_date', 'msg_import_exit_date')
        shares = values.get('shares', '')
        record['shares'] = None
        if shares:
            if re.fullmatch(r'\d+', shares) and int(shares) > 0:
                record['shares'] = int(shares)
            else:
                error(row_number, 'shares', 'msg_import_shares', value=shares)
        record['paid'] = None
        if values.get('paid'):
            try:
                record['paid'] = currency.round(
                    Decimal(values['paid'].replace(',', '.').replace(' ', '')))
            except InvalidOperation:
                error(row_number, 'paid', 'msg_import_amount',
                    value=values['paid'])
        if record['shares'] and record['paid'] is not None:
            amount = currency.round(nominal * record['shares'])
            # Loi 1947 art. 12: a quarter at least paid.
            if record['paid'] * 4 < amount or record['paid'] > amount:
                error(row_number, 'paid', 'msg_import_paid_quarter',
                    paid=record['paid'], amount=amount)
        key = (record['kind'], siret or normalise(
                f"{record['name']} {record['first_name']}"))
        if key in seen_parties:
            error(row_number, 'name', 'msg_import_duplicate',
                row=seen_parties[key])
        seen_parties.setdefault(key, row_number)
        number = values.get('number', '')
        if number:
            if number in existing_numbers or number in seen_numbers:
                error(row_number, 'number', 'msg_import_number_duplicate',
                    value=number)
            seen_numbers.setdefault(number, row_number)
        record['number'] = number or None
        if len(errors) == count:
            records.append(record)
    if errors:
        _raise(filename, errors)
    if not dry_run:
        _create(company, records)
    return len(records)


def _raise(filename, errors):
    raise RegisterImportError(gettext(
            'scic_members.msg_import_errors', file=filename,
            count=len(errors), errors='\n'.join(errors)))


def _create(company, records):
    """Create parties (with address, e-mail and SIRET identifier),
    associates and opening movements set-based: multi-row INSERTs and
    sequences taken in bulk (see bulk.py), the work of the ORM done once
    per table instead of once per row."""
    pool = Pool()
    Party = pool.get('party.party')
    Address = pool.get('party.address')
    ContactMechanism = pool.get('party.contact_mechanism')
    Identifier = pool.get('party.identifier')
    Member = pool.get('scic.member')
    Movement = pool.get('scic.share.movement')
    if not records:
        return []
    Category = pool.get('scic.category')
    Date = pool.get('ir.date')
    # The date the sequences format their prefix with, once for all.
    context = {'date': Transaction().context.get('date') or Date.today()}
    sequence = Party._code_sequence()
    with Transaction().set_context(context):
        codes = (list(sequence.get_many(len(records))) if sequence
            else [None] * len(records))
        numbers = iter(list(company.scic_get_member_sequence().get_many(
                        sum(1 for r in records if not r['number']))))
    parties = []
    for record, code in zip(records, codes):
        name = record['name']
        if record['kind'] == 'person':
            name = f"{record['first_name']} {name}"
        parties.append({'name': name, 'code': code})
    party_ids = bulk_create(Party, parties)
    # One address per party, as the client creates; the street goes to the
    # stored column that the street setter writes.
    address_ids = bulk_create(Address, [{
                'party': party_id,
                'street_unstructured': record['street'] or None,
                'postal_code': record['postal_code'] or None,
                'city': record['city'] or None,
                } for party_id, record in zip(party_ids, records)])
    bulk_create(ContactMechanism, [{
                'party': party_id, 'type': 'email', 'value': record['email'],
                } for party_id, record in zip(party_ids, records)
            if record['email']])
    # party_siret: a SIRET identifies an establishment, i.e. an address.
    bulk_create(Identifier, [{
                'party': party_id, 'address': address_id,
                'type': 'fr_siret', 'code': record['siret'],
                } for party_id, address_id, record in zip(
                party_ids, address_ids, records)
            if record['siret']])
    members = [{
            'company': company.id,
            'party': party_id,
            'kind': record['kind'],
            'category': record['category'],
            'college': record['college'],
            'number': record['number'] or next(numbers),
            'state': 'resigned' if record['exit_date'] else 'admitted',
            'admission_date': record['admission_date'],
            'admission_body': 'board',
            'exit_date': record['exit_date'],
            } for party_id, record in zip(party_ids, records)]
    member_ids = bulk_create(Member, members)
    # The rules of the movements read the associates as they were just
    # written, their company and categories shared.
    categories = {c.id: c for c in Category.browse(
            list({m['category'] for m in members}))}
    member = instances(Member)
    members = [member(
            member_id, number=values['number'], state=values['state'],
            exit_date=values['exit_date'],
            category=categories[values['category']])
        for member_id, values in zip(member_ids, members)]
    # The share of public bodies is checked once the whole register is in.
    with Transaction().set_context(
            _scic_defer_public_check=True, **context):
        Movement.create_opening(company, [{
                    'company': company,
                    'kind': 'subscription',
                    'opening': True,
                    'date': record['admission_date'],
                    'member': member,
                    'shares': record['shares'],
                    'amount_paid': record['paid'],
                    'amount_called': record['paid'],
                    'description': "Reprise du registre",
                    } for member, record in zip(members, records)])
    Movement.check_public_share(company)
    return members
