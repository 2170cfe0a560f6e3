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
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from ptce_company.spreadsheet import strip_control, xlsx_row

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
# The units of the registry (ptce.indicator._indicators) in the packs
UNITS = {
    'EUR': "€", '%': "%", 'count': "nombre", 'FTE': "ETP",
    'visitors': "visiteurs par jour", 'kg': "kg",
    }
EUR = '#,##0.00 €'
PERCENT = '0.0%'
DATE = 'DD/MM/YYYY'
FORMATS = {
    'EUR': EUR, '%': PERCENT, 'count': '#,##0', 'FTE': '#,##0.00',
    'visitors': '#,##0.0', 'kg': '#,##0.0',
    }
# The definitions of doc/indicators.rst, in French for the funders
DEFINITIONS = {
    'REVENUE': "Chiffre d'affaires hors taxes par filière : lignes "
    "analytiques de l'axe « Filière » sur les comptes 70, écritures "
    "validées ; sans la TVA ni les ventes en dépôt-vente (reversées au "
    "déposant, compte 467).",
    'SELF': "Produits propres (ventes, prestations, loyers : comptes 70) "
    "divisés par les produits propres plus les subventions d'exploitation "
    "(comptes 74).",
    'GRANTS': "Subventions accordées (à la date d'attribution), encaissées "
    "(versements) et dépensées (compte analytique de la subvention, sur sa "
    "période) ; dans le dossier d'un financeur, ses seules subventions.",
    'ACTIVITIES': "Activités inscrites au registre dont la date de début "
    "tombe dans la période, par filière.",
    'JOBS': "Emplois directs créés (date de début dans la période), en "
    "effectif, par type de contrat (CDI, CDD, insertion, apprentissage, "
    "autre).",
    'JOBS_FTE': "Les mêmes emplois directs créés en équivalent temps plein, "
    "par type de contrat.",
    'VISITORS': "Moyenne des visiteurs par jour d'ouverture (comptages "
    "journaliers de tous les sites) ; un jour sans comptage prend les "
    "tickets de caisse et les billets des événements du jour, signalé "
    "comme une estimation.",
    'ASSOC': "Associés admis et non sortis à la fin de chaque mois : "
    "total, personnes physiques, structures ; le chiffre de l'année est "
    "celui de sa fin.",
    'ASSOC_COLLEGE': "Les mêmes associés par collège de vote.",
    'WASTE': "Kilogrammes collectés par la recyclerie, par flux, au mois "
    "de l'apport.",
    'WASTE_OUTCOME': "Kilogrammes par devenir des objets collectés : "
    "réemploi (vendu, donné), recyclage, élimination.",
    'WASTE_RATE': "Taux de réemploi, de recyclage et d'élimination : poids "
    "de chaque devenir divisé par le poids collecté.",
    'CULTURE': "Événements culturels tenus, billets vendus pour ces "
    "événements (au mois de l'événement) et prêts de matériel (à leur "
    "début).",
    'RENTS': "Loyers facturés hors taxes : lignes des factures clients "
    "validées issues des baux.",
    'OCCUPANCY': "Taux d'occupation : m²·jours loués divisés par les "
    "m²·jours disponibles des espaces actifs ; les jours d'un espace "
    "partagé par plusieurs baux comptent une fois.",
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
    data. The grants of a funder's pack are the funder's only: the grants
    sheet and the GRANTS indicator (awarded, received, spent) alike."""
    Indicator = Pool().get('ptce.indicator')
    grants = _grants(company, year, funder)
    if funder and not grants:
        raise ReportingError(gettext(
                'ptce_reporting.msg_pack_no_grant',
                funder=funder.rec_name, year=year))
    figures = indicators.compute(company, year)
    if funder and 'GRANTS' in figures:
        figure, = Indicator.compute_grants(company, year, funder=funder)
        figures['GRANTS'] = figure
    if not grants and not any(
            s.total for i in figures.values() for s in i.series.values()):
        raise ReportingError(gettext(
                'ptce_reporting.msg_pack_no_data', year=year))
    return figures, grants


def _label(key, sector_names=None):
    if sector_names is not None:
        return sector_names.get(key, key) if key else KEYS['']
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


def _number(value, unit=None):
    "A figure as a spreadsheet number: percents as fractions (0.459)"
    if value is None:
        return None
    if unit == '%':
        # Divided as a Decimal: 2.7 % is 0.027, not 0.027000000000000003
        return float(Decimal(value) / 100)
    return float(value)


def _header(sheet, values):
    "Append the header row of a table: bold, frozen with the rows above"
    from openpyxl.styles import Font
    _append(sheet, values)
    row = sheet.max_row
    for cell in sheet[row]:
        cell.font = Font(bold=True)
    # A coordinate, not sheet.cell(): that would add an empty row
    sheet.freeze_panes = f'A{row + 1}'
    return row


def _title(sheet, text):
    from openpyxl.styles import Font
    _append(sheet, [text])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)


def _format(sheet, formats, row=None):
    "Number formats of the cells of row (the last one): {column: format}"
    row = row or sheet.max_row
    for column, number_format in formats.items():
        sheet.cell(row, column).number_format = number_format


def _widths(sheet, first_row=1, maximum=60):
    """Width of each column from its longest value from first_row on (the
    titles above span several columns)"""
    widths = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            value = cell.value
            if value is None:
                continue
            if isinstance(value, (datetime.date, datetime.datetime)):
                length = 10
            elif isinstance(value, (int, float)):
                length = len(f'{value:,.2f}') + 2
            else:
                length = max(len(line) for line in str(value).split('\n'))
            letter = cell.column_letter
            widths[letter] = max(widths.get(letter, 0), length)
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = min(
            max(width + 2, 10), maximum)


def definitions(figures):
    """The rows of the Définitions sheet: (code, French name, unit,
    definition) of each indicator of the pack, in the registry's order"""
    return [(code, NAMES.get(code, figure.name),
            UNITS.get(figure.unit, figure.unit), DEFINITIONS.get(code, ''))
        for code, figure in figures.items()]


def write_workbook(path, company, year, figures, grants, funder=None):
    from openpyxl import Workbook
    workbook = Workbook()
    sector_names = _sector_names(company)

    sheet = workbook.active
    sheet.title = "Indicateurs"
    title = f"{company.rec_name} — indicateurs {year}"
    if funder:
        title += f" — {funder.rec_name}"
    _title(sheet, title)
    _header(sheet, ["Code", "Indicateur", "Détail"] + MONTHS
        + [str(year), str(year - 1), "Évolution"])
    sheet.freeze_panes = 'D3'
    for code, indicator in figures.items():
        name = NAMES.get(code, indicator.name)
        if indicator.estimate:
            name += (" — estimation (tickets de caisse et billets les jours "
                "sans comptage)")
        number_format = FORMATS.get(indicator.unit, 'General')
        names = sector_names if indicator.by_sector else None
        for key in sorted(indicator.series):
            series = indicator.series[key]
            unit = indicator.unit
            _append(sheet, [code, name, _label(key, names)]
                + [_number(v, unit) for v in series.months]
                + [_number(series.total, unit),
                    _number(series.previous, unit),
                    _change(series.total, series.previous)])
            _format(sheet, {c: number_format for c in range(4, 18)})
            _format(sheet, {18: PERCENT})
    _widths(sheet, 2)
    sheet.column_dimensions['B'].width = 40

    sheet = workbook.create_sheet("Budget vs réalisé")
    _title(sheet, "Compte rendu financier (Cerfa n° 15059)")
    _header(sheet, ["Subvention", "Nature", "Détail", "Prévu", "Réalisé",
            "Écart", "Réalisé / prévu"])
    for grant in grants:
        label = f"{grant.funder.rec_name} — {grant.reference}"
        if grant.programme:
            label += f" ({grant.programme})"
        for row in grant.budget_vs_actual():
            _append(sheet, [label, row['nature'], row['description'],
                    float(row['planned']), float(row['actual']),
                    float(row['difference']),
                    float(row['percent']) / 100
                    if row['percent'] is not None else None])
            _format(sheet, {4: EUR, 5: EUR, 6: EUR, 7: PERCENT})
    _widths(sheet, 2)

    sheet = workbook.create_sheet("Subventions")
    _header(sheet, ["Financeur", "Référence", "Programme", "Début", "Fin",
            "Montant accordé", "Encaissé", "Dépensé", "État",
            "De minimis"])
    amounts = {6: EUR, 7: EUR, 8: EUR}
    for grant in grants:
        _append(sheet, [grant.funder.rec_name, grant.reference,
                grant.programme or '', grant.start_date, grant.end_date,
                float(grant.amount), float(grant.received_amount),
                float(grant.spent_amount), STATES[grant.state],
                "oui" if grant.de_minimis else "non"])
        _format(sheet, {4: DATE, 5: DATE, **amounts})
    if grants:
        from openpyxl.styles import Font
        _append(sheet, ["Total", f"{len(grants)} subvention(s)", None,
                None, None]
            + [float(sum(getattr(g, n) for g in grants))
                for n in ['amount', 'received_amount', 'spent_amount']])
        _format(sheet, amounts)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    _widths(sheet)

    sheet = workbook.create_sheet("Versements")
    _header(sheet, ["Date", "Financeur", "Subvention", "Libellé",
            "Montant"])
    for date, grant, instalment in sorted(
            ((i.date, g, i) for g in grants for i in g.instalments),
            key=lambda i: (i[0], i[1].id, i[2].id)):
        _append(sheet, [date, grant.funder.rec_name, grant.reference,
                instalment.description or '', float(instalment.amount)])
        _format(sheet, {1: DATE, 5: EUR})
    _widths(sheet)

    sheet = workbook.create_sheet("Filières")
    _header(sheet, ["Filière"] + MONTHS + [str(year), str(year - 1)])
    revenue = figures.get('REVENUE')
    if revenue:
        for key in sorted(revenue.series):
            series = revenue.series[key]
            _append(sheet, [_label(key, sector_names)]
                + [float(v) for v in series.months]
                + [float(series.total), float(series.previous)])
            _format(sheet, {c: EUR for c in range(2, 16)})
    _widths(sheet)

    occupancy = figures.get('OCCUPANCY')
    if occupancy:
        sheet = workbook.create_sheet("Espaces")
        _header(sheet, ["Espaces"] + MONTHS + [str(year), str(year - 1)])
        rows = [
            ("Taux d'occupation (%)", occupancy.series['rate'], '%'),
            ("m²·jours loués", occupancy.leased, 'count'),
            ("m²·jours disponibles", occupancy.available, 'count'),
            ("Espaces vacants (aucun jour loué)", occupancy.vacant,
                'count'),
            ]
        rents = figures.get('RENTS')
        if rents:
            rows.append(("Loyers facturés (€)", rents.series['rents'], 'EUR'))
        for label, series, unit in rows:
            _append(sheet, [label]
                + [_number(v, unit) for v in series.months]
                + [_number(series.total, unit),
                    _number(series.previous, unit)])
            _format(sheet, {c: FORMATS[unit] for c in range(2, 16)})
        _widths(sheet)

    if not funder:
        sheet = workbook.create_sheet("Projet coopératif")
        _title(sheet, f"Évolution du projet coopératif en {year} "
            "(rapport de gestion, décret 2015-1381)")
        for line in cooperative_project(figures, grants, year):
            _append(sheet, [line])
        sheet.column_dimensions['A'].width = 100

    sheet = workbook.create_sheet("Définitions")
    _header(sheet, ["Code", "Indicateur", "Unité", "Définition"])
    from openpyxl.styles import Alignment
    for row in definitions(figures):
        _append(sheet, list(row))
        sheet.cell(sheet.max_row, 4).alignment = Alignment(wrap_text=True)
    _widths(sheet, maximum=45)
    sheet.column_dimensions['D'].width = 100

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


def _chart_text(text):
    """A text of a chart: without control character (a name typed with one
    made matplotlib warn "Glyph 7 missing" and draw a box) and without
    mathtext (a $ is a dollar sign)"""
    return strip_control(str(text)).replace('$', r'\$')


def _euros(amount):
    "An amount the French way: 45 000,00 €"
    text = f'{amount:,.2f}'.replace(',', '\u00a0').replace('.', ',')
    return f'{text} €'


def headline(grants, funder=None):
    """The grants of the pack in one line (the title page of the charts):
    the funder's grants only in a funder's pack"""
    awarded = sum((g.amount for g in grants), Decimal(0))
    received = sum((g.received_amount for g in grants), Decimal(0))
    text = f"{len(grants)} subvention(s)"
    if funder:
        text += f" de {funder.rec_name}"
    return (f"{text} : {_euros(awarded)} accordés, {_euros(received)} "
        "encaissés")


def charts(company, year, figures):
    """The charts of the pack as (file stem, title, draw function)"""
    result = []
    sector_names = _sector_names(company)

    def label(key):
        return _chart_text(_label(key))
    revenue = figures.get('REVENUE')
    if revenue and revenue.series:
        def draw(ax, indicator=revenue):
            bottom = [0] * 12
            for key in sorted(indicator.series):
                values = [float(v) for v in indicator.series[key].months]
                ax.bar(MONTHS, values, bottom=bottom,
                    label=_chart_text(_label(key, sector_names)))
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
                ax.bar([label(k) for k in keys],
                    [float(indicator.series[k].total) for k in keys],
                    label=str(year))
                ax.plot([label(k) for k in keys],
                    [float(indicator.series[k].previous) for k in keys],
                    'o', color='black', label=str(year - 1))
                ax.legend(fontsize='small')
        else:
            def draw(ax, indicator=indicator):
                for key in sorted(indicator.series):
                    series = indicator.series[key]
                    ax.plot(MONTHS, [float(v) for v in series.months],
                        marker='o', label=f"{label(key)} {year}")
                    ax.plot(MONTHS,
                        [float(v) for v in series.previous_months],
                        linestyle='--', label=f"{label(key)} {year - 1}")
                ax.legend(fontsize='small')
        result.append((stem, f"{title}, {year}", draw))
    return result


def write_charts(pdf_path, png_folder, company, year, figures, title,
        subtitle=None):
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
            figure.text(0.5, 0.6, _chart_text(title), ha='center',
                fontsize=22)
            figure.text(0.5, 0.5, _chart_text(company.rec_name),
                ha='center', fontsize=14)
            if subtitle:
                figure.text(0.5, 0.38, _chart_text(subtitle), ha='center',
                    fontsize=12)
            figure.text(0.5, 0.45,
                f"Édité le {datetime.date.today():%d/%m/%Y}",
                ha='center', fontsize=10)
            pdf.savefig(figure)
            pyplot.close(figure)
            for stem, chart_title, draw in charts(company, year, figures):
                figure, ax = pyplot.subplots(figsize=(11.69, 8.27))
                ax.set_title(_chart_text(chart_title))
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
    pngs = write_charts(pdf_path, png_folder, company, year, figures, title,
        subtitle=headline(grants, funder))
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
