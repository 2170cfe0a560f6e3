# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Funder packs: an XLSX workbook (one sheet per section), a PDF of charts
of the same name and the charts as PNG files in a folder beside it.

The documents are for French funders: their texts are in French."""
import datetime
import os
import shutil
import tempfile

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from ptce_company.spreadsheet import xlsx_row

from . import indicator as indicators
from .exceptions import ReportingError
from .fec import write_atomic

MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août',
    'sept.', 'oct.', 'nov.', 'déc.']
NAMES = {
    'REVENUE': "Chiffre d'affaires par filière (€)",
    'SELF': "Taux d'autofinancement (%)",
    'GRANTS': "Subventions (€)",
    'ACTIVITIES': "Nouvelles activités créées",
    'JOBS': "Emplois directs créés",
    'JOBS_FTE': "Emplois directs créés (ETP)",
    'VISITORS': "Visiteurs par jour",
    'ASSOC': "Associés",
    'ASSOC_COLLEGE': "Associés par collège",
    'WASTE_OUTCOME': "Recyclerie : devenir (kg)",
    'RENTS': "Loyers facturés (€)",
    'OCCUPANCY': "Taux d'occupation (%)",
    'WASTE': "Recyclerie : tonnage (kg)",
    'WASTE_RATE': "Recyclerie : taux de réemploi, recyclage, élimination "
    "(%)",
    'CULTURE': "Culture : événements et fréquentation",
    }
KEYS = {
    'awarded': "accordé", 'received': "encaissé", 'spent': "dépensé",
    'all': "ensemble", 'rate': "taux", 'cdi': "CDI", 'cdd': "CDD",
    'insertion': "insertion", 'apprentice': "apprentissage",
    'other': "autre", '': "non affecté", 'total': "total",
    'person': "personnes", 'organisation': "structures",
    'events': "événements", 'rents': "loyers",
    'reused_sold': "réemploi (vendu)", 'reused_given': "réemploi (donné)",
    'recycled': "recyclé", 'disposed': "éliminé",
    'reuse': "réemploi", 'recycling': "recyclage", 'disposal': "élimination",
    'tickets': "billets vendus", 'loans': "prêts de matériel",
    }
STATES = {
    'requested': "demandée", 'awarded': "accordée",
    'received': "versements en cours", 'justified': "justifiée",
    'closed': "clôturée",
    }


def _grants(company, year, funder=None):
    pool = Pool()
    Grant = pool.get('ptce.grant')
    domain = [
        ('company', '=', company.id),
        ('start_date', '<=', datetime.date(year, 12, 31)),
        ('end_date', '>=', datetime.date(year, 1, 1)),
        ]
    if funder:
        domain.append(('funder', '=', funder.id))
    return Grant.search(domain, order=[('start_date', 'ASC'), ('id', 'ASC')])


def collect(company, year, funder=None):
    """The figures of the pack: indicators and grants; raises a French
    user error for a funder without grant in the year or a year without
    data."""
    grants = _grants(company, year, funder)
    if funder and not grants:
        raise ReportingError(gettext(
                'ptce_reporting.msg_pack_no_grant',
                funder=funder.rec_name, year=year))
    figures = indicators.compute(company, year)
    if not grants and not any(
            s.total for i in figures.values() for s in i.series.values()):
        raise ReportingError(gettext(
                'ptce_reporting.msg_pack_no_data', year=year))
    return figures, grants


def _label(key):
    return KEYS.get(key, key)


def _change(current, previous):
    if not previous:
        return None
    return float((current - previous) * 100 / previous) / 100


def _append(sheet, values):
    """Append a row of values to sheet, its texts made safe (names of
    parties, grants, sectors are typed by users): no formula, no control
    character (ptce_company.spreadsheet)."""
    sheet.append(xlsx_row(values))


def write_workbook(path, company, year, figures, grants, funder=None):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    bold = Font(bold=True)
    workbook = Workbook()

    sheet = workbook.active
    sheet.title = "Indicateurs"
    title = f"{company.rec_name} — indicateurs {year}"
    if funder:
        title += f" — {funder.rec_name}"
    _append(sheet, [title])
    sheet['A1'].font = bold
    _append(sheet, ["Code", "Indicateur", "Détail"] + MONTHS
        + [str(year), str(year - 1), "Évolution"])
    for cell in sheet[2]:
        cell.font = bold
    for code, indicator in figures.items():
        name = NAMES.get(code, indicator.name)
        if indicator.estimate:
            name += (" — estimation (tickets de caisse et billets les jours "
                "sans comptage)")
        for key in sorted(indicator.series):
            series = indicator.series[key]
            _append(sheet, [code, name, _label(key)]
                + [float(v) for v in series.months]
                + [float(series.total), float(series.previous),
                    _change(series.total, series.previous)])
            sheet.cell(sheet.max_row, 18).number_format = '0.0%'

    sheet = workbook.create_sheet("Budget vs réalisé")
    _append(sheet, ["Compte rendu financier (Cerfa n° 15059)"])
    sheet['A1'].font = bold
    for grant in grants:
        _append(sheet, [])
        _append(sheet, [f"{grant.funder.rec_name} — {grant.reference}",
                grant.programme or ''])
        sheet.cell(sheet.max_row, 1).font = bold
        _append(sheet, ["Nature", "Détail", "Prévu", "Réalisé", "Écart",
                "Réalisé / prévu"])
        for row in grant.budget_vs_actual():
            _append(sheet, [row['nature'], row['description'],
                    float(row['planned']), float(row['actual']),
                    float(row['difference']),
                    float(row['percent']) / 100
                    if row['percent'] is not None else None])
            sheet.cell(sheet.max_row, 6).number_format = '0.0%'

    sheet = workbook.create_sheet("Subventions")
    _append(sheet, ["Financeur", "Référence", "Programme", "Début", "Fin",
            "Montant accordé", "Encaissé", "Dépensé", "État",
            "De minimis"])
    for cell in sheet[1]:
        cell.font = bold
    for grant in grants:
        _append(sheet, [grant.funder.rec_name, grant.reference,
                grant.programme or '', grant.start_date, grant.end_date,
                float(grant.amount), float(grant.received_amount),
                float(grant.spent_amount), STATES[grant.state],
                "oui" if grant.de_minimis else "non"])

    sheet = workbook.create_sheet("Filières")
    _append(sheet, ["Filière"] + MONTHS + [str(year), str(year - 1)])
    for cell in sheet[1]:
        cell.font = bold
    revenue = figures.get('REVENUE')
    sector_names = _sector_names(company)
    if revenue:
        for key in sorted(revenue.series):
            series = revenue.series[key]
            _append(sheet, [sector_names.get(key, key)]
                + [float(v) for v in series.months]
                + [float(series.total), float(series.previous)])

    occupancy = figures.get('OCCUPANCY')
    if occupancy:
        sheet = workbook.create_sheet("Espaces")
        _append(sheet, ["Espaces"] + MONTHS + [str(year), str(year - 1)])
        for cell in sheet[1]:
            cell.font = bold
        rows = [
            ("Taux d'occupation (%)", occupancy.series['rate']),
            ("m²·jours loués", occupancy.leased),
            ("m²·jours disponibles", occupancy.available),
            ("Espaces vacants (aucun jour loué)", occupancy.vacant),
            ]
        rents = figures.get('RENTS')
        if rents:
            rows.append(("Loyers facturés (€)", rents.series['rents']))
        for label, series in rows:
            _append(sheet, [label] + [float(v) for v in series.months]
                + [float(series.total), float(series.previous)])

    if not funder:
        sheet = workbook.create_sheet("Projet coopératif")
        _append(sheet, [f"Évolution du projet coopératif en {year} "
                "(rapport de gestion, décret 2015-1381)"])
        sheet['A1'].font = bold
        for line in cooperative_project(figures, grants, year):
            _append(sheet, [line])

    with tempfile.NamedTemporaryFile(suffix='.xlsx') as tmp:
        workbook.save(tmp.name)
        with open(tmp.name, 'rb') as file:
            write_atomic(path, file.read())


def cooperative_project(figures, grants, year):
    "Sentences of the cooperative-project section of the management report"
    lines = []

    def total(code, key=None):
        indicator = figures.get(code)
        if not indicator:
            return None, None
        if key:
            series = indicator.series.get(key)
            return (series.total, series.previous) if series else (0, 0)
        return indicator.total(), indicator.total(previous=True)
    for code, text in [
            ('ASSOC', "Associés en fin d'année : {0} ({1} l'année "
                "précédente)."),
            ('ACTIVITIES', "Nouvelles activités créées : {0} ({1})."),
            ('JOBS', "Emplois directs créés : {0} ({1})."),
            ('REVENUE', "Chiffre d'affaires des filières : {0:.2f} € "
                "({1:.2f} €)."),
            ]:
        current, previous = total(code)
        if current is not None:
            lines.append(text.format(current, previous))
    current, previous = total('VISITORS', 'all')
    if current is not None:
        lines.append(f"Visiteurs par jour en moyenne : {current} "
            f"({previous}).")
    current, previous = total('SELF', 'rate')
    if current is not None:
        lines.append(f"Taux d'autofinancement : {current} % ({previous} %).")
    awarded = sum((g.amount for g in grants), 0)
    lines.append(f"Subventions en cours en {year} : {len(grants)}, "
        f"{awarded:.2f} € accordés.")
    return lines


def _sector_names(company):
    pool = Pool()
    Analytic = pool.get('analytic_account.account')
    return {a.code: a.name for a in Analytic.search([
                ('company', '=', company.id), ('sector', '=', True),
                ('type', '=', 'normal')])}


def charts(company, year, figures):
    """The charts of the pack as (file stem, title, draw function)"""
    result = []
    sector_names = _sector_names(company)
    revenue = figures.get('REVENUE')
    if revenue and revenue.series:
        def draw(ax, indicator=revenue):
            bottom = [0] * 12
            for key in sorted(indicator.series):
                values = [float(v) for v in indicator.series[key].months]
                ax.bar(MONTHS, values, bottom=bottom,
                    label=sector_names.get(key, key))
                bottom = [a + b for a, b in zip(bottom, values)]
            ax.set_ylabel("€")
            ax.legend(fontsize='small')
        result.append(('ca_filieres',
                f"Chiffre d'affaires par filière et par mois, {year}", draw))
    for code, stem, title in [
            ('WASTE', 'tonnage_flux', "Recyclerie : tonnage par flux (kg)"),
            ('ASSOC_COLLEGE', 'associes_colleges', "Associés par collège"),
            ('WASTE_OUTCOME', 'devenir_recyclerie',
                "Recyclerie : devenir des objets (kg)"),
            ('OCCUPANCY', 'occupation', "Taux d'occupation des espaces (%)"),
            ('GRANTS', 'subventions', "Subventions : accordé, encaissé, "
                "dépensé (€)"),
            ('VISITORS', 'visiteurs', "Visiteurs par jour"),
            ]:
        indicator = figures.get(code)
        if not indicator or not any(
                s.total or s.previous for s in indicator.series.values()):
            continue
        if code in {'ASSOC_COLLEGE', 'WASTE', 'WASTE_OUTCOME', 'GRANTS'}:
            def draw(ax, indicator=indicator):
                keys = sorted(indicator.series)
                ax.bar([_label(k) for k in keys],
                    [float(indicator.series[k].total) for k in keys],
                    label=str(year))
                ax.plot([_label(k) for k in keys],
                    [float(indicator.series[k].previous) for k in keys],
                    'o', color='black', label=str(year - 1))
                ax.legend(fontsize='small')
        else:
            def draw(ax, indicator=indicator):
                for key in sorted(indicator.series):
                    series = indicator.series[key]
                    ax.plot(MONTHS, [float(v) for v in series.months],
                        marker='o', label=f"{_label(key)} {year}")
                    ax.plot(MONTHS,
                        [float(v) for v in series.previous_months],
                        linestyle='--', label=f"{_label(key)} {year - 1}")
                ax.legend(fontsize='small')
        result.append((stem, f"{title}, {year}", draw))
    return result


def write_charts(pdf_path, png_folder, company, year, figures, title):
    """Draw the charts into a PDF (a title page then one chart per page) and
    PNG files; both written to temporary places then renamed."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot
    from matplotlib.backends.backend_pdf import PdfPages

    parent = os.path.dirname(os.path.abspath(pdf_path))
    tmp_folder = tempfile.mkdtemp(dir=parent, prefix='.tmp-charts-')
    fd, tmp_pdf = tempfile.mkstemp(dir=parent, prefix='.tmp-', suffix='.pdf')
    os.close(fd)
    pngs = []
    try:
        with PdfPages(tmp_pdf) as pdf:
            figure = pyplot.figure(figsize=(11.69, 8.27))
            figure.text(0.5, 0.6, title, ha='center', fontsize=22)
            figure.text(0.5, 0.5, company.rec_name, ha='center', fontsize=14)
            figure.text(0.5, 0.45,
                f"Édité le {datetime.date.today():%d/%m/%Y}",
                ha='center', fontsize=10)
            pdf.savefig(figure)
            pyplot.close(figure)
            for stem, chart_title, draw in charts(company, year, figures):
                figure, ax = pyplot.subplots(figsize=(11.69, 8.27))
                ax.set_title(chart_title)
                draw(ax)
                figure.tight_layout()
                pdf.savefig(figure)
                png = os.path.join(tmp_folder, f'{stem}.png')
                figure.savefig(png, dpi=100)
                pngs.append(f'{stem}.png')
                pyplot.close(figure)
        if os.path.exists(png_folder):
            shutil.rmtree(png_folder)
        os.replace(tmp_folder, png_folder)
        os.replace(tmp_pdf, pdf_path)
    except BaseException:
        shutil.rmtree(tmp_folder, ignore_errors=True)
        if os.path.exists(tmp_pdf):
            os.unlink(tmp_pdf)
        raise
    return [os.path.join(png_folder, p) for p in pngs]


def build_pack(company, year, output, funder=None):
    """Write the pack: output (.xlsx), the PDF of the same name and the
    folder <name>_graphiques of PNG charts. Without funder, the general
    activity report over all funders. Returns the paths written."""
    figures, grants = collect(company, year, funder)
    stem = os.path.splitext(output)[0]
    pdf_path = stem + '.pdf'
    png_folder = stem + '_graphiques'
    if funder:
        title = f"Rapport {year} pour {funder.rec_name}"
    else:
        title = f"Rapport d'activité {year}"
    write_workbook(output, company, year, figures, grants, funder)
    pngs = write_charts(pdf_path, png_folder, company, year, figures, title)
    return [output, pdf_path] + pngs


def pack_files(company, year, funder=None):
    """Build the pack with build_pack() in a temporary folder and return
    {'xlsx': (name, bytes), 'pdf': (name, bytes), 'png': (name, bytes of a
    zip of the charts)} for the client wizard."""
    import zipfile
    if funder:
        stem = f"pack_{_slug(funder.rec_name)}_{year}"
    else:
        stem = f"rapport_activite_{year}"
    folder = tempfile.mkdtemp(prefix='ptce-pack-')
    try:
        output = os.path.join(folder, stem + '.xlsx')
        files = build_pack(company, year, output, funder=funder)
        result = {}
        for key, path in [('xlsx', files[0]), ('pdf', files[1])]:
            with open(path, 'rb') as file:
                result[key] = (os.path.basename(path), file.read())
        archive = os.path.join(folder, stem + '_graphiques.zip')
        with zipfile.ZipFile(archive, 'w', zipfile.ZIP_DEFLATED) as zip_:
            for path in files[2:]:
                zip_.write(path, os.path.basename(path))
        with open(archive, 'rb') as file:
            result['png'] = (os.path.basename(archive), file.read())
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _slug(text):
    import re
    import unicodedata
    text = unicodedata.normalize('NFKD', text).encode(
        'ascii', 'ignore').decode('ascii')
    return re.sub(r'[^A-Za-z0-9]+', '_', text).strip('_').lower() or 'pack'


class PackStart(ModelView):
    "Print Funder Pack"
    __name__ = 'ptce.pack.print.start'
    __string__ = "Print Funder Pack"
    activity_report = fields.Boolean(
        "Activity Report",
        help="The general activity report (rapport d'activité) covering all "
        "funders with the cooperative-project section of the management "
        "report, instead of the pack of one funder.")
    funder = fields.Many2One(
        'party.party', "Funder",
        states={
            'required': ~Eval('activity_report', False),
            'invisible': Eval('activity_report', False),
            },
        context={'company': Eval('company', -1)}, depends={'company'})
    year = fields.Integer("Year", required=True)
    company = fields.Many2One('company.company', "Company", required=True)

    @staticmethod
    def default_year():
        return Pool().get('ir.date').today().year

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_activity_report():
        return False


class PackResult(ModelView):
    "Print Funder Pack"
    __name__ = 'ptce.pack.print.result'
    __string__ = "Printed Funder Pack"
    workbook = fields.Binary(
        "Workbook", filename='workbook_name', readonly=True)
    workbook_name = fields.Char("Workbook Name", readonly=True)
    charts = fields.Binary(
        "Charts (PDF)", filename='charts_name', readonly=True)
    charts_name = fields.Char("Charts Name", readonly=True)
    images = fields.Binary(
        "Charts (PNG)", filename='images_name', readonly=True)
    images_name = fields.Char("Images Name", readonly=True)


class PackPrint(Wizard):
    """Print Funder Pack: the same workbook, PDF and charts as
    `ateliers report funder|activity`, returned as files to download"""
    __name__ = 'ptce.pack.print'
    start = StateView('ptce.pack.print.start',
        'ptce_reporting.pack_print_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('ptce.pack.print.result',
        'ptce_reporting.pack_print_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        defaults = {}
        if self.model and self.record:
            if self.model.__name__ == 'party.party':
                defaults['funder'] = self.record.id
            elif self.model.__name__ == 'ptce.grant':
                defaults['funder'] = self.record.funder.id
                defaults['company'] = self.record.company.id
        return defaults

    def default_result(self, fields):
        funder = None if self.start.activity_report else self.start.funder
        files = pack_files(self.start.company, self.start.year, funder)
        return {
            'workbook': files['xlsx'][1],
            'workbook_name': files['xlsx'][0],
            'charts': files['pdf'][1],
            'charts_name': files['pdf'][0],
            'images': files['png'][1],
            'images_name': files['png'][0],
            }
