# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    CompanyTestMixin,
    create_company,
    set_company,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


class PtceCompanyTestCase(CompanyTestMixin, ModuleTestCase):
    "Test ptce_company module"
    module = 'ptce_company'

    @with_transaction()
    def test_sector_axis_per_company(self):
        """Each company gets its own axis Filière with the five sectors,
        found by get_sector_axis and shown in its configuration"""
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        first = create_company("Les Ateliers")
        second = create_company("Autre PTCE")

        self.assertIsNone(Configuration.get_sector_axis(first))
        roots = Configuration.create_sector_axis([first, second.id])

        self.assertEqual(len(roots), 2)
        self.assertNotEqual(roots[0], roots[1])
        for company, root in zip([first, second], roots):
            self.assertEqual(root.company, company)
            self.assertEqual((root.type, root.code, root.name),
                ('root', 'FIL', "Filière"))
            self.assertEqual(
                sorted((a.code, a.company) for a in root.childs),
                sorted((c, company) for c in ['CC', 'CU', 'EC', 'ST', 'TA']))
            self.assertEqual(Configuration.get_sector_axis(company), root)
            with set_company(company):
                self.assertEqual(Configuration.get_sector_axis(), root)
                self.assertEqual(Configuration(1).sector_axis, root)

    @with_transaction()
    def test_sector_axis_idempotent(self):
        "Creating the axis again keeps the one the company has"
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        Account = pool.get('analytic_account.account')
        company = create_company()
        root, = Configuration.create_sector_axis([company])
        count = Account.search([], count=True)

        self.assertEqual(
            Configuration.create_sector_axis([company]), [root])
        self.assertEqual(Account.search([], count=True), count)

    @with_transaction()
    def test_sector_axis_migration(self):
        """The analytic root FIL of a database set up before the module
        becomes its company's sector axis"""
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        Value = pool.get('ptce.configuration.sector_axis')
        Account = pool.get('analytic_account.account')
        first = create_company("Les Ateliers")
        second = create_company("Autre PTCE")
        roots = Account.create([
                {'type': 'root', 'code': code, 'name': code,
                    'company': company.id}
                for code, company in [
                    ('SUB', first), ('FIL', first), ('FIL', second)]])

        Value._migrate_sector_axis()
        Value._values_cache().clear()

        self.assertEqual(Configuration.get_sector_axis(first), roots[1])
        self.assertEqual(Configuration.get_sector_axis(second), roots[2])
        self.assertEqual(
            Configuration.create_sector_axis([first, second]), roots[1:])

    @with_transaction()
    def test_sector_search(self):
        """The accounts of a company's sector axis are its sectors; the
        accounts of another axis, and the roots, are not"""
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        Account = pool.get('analytic_account.account')
        first = create_company("Les Ateliers")
        second = create_company("Autre PTCE")
        axes = Configuration.create_sector_axis([first, second])
        other = Account(type='root', name="Subvention", code='SUB',
            company=first)
        other.save()
        grant = Account(type='normal', name="Région", code='REG',
            company=first, root=other, parent=other)
        grant.save()

        sectors = Account.search([('sector', '=', True)])
        self.assertEqual(len(sectors), 10)
        self.assertEqual({a.root for a in sectors}, set(axes))
        self.assertTrue(all(a.sector for a in sectors))
        not_sectors = Account.search([('sector', '=', False)])
        self.assertEqual(set(not_sectors), set(axes) | {other, grant})
        self.assertEqual(Account.search([('sector', '!=', True)]),
            Account.search([('sector', '=', False)]))
        self.assertFalse(grant.sector)
        self.assertFalse(axes[0].sector)
        self.assertEqual(
            Account.search([
                    ('sector', '=', True), ('company', '=', second.id)],
                count=True), 5)

    @with_transaction()
    def test_sector_axis_access(self):
        """Every user reads the sector axis (the domains on sectors use
        it); only administrators change it"""
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        Value = pool.get('ptce.configuration.sector_axis')
        Account = pool.get('analytic_account.account')
        User = pool.get('res.user')
        company = create_company()
        root, = Configuration.create_sector_axis([company])
        user = User(login='clerk', companies=[company], company=company)
        user.save()

        with Transaction().set_user(user.id), \
                Transaction().set_context(
                    _check_access=True, company=company.id):
            self.assertEqual(Configuration.get_sector_axis(), root)
            self.assertEqual(
                Account.search([('sector', '=', True)], count=True), 5)
            with self.assertRaises(AccessError):
                Value.create([{'company': company.id, 'sector_axis': None}])
            with self.assertRaises(AccessError):
                Configuration.write(
                    [Configuration(1)], {'sector_axis': None})


del ModuleTestCase
