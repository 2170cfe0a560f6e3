# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The accounting of a till's day as one move per point of sale and day.

Legal basis (verified on Légifrance, Code de commerce, partie
réglementaire, livre Ier, titre II, chapitre III, section 2): art.
R123-174 says that the movements are recorded "opération par opération et
jour par jour" and, in its third paragraph, that "les opérations de même
nature, réalisées en un même lieu et au cours d'une même journée, peuvent
être récapitulées sur une pièce justificative unique".  The takings of a
till over a day are such operations: the closing of the day (ticket Z) is
that single piece, and the ledger records it as one entry.  The tax side
is CGI art. 286 I 3°, which lets cash retail sales to individuals be
recorded globally at the end of each day (within the unit amount it
sets), provided the detail is kept (BOI-BIC-DECLA-30-10-20-40 for
computerised books: the audit trail from the entry to the pieces, PCG
art. 911-3).  The detail is kept by the till, inalterably: each sale is
still numbered, signed and chained when posted (CGI art. 286 I 3° bis,
sale_point.py), and the day move ties the ledger to it.

Why inalterability does not weaken: a sale posted "per day" is signed at
posting with no move (its signature covers its lines, payments, tip and
totals: a raw change of a line or payment still breaks it).  When the day
is closed, its move is built from the signed sales, posted, and this
record signs (HMAC-SHA256, sealing key of seal.py) the digest of the
sales it holds (their posting numbers and signatures) together with the
digest of the move as written in the ledger.  ``verify_point`` recomputes
both: a changed, deleted or moved ledger line, a sale taken out of or put
into the day, or a closed day whose sales have no move are reported.

One owner for the day move, this record, rather than the cash session
(sessions are not per day, nor kept by the back office's sales) or the
closing (a month or year closing may have to post several days, and the
closing's own signature format stays as it is)."""
import datetime
import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from itertools import groupby

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.account.tax import TaxableMixin, _TaxableLine
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from . import seal
from .exceptions import InalterabilityError, SectorError
from .sale_point import CHAIN_VERSION, _date, _dumps, clear_cache, move_digest


def _as_date(value):
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def _decimal(value):
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def day_payload(values):
    "Canonical serialisation of a day move"
    return _dumps([
            CHAIN_VERSION, 'day_move', values['key'], values['company'],
            values['point'], _date(values['date']), values['move'],
            values['sale_count'], values['sales_digest'],
            values['move_digest']])


def sales_digest(sales):
    """SHA-256 of the (posting number, signature) of the sales of a day
    move, ordered by posting number"""
    payload = json.dumps(sorted(
            [s['chain_number'], s['chain_hash']] for s in sales),
        separators=(',', ':'))
    return hashlib.sha256(payload.encode('utf-8')).hexdigest()


class _Taxable(TaxableMixin):
    """The taxes of some taxable lines, computed as TaxableMixin._get_taxes
    does for the POS sale and its lines, with the builder's memory of
    Tax.compute (the same taxes, price and quantity give the same
    amounts: a till sells the same products all day long)."""

    def __init__(self, builder, date, lines):
        self.builder = builder
        self.company = builder.company
        self.currency = builder.currency
        self._date = date
        self._lines = lines

    @property
    def taxable_lines(self):
        return self._lines

    @property
    def tax_date(self):
        return self._date

    def _get_taxes(self):
        # The code of TaxableMixin._get_taxes, Tax.compute remembered
        all_taxes = {}
        taxable_lines = defaultdict(list)
        for params in self.taxable_lines:
            taxable_line = _TaxableLine(*params)
            taxable_lines[taxable_line._key].append(taxable_line)
        for grouped_taxable_lines in taxable_lines.values():
            taxes = {}
            for line in grouped_taxable_lines:
                current_taxes = {}
                for tax in self.builder.compute_taxes(
                        line.taxes, line.unit_price, line.quantity,
                        line.tax_date or self.tax_date):
                    taxline = self._compute_tax_line(**tax)
                    key = taxline._key
                    if taxline not in current_taxes:
                        current_taxes[key] = taxline
                    else:
                        current_taxes[key] += taxline
                if self.builder.tax_rounding == 'line':
                    self._round_taxes(current_taxes)
                for key, taxline in current_taxes.items():
                    if key not in taxes:
                        taxes[key] = taxline
                    else:
                        taxes[key] += taxline
            if self.builder.tax_rounding == 'document':
                self._round_taxes(taxes)
            for key, taxline in taxes.items():
                if key not in all_taxes:
                    all_taxes[key] = taxline
                else:
                    all_taxes[key] += taxline
        return all_taxes


class DayMoveBuilder:
    """Build the lines of the move of a day from the sales' data read by
    get_chain_data, with the amounts each stock move line would have
    (rounded per sale line and per sale as sale_point does), summed by
    account, taxes and analytic account.  What depends only on the product
    (accounts, taxes, consignment) is read once."""

    def __init__(self, point):
        self.point = point
        self.company = point.company
        self.currency = point.company.currency
        self.products = {}
        self.sectors = {}
        self.methods = {}
        self.line_taxes = {}
        self.computed_taxes = {}
        with Transaction().set_context(company=self.company.id):
            self.tax_rounding = Pool().get(
                'account.configuration')(1).get_multivalue(
                'tax_rounding', company=self.company.id)

    def compute_taxes(self, taxes, unit_price, quantity, date):
        "Tax.compute remembered: [{base, amount, tax}]"
        pool = Pool()
        Tax = pool.get('account.tax')
        key = (tuple(t.id for t in taxes), unit_price, quantity, date)
        if key not in self.computed_taxes:
            self.computed_taxes[key] = Tax.compute(
                Tax.browse(taxes), unit_price, quantity, date)
        return [dict(t) for t in self.computed_taxes[key]]

    def product(self, product_id):
        pool = Pool()
        Product = pool.get('product.product')
        if product_id not in self.products:
            with Transaction().set_context(company=self.company.id):
                product = Product(product_id)
                template = product.template
                agreement = (template.consignment_agreement
                    if template.consigned else None)
                self.products[product_id] = (
                    list(product.customer_taxes_used),
                    product.account_revenue_used, agreement)
        return self.products[product_id]

    def analytic_account(self, sector_id):
        pool = Pool()
        Sector = pool.get('ptce.sector')
        if sector_id not in self.sectors:
            self.sectors[sector_id] = (
                Sector(sector_id).analytic_account if sector_id else None)
        return self.sectors[sector_id]

    def method_account(self, method_id):
        pool = Pool()
        Method = pool.get('sale.point.payment.method')
        if method_id not in self.methods:
            self.methods[method_id] = Method(method_id).account
        return self.methods[method_id]

    def base_taxes(self, taxes, unit_price, quantity, date):
        "Base of each tax of a sale line: {tax: base}"
        key = (tuple(t.id for t in taxes), unit_price, quantity, date)
        if key not in self.line_taxes:
            taxable = _Taxable(
                self, date, [(taxes, unit_price, quantity, date)])
            self.line_taxes[key] = [
                (t.tax, t.base) for t in taxable._get_taxes().values()]
        return self.line_taxes[key]

    def lines(self, sales):
        """Return {key: [balance, {tax: amount}, analytic account]} where
        key is (kind, account, ...) and balance is credit - debit"""
        round_ = self.currency.round
        result = {}

        def add(key, amount, taxes=None, analytic=None):
            if key not in result:
                result[key] = [Decimal(0), defaultdict(Decimal), analytic]
            result[key][0] += amount
            for tax, value in (taxes or {}).items():
                result[key][1][tax] += value

        for sale in sales:
            date = _as_date(sale['date'])
            taxable_lines = []
            total_tax = Decimal(0)
            for product_id, quantity, list_price, gross_price, sector in (
                    sale['lines']):
                list_price = _decimal(list_price)
                gross_price = _decimal(gross_price)
                quantity_ = Decimal(str(quantity or 0))
                untaxed = round_(quantity_ * (list_price or Decimal(0)))
                gross = round_(quantity_ * (gross_price or Decimal(0)))
                total_tax += round_(gross - untaxed)
                taxes, account, agreement = self.product(product_id)
                taxable_lines.append((taxes, list_price, quantity, date))
                bases = {tax.id: base for tax, base in self.base_taxes(
                        taxes, list_price, quantity, date)}
                tax_key = tuple(sorted(bases))
                analytic = self.analytic_account(sector)
                if agreement:
                    # Dépôt-vente, as POSSaleLine._split_consignment
                    commission, share = agreement.split_commission(
                        untaxed, agreement.commission_rate)
                    account = agreement.commission_account
                    if share:
                        add(('plain', agreement.depositor_account.id),
                            share)
                    untaxed = commission
                if not (analytic and account.type and account.type.revenue
                        and untaxed):
                    analytic = None
                add(('revenue', account.id, tax_key,
                        analytic.id if analytic else None),
                    untaxed, bases, analytic)

            # The taxes of the sale with their rounding difference spread
            # as POSSale.get_tax_move_lines does
            taxes = list(_Taxable(
                    self, date, taxable_lines)._get_taxes().values())
            tax_amount = sum(t.amount for t in taxes)
            difference = total_tax - tax_amount
            if difference:
                remaining = difference
                for tax in taxes:
                    if tax.amount:
                        if tax_amount:
                            ratio = tax.amount / tax_amount
                        else:
                            ratio = 1 / len(taxes)
                        value = round_(difference * ratio)
                        tax.amount += value
                        remaining -= value
                if remaining:
                    for tax in taxes:
                        if tax.amount:
                            tax.amount += remaining
                            break
            for tax in taxes:
                if tax.amount:
                    add(('tax', tax.account.id, tax.tax.id), tax.amount,
                        {tax.tax.id: tax.amount})

            tip = _decimal(sale['tip']) or Decimal(0)
            if tip:
                if not self.point.tip_account:
                    raise SectorError(gettext(
                            'ptce_sectors.msg_point_tip_account',
                            point=self.point.rec_name))
                add(('plain', self.point.tip_account.id), tip)
            for method, amount in sale['payments']:
                add(('plain', self.method_account(method).id),
                    -(_decimal(amount) or Decimal(0)))
        return result

    def get_move(self, date, sales):
        "The move of the day (not saved) for the sales' data of the day"
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        TaxLine = pool.get('account.tax.line')
        AnalyticLine = pool.get('analytic_account.line')
        Period = pool.get('account.period')
        Tax = pool.get('account.tax')
        Account = pool.get('account.account')
        lines = []
        for key, (balance, taxes, analytic) in sorted(
                self.lines(sales).items(), key=lambda i: str(i[0])):
            if not balance and not any(taxes.values()):
                continue
            kind, account = key[:2]
            line = Line(account=Account(account))
            if balance >= 0:
                line.debit, line.credit = Decimal(0), balance
            else:
                line.debit, line.credit = -balance, Decimal(0)
            tax_type = 'tax' if kind == 'tax' else 'base'
            line.tax_lines = [
                TaxLine(amount=amount, type=tax_type, tax=Tax(tax))
                for tax, amount in sorted(taxes.items()) if amount]
            if kind == 'tax':
                line.description = Tax(key[2]).description
            if analytic:
                line.analytic_lines = [AnalyticLine(
                        debit=line.debit, credit=line.credit,
                        account=analytic, date=date)]
            lines.append(line)
        return Move(
            company=self.company, journal=self.point.journal,
            period=Period.find(self.company, date=date), date=date,
            description=gettext(
                'ptce_sectors.msg_day_move_description',
                point=self.point.rec_name, date=_date(date),
                count=len(sales)),
            lines=lines)


class DayMove(ModelSQL, ModelView):
    "Point of Sale Day Move"
    __name__ = 'ptce.pos.day_move'
    __string__ = "Point of Sale Day Move"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    point = fields.Many2One(
        'sale.point', "Point of Sale", required=True, readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True, readonly=True)
    move = fields.Many2One(
        'account.move', "Move", readonly=True,
        ondelete='RESTRICT',
        help="The one accounting move of the day's sales of the point of "
        "sale (Code de commerce art. R123-174).")
    sales = fields.One2Many(
        'sale.point.sale', 'day_move', "Sales", readonly=True)
    sale_count = fields.Integer("Sales", required=True, readonly=True)
    sales_digest = fields.Char(
        "Sales Digest", readonly=True, strip=False,
        help="SHA-256 of the posting numbers and signatures of the sales.")
    move_digest = fields.Char(
        "Move Digest", readonly=True, strip=False,
        help="SHA-256 of the accounting move when it was posted.")
    key = fields.Char("Sealing Key", readonly=True)
    signature = fields.Char(
        "Signature", readonly=True, strip=False,
        help="HMAC-SHA256 of the day move, its sales and its accounting "
        "move.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('point_date_unique', Unique(t, t.point, t.date),
                'ptce_sectors.msg_day_move_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.point, Index.Range()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('point', 'ASC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        return f'{self.point.rec_name} {_date(self.date)}'

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode in {'write', 'delete'}:
            for record in records:
                raise InalterabilityError(gettext(
                        'ptce_sectors.msg_day_move_inalterable',
                        day_move=record.rec_name))

    @classmethod
    def post_days(cls, point, date_from, date_to, key=None):
        """Post, as one move per day, the sales of the point of sale of
        the dates that were posted "per day" and have no move yet: their
        stock moves, one Move.create for all the days, one post, then the
        sales are linked and each day move is signed.  Return the day
        moves."""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Move = pool.get('account.move')
        sales = Sale.search([
                ('point', '=', point.id),
                ('state', '=', 'posted'),
                ('move', '=', None),
                ('day_move', '=', None),
                ('chain_hash', '!=', None),
                ('date', '>=', date_from),
                ('date', '<=', date_to),
                ])
        if not sales:
            return []
        if key is None:
            key = seal.signing_key()
        # Whoever may close the day (a cashier) makes its stock moves and
        # writes its ledger entry, as the stock posting does under its
        # button
        with without_check_access():
            Sale.post_stock_moves(sales)
            data = Sale.get_chain_data(sale_ids=[s.id for s in sales])
            builder = DayMoveBuilder(point)
            days = []
            for date, d_sales in groupby(
                    sorted(data.items(), key=lambda i: (
                            _date(i[1]['date']), i[1]['chain_number'])),
                    key=lambda i: _date(i[1]['date'])):
                d_sales = [v | {'id': i} for i, v in d_sales]
                days.append((_as_date(d_sales[0]['date']), d_sales))
            # The records first: they are the origin of their move
            records = cls.create([{
                        'company': point.company.id,
                        'point': point.id,
                        'date': date,
                        'sale_count': len(d_sales),
                        } for date, d_sales in days])
            moves = []
            for record, (date, d_sales) in zip(records, days):
                move = builder.get_move(date, d_sales)
                move.origin = record
                moves.append(move)
            Move.save(moves)
            Move.post(moves)
        sale = Sale.__table__()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        key_id, secret = key
        digests = cls.get_move_digests([m.id for m in moves])
        for record, (date, d_sales), move in zip(records, days, moves):
            ids = [s['id'] for s in d_sales]
            for i in range(0, len(ids), 1000):
                cursor.execute(*sale.update(
                        [sale.day_move], [record.id],
                        where=fields.SQL_OPERATORS['in'](
                            sale.id, ids[i:i + 1000])))
            values = {
                'key': key_id, 'company': point.company.id,
                'point': point.id, 'date': date, 'move': move.id,
                'sale_count': len(d_sales),
                'sales_digest': sales_digest(d_sales),
                'move_digest': digests[move.id],
                }
            cursor.execute(*table.update(
                    [table.move, table.sales_digest, table.move_digest,
                        table.key, table.signature],
                    [move.id, values['sales_digest'], values['move_digest'],
                        key_id, seal.sign(secret, day_payload(values))],
                    where=table.id == record.id))
        clear_cache(sales + records)
        return records

    @classmethod
    def get_move_digests(cls, move_ids):
        "{move id: digest of the move as it is in the ledger}"
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        move = Move.__table__()
        line = MoveLine.__table__()
        cursor = Transaction().connection.cursor()
        headers, lines = {}, defaultdict(list)
        where = fields.SQL_OPERATORS['in'](move.id, move_ids or [-1])
        cursor.execute(*move.select(
                move.id, move.state, move.date, move.journal, where=where))
        for values in cursor:
            headers[values[0]] = values
        cursor.execute(*line.select(
                line.move, line.account, line.party, line.debit,
                line.credit,
                where=fields.SQL_OPERATORS['in'](
                    line.move, move_ids or [-1])))
        for move_id, *values in cursor:
            lines[move_id].append(values)
        return {i: move_digest(headers[i], lines[i]) if i in headers else None
            for i in move_ids}

    @classmethod
    def verify_point(cls, point, sales_data, keys):
        """Verify the day moves of the point of sale against the (already
        verified) sales data: signature, sales held and move as it is in
        the ledger; and that no sale of a closed day lacks its move.
        Return (broken, unverifiable)."""
        pool = Pool()
        Closing = pool.get('ptce.pos.closing')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        columns = ['id', 'company', 'point', 'date', 'move', 'sale_count',
            'sales_digest', 'move_digest', 'key', 'signature']
        cursor.execute(*table.select(
                *[getattr(table, c) for c in columns],
                where=table.point == point.id,
                order_by=[table.date.asc, table.id.asc]))
        rows = [dict(zip(columns, r)) for r in cursor]
        by_day = defaultdict(list)
        for values in sales_data.values():
            if values.get('day_move'):
                by_day[values['day_move']].append(values)
        digests = cls.get_move_digests([r['move'] for r in rows])
        unverifiable = 0

        def broken(values, reason):
            return {
                'model': 'ptce.pos.day_move', 'id': values['id'],
                'number': f"{point.rec_name} {_date(values['date'])}",
                'chain_number': None, 'reason': reason,
                }
        for values in rows:
            signed = seal.check(keys, values['key'], day_payload(values),
                values['signature'])
            if signed is False:
                return broken(values, 'hash'), unverifiable
            if signed is None:
                unverifiable += 1
            sales = by_day.pop(values['id'], [])
            if (len(sales) != values['sale_count']
                    or sales_digest(sales) != values['sales_digest']
                    or digests[values['move']] != values['move_digest']):
                return broken(values, 'move'), unverifiable
        for day_move_id, sales in by_day.items():
            # A sale linked to a day move of another point, or to none
            sale = sales[0]
            return broken(
                {'id': day_move_id, 'date': sale['date']}, 'move'), (
                unverifiable)
        closed = Closing.get_last_closed_dates([point]).get(point.id)
        if closed:
            for id_, values in sales_data.items():
                if (values['state'] == 'posted' and not values['move']
                        and not values.get('day_move')
                        and str(_date(values['date'])) <= _date(closed)):
                    return {
                        'model': 'sale.point.sale', 'id': id_,
                        'number': values['number'],
                        'chain_number': values['chain_number'],
                        'reason': 'move',
                        }, unverifiable
        return None, unverifiable


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['ptce.pos.day_move']
