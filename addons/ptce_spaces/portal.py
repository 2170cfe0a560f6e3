# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The tenant's access to the member portal (see ptce_company)."""
from trytond.model import ModelView
from trytond.pool import Pool, PoolMeta


class Lease(metaclass=PoolMeta):
    __name__ = 'ptce.lease'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update(portal_invite={})

    @classmethod
    @ModelView.button
    def portal_invite(cls, leases):
        "Invite the tenants to the member portal (e-mail with a link)"
        pool = Pool()
        WebUser = pool.get('web.user')
        WebUser.portal_invite(list({l.tenant for l in leases}))
