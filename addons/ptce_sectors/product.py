# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .exceptions import ConsignmentValidationError as ConsignmentError


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    sector = fields.Many2One(
        'ptce.sector', "Sector", ondelete='RESTRICT',
        help="The sector (filière) the sales of this product belong to "
        "by default.")
    meal_voucher_eligible = fields.Boolean(
        "Meal Voucher Eligible",
        help="Food or meal that may be paid with titres-restaurant "
        "(Code du travail, art. R3262-4).")
    consigned = fields.Boolean(
        "Consigned",
        help="Sold on behalf of a depositor (dépôt-vente): the goods are "
        "not the cooperative's stock and only the commission is revenue.")
    consignment_agreement = fields.Many2One(
        'ptce.consignment.agreement', "Consignment Agreement",
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('consigned', False),
            },
        help="The agreement with the depositor who owns the goods.")

    @classmethod
    def default_meal_voucher_eligible(cls):
        return False

    @classmethod
    def default_consigned(cls):
        return False

    @classmethod
    def validate_fields(cls, templates, field_names):
        super().validate_fields(templates, field_names)
        if field_names & {'consigned', 'consignment_agreement'}:
            for template in templates:
                if template.consigned and not template.consignment_agreement:
                    raise ConsignmentError(gettext(
                            'ptce_sectors.msg_consigned_without_agreement',
                            product=template.rec_name))

