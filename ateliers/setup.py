"""Set-up of the company Les Ateliers on a fresh database.

Used by ``ateliers init`` and by the scenarios' ``activate_modules``: one
function per step, each taking the proteus ``config`` so that the test
database cache keys on their names.
"""
import datetime
from decimal import Decimal

from proteus import Model, Wizard

COMPANY_NAME = "Les Ateliers SCIC"


def get_company(config=None):
    "Return the company Les Ateliers"
    Company = Model.get('company.company', config=config)
    company, = Company.find([('party.name', '=', COMPANY_NAME)])
    return company


def create_company(config=None):
    "Create the company Les Ateliers in euros and set it on the user"
    Party = Model.get('party.party', config=config)
    Currency = Model.get('currency.currency', config=config)
    Country = Model.get('country.country', config=config)
    User = Model.get('res.user', config=config)

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

    party = Party(name=COMPANY_NAME)
    address, = party.addresses
    address.street = "22 rue Méridonde"
    address.postal_code = "81100"
    address.city = "Castres"
    address.country = france
    party.save()

    company_config = Wizard('company.company.config', config=config)
    company_config.execute('company')
    company = company_config.form
    company.party = party
    company.currency = currency
    company.timezone = 'Europe/Paris'
    company_config.execute('add')
    # Reload the preferences so that the user works in the new company
    config._context = User.get_preferences(True, {})
    return get_company(config=config)


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
