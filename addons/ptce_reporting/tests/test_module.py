# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
from decimal import Decimal

from trytond.modules.account.tests import get_fiscalyear
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
    def test_indicator_registry(self):
        """Each indicator of the registry (filled by the four modules) has
        one code, is computed, in the order of its sequence, and is a value
        of the stored indicators"""
        pool = Pool()
        Indicator = pool.get('ptce.indicator')
        Value = pool.get('ptce.indicator.value')
        company = create_company()
        with set_company(company):
            registry = sorted(Indicator._indicators(), key=lambda i: i[0])
            codes = [code for _, code, _, _ in registry]
            self.assertEqual(len(codes), len(set(codes)))
            self.assertEqual(codes, [
                    'REVENUE', 'SELF', 'GRANTS', 'ACTIVITIES', 'JOBS',
                    'JOBS_FTE', 'VISITORS', 'ASSOC', 'ASSOC_COLLEGE',
                    'WASTE', 'WASTE_OUTCOME', 'WASTE_RATE', 'CULTURE',
                    'RENTS', 'OCCUPANCY'])
            self.assertEqual(list(Indicator.compute(company, 2026)), codes)
            self.assertEqual(
                [code for code, _ in Value.get_indicators()], codes)

    @with_transaction()
    def test_year_end_blockers(self):
        """The blockers of the year-end closing come from the four modules,
        in the order of their sequence"""
        company = create_company()
        with set_company(company):
            fiscalyear = get_fiscalyear(company)
            fiscalyear.save()
            self.assertEqual(
                [b.code for b in fiscalyear.get_year_end_blockers()], [
                    'draft_moves', 'open_periods', 'bank_lines', 'pos_sales',
                    'pos_sessions', 'pos_closings', 'rents'])

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
