# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Account(metaclass=PoolMeta):
    __name__ = 'analytic_account.account'

    sector = fields.Function(fields.Boolean(
            "Sector",
            help="The account is a sector of its company's sector axis "
            "(\"Filière\", set in the PTCE configuration)."),
        'get_sector', searcher='search_sector')

    @classmethod
    def _sector_axes(cls):
        "The ids of the sector axes of all the companies"
        pool = Pool()
        Value = pool.get('ptce.configuration.sector_axis')
        return {v.sector_axis.id for v in Value.values() if v.sector_axis}

    @classmethod
    def get_sector(cls, accounts, name):
        axes = cls._sector_axes()
        # An axis belongs to one company, so its accounts are that
        # company's sectors
        return {a.id: bool(a.root and a.root.id in axes) for a in accounts}

    @classmethod
    def search_sector(cls, name, clause):
        _, operator, value = clause
        if operator not in {'=', '!='} or value not in {True, False}:
            return []
        axes = list(cls._sector_axes())
        if (operator == '=') == bool(value):
            return [('root', 'in', axes)]
        return ['OR', ('root', 'not in', axes), ('root', '=', None)]
