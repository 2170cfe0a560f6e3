# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""bulk_create writes exactly what Model.create writes: the records of a
register import (parties with their address, e-mail and SIRET, associates
and their opening movements) created once with each, on the same
database, compared column by column in every table that changed."""
import datetime
import unittest
from decimal import Decimal

from sql.aggregate import Max
from trytond.model import ModelSQL
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction

from ..bulk import bulk_create

# Columns that differ by nature between two creations
SKIPPED = {'id', 'create_date', 'write_date'}


def orm_create(Model, vlist):
    return [r.id for r in Model.create(vlist)]


def create_register(create, company):
    """Create with `create(Model, vlist)` the records the import makes for
    three associates: values of the types the import gives, empty cells
    as None or missing, one associate resigned, one organisation with a
    SIRET."""
    pool = Pool()
    Party = pool.get('party.party')
    Address = pool.get('party.address')
    ContactMechanism = pool.get('party.contact_mechanism')
    Identifier = pool.get('party.identifier')
    Member = pool.get('scic.member')
    Movement = pool.get('scic.share.movement')
    Category = pool.get('scic.category')
    College = pool.get('scic.college')
    college, = College.search([('company', '=', company.id)])
    categories = {c.code: c.id for c in Category.search([])}
    parties = create(Party, [
            {'name': "Alice Martin", 'code': 'T-0001'},
            {'name': "Radiom", 'code': 'T-0002'},
            {'name': "Bob Durand", 'code': 'T-0003'},
            ])
    addresses = create(Address, [
            {'party': parties[0], 'street_unstructured': "1 rue Villegoudou",
                'postal_code': '81100', 'city': "Castres"},
            # Keys missing: the defaults fill them
            {'party': parties[1]},
            {'party': parties[2], 'street_unstructured': None,
                'postal_code': '81100', 'city': "Castres"},
            ])
    create(ContactMechanism, [
            {'party': parties[0], 'type': 'email',
                'value': "alice@example.org"},
            {'party': parties[2], 'type': 'email',
                'value': "Bob.Durand@Example.org"},
            ])
    create(Identifier, [
            {'party': parties[1], 'address': addresses[1],
                'type': 'fr_siret', 'code': '73282932000074'},
            ])
    date = datetime.date(2016, 5, 1)
    members = [{
                'company': company.id, 'party': party, 'kind': kind,
                'category': categories[category],
                'college': college.id if college_ else None,
                'number': number, 'state': state, 'admission_date': date,
                'admission_body': 'board', 'exit_date': exit_date,
                'birth_date': birth_date,
                } for party, kind, category, college_, number, state,
            exit_date, birth_date in [
                (parties[0], 'person', 'employees', True, '7', 'admitted',
                    None, datetime.date(1980, 2, 29)),
                (parties[1], 'organisation', 'supporters', True, '1',
                    'admitted', None, None),
                (parties[2], 'person', 'beneficiaries', False, '2',
                    'resigned', datetime.date(2020, 12, 31), None),
                ]]
    del members[2]['college'], members[2]['birth_date']
    members = create(Member, members)
    create(Movement, [{
                'company': company.id, 'kind': 'subscription',
                'opening': True, 'state': 'confirmed', 'date': date,
                'member': member, 'number': f'M{i}', 'shares': shares,
                'amount_paid': paid, 'amount_called': paid,
                'description': "Reprise du registre",
                'shares_delta': shares, 'subscribed_delta': shares * 50,
                'called_delta': paid, 'paid_delta': paid,
                'refund_delta': Decimal(0), 'due_date': None,
                'call_deadline': datetime.date(2021, 5, 1),
                'capital_after': capital, 'unit_value': Decimal(50),
                } for i, (member, shares, paid, capital) in enumerate([
                    (members[0], 4, Decimal('50.00'), Decimal('200.00')),
                    (members[1], 10, Decimal('500.00'), Decimal('700.00')),
                    (members[2], 1, Decimal('12.50'), Decimal('750.00')),
                    ])])


def tables():
    "The models stored in a table of their own, by table name"
    result = {}
    for _, Model in Pool().iterobject():
        if (issubclass(Model, ModelSQL) and not Model._is_table_query()
                and Model._table not in result):
            result[Model._table] = Model
    return result


def last_ids(models):
    cursor = Transaction().connection.cursor()
    result = {}
    for name, Model in models.items():
        table = Model.__table__()
        cursor.execute(*table.select(Max(table.id)))
        result[name] = cursor.fetchone()[0] or 0
    return result


def new_rows(models, before):
    """The rows created since `before` in each table, as lists of
    {column: value} in id order, the ids of created records replaced by
    (table, rank) so that two creations compare"""
    cursor = Transaction().connection.cursor()
    rows, ranks = {}, {}
    for name, Model in models.items():
        table = Model.__table__()
        cursor.execute(*table.select(
                where=table.id > before[name], order_by=table.id))
        columns = [d[0] for d in cursor.description]
        found = [dict(zip(columns, r)) for r in cursor]
        if found:
            rows[name] = found
            ranks[name] = {r['id']: i for i, r in enumerate(found)}
    for name, found in rows.items():
        Model = models[name]
        for column, field in Model._fields.items():
            target = getattr(field, 'model_name', None)
            if field._type not in {'many2one', 'one2one'} or not target:
                continue
            target = Pool().get(target)._table
            if target not in ranks:
                continue
            for row in found:
                if row.get(column) in ranks[target]:
                    row[column] = (target, ranks[target][row[column]])
        for row in found:
            for column in SKIPPED:
                row.pop(column, None)
    return rows


class BulkCreateTestCase(unittest.TestCase):
    "bulk_create against Model.create"

    @classmethod
    def setUpClass(cls):
        # As Tryton's module test cases: a database of its own, dropped at
        # the end (a scenario restores its own under the same name)
        drop_db()
        activate_module('scic_members')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @with_transaction()
    def test_bulk_create_writes_what_create_writes(self):
        "bulk_create writes every column of every table as create does"
        pool = Pool()
        College = pool.get('scic.college')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        company = create_company()
        with set_company(company):
            College.create([{'name': "Salariés", 'weight': Decimal(30),
                        'company': company.id}])
            models = tables()
            before = last_ids(models)
            written = {}
            for name, create in [
                    ('orm', orm_create), ('bulk', bulk_create)]:
                cursor.execute('SAVEPOINT bulk_test')
                create_register(create, company)
                written[name] = new_rows(models, before)
                cursor.execute('ROLLBACK TO SAVEPOINT bulk_test')
                # The records of the first creation are gone
                transaction.cache.clear()
                transaction.create_records.clear()
                transaction.counter += 1
        orm, bulk = written['orm'], written['bulk']
        for table in ['party_party', 'party_address',
                'party_contact_mechanism', 'party_identifier', 'scic_member',
                'scic_share_movement']:
            self.assertIn(table, orm)
        self.assertEqual(sorted(bulk), sorted(orm))
        for table in orm:
            self.assertEqual(len(bulk[table]), len(orm[table]), table)
            for bulk_row, orm_row in zip(bulk[table], orm[table]):
                self.assertEqual(bulk_row, orm_row, table)
