# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class LeaseValidationError(ValidationError):
    pass


class LeaseOverlapError(ValidationError):
    pass


class LeaseModificationError(AccessError):
    pass


class DepositWarning(UserWarning):
    pass


class IndexationError(UserError):
    pass


class InvoicingError(UserError):
    pass


class DepositError(UserError):
    pass


class BookingValidationError(ValidationError):
    pass


class SpaceValidationError(ValidationError):
    pass


class ReceiptError(UserError):
    pass


class RentDocumentError(UserError):
    pass
