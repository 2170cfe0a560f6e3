# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Set-based creation of many records: the fast path of the legacy
register import (ateliers members import, scic.share.movement
create_opening).

Why it exists: `bench/bench_members.py --path both` measures the import
of a register through the public ORM (`Model.create` on batches) at more
than 2 times the time of this helper on SQLite and on PostgreSQL (the
figures are in the benchmark's docstring); the project keeps a fast path
only then (issue #14), in this one helper, and tests/test_bulk.py proves
on both backends that it writes exactly what `Model.create` writes (every
column of every table, ids and timestamps aside).

`bulk_create(Model, vlist)` does what `ModelSQL.create` does (trytond
8.0), in the same order, once for the whole list instead of once per
record:

- `Model._before_create`: access checks, transaction counter, count
  cache, `preprocess_values` (e.g. the party code from its sequence);
- the default values of the fields that values lack;
- `compute_fields` before the insert rather than a `write` after it (the
  computed columns, e.g. the party's code_alnum/code_digit or the
  identifier's formatted and compact code, are inserted with the row; the
  row then carries the write_uid/write_date that the ORM's write gives,
  but the hooks of that write, check_modification('write') and the write
  triggers, are not run);
- one INSERT executed for all the rows (executemany) instead of one per
  row (SQLite) or multi-row INSERTs (PostgreSQL);
- the setter fields: multi-value fields as rows of their value model
  (created with this helper, as `set_multivalue` makes them), the other
  ones through their setter, grouped by value;
- history, ir.rule domains, `check_modification`/`on_modification` and
  the triggers.

What it does not do is `ModelStorage._validate` (domains, selections,
digits, the models' `validate` methods): the caller validates its input
itself (the import checks every row before writing anything); the
columns declared required (not those required by states) are still
checked. Translated fields and trees
(path/MPTT) go through `Model.create`.

Beyond the public API it uses, because the ORM offers no public way to
do the same set-based: `_before_create` and `_clean_defaults` (the ORM's
own steps, so that they stay the ORM's), `_insert_history`, the ir.rule
check of created records (`_ModelSQL__check_domain_rule`), and
`_path_fields`/`_mptt_fields` to send trees to the ORM."""
from sql import Table
from sql.aggregate import Max
from sql.functions import CurrentTimestamp
from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.modelstorage import ModelStorage, RequiredValidationError
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

RESERVED = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date'}
# Records per Model.browse: it checks its whole id list in every record
# (quadratic), what the ORM's callers avoid by creating in batches.
SLICE = 100
RELATIONS = {'many2one', 'one2one', 'reference', 'one2many', 'many2many'}


def bulk_create(Model, vlist):
    """Create the records of `vlist` (dicts of field values, as for
    `Model.create`) and return their ids in order. The values must be
    valid: `Model._validate` is not run (see the module docstring)."""
    pool = Pool()
    Trigger = pool.get('ir.trigger')
    transaction = Transaction()
    if not vlist:
        return []
    if (Model._path_fields or Model._mptt_fields
            or any(getattr(f, 'translate', False)
                for f in Model._fields.values())):
        # Trees and translations: the ORM path is the safe one.
        return [r.id for r in Model.create(vlist)]

    vlist = Model._before_create(vlist)
    columns = {n for n, f in Model._fields.items()
        if n not in RESERVED and not hasattr(f, 'set')}
    given = set().union(*vlist)
    unknown = given - set(Model._fields)
    assert not unknown, unknown
    with without_check_access():
        # The defaults of the fields that some values lack (the ORM
        # computes them per set of keys, with the same result): each
        # record takes them where it lacks them.
        always = set.intersection(*map(set, vlist))
        missing = [n for n, f in Model._fields.items()
            if n not in always and n not in RESERVED
            and not (isinstance(f, fields.Function) and not f.setter)]
        defaults = {}
        if missing:
            defaults = Model._clean_defaults(
                Model.default_get(missing, with_rec_name=False))
    compute = Model.compute_fields is not ModelStorage.compute_fields
    names = sorted((given | set(defaults)) & columns)
    # compute_fields reads the values of a record not yet written: its
    # columns other than relations (instantiating their targets would
    # cost more than the computation; a computation that reads one fails
    # loudly: the record has no id to read it from).
    plain = {n for n in names if Model._fields[n]._type not in RELATIONS}
    rows, setters, written = [], [], []
    for values in vlist:
        values = {**defaults, **values}
        stored = {n: values.get(n) for n in names}
        computed = {}
        if compute:
            computed = Model(**{
                    n: v for n, v in stored.items() if n in plain}
                ).compute_fields()
            for name in computed:
                if name not in names:
                    # A computed column that none of the values set
                    names.append(name)
            stored.update(computed)
        rows.append(stored)
        # The ORM writes the computed values after the insert
        written.append(bool(computed))
        setters.append({n: v for n, v in values.items() if n not in columns})
    required = [n for n, f in Model._fields.items()
        if f.required and n in columns]
    for stored in rows:
        for name in required:
            if stored.get(name) is None:
                raise RequiredValidationError(gettext(
                        'ir.msg_required_validation',
                        **Model.__names__(name)))
    formats = [Model._fields[n].sql_format for n in names]
    ids = _insert(Model, names, [
            [None if (v := r.get(n)) is None else f(v)
                for n, f in zip(names, formats)]
            for r in rows], written)

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
            # Records only for the models that use them, a slice at a time
            for sub_ids in grouped_slice(ids, SLICE):
                records = Model.browse(sub_ids)
                Model.check_modification(
                    'create', records, external=check_access)
                Model.on_modification('create', records)
                for trigger in triggers:
                    trigger.queue_trigger_action(records)
    transaction.create_records[Model.__name__].extend(ids)
    return ids


def _insert(Model, columns, rows, written):
    """Insert `rows` (lists of SQL values in the order of `columns`) and
    return their ids in the same order; the rows whose `written` is true
    get write_uid and write_date."""
    transaction = Transaction()
    database = transaction.database
    connection = transaction.connection
    cursor = connection.cursor()
    table = Model.__table__()
    if not rows:
        return []
    user = transaction.user
    sql_columns = [table.create_uid, table.create_date] + [
        getattr(table, c) for c in columns] + [
        table.write_uid, table.write_date, table.id]
    ids = database.nextid(connection, Model._table, count=len(rows))
    if ids is None:
        # SQLite (no sequence): one writer at a time, so the ids after the
        # highest ever given are free.
        sequence = Table('sqlite_sequence')
        cursor.execute(*sequence.select(
                sequence.seq, where=sequence.name == Model._table))
        last = max([r[0] for r in cursor] or [0])
        cursor.execute(*table.select(Max(table.id)))
        last = max(last, cursor.fetchone()[0] or 0)
        ids = list(range(last + 1, last + 1 + len(rows)))
    elif len(rows) == 1:
        ids = [ids]
    # One INSERT of a row of parameters executed for every row (two: with
    # and without write_date): the driver prepares it once, where a
    # multi-row INSERT is a new query text for the driver to parse (a
    # third of the time on PostgreSQL).
    for write in [False, True]:
        query, _ = tuple(table.insert(sql_columns, [
                    [user, CurrentTimestamp()] + [None] * len(columns)
                    + ([None, CurrentTimestamp()] if write
                        else [None, None]) + [None]]))
        params = [[user, *row, *([user] if write else [None, None]), id_]
            for row, w, id_ in zip(rows, written, ids) if w == write]
        if params:
            cursor.executemany(query, params)
    return ids


def _set_fields(Model, ids, setters):
    """The setter fields in the order of ModelSQL.create: a multi-value
    field as the rows of its value model that set_multivalue makes (one
    per record and value model, holding the pattern, the values given and
    the defaults of the other fields of that model), the others through
    their setter, grouped by value."""
    from trytond.modules.company.model import CompanyValueMixin
    context = Transaction().context
    names = []  # the setter fields in the order of the values
    for record_values in setters:
        for name in record_values:
            if name not in names:
                names.append(name)
    done = set()
    for name in sorted(names, key=Model.index_set_field):
        field = Model._fields[name]
        if isinstance(field, fields.MultiValue):
            Value = Model.multivalue_model(name)
            if Value in done:
                continue
            done.add(Value)
            link, = [f.field for f in Model._fields.values()
                if getattr(f, 'model_name', None) == Value.__name__
                and f._type == 'one2many']
            pattern = {}
            if issubclass(Value, CompanyValueMixin):
                pattern['company'] = context.get('company')
            siblings = [n for n, f in Model._fields.items()
                if isinstance(f, fields.MultiValue)
                and Model.multivalue_model(n) == Value]
            # What multivalue_record gives the fields of the value model
            # that the values do not set
            sibling_defaults = {}
            for sibling in siblings:
                default = getattr(Model, f'default_{sibling}', None)
                if default:
                    sibling_defaults[sibling] = default(**pattern)
            rows = []
            for id_, record_values in zip(ids, setters):
                if not any(s in record_values for s in siblings):
                    continue
                row = {link: id_, **pattern}
                for sibling in siblings:
                    if sibling in record_values:
                        row[sibling] = record_values[sibling]
                    elif sibling in sibling_defaults:
                        row[sibling] = sibling_defaults[sibling]
                rows.append(row)
            bulk_create(Value, rows)
        else:
            # [ids, value, ids, value, ...] grouped by value as the ORM
            # does, found by a dict for the hashable values
            args, index = [], {}
            for id_, record_values in zip(ids, setters):
                if name not in record_values:
                    continue
                value = record_values[name]
                try:
                    key = (type(value), value)
                    hash(key)
                except TypeError:
                    key = None
                if key is not None and key in index:
                    args[index[key]].append(id_)
                    continue
                if key is None:
                    for i in range(0, len(args), 2):
                        if args[i + 1] == value:
                            args[i].append(id_)
                            break
                    else:
                        args.extend(([id_], value))
                    continue
                index[key] = len(args)
                args.extend(([id_], value))
            # A setter receives the records of each value a slice at a time
            sliced = []
            for i in range(0, len(args), 2):
                for sub_ids in grouped_slice(args[i], SLICE):
                    sliced.extend((list(sub_ids), args[i + 1]))
            field.set(Model, name, *sliced)
