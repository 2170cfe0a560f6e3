# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Set-up shared by the scenarios of ptce_spaces (in ateliers.setup, shared
with the demo data)."""
from ateliers.setup import (  # noqa: F401
    create_service,
    get_account,
    get_vat_services,
    set_unece_codes,
    setup_spaces,
)
