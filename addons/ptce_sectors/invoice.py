# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    sector = fields.Many2One(
        'ptce.sector', "Sector", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'invisible': Eval('type') != 'line',
            'readonly': Eval('invoice_state') != 'draft',
            },
        help="The sector (filière) the line is booked on in the analytic "
        "axis; by default the product's.")

    @fields.depends('product')
    def on_change_product(self):
        super().on_change_product()
        if self.product and self.product.template.sector:
            self.sector = self.product.template.sector

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Product = pool.get('product.product')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not values.get('sector')
                and values.get('product') is not None):
            sector = Product(values['product']).template.sector
            if sector:
                values['sector'] = sector.id
        return values

    def get_move_lines(self):
        lines = super().get_move_lines()
        if self.sector and self.type == 'line':
            root = self.sector.analytic_account.root
            entries = getattr(self, 'analytic_accounts', None) or []
            if not any(e.account and e.root == root for e in entries):
                date = (self.invoice.accounting_date
                    or self.invoice.invoice_date)
                for line in lines:
                    line.analytic_lines = (
                        list(getattr(line, 'analytic_lines', None) or [])
                        + self.sector.get_analytic_lines(line, date))
        return lines
