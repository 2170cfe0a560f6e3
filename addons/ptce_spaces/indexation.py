# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"Indexation of the rent (ILC, ILAT, IRL) and its history"
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import IndexationError
from .lease import add_months
from .space import INDEX_KINDS


class Lease(metaclass=PoolMeta):
    __name__ = 'ptce.lease'

    revisions = fields.One2Many(
        'ptce.lease.revision', 'lease', "Rent History", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'revise': {
                    'invisible': (
                        ~Eval('state').in_(['running', 'notice'])
                        | ~Eval('index_kind')),
                    'depends': ['state', 'index_kind'],
                    },
                })

    @classmethod
    def copy(cls, leases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('revisions')
        return super().copy(leases, default=default)

    def compute_indexation(self):
        """Proposed revision: new rent = rent × new index / reference index.

        The new index is the one of the same quarter one year later; the
        rent follows the index down as well as up (Cass. 3e civ.,
        14 January 2016).  Returns a dict of the revision values."""
        RentIndex = Pool().get('ptce.rent.index')
        if not self.index_kind:
            raise IndexationError(gettext(
                    'ptce_spaces.msg_lease_no_index', lease=self.rec_name))
        reference = self.reference_index_value()
        year = self.reference_index_year + 1
        quarter = self.reference_index_quarter
        new = RentIndex.get_value(self.index_kind, year, quarter)
        if new is None:
            raise IndexationError(gettext(
                    'ptce_spaces.msg_index_missing',
                    lease=self.rec_name, kind=self.index_kind,
                    quarter=quarter, year=year))
        new_rent = self.currency.round(self.rent * new / reference)
        return {
            'date': self.revision_date,
            'old_rent': self.rent,
            'new_rent': new_rent,
            'index_kind': self.index_kind,
            'reference_year': self.reference_index_year,
            'reference_quarter': quarter,
            'reference_value': reference,
            'new_year': year,
            'new_quarter': quarter,
            'new_value': new,
            }

    @classmethod
    def apply_indexation(cls, leases):
        "Apply the proposed revision and keep it in the history"
        Revision = Pool().get('ptce.lease.revision')
        revisions = []
        for lease in leases:
            values = lease.compute_indexation()
            revisions.append(Revision(lease=lease, **values))
            lease.rent = values['new_rent']
            lease.reference_index_year = values['new_year']
            lease.revision_date = add_months(
                lease.revision_date or values['date'], 12)
        Revision.save(revisions)
        cls.save(leases)
        return revisions

    @classmethod
    @ModelView.button_action('ptce_spaces.wizard_lease_revise')
    def revise(cls, leases):
        pass


class LeaseRevision(ModelSQL, ModelView):
    __string__ = "Rent Revision"
    __name__ = 'ptce.lease.revision'

    lease = fields.Many2One(
        'ptce.lease', "Lease", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    old_rent = fields.Numeric("Old Rent", digits=(16, 2), required=True)
    new_rent = fields.Numeric("New Rent", digits=(16, 2), required=True)
    index_kind = fields.Selection(INDEX_KINDS, "Index", required=True)
    reference_year = fields.Integer("Reference Year", required=True)
    reference_quarter = fields.Integer("Reference Quarter", required=True)
    reference_value = fields.Numeric(
        "Reference Index", digits=(16, 2), required=True)
    new_year = fields.Integer("New Year", required=True)
    new_quarter = fields.Integer("New Quarter", required=True)
    new_value = fields.Numeric("New Index", digits=(16, 2), required=True)
    variation = fields.Function(
        fields.Numeric("Variation (%)", digits=(16, 2)), 'get_variation')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('lease')
        cls._order.insert(0, ('date', 'DESC'))

    def get_variation(self, name):
        return ((self.new_value / self.reference_value - 1) * 100).quantize(
            Decimal('0.01'))

    def get_rec_name(self, name):
        return f'{self.lease.rec_name} {self.date}'


class ReviseStart(ModelView):
    __string__ = "Revise Rent"
    __name__ = 'ptce.lease.revise.start'

    lease = fields.Many2One('ptce.lease', "Lease", readonly=True)
    date = fields.Date("Date", readonly=True)
    index_kind = fields.Selection(INDEX_KINDS, "Index", readonly=True)
    reference = fields.Char("Reference Index", readonly=True)
    reference_value = fields.Numeric(
        "Reference Value", digits=(16, 2), readonly=True)
    new = fields.Char("New Index", readonly=True)
    new_value = fields.Numeric("New Value", digits=(16, 2), readonly=True)
    old_rent = fields.Numeric("Current Rent", digits=(16, 2), readonly=True)
    new_rent = fields.Numeric("New Rent", digits=(16, 2), readonly=True)


class Revise(Wizard):
    "Apply the indexation of the rent"
    __name__ = 'ptce.lease.revise'

    start = StateView('ptce.lease.revise.start',
        'ptce_spaces.lease_revise_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Apply", 'apply', 'tryton-ok', default=True),
            ])
    apply = StateTransition()

    def default_start(self, fields):
        values = self.record.compute_indexation()
        return {
            'lease': self.record.id,
            'date': values['date'],
            'index_kind': values['index_kind'],
            'reference': f"T{values['reference_quarter']} "
            f"{values['reference_year']}",
            'reference_value': values['reference_value'],
            'new': f"T{values['new_quarter']} {values['new_year']}",
            'new_value': values['new_value'],
            'old_rent': values['old_rent'],
            'new_rent': values['new_rent'],
            }

    def transition_apply(self):
        self.model.apply_indexation([self.record])
        return 'end'


