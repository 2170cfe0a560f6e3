# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Import of a legacy register of associates kept in an Excel 97-2003
workbook (layout in shared/register-import.md). All or nothing: every row
is checked first; any defect aborts with the list of all bad rows.

An associate already in the register (same SIRET, or same name and first
name with the same birth date or e-mail when both sides have one) is an
error at its row, or is updated in update mode: importing a workbook twice
never doubles the register. The register is read once into dicts (three
queries), not searched row by row."""
import datetime
import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from stdnum.fr import siret as siret_check
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .bulk import SLICE, bulk_create
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
    'date de naissance': 'birth_date', 'naissance': 'birth_date',
    'ne le': 'birth_date', 'nee le': 'birth_date', 'ne(e) le': 'birth_date',
    }
REQUIRED = ['kind', 'name', 'category', 'admission_date', 'shares', 'paid']
# The cells of an associate: a totals row carries none of them (only a
# label in the name column and the sums of shares and amounts).
ASSOCIATE_DATA = [
    'number', 'kind', 'first_name', 'birth_date', 'siret', 'email', 'street',
    'postal_code', 'city', 'category', 'college', 'admission_date',
    'exit_date']
TOTALS = {'total', 'totaux', 'total general', 'sous-total', 'sous total'}
KINDS = {
    'personne physique': 'person', 'pp': 'person',
    'personne morale': 'organisation', 'pm': 'organisation',
    }
EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')


@dataclass
class ImportSummary:
    """What an import did (or would do with dry_run): associates created,
    updated (update mode), already up to date, and the rows ignored with
    the reason; message says it in the user's language."""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    blank: int = 0
    totals: int = 0
    dry_run: bool = False
    message: str = ''

    @property
    def ignored(self):
        return self.blank + self.totals

    def describe(self):
        "The summary in the language of the transaction"
        if self.dry_run:
            msg_id = 'scic_members.msg_import_summary_dry_run'
        else:
            msg_id = 'scic_members.msg_import_summary'
        return gettext(
            msg_id,
            created=self.created, updated=self.updated,
            unchanged=self.unchanged, ignored=self.ignored,
            blank=self.blank, totals=self.totals)


@functools.lru_cache(maxsize=1024)
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


def normalise_siret(value):
    "A SIRET without the spaces, dots, dashes... typed between its digits"
    return re.sub(r'[^0-9A-Za-z]', '', value)


def _name_keys(kind, name, first_name=''):
    """Keys of an associate from its normalised name and first name (a
    person's in both orders)"""
    if kind == 'person' and first_name:
        return {f'{first_name} {name}', f'{name} {first_name}'}
    return {name}


class _Associate:
    """An associate for the duplicate check: of the register (member is
    its id) or of a row of the workbook (row is its number)."""

    def __init__(self, **values):
        self.row = self.member = self.party = self.number = None
        self.birth_date = self.admission_date = self.exit_date = None
        self.category = self.college = None
        self.sirets, self.emails = set(), set()
        self.__dict__.update(values)

    @property
    def rec_name(self):
        if self.number:
            return f'{self.number} - {self.name}'
        return self.name


def _same(row, other):
    """Whether row and other, of the same kind and name, are the same
    associate: told apart by SIRET, else by birth date, else by e-mail,
    when both have one; the same when nothing tells them apart."""
    if row.sirets and other.sirets:
        return bool(row.sirets & other.sirets)
    if row.birth_date and other.birth_date:
        return row.birth_date == other.birth_date
    if row.emails and other.emails:
        return bool(row.emails & other.emails)
    return True


class _Index:
    "Associates found by SIRET, or by kind and name, in dicts"

    def __init__(self, associates=()):
        self.by_siret = {}
        self.by_name = defaultdict(list)
        for associate in associates:
            self.add(associate)

    def add(self, associate):
        for siret in associate.sirets:
            self.by_siret.setdefault(siret, associate)
        for key in associate.keys:
            self.by_name[associate.kind, key].append(associate)

    def find(self, row):
        "The associate that row is, or None"
        for siret in row.sirets:
            if siret in self.by_siret:
                return self.by_siret[siret]
        for key in row.keys:
            for other in self.by_name.get((row.kind, key), ()):
                if _same(row, other):
                    return other


def _sql_date(value):
    # SQLite returns the dates of raw queries as text.
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def _register(company):
    """The associates of company as _Associate with their SIRET and
    e-mails: three queries whatever the size of the register."""
    pool = Pool()
    Member = pool.get('scic.member')
    Party = pool.get('party.party')
    Identifier = pool.get('party.identifier')
    ContactMechanism = pool.get('party.contact_mechanism')
    cursor = Transaction().connection.cursor()
    member = Member.__table__()
    party = Party.__table__()
    identifier = Identifier.__table__()
    contact = ContactMechanism.__table__()
    associates = {}
    cursor.execute(*member.join(party, condition=member.party == party.id
            ).select(
            member.id, member.party, member.kind, member.number,
            member.birth_date, member.admission_date, member.exit_date,
            member.category, member.college, party.name,
            where=member.company == company.id))
    for (member_id, party_id, kind, number, birth_date, admission_date,
            exit_date, category, college, name) in cursor:
        associates[party_id] = _Associate(
            member=member_id, party=party_id, kind=kind, number=number,
            name=name or '', keys={normalise(name or '')},
            birth_date=_sql_date(birth_date),
            admission_date=_sql_date(admission_date),
            exit_date=_sql_date(exit_date),
            category=category, college=college)
    for table, type_, attribute, clean in [
            (identifier, 'fr_siret', 'sirets', normalise_siret),
            (contact, 'email', 'emails', lambda v: v.strip().lower()),
            ]:
        value = table.code if table is identifier else table.value
        cursor.execute(*table.join(member,
                condition=table.party == member.party).select(
                table.party, value,
                where=(table.type == type_)
                & (member.company == company.id)))
        for party_id, code in cursor:
            if code:
                getattr(associates[party_id], attribute).add(clean(code))
    return list(associates.values())


def _display(value):
    if value is None:
        return ''
    if isinstance(value, datetime.date):
        return value.strftime('%d/%m/%Y')
    return str(value)


def import_register(
        content, company, filename='', dry_run=False, update=False):
    """Import the workbook `content` (bytes) into `company`.

    Creates the parties, the associates (admitted, or resigned when an
    exit date is given) and their opening subscriptions (confirmed,
    flagged opening: no accounting entry, the ledger's opening balance
    carries it). An associate already in the register (same SIRET, or same
    kind and name with the same birth date or e-mail when both sides have
    one) is an error at its row; with `update`, it is updated instead
    (party name, address, e-mail, SIRET, birth date, category, college)
    while what the share register records (kind, number, admission and
    exit dates, shares, paid amount) must match it. Blank rows and totals
    rows (named "Total", no associate's data) are ignored and counted.

    Returns an ImportSummary (what would be done with `dry_run`). Raises
    RegisterImportError listing every bad row, and then nothing is
    written: the caller's transaction is left untouched."""
    pool = Pool()
    Category = pool.get('scic.category')
    College = pool.get('scic.college')
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
        errors.append((row_number, gettext(
                    'scic_members.msg_import_row', row=row_number,
                    column=labels.get(field, field),
                    reason=gettext(message, **values))))
    for field in missing:
        errors.append((1, gettext(
                    'scic_members.msg_import_row', row=1, column=field,
                    reason=gettext(
                        'scic_members.msg_import_missing_column'))))
    if missing:
        _raise(filename, errors)

    categories = {}
    for category in Category.search([]):
        categories[normalise(category.name)] = category.id
        if category.code:
            categories[normalise(category.code)] = category.id
    colleges = {normalise(c.name): c.id for c in College.search([
                ('company', '=', company.id)])}
    associates = _register(company)
    register = _Index(associates)
    existing_numbers = {a.number for a in associates if a.number}
    # The rows seen so far, and the associate of the register each row
    # updates: a second row for the same associate is an error.
    seen, claimed = _Index(), {}
    seen_numbers, records = {}, []
    summary = ImportSummary(dry_run=dry_run)
    import xlrd
    for row_number, row in rows:
        values = {f: _text(c) for f, c in row.items()}
        if not any(values.values()):
            summary.blank += 1
            continue
        name_key = normalise(values.get('name', ''))
        if name_key in TOTALS:
            data = [f for f in ASSOCIATE_DATA if values.get(f)]
            if data:
                error(row_number, 'name', 'scic_members.msg_import_total_data',
                    value=values['name'],
                    columns=', '.join(labels[f] for f in data))
            else:
                summary.totals += 1
            continue
        if not values.get('kind'):
            error(row_number, 'kind', 'scic_members.msg_import_no_kind')
            continue
        record = {'row': row_number, 'existing': None}
        count = len(errors)
        for field in REQUIRED:
            if not values.get(field):
                error(row_number, field, 'scic_members.msg_import_required')
        kind = KINDS.get(normalise(values['kind']))
        if kind is None:
            error(row_number, 'kind',
                'scic_members.msg_import_kind', value=values['kind'])
        record['kind'] = kind
        record['name'] = values.get('name', '')
        record['first_name'] = values.get('first_name', '')
        if kind == 'person' and not record['first_name']:
            error(row_number, 'first_name',
                'scic_members.msg_import_first_name')
        siret = normalise_siret(values.get('siret', ''))
        if siret and not siret_check.is_valid(siret):
            error(row_number, 'siret', 'scic_members.msg_import_siret',
                value=values['siret'])
        record['siret'] = siret
        email = values.get('email', '')
        if email and not EMAIL.match(email):
            error(row_number, 'email',
                'scic_members.msg_import_email', value=email)
        record['email'] = email
        for field in ['street', 'postal_code', 'city']:
            record[field] = values.get(field, '')
        if values.get('category'):
            record['category'] = categories.get(
                normalise(values['category']))
            if not record['category']:
                error(row_number, 'category',
                    'scic_members.msg_import_category',
                    value=values['category'])
        record['college'] = None
        if values.get('college'):
            record['college'] = colleges.get(normalise(values['college']))
            if not record['college']:
                error(row_number, 'college', 'scic_members.msg_import_college',
                    value=values['college'])
        elif company.scic_colleges_used:
            error(row_number, 'college', 'scic_members.msg_import_required')
        for field in ['admission_date', 'exit_date', 'birth_date']:
            record[field] = None
            if values.get(field):
                try:
                    record[field] = _date(row[field], datemode)
                except (ValueError, xlrd.xldate.XLDateError):
                    error(row_number, field, 'scic_members.msg_import_date',
                        value=values[field])
        if (record['exit_date'] and record['admission_date']
                and record['exit_date'] < record['admission_date']):
            error(row_number, 'exit_date', 'scic_members.msg_import_exit_date')
        if record['birth_date'] and kind == 'organisation':
            error(row_number, 'birth_date',
                'scic_members.msg_import_birth_date_organisation')
        shares = values.get('shares', '')
        record['shares'] = None
        if shares:
            if re.fullmatch(r'\d+', shares) and int(shares) > 0:
                record['shares'] = int(shares)
            else:
                error(row_number, 'shares',
                    'scic_members.msg_import_shares', value=shares)
        record['paid'] = None
        if values.get('paid'):
            try:
                record['paid'] = currency.round(
                    Decimal(values['paid'].replace(',', '.').replace(' ', '')))
            except InvalidOperation:
                error(row_number, 'paid', 'scic_members.msg_import_amount',
                    value=values['paid'])
        if record['shares'] and record['paid'] is not None:
            amount = currency.round(nominal * record['shares'])
            # Loi 1947 art. 12: a quarter at least paid.
            if record['paid'] * 4 < amount or record['paid'] > amount:
                error(row_number, 'paid',
                    'scic_members.msg_import_paid_quarter',
                    paid=record['paid'], amount=amount)
        name = record['name']
        if kind == 'person' and record['first_name']:
            name = f"{record['first_name']} {name}"
        associate = _Associate(
            row=row_number, kind=kind, name=name,
            keys=_name_keys(kind, name_key, normalise(record['first_name'])),
            sirets={siret} if siret else set(),
            emails={email.lower()} if email else set(),
            birth_date=record['birth_date'])
        earlier = seen.find(associate)
        existing = register.find(associate) if not earlier else None
        if earlier:
            error(row_number, 'name', 'scic_members.msg_import_duplicate',
                associate=name, row=earlier.row)
        elif existing and existing.member in claimed:
            error(row_number, 'name', 'scic_members.msg_import_duplicate',
                associate=name, row=claimed[existing.member])
        elif existing and not update:
            error(row_number,
                'siret' if associate.sirets & existing.sirets else 'name',
                'scic_members.msg_import_exists', associate=existing.rec_name)
        elif existing:
            claimed[existing.member] = row_number
            record['existing'] = existing
        seen.add(associate)
        number = values.get('number', '')
        if number and not (existing and (
                    not update or existing.number == number)):
            if existing and existing.number:
                error(row_number, 'number',
                    'scic_members.msg_import_update_differs',
                    associate=existing.rec_name, value=number,
                    register=existing.number)
            elif number in existing_numbers or number in seen_numbers:
                error(row_number, 'number',
                    'scic_members.msg_import_number_duplicate',
                    value=number)
        if number:
            seen_numbers.setdefault(number, row_number)
        record['number'] = number or None
        if len(errors) == count:
            records.append(record)
    updates = [r for r in records if r['existing']]
    if updates:
        _check_update(company, updates, error)
    if errors:
        _raise(filename, errors)
    created = [r for r in records if not r['existing']]
    summary.created = len(created)
    changes = _update_changes(updates)
    summary.updated = len(changes)
    summary.unchanged = len(updates) - len(changes)
    summary.message = summary.describe()
    if not dry_run:
        _create(company, created, existing_numbers | set(seen_numbers))
        if changes:
            _update(company, changes)
    return summary


def _check_update(company, records, error):
    """Report the rows whose shares, paid amount, kind or dates differ from
    the register: only share movements change them."""
    pool = Pool()
    Movement = pool.get('scic.share.movement')
    balances = Movement.balances(
        [r['existing'].member for r in records], company=company)
    kinds = {'person': "Personne physique", 'organisation': "Personne morale"}
    for record in records:
        existing = record['existing']
        balance = balances.get(existing.member, Movement.empty_balance())
        for field, value, register in [
                ('kind', record['kind'], existing.kind),
                ('admission_date', record['admission_date'],
                    existing.admission_date),
                ('exit_date', record['exit_date'], existing.exit_date),
                ('shares', record['shares'], balance['shares']),
                ('paid', record['paid'],
                    company.currency.round(balance['paid'])),
                ]:
            if value != register:
                if field == 'kind':
                    value, register = kinds[value], kinds[register]
                error(record['row'], field,
                    'scic_members.msg_import_update_differs',
                    associate=existing.rec_name, value=_display(value),
                    register=_display(register))


def _update_changes(records):
    """The changes that update mode makes, as (record, member values,
    party values, address or None, address values, new e-mail, new SIRET)
    for the records that change something; the parties and their first
    address are read in one batch."""
    pool = Pool()
    Party = pool.get('party.party')
    parties = Party.browse([r['existing'].party for r in records])
    changes = []
    for record, party in zip(records, parties):
        existing = record['existing']
        member = {}
        for field in ['category', 'college', 'birth_date']:
            value = record[field]
            if value and value != getattr(existing, field):
                member[field] = value
        name = record['name']
        if record['kind'] == 'person':
            name = f"{record['first_name']} {name}"
        party_values = {'name': name} if name != existing.name else {}
        address = party.addresses[0] if party.addresses else None
        address_values = {
            f: record[f] for f in ['street', 'postal_code', 'city']
            if record[f] and (
                address is None or (getattr(address, f) or '') != record[f])}
        email = (record['email'] if record['email']
            and record['email'].lower() not in existing.emails else None)
        siret = record['siret'] if not existing.sirets else None
        if member or party_values or address_values or email or siret:
            changes.append((record, member, party_values, address,
                    address_values, email, siret))
    return changes


def _update(company, changes):
    """Write the changes of _update_changes with grouped writes: the
    associates, the parties' names, first address, e-mail and SIRET."""
    pool = Pool()
    Member = pool.get('scic.member')
    Party = pool.get('party.party')
    Address = pool.get('party.address')
    ContactMechanism = pool.get('party.contact_mechanism')
    Identifier = pool.get('party.identifier')
    Movement = pool.get('scic.share.movement')
    member_writes, party_writes, address_writes = [], [], []
    new_addresses, emails, identifiers = [], [], []
    for (record, member, party_values, address, address_values, email,
            siret) in changes:
        existing = record['existing']
        if member:
            member_writes.extend([[Member(existing.member)], member])
        if party_values:
            party_writes.extend([[Party(existing.party)], party_values])
        if address is None and (address_values or siret):
            address = Address(party=existing.party, **address_values)
            new_addresses.append(address)
        elif address_values:
            address_writes.extend([[address], address_values])
        if email:
            emails.append({
                    'party': existing.party, 'type': 'email',
                    'value': email})
        if siret:
            identifiers.append((address, {
                        'party': existing.party, 'type': 'fr_siret',
                        'code': siret}))
    if member_writes:
        Member.write(*member_writes)
    if party_writes:
        Party.write(*party_writes)
    if address_writes:
        Address.write(*address_writes)
    if new_addresses:
        Address.save(new_addresses)
    if emails:
        ContactMechanism.create(emails)
    if identifiers:
        # party_siret: a SIRET identifies an establishment, an address.
        Identifier.create([
                dict(values, address=address.id)
                for address, values in identifiers])
    Movement.check_public_share(company)


def _raise(filename, errors):
    # By row (stable: a row's defects in the order of its columns)
    errors = [e for _, e in sorted(errors, key=lambda e: e[0])]
    raise RegisterImportError(gettext(
            'scic_members.msg_import_errors', file=filename,
            count=len(errors), errors='\n'.join(errors)))


def _free_numbers(company, count, used):
    """count numbers of the company's sequence of associates, skipping the
    numbers already used (given in the workbook or in the register)"""
    sequence = company.scic_get_member_sequence()
    numbers = []
    while len(numbers) < count:
        numbers.extend(n for n in sequence.get_many(count - len(numbers))
            if n not in used)
    return iter(numbers)


def _create(company, records, used=frozenset()):
    """Create parties (with address, e-mail and SIRET identifier),
    associates and opening movements set-based: bulk INSERTs and
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
    Date = pool.get('ir.date')
    # The date the sequences format their prefix with, once for all.
    context = {'date': Transaction().context.get('date') or Date.today()}
    sequence = Party._code_sequence()
    with Transaction().set_context(context):
        codes = (list(sequence.get_many(len(records))) if sequence
            else [None] * len(records))
        numbers = _free_numbers(
            company, sum(1 for r in records if not r['number']), used)
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
            'birth_date': record['birth_date'],
            } for party_id, record in zip(party_ids, records)]
    member_ids = bulk_create(Member, members)
    # The rules of the movements read the associates just written, a
    # slice at a time (browse checks its whole id list in every record).
    members = [member
        for ids in grouped_slice(member_ids, SLICE)
        for member in Member.browse(ids)]
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
