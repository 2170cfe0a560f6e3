# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from ptce_company.model import RecNameSearchMixin

from .exceptions import (
    DepositWarning,
    IndexationError,
    LeaseOverlapError,
    LeaseValidationError,
)
from .space import INDEX_KINDS

LEASE_KINDS = [
    ('commercial', "Commercial Lease (3-6-9)"),
    ('professional', "Professional Lease"),
    ('precarious', "Precarious Occupancy Agreement"),
    ('coworking', "Coworking Membership"),
    ]

STATES = [
    ('draft', "Draft"),
    ('signed', "Signed"),
    ('running', "Running"),
    ('notice', "Notice Given"),
    ('terminated', "Terminated"),
    ]

# States in which a lease occupies its spaces
OCCUPYING_STATES = ['signed', 'running', 'notice', 'terminated']

_DRAFT = {'readonly': Eval('state') != 'draft'}


def add_months(date, months):
    return date + relativedelta(months=months)


class Lease(RecNameSearchMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Lease"
    __name__ = 'ptce.lease'
    _rec_name_fields = ['reference', 'tenant.rec_name']
    _rec_name = 'reference'

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_DRAFT)
    reference = fields.Char("Reference", required=True, states=_DRAFT)
    tenant = fields.Many2One(
        'party.party', "Tenant", required=True, ondelete='RESTRICT',
        states=_DRAFT,
        context={'company': Eval('company', -1)}, depends={'company'})
    tenant_associate = fields.Function(
        fields.Boolean(
            "Associate",
            help="The tenant is an admitted associate of the cooperative "
            "(known when the SCIC members module is activated)."),
        'get_tenant_associate', searcher='search_tenant_associate')
    kind = fields.Selection(LEASE_KINDS, "Kind", required=True,
        states=_DRAFT,
        help="Commercial leases (Code de commerce L145) last at least "
        "9 years, professional leases 6 years.")
    spaces = fields.Many2Many(
        'ptce.lease-ptce.space', 'lease', 'space', "Spaces",
        domain=[('company', '=', Eval('company', -1))],
        states=_DRAFT, required=True)
    start_date = fields.Date("Start Date", required=True, states=_DRAFT)
    end_date = fields.Date(
        "End Date",
        domain=[If(Eval('end_date') & Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ())],
        states={'readonly': Eval('state') == 'terminated'},
        help="Leave empty for a lease renewed tacitly.")
    notice_period = fields.Integer(
        "Notice Period (months)", states=_DRAFT,
        domain=[If(Eval('notice_period'), ('notice_period', '>=', 0), ())],
        help="6 months for commercial and professional leases.")
    notice_date = fields.Date(
        "Notice Date", readonly=True,
        help="The day notice was given.")
    rent = fields.Numeric(
        "Rent", digits=(16, 2), required=True, states=_DRAFT,
        help="Rent excluding tax for one billing period.")
    charges = fields.Numeric(
        "Charges Provision", digits=(16, 2), required=True, states=_DRAFT,
        help="Provision on charges excluding tax for one billing period.")
    vat = fields.Boolean(
        "Subject to VAT", states=_DRAFT,
        help="Rent and charges bear the VAT of the products.")
    frequency = fields.Selection([
            ('monthly', "Monthly"),
            ('quarterly', "Quarterly"),
            ], "Billing Frequency", required=True, states=_DRAFT)
    term = fields.Selection([
            ('advance', "In Advance"),
            ('arrears', "In Arrears"),
            ], "Term", required=True, states=_DRAFT,
        help="In advance (terme à échoir): billed on the first day of the "
        "period. In arrears (terme échu): billed on its last day.")
    payment_term = fields.Many2One(
        'account.invoice.payment_term', "Payment Term", states=_DRAFT)
    sepa_mandate = fields.Many2One(
        'account.payment.sepa.mandate', "SEPA Mandate",
        domain=[
            ('party', '=', Eval('tenant', -1)),
            ('company', '=', Eval('company', -1)),
            ],
        help="Valid mandate for collecting the rents by direct debit.")
    deposit_amount = fields.Numeric(
        "Deposit", digits=(16, 2), states=_DRAFT,
        help="Dépôt de garantie. For commercial leases, a deposit above "
        "two terms of rent bears interest for the tenant (L145-40).")
    index_kind = fields.Selection(
        [(None, "")] + INDEX_KINDS, "Index", states=_DRAFT,
        help="ILC for commercial and craft activities, ILAT for offices "
        "(Code de commerce L145-34, L145-38).")
    reference_index_year = fields.Integer(
        "Reference Index Year",
        states={
            'required': Bool(Eval('index_kind')),
            'invisible': ~Eval('index_kind'),
            'readonly': Eval('state') != 'draft',
            })
    reference_index_quarter = fields.Integer(
        "Reference Index Quarter",
        domain=[If(Bool(Eval('reference_index_quarter')),
                [('reference_index_quarter', '>=', 1),
                    ('reference_index_quarter', '<=', 4)],
                [])],
        states={
            'required': Bool(Eval('index_kind')),
            'invisible': ~Eval('index_kind'),
            'readonly': Eval('state') != 'draft',
            })
    revision_date = fields.Date(
        "Next Revision",
        states={
            'required': Bool(Eval('index_kind')),
            'invisible': ~Eval('index_kind'),
            'readonly': Eval('state').in_(['terminated']),
            },
        help="Anniversary date of the next indexation.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    area = fields.Function(
        fields.Numeric("Area (m²)", digits=(16, 2)), 'get_area')
    state = fields.Selection(STATES, "State", readonly=True, required=True,
        sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('reference_unique', Unique(t, t.company, t.reference),
                'ptce_spaces.msg_lease_reference_unique'),
            ]
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'signed'),
            ('signed', 'draft'),
            ('signed', 'running'),
            ('running', 'notice'),
            ('running', 'terminated'),
            ('notice', 'terminated'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'signed',
                    'depends': ['state'],
                    },
                'sign': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'run': {
                    'invisible': Eval('state') != 'signed',
                    'depends': ['state'],
                    },
                'give_notice': {
                    'invisible': Eval('state') != 'running',
                    'depends': ['state'],
                    },
                'terminate': {
                    'invisible': ~Eval('state').in_(['running', 'notice']),
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_frequency():
        return 'monthly'

    @staticmethod
    def default_term():
        return 'advance'

    @staticmethod
    def default_kind():
        return 'commercial'

    @staticmethod
    def default_charges():
        return Decimal(0)

    @staticmethod
    def default_vat():
        return True

    @staticmethod
    def default_notice_period():
        return 6

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('kind', 'index_kind')
    def on_change_kind(self):
        if self.kind and not self.index_kind:
            self.index_kind = self._get_index_kind()

    def _get_index_kind(self):
        "The index of the rent by default for the kind of the lease"
        return getattr(self, f'_get_index_kind_{self.kind}')()

    def _get_index_kind_commercial(self):
        # Code de commerce L145-34: commercial and craft activities
        return 'ILC'

    def _get_index_kind_professional(self):
        # Offices and other tertiary activities (L145-38)
        return 'ILAT'

    def _get_index_kind_precarious(self):
        return None

    def _get_index_kind_coworking(self):
        return None

    @fields.depends('start_date', 'revision_date', 'index_kind')
    def on_change_start_date(self):
        if self.start_date and self.index_kind and not self.revision_date:
            self.revision_date = add_months(self.start_date, 12)

    def reference_index_value(self):
        "The value of the reference index of the rent, which must be known"
        RentIndex = Pool().get('ptce.rent.index')
        value = RentIndex.get_value(
            self.index_kind, self.reference_index_year,
            self.reference_index_quarter)
        if value is None:
            raise IndexationError(gettext(
                    'ptce_spaces.msg_index_missing',
                    lease=self.rec_name, kind=self.index_kind,
                    quarter=self.reference_index_quarter,
                    year=self.reference_index_year))
        return value

    def get_area(self, name):
        return sum((s.area or Decimal(0)) for s in self.spaces)

    @classmethod
    def get_tenant_associate(cls, leases, name):
        "Overridden when scic_members is activated"
        return {l.id: False for l in leases}

    @classmethod
    def search_tenant_associate(cls, name, clause):
        "Overridden when scic_members is activated: no tenant is one"
        _, operator, value = clause[:3]
        is_associate = (operator == '=') == bool(value)
        return [('id', '=', -1)] if is_associate else []

    def get_rec_name(self, name):
        return f'{self.reference} ({self.tenant.rec_name})'


    # Validation ----------------------------------------------------------

    @classmethod
    def validate_fields(cls, leases, field_names):
        super().validate_fields(leases, field_names)
        cls.check_dates(leases, field_names)
        cls.check_amounts(leases, field_names)

    @classmethod
    def check_dates(cls, leases, field_names=None):
        if field_names and not (field_names & {'start_date', 'end_date'}):
            return
        for lease in leases:
            if lease.end_date and lease.end_date < lease.start_date:
                raise LeaseValidationError(gettext(
                        'ptce_spaces.msg_lease_end_before_start',
                        lease=lease.rec_name,
                        start=lease.start_date, end=lease.end_date))

    @classmethod
    def check_amounts(cls, leases, field_names=None):
        names = {'rent', 'charges', 'deposit_amount'}
        if field_names and not (field_names & names):
            return
        for lease in leases:
            for name in names:
                value = getattr(lease, name)
                if value is not None and value < 0:
                    raise LeaseValidationError(gettext(
                            'ptce_spaces.msg_lease_negative_amount',
                            lease=lease.rec_name,
                            field=cls.__names__(name)['field']))

    @classmethod
    def validate(cls, leases):
        super().validate(leases)
        cls.check_overlap(leases)

    @classmethod
    def check_overlap(cls, leases):
        "No two occupying leases on one exclusive space at the same time"
        for lease in leases:
            if lease.state not in OCCUPYING_STATES:
                continue
            exclusive = [s for s in lease.spaces if s.exclusive]
            if not exclusive:
                continue
            domain = [
                ('id', '!=', lease.id),
                ('company', '=', lease.company.id),
                ('state', 'in', OCCUPYING_STATES),
                ('spaces', 'in', [s.id for s in exclusive]),
                ['OR',
                    ('end_date', '=', None),
                    ('end_date', '>=', lease.start_date)],
                ]
            if lease.end_date:
                domain.append(('start_date', '<=', lease.end_date))
            others = cls.search(domain, limit=1)
            if others:
                other, = others
                spaces = set(exclusive) & set(other.spaces)
                raise LeaseOverlapError(gettext(
                        'ptce_spaces.msg_lease_overlap',
                        lease=lease.rec_name, other=other.rec_name,
                        space=', '.join(s.rec_name for s in spaces)))

    @classmethod
    def check_modification(cls, mode, leases, values=None, external=False):
        super().check_modification(
            mode, leases, values=values, external=external)
        if mode == 'delete':
            for lease in leases:
                if lease.state != 'draft':
                    raise AccessError(gettext(
                            'ptce_spaces.msg_lease_delete_draft',
                            lease=lease.rec_name))

    @classmethod
    def copy(cls, leases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('notice_date')
        default.setdefault(
            'reference', lambda data: data['reference'] + ' (copie)')
        return super().copy(leases, default=default)

    # Workflow ------------------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, leases):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('signed')
    def sign(cls, leases):
        for lease in leases:
            if lease.index_kind:
                lease.reference_index_value()
            lease.check_deposit()

    def check_deposit(self):
        "Check the deposit against the rules of the kind of the lease"
        getattr(self, f'_check_deposit_{self.kind}')()

    def _check_deposit_commercial(self):
        # Code de commerce L145-40: a deposit above two terms of rent bears
        # interest for the tenant
        Warning = Pool().get('res.user.warning')
        if self.deposit_amount and self.deposit_amount > 2 * self.rent:
            key = Warning.format('ptce_deposit_interest', [self])
            if Warning.check(key):
                raise DepositWarning(key, gettext(
                        'ptce_spaces.msg_lease_deposit_interest',
                        lease=self.rec_name))

    def _check_deposit_professional(self):
        pass

    def _check_deposit_precarious(self):
        pass

    def _check_deposit_coworking(self):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, leases):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('notice')
    def give_notice(cls, leases):
        Date = Pool().get('ir.date')
        today = Date.today()
        for lease in leases:
            lease.notice_date = today
            end = add_months(today, lease.notice_period or 0)
            if not lease.end_date or lease.end_date > end:
                lease.end_date = end
        cls.save(leases)

    @classmethod
    @ModelView.button
    @Workflow.transition('terminated')
    def terminate(cls, leases):
        Date = Pool().get('ir.date')
        today = Date.today()
        for lease in leases:
            if not lease.end_date:
                lease.end_date = today
        cls.save(leases)

    @property
    def sector(self):
        for space in self.spaces:
            if space.sector:
                return space.sector


class LeaseSpace(ModelSQL):
    __string__ = "Lease - Space"
    __name__ = 'ptce.lease-ptce.space'

    lease = fields.Many2One(
        'ptce.lease', "Lease", required=True, ondelete='CASCADE')
    space = fields.Many2One(
        'ptce.space', "Space", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('lease')


