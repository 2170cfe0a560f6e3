# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The base of every document of the PTCE modules: an HTML template that
trytond turns into PDF with WeasyPrint (template_extension html, extension
pdf), with one stylesheet and the company's legal mentions."""
from pathlib import Path

from genshi.core import Markup
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

# Markup: Genshi would escape the CSS of a <style> element
STYLESHEET = Markup(
    (Path(__file__).parent / 'report' / 'document.css').read_text(
        encoding='utf-8'))


class DocumentReport(Report):
    """Mixin of the HTML documents: their templates find in the context

    - ``company``: the company of the context (or of the user),
    - ``stylesheet``: the shared CSS, to put in a ``<style>`` element,
    - ``legal_mentions``: the lines that identify the company (C. com.
      art. R123-237), printed at the foot of every page.
    """

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        company_id = Transaction().context.get('company')
        company = Company(company_id) if company_id else None
        if company is None and records:
            company = getattr(records[0], 'company', None)
        context['company'] = company
        context['stylesheet'] = STYLESHEET
        context['legal_mentions'] = (
            company.get_legal_mentions() if company else [])
        return context
