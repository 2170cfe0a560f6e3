# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data of ptce_company: the legal identity of Les Ateliers as its
documents print it (legal form, RCS, SIREN, VAT number).  The SIREN is
invented (valid, but not the cooperative's): a real database gets the
real one from its administrator, never from ``ateliers init``."""
from proteus import Model
from stdnum.fr import siren as stdnum_siren

from .parties import add_siren

SIREN = '821437654'


def vat_number(siren):
    "The French intra-community VAT number of the SIREN (key + SIREN)"
    return 'FR' + stdnum_siren.to_tva(siren)


def setup(config, modules, company):
    Party = Model.get('party.party', config=config)
    company.legal_form = "SCIC SAS à capital variable"
    company.registration_city = "Castres"
    company.save()
    party = Party(company.party.id)
    add_siren(party, SIREN)
    vat = party.identifiers.new(type='eu_vat')
    vat.code = vat_number(SIREN)
    party.save()
