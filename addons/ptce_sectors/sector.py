# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from ptce_company.model import RecNameSearchMixin


class Sector(RecNameSearchMixin, DeactivableMixin, ModelSQL, ModelView):
    "Sector (filière)"
    __name__ = 'ptce.sector'
    __string__ = "Sector"
    _rec_name_fields = ['code', 'name']
    _rec_name = 'name'

    company = fields.Many2One('company.company', "Company", required=True)
    code = fields.Char(
        "Code", required=True,
        help="Short code of the sector, the same as its analytic account "
        "(CC, TA, EC, CU, ST).")
    name = fields.Char("Name", required=True, translate=True)
    analytic_account = fields.Many2One(
        'analytic_account.account', "Analytic Account", required=True,
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'normal'),
            ],
        help="The account of the analytic axis \"Filière\" that every "
        "revenue line of this sector is booked on.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_company_unique',
                Unique(t, t.company, t.code),
                'ptce_sectors.msg_sector_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))
        cls.__rpc__.update({
                'create_from_axis': RPC(
                    readonly=False, result=lambda r: list(map(int, r))),
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return f'[{self.code}] {self.name}'


    @classmethod
    def create_from_axis(cls, company=None):
        """Create one sector per account of the sector axis of the company
        (ptce.configuration) that has none yet; return all the sectors of
        the company.  Idempotent."""
        pool = Pool()
        Account = pool.get('analytic_account.account')
        Company = pool.get('company.company')
        Configuration = pool.get('ptce.configuration')
        if company is None:
            company = Company(Transaction().context['company'])
        root = Configuration.get_sector_axis(company)
        if root:
            existing = {s.analytic_account for s in cls.search([
                        ('company', '=', company.id),
                        ('active', 'in', [True, False]),
                        ])}
            accounts = Account.search([
                    ('root', '=', root.id),
                    ('type', '=', 'normal'),
                    ], order=[('code', 'ASC')])
            cls.save([cls(
                        company=company, code=a.code, name=a.name,
                        analytic_account=a)
                    for a in accounts if a not in existing])
        return cls.search([('company', '=', company.id)])

    @classmethod
    def get_by_code(cls, code, company=None):
        "Return the sector of the code for the company (or None)"
        if company is None:
            company = Transaction().context.get('company')
        sectors = cls.search([
                ('company', '=', int(company) if company else -1),
                ('code', '=', code),
                ], limit=1)
        return sectors[0] if sectors else None

    def get_analytic_lines(self, line, date):
        """Return the analytic lines of the sector for the account move line
        (same side and amount as the move line)."""
        pool = Pool()
        AnalyticLine = pool.get('analytic_account.line')
        amount = line.debit or line.credit
        if not amount:
            return []
        return [AnalyticLine(
                debit=line.debit if line.debit else 0,
                credit=line.credit if line.credit else 0,
                account=self.analytic_account, date=date)]



class SectorLineMixin:
    """The sector of a sale or invoice line: by default the product's, and
    read-only once the document (whose state is in the field named by
    _sector_state_field) leaves draft."""
    __slots__ = ()
    _sector_state_field = None

    sector = fields.Many2One(
        'ptce.sector', "Sector", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'invisible': Eval('type') != 'line',
            },
        help="The sector (filière) of the line, booked in the analytic "
        "axis and passed on to the invoice; by default the product's.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.sector.states['readonly'] = (
            Eval(cls._sector_state_field) != 'draft')

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
