# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""What this module reads from the optional modules (scic_members,
ptce_spaces, ptce_sectors): each part runs only when the model exists in
the pool, i.e. when its module is activated."""
from trytond.pool import Pool


def has_model(name):
    try:
        Pool().get(name)
    except KeyError:
        return False
    return True


def extra_blockers(fiscalyear):
    "Closing blockers from the optional modules"
    return []


def indicator_functions():
    "Indicators over the optional modules: {code: function}"
    return {}
