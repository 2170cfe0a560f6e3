# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class GrantBudgetError(UserError):
    pass


class GrantValidationError(ValidationError):
    pass


class DeMinimisWarning(UserWarning):
    pass


class ReportingError(UserError):
    pass


class SurplusAllocationError(UserError):
    pass


class FECError(UserError):
    pass


class YearClosingError(UserError):
    pass
