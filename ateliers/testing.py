"""Test helpers shared by the four modules' test cases."""
from trytond.tests.test_tryton import _DBTestCase, activate_module, drop_db

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
