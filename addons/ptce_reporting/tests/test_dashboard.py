# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The indicators dashboard and the funder packs: each panel filters its
own indicator, values by sector and month, a funder's pack scoped to its
grants, the formatting of the workbook, the charts' texts."""
import datetime
import os
import re
import shutil
import tempfile
import unittest
import warnings
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)

from ateliers.environment import MODULES

YEAR = 2026


class DashboardTestCase(unittest.TestCase):
    "Indicators dashboard and funder packs"

    @classmethod
    def setUpClass(cls):
        # The same activated database as the modules' test cases
        # (ateliers.testing.AllModulesTestMixin)
        drop_db()
        activate_module(sorted(MODULES))

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix='test-dashboard-')
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)

    def grants(self, company):
        """Two funders with grants of different lengths of amount (9,000
        and 12,000; an instalment each); the Région's grant of the
        previous year too"""
        pool = Pool()
        Party = pool.get('party.party')
        Grant = pool.get('ptce.grant')
        Instalment = pool.get('ptce.grant.instalment')
        region, ademe = Party.create([
                {'name': "Région Occitanie"}, {'name': "ADEME"}])
        grants = []
        for funder, reference, amount, received, year in [
                (region, 'REG-1', 9000, 4000, YEAR),
                (ademe, 'ADEME-1', 12000, 6000, YEAR),
                (region, 'REG-0', 5000, 5000, YEAR - 1)]:
            grant = Grant(
                company=company, funder=funder, reference=reference,
                kind='operating', amount=Decimal(amount),
                award_date=datetime.date(year, 3, 1),
                start_date=datetime.date(year, 1, 1),
                end_date=datetime.date(year, 12, 31))
            grant.save()
            # Awarded by hand: the workflow is not what is tested here
            Grant.write([grant], {'state': 'received'})
            Instalment.create([{
                        'grant': grant.id, 'amount': Decimal(received),
                        'date': datetime.date(year, 4, 15),
                        'description': f"Versement {reference}",
                        }])
            grants.append(grant)
        return region, ademe, grants

    @with_transaction()
    def test_funder_grants_scoped(self):
        """A funder's GRANTS indicator counts its grants only; the
        company's counts all"""
        pool = Pool()
        Indicator = pool.get('ptce.indicator')
        company = create_company()
        with set_company(company):
            region, ademe, _ = self.grants(company)
            for funder, awarded, received, previous in [
                    (None, '21000.00', '10000.00', '5000.00'),
                    (region, '9000.00', '4000.00', '5000.00'),
                    (ademe, '12000.00', '6000.00', '0'),
                    ]:
                figure, = Indicator.compute_grants(
                    company, YEAR, funder=funder)
                self.assertEqual(
                    (str(figure.series['awarded'].total),
                        str(figure.series['received'].total),
                        str(figure.series['awarded'].previous)),
                    (awarded, received, previous), funder)

    @with_transaction()
    def test_funder_pack_scoped(self):
        """Every grant figure of the Région's pack is the Région's: the
        indicator, the grants and their total, the instalments, the
        headline of the charts"""
        import openpyxl

        from ptce_reporting import pack
        company = create_company()
        with set_company(company):
            region, ademe, _ = self.grants(company)
            figures, grants = pack.collect(company, YEAR, funder=region)
            path = os.path.join(self.folder, 'region.xlsx')
            pack.write_workbook(
                path, company, YEAR, figures, grants, funder=region)
            headline = pack.headline(grants, region)

        self.assertEqual([g.reference for g in grants], ['REG-1'])
        self.assertEqual(headline,
            "1 subvention(s) de Région Occitanie : 9\u00a0000,00 € "
            "accordés, 4\u00a0000,00 € encaissés")
        workbook = openpyxl.load_workbook(path)
        rows = {(r[0], r[2]): r for r in workbook['Indicateurs'].iter_rows(
                min_row=3, values_only=True)}
        self.assertEqual(rows['GRANTS', 'accordé'][15:17], (9000, 5000))
        self.assertEqual(rows['GRANTS', 'encaissé'][15:17], (4000, 5000))
        grants_sheet = list(
            workbook['Subventions'].iter_rows(min_row=2, values_only=True))
        self.assertEqual([(r[0], r[1], r[5], r[6]) for r in grants_sheet], [
                ("Région Occitanie", 'REG-1', 9000, 4000),
                ("Total", "1 subvention(s)", 9000, 4000)])
        self.assertEqual(
            [r[1:] for r in workbook['Versements'].iter_rows(
                    min_row=2, values_only=True)],
            [("Région Occitanie", 'REG-1', "Versement REG-1", 4000)])

    @with_transaction()
    def test_pack_workbook_format(self):
        """The workbook's cells have their formats: euros, percentages,
        dates, a bold frozen header, column widths; the definitions of
        the indicators in French"""
        import openpyxl

        from ptce_reporting import pack
        pool = Pool()
        Indicator = pool.get('ptce.indicator')
        company = create_company()
        with set_company(company):
            region, _, _ = self.grants(company)
            figures, grants = pack.collect(company, YEAR, funder=region)
            path = os.path.join(self.folder, 'region.xlsx')
            pack.write_workbook(
                path, company, YEAR, figures, grants, funder=region)
            registry = [(code, unit) for _, code, _, unit in sorted(
                    Indicator._indicators(), key=lambda i: i[0])]

        workbook = openpyxl.load_workbook(path)
        self.assertEqual(workbook.sheetnames, [
                'Indicateurs', 'Budget vs réalisé', 'Subventions',
                'Versements', 'Filières', 'Espaces', 'Définitions'])
        for sheet in workbook:
            header = 2 if sheet.title in {
                'Indicateurs', 'Budget vs réalisé'} else 1
            self.assertTrue(all(c.font.b for c in sheet[header]
                    if c.value is not None), sheet.title)
            self.assertEqual(
                sheet.freeze_panes[1:], str(header + 1), sheet.title)
            for letter in 'AB':
                self.assertGreater(
                    sheet.column_dimensions[letter].width, 8, sheet.title)
        self.assertEqual(workbook['Indicateurs'].freeze_panes, 'D3')

        sheet = workbook['Indicateurs']
        rows = {(r[0].value, r[2].value): r for r in sheet.iter_rows(
                min_row=3)}
        received = rows['GRANTS', 'encaissé']
        self.assertEqual(received[6].value, 4000)
        self.assertEqual(
            {c.number_format for c in received[3:17]}, {'#,##0.00 €'})
        self.assertEqual(received[17].number_format, '0.0%')
        rate = rows['SELF', 'taux']
        self.assertEqual(
            {c.number_format for c in rate[3:17]}, {'0.0%'})

        grant = workbook['Subventions'][2]
        self.assertEqual(grant[3].value, datetime.datetime(YEAR, 1, 1))
        self.assertEqual(
            (grant[3].number_format, grant[4].number_format),
            ('DD/MM/YYYY', 'DD/MM/YYYY'))
        self.assertEqual(
            {c.number_format for c in grant[5:8]}, {'#,##0.00 €'})
        instalment = workbook['Versements'][2]
        self.assertEqual(
            (instalment[0].number_format, instalment[4].number_format),
            ('DD/MM/YYYY', '#,##0.00 €'))
        occupancy = workbook['Espaces'][2]
        self.assertEqual(
            (occupancy[0].value, occupancy[1].number_format),
            ("Taux d'occupation (%)", '0.0%'))

        definitions = list(workbook['Définitions'].iter_rows(
                min_row=2, values_only=True))
        self.assertEqual([r[0] for r in definitions],
            [code for code, _ in registry])
        units = {'EUR': "€", '%': "%", 'count': "nombre", 'FTE': "ETP",
            'visitors': "visiteurs par jour", 'kg': "kg"}
        for (code, unit), row in zip(registry, definitions):
            self.assertEqual(row[2], units[unit], code)
            # A French name and a definition of a sentence at least
            self.assertTrue(row[1] and row[1] != code, code)
            self.assertRegex(row[3] or '', r'^[A-ZÉ].{30,}\.$', code)

    @with_transaction()
    def test_pack_charts_control_character(self):
        """A name typed with a control character draws without matplotlib's
        "Glyph 7 missing" warning"""
        from ptce_reporting import pack
        pool = Pool()
        Indicator = pool.get('ptce.indicator')
        company = create_company()
        with set_company(company):
            figure = Indicator.figure('ASSOC_COLLEGE')
            series = figure.series['Collège\x07des salariés']
            series.months[0] = series.total = Decimal(3)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always')
                pack.write_charts(
                    os.path.join(self.folder, 'pack.pdf'),
                    os.path.join(self.folder, 'charts'), company, YEAR,
                    {'ASSOC_COLLEGE': figure}, "Rapport\x07 2026",
                    subtitle="1 subvention(s) de $Région$")
        self.assertEqual(
            [str(w.message) for w in caught
                if re.search('Glyph|mathtext', str(w.message))], [])
        self.assertEqual(
            os.listdir(os.path.join(self.folder, 'charts')),
            ['associes_colleges.png'])

    @with_transaction()
    def test_indicator_values_by_sector(self):
        """The stored values of the indicators split by sector (revenue,
        new activities) carry their sector, month by month"""
        pool = Pool()
        Configuration = pool.get('ptce.configuration')
        Analytic = pool.get('analytic_account.account')
        Activity = pool.get('ptce.activity')
        Value = pool.get('ptce.indicator.value')
        company = create_company()
        with set_company(company):
            Configuration.create_sector_axis([company])
            sectors = {a.code: a for a in Analytic.search([
                        ('company', '=', company.id), ('sector', '=', True),
                        ('type', '=', 'normal')])}
            Activity.create([{
                        'company': company.id, 'name': name,
                        'sector': sectors[code].id if code else None,
                        'start_date': date,
                        } for name, code, date in [
                        ("Épicerie", 'CC', datetime.date(YEAR, 5, 2)),
                        ("Traiteur", 'CC', datetime.date(YEAR, 5, 20)),
                        ("Couture", 'TA', datetime.date(YEAR, 9, 1)),
                        ("Sans filière", None, datetime.date(YEAR, 9, 3)),
                        ]])
            Value.refresh(company, YEAR)
            values = Value.search([
                    ('indicator', '=', 'ACTIVITIES'), ('value', '!=', 0)])
            self.assertEqual(
                [(v.date.month, v.sector.code if v.sector else None,
                        v.key, v.value) for v in values],
                [(5, 'CC', 'CC', 2), (9, None, '', 1),
                    (9, 'TA', 'TA', 1)])
            self.assertFalse(Value.search([
                        ('indicator', 'not in', ['REVENUE', 'ACTIVITIES']),
                        ('sector', '!=', None)]))

    @with_transaction()
    def test_dashboard_panels(self):
        """Each panel of the dashboard reads one indicator of the current
        company over the last twelve months, through its action's
        context_domain (the web client ignores the domain of an action in
        a board); a few panels only"""
        pool = Pool()
        View = pool.get('ir.ui.view')
        ModelData = pool.get('ir.model.data')
        ActWindow = pool.get('ir.action.act_window')
        Value = pool.get('ptce.indicator.value')
        Date = pool.get('ir.date')
        company = create_company()
        other = create_company(name="Other")
        board = View(ModelData.get_id(
            'ptce_reporting', 'indicator_board_view'))
        names = re.findall(r'<action name="([^"]+)"', board.arch)
        self.assertTrue(2 <= len(names) <= 8, names)
        today = Date.today()

        def months_ago(n):
            month = today.month - 1 - n
            return datetime.date(today.year + month // 12, month % 12 + 1, 1)
        with set_company(company):
            for target in [company, other]:
                for code in ['REVENUE', 'VISITORS', 'SELF']:
                    for delta in [0, 11, 12]:
                        month = months_ago(delta)
                        Value.create([{
                                    'company': target.id, 'indicator': code,
                                    'date': month, 'year': month.year,
                                    'key': 'x', 'value': Decimal(delta),
                                    }])
            codes = []
            for name in names:
                module, xml_id = name.split('.')
                action = ActWindow(ModelData.get_id(module, xml_id))
                domain = PYSONDecoder({'company': company.id}).decode(
                    action.context_domain)
                code, = [c[2] for c in domain if c[0] == 'indicator']
                codes.append(code)
                values = Value.search(domain)
                self.assertEqual(
                    {(v.indicator, v.company) for v in values},
                    {(code, company)} if values else set(), name)
                if code in {'REVENUE', 'VISITORS', 'SELF'}:
                    # this month and 11 months ago, not 12 months ago
                    self.assertEqual(
                        sorted(v.value for v in values), [0, 11], name)
            self.assertIn('REVENUE', codes)
            self.assertIn('ACTIVITIES', codes)
