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
            ('ptce.lease', 'tenant'),
            ('ptce.booking', 'party'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def check_erase_company(self, party, company):
        pool = Pool()
        Lease = pool.get('ptce.lease')
        Booking = pool.get('ptce.booking')
        super().check_erase_company(party, company)
        leases = Lease.search([
                ('tenant', '=', party.id),
                ('company', '=', company.id),
                ('state', 'not in', ['draft', 'terminated']),
                ])
        if leases:
            raise EraseError(gettext(
                    'ptce_spaces.msg_erase_party_lease',
                    party=party.rec_name, company=company.rec_name))
        # A confirmed booking is still to be invoiced to the party
        bookings = Booking.search([
                ('party', '=', party.id),
                ('company', '=', company.id),
                ('state', '=', 'confirmed'),
                ('invoice_line', '=', None),
                ], limit=1)
        if bookings:
            raise EraseError(gettext(
                    'ptce_spaces.msg_erase_party_booking',
                    party=party.rec_name, company=company.rec_name))
