"""Set-up of the company Les Ateliers on a fresh database.

Used by ``ateliers init`` and by the scenarios' ``activate_modules``: one
function per step, each taking the proteus ``config`` so that the test
database cache keys on their names.  Below them, the set-up of the
modules' configuration (spaces, points of sale...) shared by the
scenarios, the demo data (``ateliers.demo``) and the benchmarks.
"""
import datetime
from decimal import Decimal

from proteus import Model, Wizard
from proteus.config import get_config

COMPANY_NAME = "Les Ateliers SCIC"


def get_company(config=None):
    """Return the company the user works in (the context's), else Les
    Ateliers"""
    Company = Model.get('company.company', config=config)
    context = (config or get_config()).context
    if context.get('company'):
        return Company(context['company'])
    company, = Company.find([('party.name', '=', COMPANY_NAME)])
    return company


def set_company(company, config=None):
    "Make the company the one the user works in"
    User = Model.get('res.user', config=config)
    config = config or get_config()
    user = User(config.user)
    if company not in user.companies:
        user.companies.append(company)
    user.company = company
    user.save()
    config._context = User.get_preferences(True, {})


def create_company(config=None, name=COMPANY_NAME,
        street="22 rue Méridonde", postal_code="81100", city="Castres"):
    "Create the company (Les Ateliers) in euros and set it on the user"
    Party = Model.get('party.party', config=config)
    Currency = Model.get('currency.currency', config=config)
    Country = Model.get('country.country', config=config)

    currencies = Currency.find([('code', '=', 'EUR')])
    if currencies:
        currency, = currencies
    else:
        currency = Currency(
            name="Euro", symbol="€", code='EUR', rounding=Decimal('0.01'))
        currency.save()
    countries = Country.find([('code', '=', 'FR')])
    if countries:
        france, = countries
    else:
        france = Country(name="France", code='FR', code3='FRA')
        france.save()

    party = Party(name=name)
    address, = party.addresses
    address.street = street
    address.postal_code = postal_code
    address.city = city
    address.country = france
    party.save()

    company_config = Wizard('company.company.config', config=config)
    company_config.execute('company')
    company = company_config.form
    company.party = party
    company.currency = currency
    company.timezone = 'Europe/Paris'
    company_config.execute('add')
    # The wizard gives the company to users without one: the user works in
    # the new company from now on, also when it is not the first.
    Company = Model.get('company.company', config=config)
    company, = Company.find([('party', '=', party.id)])
    set_company(company, config=config)
    return company


def create_chart(config=None):
    "Create the French chart of accounts (PCG) of account_fr"
    AccountTemplate = Model.get('account.account.template', config=config)
    Account = Model.get('account.account', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    company = get_company(config=config)

    template = AccountTemplate(
        ModelData.get_id('account_fr', 'root', config.context))
    wizard = Wizard('account.create_chart', config=config)
    wizard.execute('account')
    wizard.form.account_template = template
    wizard.form.company = company
    wizard.execute('create_account')

    def account(code):
        record, = Account.find([
                ('company', '=', company.id), ('code', '=', code)])
        return record
    wizard.form.account_receivable = account('4111')
    wizard.form.account_payable = account('4011')
    if hasattr(wizard.form, 'category_account_revenue'):
        wizard.form.category_account_revenue = account('706')
        wizard.form.category_account_expense = account('6071')
    wizard.execute('create_properties')


def create_fiscal_year(year, config=None):
    "Create the calendar fiscal year with monthly periods"
    FiscalYear = Model.get('account.fiscalyear', config=config)
    Sequence = Model.get('ir.sequence.strict', config=config)
    SequenceType = Model.get('ir.sequence.type', config=config)
    company = get_company(config=config)

    existing = FiscalYear.find([
            ('company', '=', company.id), ('name', '=', str(year))])
    if existing:
        return existing[0]
    fiscal_year = FiscalYear(
        name=str(year), company=company,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31))
    ModelData = Model.get('ir.model.data', config=config)
    move_type = SequenceType(ModelData.get_id(
            'account', 'sequence_type_account_move', config.context))
    fiscal_year.move_sequence = Sequence(
        name=f"Écritures {year}", sequence_type=move_type,
        company=company)
    fiscal_year.move_sequence.save()
    if 'invoice_sequences' in FiscalYear._fields:
        invoice_type = SequenceType(ModelData.get_id(
                'account_invoice', 'sequence_type_account_invoice',
                config.context))
        invoice_sequence = Sequence(
            name=f"Factures {year}", sequence_type=invoice_type,
            company=company)
        invoice_sequence.save()
        sequence, = fiscal_year.invoice_sequences
        sequence.out_invoice_sequence = invoice_sequence
        sequence.in_invoice_sequence = invoice_sequence
        sequence.out_credit_note_sequence = invoice_sequence
        sequence.in_credit_note_sequence = invoice_sequence
    fiscal_year.save()
    fiscal_year.click('create_period')
    return fiscal_year


def create_sector_axis(config=None):
    """Create the analytic axis Filière with one account per sector, the
    company's sector axis (ptce_company)"""
    Analytic = Model.get('analytic_account.account', config=config)
    Configuration = Model.get('ptce.configuration', config=config)
    company = get_company(config=config)
    root, = Configuration.create_sector_axis([company.id], config.context)
    return Analytic(root)


def get_sectors(config=None):
    "The analytic accounts of the company's sector axis, by code"
    Analytic = Model.get('analytic_account.account', config=config)
    company = get_company(config=config)
    return {a.code: a for a in Analytic.find([
                ('company', '=', company.id),
                ('sector', '=', True),
                ('type', '=', 'normal'),
                ])}


def get_account(code, config=None):
    "The account of the company with the code"
    Account = Model.get('account.account', config=config)
    company = get_company(config=config)
    account, = Account.find([
            ('company', '=', company.id), ('code', '=', code)])
    return account


def get_tax(name, config=None):
    "The tax of the company with the name (account_fr's)"
    Tax = Model.get('account.tax', config=config)
    company = get_company(config=config)
    tax, = Tax.find([('company', '=', company.id), ('name', '=', name)])
    return tax


def create_payment_term(config=None):
    "Payment at 30 days, the usual term between French businesses"
    PaymentTerm = Model.get('account.invoice.payment_term', config=config)
    term = PaymentTerm(name="30 jours")
    line = term.lines.new(type='remainder')
    line.relativedeltas.new(days=30)
    term.save()
    return term


def setup_les_ateliers(config=None, year=None):
    """Company, French chart, fiscal year of ``year`` (default: this year)
    with monthly periods, sector axis and payment term."""
    if year is None:
        year = datetime.date.today().year
    create_company(config=config)
    create_chart(config=config)
    create_fiscal_year(year, config=config)
    create_sector_axis(config=config)
    create_payment_term(config=config)


def finish_init(config=None):
    """What ``ateliers init`` leaves done for the administrator: his name
    in French, and the module configuration wizard marked done (company,
    chart and fiscal year are set up: it would otherwise open at every
    login of the administrator).

    The name of the admin user comes from trytond's XML (res/user.xml),
    which no user may change: it is written as root (trytond's own
    update of res, ``trytond-admin --all``, puts the English name back)."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    config = config or get_config()
    with Transaction().start(config.database_name, 0) as transaction:
        pool = Pool()
        User = pool.get('res.user')
        Item = pool.get('ir.module.config_wizard.item')
        admins = User.search([('login', '=', 'admin')])
        User.write(admins, {'name': "Administrateur"})
        Item.write(Item.search([('state', '!=', 'done')]),
            {'state': 'done'})
        transaction.commit()


# Set-up of ptce_spaces, shared by its scenarios and the demo data

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
    "A service product in the category Locations (706, 20 % VAT)"
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


# Set-up of ptce_sectors, shared by its scenarios, the demo data and the
# benchmark: sectors, product categories, points of sale and payment
# methods of Les Ateliers

def create_sectors(config=None):
    "Create the five sectors from the analytic axis; return them by code"
    Sector = Model.get('ptce.sector', config=config)
    Sector.create_from_axis(config.context if config else {})
    return {s.code: s for s in Sector.find([])}


def create_categories(config=None):
    """Accounting categories: food (7071, 10 %), drinks and goods (7071,
    20 %), services and tickets (706, 20 %)"""
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
