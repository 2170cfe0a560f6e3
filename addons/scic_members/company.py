# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from decimal import Decimal

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import without_check_access

# Legal values used when the statutes do not say otherwise.
DEFAULTS = {
    'scic_call_delay': 5,
    'scic_floor_ratio': Decimal('0.25'),
    'scic_public_max': Decimal('0.5'),
    'scic_redemption_delay': 5,
    'scic_proxy_limit': 2,
    'scic_quorum_ordinary': Decimal('0.2'),
    'scic_quorum_extraordinary': Decimal('0.25'),
    'scic_majority_ordinary': Decimal('0.5'),
    'scic_majority_extraordinary': Decimal('0.6667'),
    }

# Account kind -> default PCG code looked up in the company's chart when
# the company has no account configured for it.
ACCOUNT_CODES = {
    'uncalled': '109',
    'capital_uncalled': '1011',
    'capital_called': '1012',
    # account_fr closes 1013, 4562 and 512 to entries: their sub-accounts.
    'capital_paid': '10131',
    'receivable': '45625',
    'refund': '4567',
    'cash': '5121',
    'loss': '119',
    }


def _account_field(string, help):
    return fields.Many2One(
        'account.account', string, help=help,
        domain=[
            ('company', '=', Eval('id', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ])


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    scic_colleges_used = fields.Boolean(
        "Voting Colleges Used",
        help="The statutes group the associates into voting colleges: "
        "general assembly results are weighted by college.")
    scic_share_value = fields.Numeric(
        "Share Nominal Value", digits=(16, 2),
        help="The single nominal value of one share, fixed by the statutes "
        "(the same for every category of associates).")
    scic_call_delay = fields.Integer(
        "Call Delay (years)",
        help="Delay after the subscription within which the unpaid part "
        "of the shares must be called (5 years by law).")
    scic_floor_ratio = fields.Numeric(
        "Capital Floor Ratio", digits=(6, 4),
        help="The capital may not fall below this ratio of the highest "
        "capital ever reached (a quarter by law).")
    scic_capital_minimum = fields.Numeric(
        "Statutory Minimum Capital", digits=(16, 2),
        help="A higher floor set by the statutes, if any.")
    scic_public_max = fields.Numeric(
        "Public Bodies Maximum", digits=(6, 4),
        help="Highest share of the capital held together by public bodies "
        "(50 % by law).")
    scic_redemption_delay = fields.Integer(
        "Refund Delay (years)",
        help="The refund of redeemed shares is due this many years after "
        "the exit of the associate.")
    scic_proxy_limit = fields.Integer(
        "Proxies per Holder",
        help="Maximum number of proxies one present associate may hold at "
        "a general assembly.")
    scic_count_abstentions = fields.Boolean(
        "Count Abstentions",
        help="Abstentions count as votes expressed (against) when the "
        "statutes say so.")
    scic_renormalise = fields.Boolean(
        "Renormalise Colleges",
        help="A college where no vote was expressed is left out and the "
        "weights of the other colleges are scaled up to 100 %.")
    scic_quorum_ordinary = fields.Numeric(
        "Quorum Ordinary Assembly", digits=(6, 4),
        help="Ratio of convened associates present or represented needed "
        "on first convocation of an ordinary general assembly.")
    scic_quorum_extraordinary = fields.Numeric(
        "Quorum Extraordinary Assembly", digits=(6, 4))
    scic_majority_ordinary = fields.Numeric(
        "Majority Ordinary Assembly", digits=(6, 4),
        help="A resolution is adopted when its weighted result is above "
        "this ratio.")
    scic_majority_extraordinary = fields.Numeric(
        "Majority Extraordinary Assembly", digits=(6, 4),
        help="A resolution is adopted when its weighted result reaches "
        "this ratio.")
    scic_member_sequence = fields.Many2One(
        'ir.sequence', "Associate Sequence",
        domain=[
            ('sequence_type', '=', Id('scic_members', 'sequence_type_member')),
            ['OR',
                ('company', '=', None),
                ('company', '=', Eval('id', -1)),
                ],
            ],
        help="Numbers the associates; a number is never reused.")
    scic_movement_sequence = fields.Many2One(
        'ir.sequence.strict', "Share Movement Sequence",
        domain=[
            ('sequence_type', '=',
                Id('scic_members', 'sequence_type_movement')),
            ['OR',
                ('company', '=', None),
                ('company', '=', Eval('id', -1)),
                ],
            ],
        help="Strict sequence numbering the register of movements.")
    scic_journal = fields.Many2One(
        'account.journal', "Capital Journal",
        help="Journal of the accounting entries of the share register.")
    scic_account_uncalled = _account_field(
        "Subscribed Uncalled Capital Receivable",
        "109 Actionnaires : capital souscrit non appelé.")
    scic_account_capital_uncalled = _account_field(
        "Capital Subscribed Uncalled", "1011.")
    scic_account_capital_called = _account_field(
        "Capital Subscribed Called Unpaid", "1012.")
    scic_account_capital_paid = _account_field(
        "Capital Subscribed Called Paid", "1013.")
    scic_account_receivable = _account_field(
        "Associates Called Capital Receivable",
        "4562 Apporteurs : capital appelé non versé.")
    scic_account_refund = _account_field(
        "Associates Capital to Refund",
        "4567 Associés : capital à rembourser.")
    scic_account_cash = _account_field(
        "Bank", "512 Banque: payments and refunds of capital.")
    scic_account_loss = _account_field(
        "Losses Imputed on Capital",
        "Credited with the part of the nominal value not refunded when "
        "losses reduced the redemption value (119 by default).")
    scic_payment_journal = fields.Many2One(
        'account.payment.journal', "Direct Debit Journal",
        help="Payment journal used to collect subscriptions and calls by "
        "SEPA direct debit.")

    @classmethod
    def default_scic_colleges_used(cls):
        return False

    @classmethod
    def default_scic_count_abstentions(cls):
        return False

    @classmethod
    def default_scic_renormalise(cls):
        return True

    def scic_value(self, name):
        "The statutory value `name`, or its legal default when unset"
        value = getattr(self, name, None)
        if value is None:
            value = DEFAULTS.get(name)
        return value

    def scic_account(self, kind):
        """The account of `kind` (see ACCOUNT_CODES): configured on the
        company, else found by its PCG code in the company's chart."""
        pool = Pool()
        Account = pool.get('account.account')
        account = getattr(self, f'scic_account_{kind}', None)
        if account:
            return account
        accounts = Account.search([
                ('company', '=', self.id),
                ('code', '=', ACCOUNT_CODES[kind]),
                ('type', '!=', None),
                ], limit=1)
        if not accounts:
            return None
        return accounts[0]

    def scic_get_journal(self):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Journal = pool.get('account.journal')
        if self.scic_journal:
            return self.scic_journal
        return Journal(ModelData.get_id('scic_members', 'journal_capital'))

    def scic_get_member_sequence(self):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        if self.scic_member_sequence:
            return self.scic_member_sequence
        return Sequence(ModelData.get_id('scic_members', 'sequence_member'))

    def scic_get_movement_sequence(self):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence.strict')
        if self.scic_movement_sequence:
            return self.scic_movement_sequence
        return Sequence(
            ModelData.get_id('scic_members', 'sequence_movement'))

    @classmethod
    def preprocess_values(cls, mode, values):
        """A company created beside another gets its own copies of the
        module's sequences, starting at 1: each company keeps its own
        register (Code de commerce, art. R228-8: numbers follow one another
        within the register of a company).  The first company numbers with
        the module's sequences themselves."""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Party = pool.get('party.party')
        values = super().preprocess_values(mode, values)
        if mode != 'create' or not cls.search([], limit=1):
            return values
        name = Party(values['party']).rec_name if values.get('party') else ''
        for field, model, xml_id in [
                ('scic_member_sequence', 'ir.sequence', 'sequence_member'),
                ('scic_movement_sequence', 'ir.sequence.strict',
                    'sequence_movement'),
                ]:
            if values.get(field):
                continue
            Sequence = pool.get(model)
            default = Sequence(ModelData.get_id('scic_members', xml_id))
            with without_check_access():
                sequence, = Sequence.copy([default], {
                        'name': f'{default.name} ({name})',
                        'number_next_internal': 1,
                        })
            values[field] = sequence.id
        return values

    scic_capital = fields.Function(fields.Numeric(
            "Current Capital", digits=(16, 2),
            help="Subscribed capital in the register of movements."),
        'get_scic_capital')
    scic_capital_highest = fields.Function(fields.Numeric(
            "Highest Capital", digits=(16, 2),
            help="Highest capital ever reached."), 'get_scic_capital')
    scic_capital_floor = fields.Function(fields.Numeric(
            "Capital Floor", digits=(16, 2),
            help="The capital may not be reduced below this amount "
            "(loi 1947 art. 13)."), 'get_scic_capital')
    scic_capital_public = fields.Function(fields.Numeric(
            "Capital of Public Bodies", digits=(16, 2)), 'get_scic_capital')

    @classmethod
    def get_scic_capital(cls, companies, names):
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        result = {n: {} for n in names}
        for company in companies:
            highest = Movement.highest_capital(company)
            values = {
                'scic_capital': Movement.capital(company),
                'scic_capital_highest': highest,
                'scic_capital_floor': Movement.capital_floor(
                    company, highest),
                'scic_capital_public': Movement.capital(
                    company, public_only=True),
                }
            for name in names:
                result[name][company.id] = values[name]
        return result
