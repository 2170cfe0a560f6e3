# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.exceptions import UserError


class FacturXError(UserError):
    pass


class PortalError(UserError):
    pass
