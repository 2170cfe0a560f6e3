"""Test helpers shared by the four modules' test cases."""
from trytond.model import ModelSQL, fields
from trytond.pool import Pool, isregisteredby
from trytond.tests.test_tryton import (
    _DBTestCase,
    activate_module,
    drop_db,
    with_transaction,
)

from .environment import MODULES


class AllModulesTestMixin:
    """Run a module's ModuleTestCase with the four modules activated, as
    `ateliers init` installs them: the optional parts (extras_depend) are
    checked too, and the four test cases share one activated database.

    trytond names its cached database after the module list in the order
    given, and ModuleTestCase puts its own module first: every test case
    activates the same sorted list instead."""

    @classmethod
    def setUpClass(cls):
        # What _DBTestCase.setUpClass does, with the shared list
        super(_DBTestCase, cls).setUpClass()
        drop_db()
        activate_module(sorted(MODULES))


class PartyReplaceAllFieldsMixin:
    """Every stored Many2One to party.party of the module's models is in
    party.replace's fields_to_replace (the stock PartyCheckReplaceMixin
    checks only the fields listed); erase() runs the erase checks of a
    party for the tests of its erase rules."""

    @with_transaction()
    def test_party_fields_to_replace_complete(self):
        "Test every party field of the module is replaced"
        pool = Pool()
        Replace = pool.get('party.replace', type='wizard')
        replaced = set(Replace.fields_to_replace())
        for model_name, model in pool.iterobject():
            if (not isregisteredby(model, self.module)
                    or not issubclass(model, ModelSQL)
                    or model._is_table_query()):
                continue
            # Only the fields the module defines, not those it inherits
            own = set().union(*(vars(k) for k in model.__mro__
                    if k.__module__.split('.')[0] == self.module))
            for field_name, field in model._fields.items():
                if (field_name in own
                        and field._type == 'many2one'
                        and field.model_name == 'party.party'
                        and not isinstance(field, fields.Function)):
                    with self.subTest(model=model_name, field=field_name):
                        self.assertIn((model_name, field_name), replaced)

    def erase(self, party):
        "Run the erase checks of the party.erase wizard on party"
        pool = Pool()
        Erase = pool.get('party.erase', type='wizard')
        Session = pool.get('ir.session.wizard')
        session = Session()
        session.save()
        Erase(session.id).check_erase(party)
