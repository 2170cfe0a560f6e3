# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Set-up shared by the scenarios: sectors, VAT, product categories, points
of sale and payment methods of Les Ateliers (in ateliers.setup, shared with
the demo data and the benchmark)."""
from ateliers.setup import (  # noqa: F401
    create_categories,
    create_payment_methods,
    create_point,
    create_product,
    create_sectors,
    get_account,
    get_tax,
    sell,
)
