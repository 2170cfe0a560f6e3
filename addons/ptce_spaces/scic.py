# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.pool import Pool, PoolMeta


class Lease(metaclass=PoolMeta):
    __name__ = 'ptce.lease'

    @classmethod
    def get_tenant_associate(cls, leases, name):
        "The tenant is an admitted associate in the SCIC register"
        Member = Pool().get('scic.member')
        result = super().get_tenant_associate(leases, name)
        parties = {l.tenant.id for l in leases}
        members = Member.search([
                ('party', 'in', list(parties)),
                ('state', '=', 'admitted'),
                ])
        associates = {m.party.id for m in members}
        for lease in leases:
            result[lease.id] = lease.tenant.id in associates
        return result

    @classmethod
    def search_tenant_associate(cls, name, clause):
        pool = Pool()
        Member = pool.get('scic.member')
        _, operator, value = clause[:3]
        is_associate = (operator == '=') == bool(value)
        parties = [m.party.id for m in Member.search([
                    ('state', '=', 'admitted'),
                    ])]
        return [('tenant', 'in' if is_associate else 'not in', parties)]
