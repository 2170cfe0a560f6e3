# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Recyclerie: donations received by weight and flow, the outcome of each
batch (reused, recycled, disposed) and the tonnage report per period."""
from collections import defaultdict

from sql.aggregate import Sum
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions import IntakeError

OUTCOMES = [
    ('reused_sold', "Reused (sold)"),
    ('reused_given', "Reused (given)"),
    ('recycled', "Recycled"),
    ('disposed', "Disposed"),
    ]
# The rates of the tonnage: the outcomes that count for each
RATES = [
    ('reuse', ['reused_sold', 'reused_given']),
    ('recycling', ['recycled']),
    ('disposal', ['disposed']),
    ]


class Flow(DeactivableMixin, ModelSQL, ModelView):
    "Recyclerie Flow"
    __name__ = 'ptce.recyclerie.flow'
    __string__ = "Recyclerie Flow"

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    scheme = fields.Char(
        "Producer Responsibility Scheme",
        help="The French extended producer responsibility scheme (filière "
        "REP) of the flow and its eco-organisation, e.g. \"TLC - "
        "Refashion\"; empty when the flow has none.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('code', 'ASC'))


class Intake(ModelSQL, ModelView):
    "Recyclerie Intake"
    __name__ = 'ptce.recyclerie.intake'
    __string__ = "Recyclerie Intake"

    company = fields.Many2One('company.company', "Company", required=True)
    date = fields.Date("Date", required=True)
    flow = fields.Many2One(
        'ptce.recyclerie.flow', "Flow", required=True, ondelete='RESTRICT')
    source = fields.Selection([
            ('dropoff', "Drop-off"),
            ('collection', "Collection"),
            ('partner', "Partner"),
            ], "Source", required=True)
    partner = fields.Many2One(
        'party.party', "Partner",
        states={'invisible': Eval('source') != 'partner'},
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The organisation that brought the batch.")
    weight = fields.Float(
        "Weight (kg)", digits=(16, 1), required=True,
        help="Weight of the batch received, in kilograms.")
    outcomes = fields.One2Many(
        'ptce.recyclerie.outcome', 'intake', "Outcomes",
        help="What became of the batch, with the weights.")
    remaining_weight = fields.Function(
        fields.Float("Remaining (kg)", digits=(16, 1)),
        'get_remaining_weight')
    description = fields.Char("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls.__rpc__.update({
                'tonnage_report': RPC(),
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_source(cls):
        return 'dropoff'

    def get_remaining_weight(self, name):
        # Rounded to the field's digits: 21.6 - 15.1 is 6.500000000000002,
        # which the web client takes for a change of the record once the
        # field is focused (it asks to save a record nobody changed)
        digits = self.__class__.remaining_weight.digits[1]
        return round(
            self.weight - sum(o.weight or 0 for o in self.outcomes), digits)

    def get_rec_name(self, name):
        return f'{self.flow.rec_name} {self.weight} kg {self.date}'

    @classmethod
    def validate_fields(cls, intakes, field_names):
        super().validate_fields(intakes, field_names)
        for intake in intakes:
            if intake.weight is None or intake.weight <= 0:
                raise IntakeError(gettext(
                        'ptce_sectors.msg_intake_weight_positive',
                        weight=intake.weight))
            intake.check_outcomes()

    def check_outcomes(self):
        "The outcomes never weigh more than the batch received"
        total = sum(o.weight or 0 for o in self.outcomes)
        if total > self.weight + 1e-6:
            raise IntakeError(gettext(
                    'ptce_sectors.msg_intake_outcomes_exceed',
                    intake=self.rec_name, total=total, weight=self.weight))

    @classmethod
    def tonnage_report(cls, date_from, date_to, company=None):
        """Tonnage of the period per flow: {flow code: {name, collected,
        reused_sold, reused_given, recycled, disposed, reuse_rate,
        recycling_rate, disposal_rate}} (weights in kg, rates as fractions
        of the collected weight) plus a 'total' entry.

        Called with access checking (RPC), it sums only the intakes the
        user may read: it needs the read access to the intakes and their
        outcomes, and the record rules of the intakes apply."""
        pool = Pool()
        Outcome = pool.get('ptce.recyclerie.outcome')
        Flow = pool.get('ptce.recyclerie.flow')
        ModelAccess = pool.get('ir.model.access')
        Rule = pool.get('ir.rule')
        intake = cls.__table__()
        ModelAccess.check(cls.__name__, 'read')
        ModelAccess.check(Outcome.__name__, 'read')
        if company is None:
            company = Transaction().context.get('company')
        where = ((intake.date >= date_from) & (intake.date <= date_to)
            & (intake.company == int(company)))
        # Empty without access checking or when no rule applies
        rule_domain = Rule.domain_get(cls.__name__, mode='read')
        if rule_domain:
            where &= intake.id.in_(
                cls.search(rule_domain, order=[], query=True))
        rows = defaultdict(lambda: defaultdict(float))
        for flow, measure, weight in cls._tonnage(intake, where):
            rows[flow][measure] += weight or 0
        result = {}
        total = defaultdict(float)
        for flow in Flow.browse(list(rows)):
            values = rows[flow.id]
            for key in ['collected'] + [k for k, _ in OUTCOMES]:
                total[key] += values[key]
            result[flow.code] = cls._rates(dict(values), flow.name)
        result['total'] = cls._rates(dict(total), 'Total')
        return result

    @classmethod
    def _tonnage(cls, intake, where, group_by=()):
        """The weights of the recyclerie, grouped by flow and by the
        columns of intake (the table of the intakes, which where filters)
        in group_by: [(*group_by values, flow id, measure, kg)], measure
        being 'collected' or an outcome type.

        The one definition of the tonnage: a batch counts at the date it
        was received, its outcomes too whenever they are recorded (so that
        a rate never exceeds 100 %). The tonnage report and the
        recyclerie indicators of ptce_reporting read it."""
        pool = Pool()
        Outcome = pool.get('ptce.recyclerie.outcome')
        outcome = Outcome.__table__()
        cursor = Transaction().connection.cursor()
        group_by = list(group_by)
        rows = []
        cursor.execute(*intake.select(
                *group_by, intake.flow, Sum(intake.weight),
                where=where, group_by=group_by + [intake.flow]))
        for *keys, flow, weight in cursor:
            rows.append((*keys, flow, 'collected', weight))
        cursor.execute(*outcome.join(
                intake, condition=outcome.intake == intake.id).select(
                *group_by, intake.flow, outcome.type, Sum(outcome.weight),
                where=where,
                group_by=group_by + [intake.flow, outcome.type]))
        rows.extend(tuple(row) for row in cursor)
        return rows

    @staticmethod
    def _rates(values, name):
        # Every key, also in the total of a period without intake
        collected = values.setdefault('collected', 0.0)
        for key, _ in OUTCOMES:
            values.setdefault(key, 0.0)
        reused = sum(values[t] for t in dict(RATES)['reuse'])

        def rate(weight):
            return round(weight / collected, 4) if collected else 0.0
        values.update({'name': name, 'reused': reused})
        for key, types in RATES:
            values[f'{key}_rate'] = rate(sum(values[t] for t in types))
        return values


class Outcome(ModelSQL, ModelView):
    "Recyclerie Outcome"
    __name__ = 'ptce.recyclerie.outcome'
    __string__ = "Recyclerie Outcome"

    intake = fields.Many2One(
        'ptce.recyclerie.intake', "Intake", required=True,
        ondelete='CASCADE')
    type = fields.Selection(OUTCOMES, "Outcome", required=True)
    date = fields.Date("Date", required=True)
    weight = fields.Float(
        "Weight (kg)", digits=(16, 1), required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('intake')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def validate_fields(cls, outcomes, field_names):
        super().validate_fields(outcomes, field_names)
        for outcome in outcomes:
            if outcome.weight is None or outcome.weight <= 0:
                raise IntakeError(gettext(
                        'ptce_sectors.msg_intake_weight_positive',
                        weight=outcome.weight))
            outcome.intake.check_outcomes()
