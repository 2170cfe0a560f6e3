# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class SectorError(ValidationError):
    pass


class InalterabilityError(AccessError):
    "A posted POS sale or a closing may never be changed (CGI 286 I 3° bis)"


class ClosingError(UserError):
    pass


class SealError(UserError):
    "The sealing key is missing or the chain head was changed"


class MealVoucherError(ValidationError):
    pass


class ConsignmentError(UserError):
    pass


class IntakeError(ValidationError):
    pass


class EventError(ValidationError):
    pass


class ConsignmentValidationError(ValidationError):
    pass


class TillError(UserError):
    pass
