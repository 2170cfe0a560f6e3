# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""What the demo's parties share: an address in the Tarn and, for an
organisation, a SIREN (invented, but valid: party_siret checks it)."""
import hashlib

from proteus import Model
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren

# The building of Les Ateliers, where its tenants have their premises
BUILDING = ("22 rue Méridonde", "81100", "Castres")


def siren_of(name, public=False):
    """An invented SIREN for the organisation: 8 digits from its name and
    the Luhn check digit, always the same for one name.  Like the real
    ones, it starts with 2 for a public body, with 4 to 9 otherwise."""
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    first = '2' if public else str(digest % 6 + 4)
    base = first + str(digest // 6 % 10 ** 7).zfill(7)
    code = base + luhn.calc_check_digit(base)
    assert stdnum_siren.is_valid(code), code
    return code


def set_address(party, address, config):
    """Fill the first address of the (unsaved or saved) party with
    (street, postal code, city) in France"""
    Country = Model.get('country.country', config=config)
    france, = Country.find([('code', '=', 'FR')], limit=1)
    if party.addresses:
        record = party.addresses[0]
    else:
        record = party.addresses.new()
    record.street, record.postal_code, record.city = address
    record.country = france


def add_siren(party, code=None, public=False):
    "Give the organisation its SIREN (invented from its name by default)"
    if any(i.type == 'fr_siren' for i in party.identifiers):
        return
    identifier = party.identifiers.new(type='fr_siren')
    identifier.code = code or siren_of(party.name, public=public)
