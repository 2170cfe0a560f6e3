# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin,
    PartyCompanyCheckEraseMixin,
    create_company,
    set_company,
)
from trytond.modules.party.exceptions import EraseError
from trytond.modules.party.tests import PartyCheckReplaceMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from ateliers.testing import (
    AllModulesTestMixin,
    PartyReplaceAllFieldsMixin,
)


class PtceReportingTestCase(
        AllModulesTestMixin, PartyCompanyCheckEraseMixin,
        PartyCheckReplaceMixin, PartyReplaceAllFieldsMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test ptce_reporting module"
    module = 'ptce_reporting'

    @with_transaction()
    def test_indicator_numeric_sums_exact(self):
        """The indicators sum numeric columns exactly on both backends
        (SQLite sums them as floats: 0.1 + 0.2 = 0.30000000000000004)"""
        pool = Pool()
        Job = pool.get('ptce.job')
        from ..indicator import compute
        company = create_company()
        date = datetime.date(2026, 3, 2)
        with set_company(company):
            Job.create([{
                        'company': company.id, 'name': name,
                        'contract_type': 'cdd', 'start_date': date,
                        'fte': fte,
                        } for name, fte in [
                        ("Valoriste", Decimal('0.1')),
                        ("Vendeur", Decimal('0.2')),
                        ]])
            fte = compute(company, 2026, codes=['JOBS'])['JOBS_FTE']
        series = fte.series['cdd']
        self.assertEqual(
            (str(series.total), str(series.months[2])), ('0.30', '0.30'))


    @with_transaction()
    def test_grant_search_rec_name_negative(self):
        "Search grants by reference, funder and programme, negatively too"
        pool = Pool()
        Party = pool.get('party.party')
        Grant = pool.get('ptce.grant')
        company = create_company()
        with set_company(company):
            grants = []
            for reference, funder in [
                    ('CONV-1', "Région"), ('CONV-2', "Fondation Bois")]:
                party = Party(name=funder)
                party.save()
                grant = Grant(
                    company=company, funder=party, reference=reference,
                    programme="AAP PTCE", kind='operating',
                    amount=Decimal(10000),
                    award_date=datetime.date(2026, 1, 1),
                    start_date=datetime.date(2026, 1, 1),
                    end_date=datetime.date(2026, 12, 31))
                grant.save()
                grants.append(grant)
            region, fondation = grants

            self.assertEqual(
                Grant.search([('rec_name', 'ilike', '%bois%')]), [fondation])
            self.assertEqual(
                Grant.search([('rec_name', 'not ilike', '%bois%')]),
                [region])
            self.assertEqual(
                Grant.search([('rec_name', 'not ilike', '%conv-1%')]),
                [fondation])

    @with_transaction()
    def test_erase_party_funder(self):
        "A funder cannot be erased while one of its grants is not closed"
        pool = Pool()
        Party = pool.get('party.party')
        Grant = pool.get('ptce.grant')
        company = create_company()
        with set_company(company):
            party = Party(name="Région", active=False)
            party.save()
            grant = Grant(
                company=company, funder=party, reference='CONV-1',
                kind='operating', amount=Decimal(10000),
                award_date=datetime.date(2026, 1, 1),
                start_date=datetime.date(2026, 1, 1),
                end_date=datetime.date(2026, 12, 31))
            grant.save()

            with self.assertRaises(EraseError):
                self.erase(party)
            # Closed by hand: the workflow is not what is tested here
            Grant.write([grant], {'state': 'closed'})
            self.erase(party)


del ModuleTestCase
