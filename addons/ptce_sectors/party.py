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
            ('ptce.consignment.agreement', 'depositor'),
            ('ptce.consignment.settlement', 'depositor'),
            ('ptce.culture.equipment.loan', 'borrower'),
            ('ptce.recyclerie.intake', 'partner'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def check_erase_company(self, party, company):
        pool = Pool()
        Settlement = pool.get('ptce.consignment.settlement')
        Loan = pool.get('ptce.culture.equipment.loan')
        super().check_erase_company(party, company)
        # What the cooperative still owes the depositor is settled first
        settlements = Settlement.search([
                ('depositor', '=', party.id),
                ('company', '=', company.id),
                ('state', '=', 'draft'),
                ], limit=1)
        if settlements:
            raise EraseError(gettext(
                    'ptce_sectors.msg_erase_party_settlement',
                    party=party.rec_name, company=company.rec_name))
        loans = Loan.search([
                ('borrower', '=', party.id),
                ('equipment.company', '=', company.id),
                ('returned', '!=', True),
                ], limit=1)
        if loans:
            raise EraseError(gettext(
                    'ptce_sectors.msg_erase_party_loan',
                    party=party.rec_name, company=company.rec_name))
