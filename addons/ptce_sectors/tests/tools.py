# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Set-up shared by the scenarios, the demo data and the benchmark: sectors,
VAT, product categories, points of sale and payment methods of Les
Ateliers, with proteus."""
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


def get_tax(name, config=None):
    Tax = Model.get('account.tax', config=config)
    company = get_company(config=config)
    tax, = Tax.find([('company', '=', company.id), ('name', '=', name)])
    return tax


def create_sectors(config=None):
    "Create the five sectors from the analytic axis; return them by code"
    Sector = Model.get('ptce.sector', config=config)
    Sector.create_from_axis(config.context if config else {})
    return {s.code: s for s in Sector.find([])}


def create_categories(config=None):
    """Accounting categories: food (7071, 10 %), drinks and goods (7071,
    20 %),
    services and tickets (706, 20 %)"""
    Category = Model.get('product.category', config=config)
    categories = {}
    for key, name, account, tax in [
            ('food', "Restauration sur place", '7071',
                'T.V.A. Vente de biens Taux Intermédiaire'),
            ('goods', "Marchandises", '7071',
                'T.V.A. Vente de biens Taux Normal'),
            ('service', "Services et billetterie", '706',
                'T.V.A. Vente de services Taux Normal'),
            ]:
        category = Category(name=name, accounting=True)
        category.account_revenue = get_account(account, config=config)
        category.customer_taxes.append(get_tax(tax, config=config))
        category.save()
        categories[key] = category
    return categories


UOMS = {'Unit': 'uom_unit', 'Kilogram': 'uom_kilogram'}


def create_product(name, gross_price, category, sector, type='goods',
        unit='Unit', meal_voucher=False, config=None):
    "Create a salable product sold at the gross price (taxes included)"
    Template = Model.get('product.template', config=config)
    Uom = Model.get('product.uom', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    # By XML id: names are translated (the demo runs in French)
    uom = Uom(ModelData.get_id(
        'product', UOMS[unit], (config or get_config()).context))
    template = Template(name=name, default_uom=uom, type=type,
        salable=True, account_category=category, sector=sector,
        meal_voucher_eligible=meal_voucher)
    template.gross_price = Decimal(gross_price)
    template.save()
    product, = template.products
    return product


def sell(point, products, methods, method='cash', date=None,
        config=None):
    """Sell the (product, quantity) pairs on the point of sale, pay the
    total with the method, process and post; return the sale."""
    Sale = Model.get('sale.point.sale', config=config)
    Payment = Model.get('sale.point.payment', config=config)
    sale = Sale(point=point)
    if date:
        sale.date = date
    for product, quantity in products:
        line = sale.lines.new()
        line.product = product
        line.quantity = quantity
    sale.save()
    Payment(sale=sale, method=methods[method],
        amount=sale.amount_to_pay).save()
    sale.click('process')
    sale.click('post')
    return sale


def create_point(name, kind, sector, config=None):
    "Create a point of sale with its strict sequence"
    Point = Model.get('sale.point', config=config)
    Journal = Model.get('account.journal', config=config)
    Location = Model.get('stock.location', config=config)
    Sequence = Model.get('ir.sequence.strict', config=config)
    SequenceType = Model.get('ir.sequence.type', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    journal, = Journal.find([('type', '=', 'revenue')], limit=1)
    storage, = Location.find([('code', '=', 'STO')])
    customer, = Location.find([('code', '=', 'CUS')])
    point = Point(name=name, kind=kind, sector=sector, journal=journal,
        storage_location=storage, return_location=storage,
        customer_location=customer)
    point.sequence = Sequence(name=name, company=point.company,
        sequence_type=SequenceType(ModelData.get_id(
                'sale_point', 'sequence_type_sale',
                config.context if config else {})),
        prefix=f'{kind[:3].upper()}-')
    point.sequence.save()
    point.tip_account = get_account('4286', config=config)
    point.save()
    return point


def create_payment_methods(config=None):
    "Cash (5311), card (5112), cheque (5112) and meal vouchers (4671)"
    Method = Model.get('sale.point.payment.method', config=config)
    methods = {}
    for kind, name, account in [
            ('cash', "Espèces", '5311'),
            ('card', "Carte bancaire", '5112'),
            ('cheque', "Chèque", '5112'),
            ('meal_voucher', "Titres-restaurant", '4671'),
            ]:
        method = Method(name=name, kind=kind,
            account=get_account(account, config=config))
        method.cash = kind == 'cash'
        method.meal_voucher = kind == 'meal_voucher'
        method.save()
        methods[kind] = method
    return methods
