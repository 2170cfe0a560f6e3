# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.

# The routes of the touchscreen till, registered when trytond starts
from . import till  # noqa: E402,F401
