# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Set-based creation of many records (legacy register import).

`bulk_create(Model, vlist)` inserts the records with multi-row INSERTs
(python-sql) and does what ModelSQL.create does around the insert, once
for the whole list instead of once per record: access checks,
preprocess_values, default values (computed once), required columns,
create_uid/create_date, computed fields (compute_fields, e.g. the party
code_alnum/code_digit, the identifier's formatted and compact code), the
multi-value defaults (e.g. party language), history, ir.rule domains,
check_modification/on_modification and triggers.

What it does not do is ModelStorage._validate (domains, selections, ...)
per record: the caller validates its input itself (the import checks every
row before writing anything) and required columns are still checked."""
from collections import defaultdict

from sql import Table
from sql.aggregate import Max
from sql.functions import CurrentTimestamp
from trytond import backend
from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.modelstorage import (
    ModelStorage,
    RequiredValidationError,
    local_cache,
)
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction,
    record_cache_size,
    without_check_access,
)

RESERVED = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date'}
RELATIONS = {'many2one', 'one2one', 'reference', 'one2many', 'many2many'}


def _column_fields(Model):
    "Names of the fields stored in a column of Model's table"
    return {n for n, f in Model._fields.items()
        if n not in RESERVED and not hasattr(f, 'set')}


def _plain(sql_format):
    def format_(value):
        if type(value) in {int, bool}:
            return value
        return sql_format(value)
    return format_


def _insert(Model, columns, rows):
    """Insert `rows` (lists of SQL values in the order of `columns`) and
    return their ids in the same order."""
    transaction = Transaction()
    database = transaction.database
    connection = transaction.connection
    cursor = connection.cursor()
    table = Model.__table__()
    sql_columns = [table.create_uid, table.create_date] + [
        getattr(table, c) for c in columns] + [table.id]
    user = transaction.user
    if not rows:
        return []
    ids = database.nextid(connection, Model._table, count=len(rows))
    if ids is not None:
        # PostgreSQL: ids from the table's sequence, multi-row INSERTs.
        if len(rows) == 1:
            ids = [ids]
        size = max(1, backend.MAX_QUERY_PARAMS // (len(sql_columns) + 1))
        for chunk in grouped_slice(list(zip(rows, ids)), size):
            cursor.execute(*table.insert(sql_columns, [
                        [user, CurrentTimestamp(), *row, id_]
                        for row, id_ in chunk]))
        return ids
    # SQLite (no sequence, at most 200 parameters per query): one writer
    # at a time, so the ids after the highest ever given are free; one
    # INSERT of a row of parameters executed for every row.
    sequence = Table('sqlite_sequence')
    cursor.execute(*sequence.select(
            sequence.seq, where=sequence.name == Model._table))
    last = max([r[0] for r in cursor] or [0])
    cursor.execute(*table.select(Max(table.id)))
    last = max(last, cursor.fetchone()[0] or 0)
    ids = list(range(last + 1, last + 1 + len(rows)))
    query, _ = tuple(table.insert(sql_columns, [
                [user, CurrentTimestamp()] + [None] * (len(columns) + 1)]))
    cursor.executemany(query, [
            [user, *row, id_] for row, id_ in zip(rows, ids)])
    return ids


def instances(Model):
    """A function making records of Model that hold the values given as
    they are: what Model(id, **values) gives when the values are already
    of their field's type (relations as records), without the conversions
    of the fields' setters, and with the caches of the transaction shared
    by all the records (as Model.browse does) instead of set up for each:
    both cost more than the rules that read the records."""
    transaction = Transaction()
    caches = {
        '_local_cache': local_cache(Model, transaction),
        '_transaction_cache': transaction.get_cache(),
        '_transaction': transaction,
        }

    def instance(id=None, **values):
        record = Model(id, **caches)
        record._values = record._record(**values)
        if id is not None:
            record._init_values = record._values._copy()
        return record
    return instance


def browse(Model, ids):
    """Model.browse without its check of the whole id list in every
    record (quadratic for thousands of ids): the same records sharing
    their caches, read a slice at a time."""
    transaction = Transaction()
    ids = list(map(int, ids))
    cache = local_cache(Model, transaction)
    transaction_cache = transaction.get_cache()
    records = [Model(i, _local_cache=cache,
            _transaction_cache=transaction_cache, _transaction=transaction)
        for i in ids]
    for record in records:
        record._ids = ids
    return records


def bulk_create(Model, vlist):
    """Create the records of `vlist` (dicts of field values, One2Many and
    other setter fields excepted) and return their ids in order."""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    ModelFieldAccess = pool.get('ir.model.field.access')
    Trigger = pool.get('ir.trigger')
    transaction = Transaction()
    if not vlist:
        return []
    if (Model._path_fields or Model._mptt_fields
            or any(getattr(f, 'translate', False)
                for f in Model._fields.values())):
        # Trees and translations: the ORM path is the safe one.
        return [r.id for r in Model.create(vlist)]

    ModelAccess.check(Model.__name__, 'create')
    ModelFieldAccess.check(Model.__name__, list(set().union(*vlist)), 'write')
    transaction.counter += 1
    Model._count_cache.set(Model.__name__, None)

    columns = _column_fields(Model)
    with without_check_access():
        vlist = [Model.preprocess_values('create', v) for v in vlist]
        given = set().union(*vlist)
        # Defaults for the fields that some values lack (as the ORM does
        # per set of keys): each record takes them where it lacks them.
        always = set.intersection(*map(set, vlist))
        missing = [n for n, f in Model._fields.items()
            if n not in always and n not in RESERVED
            and not (isinstance(f, fields.Function) and not f.setter)]
        defaults = {}
        if missing:
            defaults = Model._clean_defaults(
                Model.default_get(missing, with_rec_name=False))
    unknown = given - set(Model._fields)
    assert not unknown, unknown
    compute = Model.compute_fields is not ModelStorage.compute_fields
    names = sorted((given | set(defaults)) & columns)
    # compute_fields reads the values of a record not yet written: set
    # straight into a bare record, relations left out (instantiating
    # their targets would cost more than the computation; a computation
    # that reads one fails loudly: the record has no id to read it from).
    plain = {n for n in names if Model._fields[n]._type not in RELATIONS}
    record = instances(Model)
    rows, setters = [], []
    for values in vlist:
        values = {**defaults, **values}
        stored = {n: values.get(n) for n in names}
        if compute:
            computed = record(**{
                    n: v for n, v in stored.items() if n in plain}
                ).compute_fields()
            for name in computed:
                if name not in names:
                    # A computed column that none of the values set
                    names.append(name)
            stored.update(computed)
        rows.append(stored)
        setters.append({n: v for n, v in values.items() if n not in columns})
    required = [n for n in names if Model._fields[n].required]
    for n, f in Model._fields.items():
        if f.required and n in columns and n not in names:
            required.append(n)
    for stored in rows:
        for name in required:
            if stored.get(name) is None:
                raise RequiredValidationError(gettext(
                        'ir.msg_required_validation',
                        **Model.__names__(name)))
    formats = []
    for name in names:
        field = Model._fields[name]
        if field._type in {'many2one', 'integer', 'boolean'}:
            # ids, numbers and booleans are stored as they are
            formats.append(_plain(field.sql_format))
        else:
            formats.append(field.sql_format)
    ids = _insert(Model, names, [
            [None if (v := r.get(n)) is None else f(v)
                for n, f in zip(names, formats)]
            for r in rows])

    _set_fields(Model, ids, setters)
    Model._insert_history(ids)
    Model._ModelSQL__check_domain_rule(ids, 'create')
    check_access = transaction.user and transaction.check_access
    with without_check_access():
        triggers = Trigger.get_triggers(Model.__name__, 'create')
        hooks = [getattr(Model, name) for name in [
                'check_modification', 'on_modification']
            if getattr(Model, name).__func__
            is not getattr(ModelStorage, name).__func__]
        if hooks or triggers:
            # Records only for the models that use them
            for records in grouped_slice(
                    browse(Model, ids), record_cache_size(transaction)):
                records = list(records)
                Model.check_modification(
                    'create', records, external=check_access)
                Model.on_modification('create', records)
                for trigger in triggers:
                    trigger.queue_trigger_action(records)
    transaction.create_records[Model.__name__].extend(ids)
    return ids


def _set_fields(Model, ids, setters):
    """The setter fields: multi-value fields as rows of their value model
    (one per record and pattern when a value is set), the others through
    their setter grouped by value, as ModelSQL.create does."""
    from trytond.modules.company.model import CompanyValueMixin
    context = Transaction().context
    values = defaultdict(dict)  # (Value, link) -> {id: {name: value}}
    others = defaultdict(list)  # name -> [ids, value, ids, value, ...]
    # The value model of each multi-value field, looked up once per field
    value_models = {name: Model.multivalue_model(name)
        for name, field in Model._fields.items()
        if isinstance(field, fields.MultiValue)}
    for id_, record_values in zip(ids, setters):
        for name, value in record_values.items():
            Value = value_models.get(name)
            if Value:
                values[Value][id_] = values[Value].get(id_, {})
                values[Value][id_][name] = value
            elif value not in (None, [], (), ''):
                args = others[name]
                for i in range(0, len(args), 2):
                    if args[i + 1] == value:
                        args[i].append(id_)
                        break
                else:
                    args.extend(([id_], value))
    for Value, by_id in values.items():
        link, = [f.field for f in Model._fields.values()
            if getattr(f, 'model_name', None) == Value.__name__
            and f._type == 'one2many']
        pattern = {}
        if issubclass(Value, CompanyValueMixin):
            pattern['company'] = context.get('company')
        # A value row with only empty values reads as no row (the getter
        # falls back to the default, empty here): only rows with a value.
        bulk_create(Value, [
                {link: id_, **pattern, **vals}
                for id_, vals in by_id.items()
                if any(v is not None for v in vals.values())])
    for name in sorted(others, key=Model.index_set_field):
        Model._fields[name].set(Model, name, *others[name])
