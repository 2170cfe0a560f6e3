# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.pool import PoolMeta

from .sector import SectorLineMixin


class SaleLine(SectorLineMixin, metaclass=PoolMeta):
    __name__ = 'sale.line'
    _sector_state_field = 'sale_state'

    def get_invoice_line(self):
        lines = super().get_invoice_line()
        for line in lines:
            line.sector = self.sector
        return lines
