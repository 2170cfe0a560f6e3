# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""What the law requires a French company to print on its documents (Code
de commerce art. R123-237 for every document; art. L441-9 and L441-10,
D441-5 for invoices; CGI art. 242 nonies A, annex II)."""
from decimal import Decimal

from trytond.model import fields
from trytond.pool import PoolMeta


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    legal_form = fields.Char(
        "Legal Form",
        help="Printed beside the name on every document, "
        "e.g. \"SCIC SAS à capital variable\" (C. com. art. R123-237).")
    registration_city = fields.Char(
        "Registration City",
        help="The city of the registry of the RCS (C. com. art. R123-237).")
    late_payment_rate = fields.Char(
        "Late Payment Rate",
        help="The rate of the penalties for late payment printed on "
        "invoices (C. com. art. L441-10: at least three times the legal "
        "interest rate).")
    recovery_indemnity = fields.Numeric(
        "Recovery Indemnity", digits=(16, 2),
        help="The fixed indemnity for recovery costs owed by a "
        "professional customer who pays late (C. com. art. D441-5: 40 €).")

    @classmethod
    def default_legal_form(cls):
        return "SCIC SAS à capital variable"

    @classmethod
    def default_late_payment_rate(cls):
        return "trois fois le taux d'intérêt légal"

    @classmethod
    def default_recovery_indemnity(cls):
        return Decimal(40)

    @property
    def siren(self):
        "The SIREN of the company's party (party_siret)"
        return self.party.siren.code if self.party.siren else None

    @property
    def vat_number(self):
        "The intra-community VAT number of the company's party"
        identifier = self.party.tax_identifier
        if identifier and identifier.type.endswith('_vat'):
            return identifier.code

    def get_legal_mentions(self):
        """The lines that identify the company at the foot of any
        document (C. com. art. R123-237)."""
        name = self.party.name
        if self.legal_form:
            name = f"{name}, {self.legal_form}"
        lines = [name]
        address = self.party.address_get()
        if address:
            lines.append(' '.join(address.full_address.split()))
        registration = []
        if self.siren:
            siren = self.siren
            if self.registration_city:
                registration.append(
                    f"RCS {self.registration_city} {siren}")
            else:
                registration.append(f"SIREN {siren}")
        if self.vat_number:
            registration.append(f"TVA intracommunautaire {self.vat_number}")
        if registration:
            lines.append(' · '.join(registration))
        return lines

    def get_payment_mentions(self):
        """The payment conditions every invoice between professionals
        carries (C. com. art. L441-9 and L441-10, D441-5)."""
        lines = ["Pas d'escompte pour paiement anticipé."]
        if self.late_payment_rate:
            lines.append(
                "En cas de retard de paiement, pénalités au taux de "
                f"{self.late_payment_rate} (C. com. art. L441-10).")
        if self.recovery_indemnity:
            amount = f"{self.recovery_indemnity:.2f}".replace('.', ',')
            lines.append(
                "Indemnité forfaitaire pour frais de recouvrement due par "
                f"un professionnel en retard de paiement : {amount} € "
                "(C. com. art. D441-5).")
        return lines
