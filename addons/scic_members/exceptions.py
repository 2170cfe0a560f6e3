# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class ScicError(UserError):
    "A SCIC rule refuses the operation"


class ScicWarning(UserWarning):
    "A SCIC rule asks the user to confirm"


class ScicValidationError(ValidationError):
    pass


class MovementError(ScicError):
    "A share movement breaks a legal or statutory rule"


class MovementAccessError(AccessError):
    "A confirmed movement of the register cannot be changed"


class MandatoryCategoryWarning(ScicWarning):
    pass


class AssemblyError(ScicError):
    pass


class RegisterImportError(ScicError):
    "The legacy register cannot be imported"


class DirectDebitError(ScicError):
    "A share call or subscription cannot be collected by direct debit"
