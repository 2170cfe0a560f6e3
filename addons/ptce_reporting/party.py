# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.i18n import gettext
from trytond.modules.party.exceptions import EraseError
from trytond.pool import Pool, PoolMeta


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('ptce.grant', 'funder'),
            ('ptce.activity', 'party'),
            ('ptce.job', 'employer'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def check_erase_company(self, party, company):
        pool = Pool()
        Grant = pool.get('ptce.grant')
        super().check_erase_company(party, company)
        # A grant is justified to its funder until it is closed
        grants = Grant.search([
                ('funder', '=', party.id),
                ('company', '=', company.id),
                ('state', '!=', 'closed'),
                ], limit=1)
        if grants:
            raise EraseError(gettext(
                    'ptce_reporting.msg_erase_party_grant',
                    party=party.rec_name, company=company.rec_name))
