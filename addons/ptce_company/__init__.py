# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.

# The routes of the member portal, registered when trytond starts
from . import portal  # noqa: E402,F401
