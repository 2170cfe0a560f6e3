# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report

from .exceptions import ReceiptError


class RentCall(Report):
    "Avis d'échéance: the call of the rent of a period"
    __name__ = 'ptce.lease.rent_call'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['today'] = Pool().get('ir.date').today()
        return context


class RentReceipt(RentCall):
    """Quittance de loyer: only for a period whose invoice is paid (a
    receipt acknowledges a payment)"""
    __name__ = 'ptce.lease.rent_receipt'

    @classmethod
    def get_context(cls, records, header, data):
        for period in records:
            if period.invoice.state != 'paid':
                raise ReceiptError(gettext(
                        'ptce_spaces.msg_receipt_not_paid',
                        invoice=period.invoice.rec_name))
        return super().get_context(records, header, data)


class RentRevision(RentCall):
    "Lettre de révision: the new rent after indexation"
    __name__ = 'ptce.lease.rent_revision'
