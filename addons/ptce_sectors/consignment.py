# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Consignment (dépôt-vente) of producers and artisans: the goods stay the
depositor's; at each sale only the commission is the cooperative's revenue,
the rest is owed to the depositor (467) and settled by a periodic
self-billing statement posted on the depositor's payable account."""
import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import ConsignmentError
from .report import FrenchDocumentReport


def split_commission(untaxed, rate):
    """Return (commission, depositor share) of an untaxed amount, rounded
    to the cent; the same rounding at posting and at settlement."""
    commission = (untaxed * (rate or 0)).quantize(
        Decimal('0.01'), rounding=ROUND_HALF_EVEN)
    return commission, untaxed - commission


class Agreement(ModelSQL, ModelView):
    "Consignment Agreement"
    __name__ = 'ptce.consignment.agreement'
    __string__ = "Consignment Agreement"
    _rec_name = 'reference'

    company = fields.Many2One('company.company', "Company", required=True)
    reference = fields.Char("Reference", required=True)
    depositor = fields.Many2One(
        'party.party', "Depositor", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The producer or artisan who owns the goods in consignment.")
    commission_rate = fields.Numeric(
        "Commission Rate", digits=(16, 4), required=True,
        domain=[
            ('commission_rate', '>=', 0),
            ('commission_rate', '<=', 1),
            ],
        help="Share of the untaxed sale price kept by the cooperative "
        "(0.25 for 25 %).")
    settlement_period = fields.Selection([
            ('month', "Monthly"),
            ('quarter', "Quarterly"),
            ], "Settlement Period", required=True)
    sector = fields.Many2One(
        'ptce.sector', "Sector", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    commission_account = fields.Many2One(
        'account.account', "Commission Account", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type.revenue', '=', True),
            ('closed', '!=', True),
            ],
        help="Revenue account of the commission (706).")
    depositor_account = fields.Many2One(
        'account.account', "Depositors Account", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help="Account of what is owed to the depositors until settlement "
        "(4672).")
    journal = fields.Many2One(
        'account.journal', "Journal", required=True,
        help="Journal of the settlement statements.")
    products = fields.One2Many(
        'product.template', 'consignment_agreement', "Products",
        readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    settlements = fields.One2Many(
        'ptce.consignment.settlement', 'agreement', "Settlements",
        readonly=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @staticmethod
    def split_commission(untaxed, rate):
        return split_commission(untaxed, rate)

    @classmethod
    def default_settlement_period(cls):
        return 'month'

    @classmethod
    def settle(cls, agreements, date_from, date_to):
        """Create and post, for each agreement, the statement of the posted
        sales of its products between the dates not settled yet: the
        depositor's share is moved from the depositors account to the
        depositor's payable account.  Return the settlements."""
        pool = Pool()
        Settlement = pool.get('ptce.consignment.settlement')
        SettlementLine = pool.get('ptce.consignment.settlement.line')
        SaleLine = pool.get('sale.point.sale.line')
        settlements = []
        for agreement in agreements:
            settled = {l.sale_line.id for l in SettlementLine.search([
                        ('settlement.agreement', '=', agreement.id),
                        ])}
            sale_lines = SaleLine.search([
                    ('product.template.consignment_agreement', '=',
                        agreement.id),
                    ('sale.state', '=', 'posted'),
                    ('sale.date', '>=', date_from),
                    ('sale.date', '<=', date_to),
                    ], order=[('sale.date', 'ASC'), ('id', 'ASC')])
            lines = []
            for sale_line in sale_lines:
                if sale_line.id in settled:
                    continue
                commission, share = split_commission(
                    sale_line.untax_amount, agreement.commission_rate)
                lines.append(SettlementLine(
                        sale_line=sale_line, product=sale_line.product,
                        date=sale_line.sale.date,
                        quantity=sale_line.quantity,
                        amount=sale_line.untax_amount,
                        commission=commission, share=share))
            if not lines:
                continue
            settlement = Settlement(
                agreement=agreement, company=agreement.company,
                depositor=agreement.depositor, date_from=date_from,
                date_to=date_to, lines=lines)
            settlements.append(settlement)
        Settlement.save(settlements)
        Settlement.post(settlements)
        return settlements


class Settlement(Workflow, ModelSQL, ModelView):
    "Consignment Settlement"
    __name__ = 'ptce.consignment.settlement'
    __string__ = "Consignment Settlement"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    agreement = fields.Many2One(
        'ptce.consignment.agreement', "Agreement", required=True,
        readonly=True, ondelete='RESTRICT')
    depositor = fields.Many2One(
        'party.party', "Depositor", required=True, readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    date_from = fields.Date("From Date", required=True, readonly=True)
    date_to = fields.Date("To Date", required=True, readonly=True)
    lines = fields.One2Many(
        'ptce.consignment.settlement.line', 'settlement', "Items Sold",
        readonly=True)
    total = fields.Function(Monetary(
            "Sales", currency='currency', digits='currency',
            help="Untaxed sales of the depositor's products."),
        'get_amounts')
    commission = fields.Function(Monetary(
            "Commission", currency='currency', digits='currency',
            help="The cooperative's revenue."),
        'get_amounts')
    share = fields.Function(Monetary(
            "Owed to Depositor", currency='currency', digits='currency'),
        'get_amounts')
    move = fields.Many2One('account.move', "Move", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ], "State", readonly=True, required=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date_to', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'posted')}
        cls._buttons.update(
            post={
                'invisible': Eval('state') != 'draft',
                'depends': ['state'],
                },
            )

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_currency(self, name):
        return self.company.currency.id

    @classmethod
    def get_amounts(cls, settlements, names):
        result = {n: {} for n in names}
        for settlement in settlements:
            for name in names:
                field = 'amount' if name == 'total' else name
                result[name][settlement.id] = sum(
                    (getattr(l, field) for l in settlement.lines),
                    Decimal(0))
        return result

    @classmethod
    def check_modification(cls, mode, settlements, values=None,
            external=False):
        super().check_modification(
            mode, settlements, values=values, external=external)
        if mode == 'delete':
            for settlement in settlements:
                if settlement.state == 'posted':
                    raise ConsignmentError(gettext(
                            'ptce_sectors.msg_settlement_posted',
                            settlement=settlement.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, settlements):
        pool = Pool()
        Move = pool.get('account.move')
        moves = []
        for settlement in settlements:
            move = settlement.get_move()
            settlement.move = move
            moves.append(move)
        Move.save(moves)
        Move.post(moves)
        cls.save(settlements)

    def get_move(self):
        "Depositor's share: debit the depositors account, credit payable"
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        agreement = self.agreement
        share = sum((l.share for l in self.lines), Decimal(0))
        payable = self.depositor.account_payable_used
        if not payable:
            raise ConsignmentError(gettext(
                    'ptce_sectors.msg_depositor_payable',
                    depositor=self.depositor.rec_name))
        debit = Line(account=agreement.depositor_account,
            description=agreement.reference)
        credit = Line(account=payable, party=self.depositor,
            description=agreement.reference)
        if share >= 0:
            debit.debit, debit.credit = share, Decimal(0)
            credit.debit, credit.credit = Decimal(0), share
        else:
            debit.debit, debit.credit = Decimal(0), -share
            credit.debit, credit.credit = -share, Decimal(0)
        return Move(
            company=self.company, journal=agreement.journal,
            period=Period.find(self.company, date=self.date_to),
            date=self.date_to, origin=self, lines=[debit, credit],
            description=agreement.reference)


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['ptce.consignment.settlement']


class SettlementLine(ModelSQL, ModelView):
    "Consignment Settlement Item"
    __name__ = 'ptce.consignment.settlement.line'
    __string__ = "Consignment Settlement Item"

    settlement = fields.Many2One(
        'ptce.consignment.settlement', "Settlement", required=True,
        ondelete='CASCADE')
    sale_line = fields.Many2One(
        'sale.point.sale.line', "Sale Line", required=True,
        ondelete='RESTRICT')
    product = fields.Many2One('product.product', "Product", required=True)
    date = fields.Date("Date", required=True)
    quantity = fields.Float("Quantity", required=True)
    amount = Monetary(
        "Untaxed Amount", currency='currency', digits='currency',
        required=True)
    commission = Monetary(
        "Commission", currency='currency', digits='currency', required=True)
    share = Monetary(
        "Owed to Depositor", currency='currency', digits='currency',
        required=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('settlement')
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    def get_currency(self, name):
        return self.settlement.company.currency.id


class SettlementReport(FrenchDocumentReport):
    """Relevé de dépôt-vente: for the depositor, the depositor's items sold
    in the period, their prices, the cooperative's commission and the
    amount owed to the depositor"""
    __name__ = 'ptce.consignment.settlement.report'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['statements'] = {
            s.id: cls.settlement_values(s) for s in records}
        return context

    @classmethod
    def settlement_values(cls, settlement):
        depositor = settlement.depositor
        address = depositor.address_get()
        lines = [
            l.strip() for l in (address.full_address if address else '')
            .splitlines() if l.strip() and l.strip() != depositor.name]
        identifier = depositor.tax_identifier
        siren = getattr(depositor, 'siren', None)
        currency = settlement.currency
        items = []
        for line in settlement.lines:
            sale_line = line.sale_line
            items.append({
                    'date': line.date,
                    'product': line.product.rec_name,
                    'quantity': line.quantity,
                    # the price of the item as sold, taxes included
                    'unit_price': sale_line.unit_gross_price,
                    'amount': line.amount,
                    'commission': line.commission,
                    'share': line.share,
                    })
        return {
            'depositor': depositor.full_name or depositor.name,
            'address': lines,
            'siren': siren.code if siren else None,
            'vat_number': identifier.code if identifier else None,
            'rate': settlement.agreement.commission_rate * 100,
            'items': items,
            'currency': currency,
            }


class SettleStart(ModelView):
    "Settle Consignments"
    __name__ = 'ptce.consignment.settle.start'
    __string__ = "Settle Consignments"

    period = fields.Many2One(
        'account.period', "Period", required=True,
        domain=[('type', '=', 'standard')])


class Settle(Wizard):
    "Settle Consignments"
    __name__ = 'ptce.consignment.settle'
    start = StateView(
        'ptce.consignment.settle.start',
        'ptce_sectors.settle_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Settle", 'settle', 'tryton-ok', default=True),
            ])
    settle = StateAction('ptce_sectors.act_settlement')

    def do_settle(self, action):
        pool = Pool()
        Agreement = pool.get('ptce.consignment.agreement')
        agreements = Agreement.search([
                ('company', '=', self.start.period.company.id),
                ])
        settlements = Agreement.settle(
            agreements, self.start.period.start_date,
            self.start.period.end_date)
        return action, {'res_id': [s.id for s in settlements]}


def period_bounds(period):
    "First and last day of a 'YYYY-MM' period"
    year, month = map(int, period.split('-'))
    first = datetime.date(year, month, 1)
    if month == 12:
        last = datetime.date(year, 12, 31)
    else:
        last = datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
    return first, last
