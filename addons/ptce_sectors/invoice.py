# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.pool import PoolMeta

from .sector import SectorLineMixin


class InvoiceLine(SectorLineMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.line'
    _sector_state_field = 'invoice_state'

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
