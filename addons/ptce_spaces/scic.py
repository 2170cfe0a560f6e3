# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from collections import defaultdict

from trytond.pool import Pool, PoolMeta


class Lease(metaclass=PoolMeta):
    __name__ = 'ptce.lease'

    @classmethod
    def get_tenant_associate(cls, leases, name):
        """The tenant is an admitted associate in the register of the
        lease's company (each company keeps its own register)"""
        Member = Pool().get('scic.member')
        result = super().get_tenant_associate(leases, name)
        members = Member.search([
                ('party', 'in', list({l.tenant.id for l in leases})),
                ('company', 'in', list({l.company.id for l in leases})),
                ('state', '=', 'admitted'),
                ])
        associates = {(m.company.id, m.party.id) for m in members}
        for lease in leases:
            result[lease.id] = (
                (lease.company.id, lease.tenant.id) in associates)
        return result

    @classmethod
    def search_tenant_associate(cls, name, clause):
        pool = Pool()
        Member = pool.get('scic.member')
        _, operator, value = clause[:3]
        is_associate = (operator == '=') == bool(value)
        parties = defaultdict(set)
        for member in Member.search([('state', '=', 'admitted')]):
            parties[member.company.id].add(member.party.id)
        # One clause per company: companies are few, associates many
        associate = ['OR'] + [
            [('company', '=', c), ('tenant', 'in', sorted(p))]
            for c, p in sorted(parties.items())]
        if is_associate:
            return associate if parties else [('id', '=', -1)]
        return [
            ['OR', ('company', '!=', c), ('tenant', 'not in', sorted(p))]
            for c, p in sorted(parties.items())]
