# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"Set-up shared by the scenarios and the demo data of ptce_spaces"
from decimal import Decimal

from proteus import Model
from proteus.config import get_config

from ateliers.setup import get_company


def get_account(code, config=None):
    Account = Model.get('account.account', config=config)
    company = get_company(config=config)
    account, = Account.find([
            ('company', '=', company.id), ('code', '=', code)])
    return account


def get_vat_services(config=None):
    "TVA collectée 20 % on services (account_fr)"
    Tax = Model.get('account.tax', config=config)
    tax, = Tax.find([
            ('name', '=', 'T.V.A. Vente de services Taux Normal'),
            ('parent', '=', None),
            ], limit=1)
    return tax


def set_unece_codes(config=None):
    """UN/ECE codes of the VAT on services (edocument_unece), needed by the
    Cross Industry Invoice of Factur-X: VAT, standard rate S."""
    Tax = Model.get('account.tax', config=config)
    parent = get_vat_services(config)
    for tax in [parent] + list(Tax.find([('parent', '=', parent.id)])):
        tax.unece_code = 'VAT'
        tax.unece_category_code = 'S'
        tax.save()


def create_service(name, price, config=None):
    ProductTemplate = Model.get('product.template', config=config)
    Category = Model.get('product.category', config=config)
    Uom = Model.get('product.uom', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    # By XML id: names are translated (the demo runs in French)
    unit = Uom(ModelData.get_id(
        'product', 'uom_unit', (config or get_config()).context))
    categories = Category.find([('name', '=', "Locations")])
    if categories:
        category, = categories
    else:
        category = Category(name="Locations", accounting=True)
        category.account_revenue = get_account('706', config)
        category.customer_taxes.append(get_vat_services(config))
        category.save()
    template = ProductTemplate(
        name=name, type='service', default_uom=unit,
        list_price=Decimal(price), account_category=category)
    template.save()
    product, = template.products
    return product


def setup_spaces(config=None):
    """Products, deposit journal and accounts of the spaces module:
    rent and charges on 706 with 20 % VAT, deposits on 1651 (165 is a
    closed parent account in account_fr) against the bank 5121."""
    Configuration = Model.get('ptce.spaces.configuration', config=config)
    Journal = Model.get('account.journal', config=config)
    configuration = Configuration(1)
    configuration.rent_product = create_service("Loyer", '0', config)
    configuration.charges_product = create_service(
        "Provisions sur charges", '0', config)
    configuration.booking_product = create_service(
        "Réservation de salle", '0', config)
    journal = Journal(name="Dépôts de garantie", code='DG', type='general')
    journal.save()
    configuration.deposit_journal = journal
    configuration.deposit_account = get_account('1651', config)
    configuration.deposit_bank_account = get_account('5121', config)
    configuration.save()
    set_unece_codes(config)
    return configuration
