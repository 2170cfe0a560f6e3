# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from sql.aggregate import Min
from trytond import backend
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin,
    CompanyValueMixin,
)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

# The analytic axis "Filière" every revenue line of a PTCE carries: the
# code and name of its root, then of its accounts (one per sector).
SECTOR_AXIS = ('FIL', "Filière")
SECTORS = [
    ('CC', "Circuits courts alimentaires"),
    ('TA', "Textile-artisanat"),
    ('EC', "Économie circulaire"),
    ('CU', "Culture"),
    ('ST', "Structure"),
    ]


class Configuration(ModelSingleton, ModelSQL, ModelView,
        CompanyMultiValueMixin):
    "PTCE Configuration"
    __name__ = 'ptce.configuration'
    __string__ = "PTCE Configuration"

    sector_axis = fields.MultiValue(fields.Many2One(
            'analytic_account.account', "Sector Axis",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ('type', '=', 'root'),
                ],
            help="The root of the analytic axis \"Filière\": every revenue "
            "line is booked on one of its accounts, one per sector."))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'get_sector_axis': RPC(
                    result=lambda r: r.id if r else None),
                'create_sector_axis': RPC(
                    readonly=False, result=lambda r: list(map(int, r))),
                })

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'sector_axis':
            return pool.get('ptce.configuration.sector_axis')
        return super().multivalue_model(field)

    @classmethod
    def default_sector_axis(cls, **pattern):
        # Also what the form shows before the singleton record exists
        axis = cls.get_sector_axis(pattern.get('company'))
        return axis.id if axis else None

    @classmethod
    def get_sector_axis(cls, company=None):
        """Return the root analytic account of the sector axis of the
        company (default: the company of the context), or None."""
        pool = Pool()
        Value = pool.get('ptce.configuration.sector_axis')
        if company is None:
            company = Transaction().context.get('company')
        if company is None:
            return None
        for value in Value.values():
            if value.company and value.company.id == int(company):
                return value.sector_axis
        return None

    @classmethod
    def create_sector_axis(cls, companies):
        """Create for each company (records or ids) that has none the
        analytic axis "Filière" (root FIL and one account per sector: CC,
        TA, EC, CU, ST) and make it the company's sector axis.  Idempotent:
        a company that has its axis keeps it.  Return the roots, one per
        company."""
        pool = Pool()
        Account = pool.get('analytic_account.account')
        Company = pool.get('company.company')
        configuration = cls(1)
        roots = []
        for company in Company.browse([int(c) for c in companies]):
            root = cls.get_sector_axis(company)
            if not root:
                code, name = SECTOR_AXIS
                root = Account(
                    type='root', code=code, name=name, company=company,
                    state='opened')
                root.save()
                Account.save([Account(
                            type='normal', code=code, name=name,
                            root=root, parent=root, company=company,
                            state='opened')
                        for code, name in SECTORS])
                configuration.set_multivalue(
                    'sector_axis', root, company=company.id)
            roots.append(root)
        return roots


class ConfigurationSectorAxis(ModelSQL, CompanyValueMixin):
    "PTCE Configuration Sector Axis"
    __name__ = 'ptce.configuration.sector_axis'
    __string__ = "PTCE Configuration Sector Axis"

    sector_axis = fields.Many2One(
        'analytic_account.account', "Sector Axis", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'root'),
            ])

    @classmethod
    def __register__(cls, module):
        exist = backend.TableHandler.table_exist(cls._table)
        super().__register__(module)
        if not exist:
            cls._migrate_sector_axis()

    @classmethod
    def _migrate_sector_axis(cls):
        """Make the analytic root of code FIL of each company its sector
        axis: databases set up before this module had the axis so."""
        pool = Pool()
        Account = pool.get('analytic_account.account')
        table = cls.__table__()
        account = Account.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*account.select(
                account.company, Min(account.id),
                where=(account.type == 'root')
                & (account.code == SECTOR_AXIS[0]),
                group_by=account.company))
        values = cursor.fetchall()
        if values:
            cursor.execute(*table.insert(
                    [table.company, table.sector_axis], values))
