# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval


class SaleLine(metaclass=PoolMeta):
    __name__ = 'sale.line'

    sector = fields.Many2One(
        'ptce.sector', "Sector", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'invisible': Eval('type') != 'line',
            'readonly': Eval('sale_state') != 'draft',
            },
        help="The sector (filière) of the line, given to its invoice "
        "lines; by default the product's.")

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

    def get_invoice_line(self):
        lines = super().get_invoice_line()
        for line in lines:
            line.sector = self.sector
        return lines
