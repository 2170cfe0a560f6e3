# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Points of sale of Les Ateliers: sector on every sale and line, restaurant
(tables, covers, tips, meal vouchers) and the French inalterability chain
(CGI art. 286 I 3° bis): gap-free posting number per point of sale, each
posted sale signed (HMAC-SHA256 under the sealing key of seal.py) together
with its accounting move and chained to the previous one, and a signed
chain head per point of sale (the high-water mark of the numbers and the
last closing) so that a missing tail is detected."""
import hashlib
import json
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from sql import Null
from sql.functions import CurrentTimestamp
from sql.operators import Equal
from trytond.i18n import gettext
from trytond.model import Exclude, Index, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from ptce_company.spreadsheet import csv_value

from . import seal
from .exceptions import (
    InalterabilityError,
    MealVoucherError,
    SealError,
    SectorError,
)

# Version of the canonical serialisation: stored in every payload so that a
# future change of the fields keeps old signatures verifiable.  Version 1
# (plain SHA-256, no key, no move) can be recomputed by anyone: such records
# are reported as not verifiable.
CHAIN_VERSION = 2
# The "previous hash" of the first sale (and closing) of a point of sale.
GENESIS_HASH = '0' * 64

_CENT = Decimal('0.01')
_PRICE = Decimal('0.0001')


def _money(value):
    return Decimal(str(value or 0)).quantize(_CENT, rounding=ROUND_HALF_EVEN)


def _price(value):
    return Decimal(str(value or 0)).quantize(_PRICE, rounding=ROUND_HALF_EVEN)


def _date(value):
    return value.isoformat() if hasattr(value, 'isoformat') else str(value)


def _dumps(payload):
    return json.dumps(payload, separators=(',', ':'), ensure_ascii=False)


def sale_payload(data, previous_hash):
    """The canonical serialisation of a posted sale: a compact JSON array of
    the fixed fields (key id, number, date, point of sale, lines with
    product, quantity, unit prices without and with taxes and sector,
    totals, payments, the accounting move and its digest) and the previous
    hash."""
    lines = [[
            product, repr(float(quantity)), str(_price(list_price)),
            str(_price(gross_price)), sector]
        for product, quantity, list_price, gross_price, sector
        in data['lines']]
    payments = [[method, str(_money(amount))]
        for method, amount in data['payments']]
    total, total_tax = sale_totals(data)
    payload = [
        CHAIN_VERSION, data['chain_key'], data['company'], data['point'],
        data['chain_number'], data['number'], _date(data['date']),
        data['refund_of'], lines, str(total), str(total_tax),
        str(_money(data['tip'])), payments, data['move'],
        data['chain_move_digest'], previous_hash]
    return _dumps(payload)


def move_digest(move, lines):
    """SHA-256 of the accounting move of a sale as it is in the ledger:
    (id, state, date, journal) and its lines (account, party, debit,
    credit) in a stable order."""
    if move is None:
        return None
    lines = sorted(
        [account, party, str(_money(debit)), str(_money(credit))]
        for account, party, debit, credit in lines)
    move_id, state, date, journal = move
    payload = _dumps([move_id, state, _date(date), journal, lines])
    return hashlib.sha256(payload.encode('utf-8')).hexdigest()


def head_payload(point, head):
    "Canonical serialisation of the chain head of a point of sale"
    return _dumps([
            CHAIN_VERSION, 'head', point, head['number'], head['hash'],
            head['closing_sequence'], head['closing_hash']])


def sale_totals(data):
    "Total with taxes and total of taxes of the sale data, as POS does it"
    total = untaxed = Decimal(0)
    for _, quantity, list_price, gross_price, _ in data['lines']:
        quantity = Decimal(str(float(quantity)))
        total += _money(quantity * Decimal(str(gross_price or 0)))
        untaxed += _money(quantity * Decimal(str(list_price or 0)))
    return total, total - untaxed


def clear_cache(records):
    "Forget what the transaction cached of records updated in SQL"
    transaction = Transaction()
    transaction.counter += 1
    for record in records:
        record._local_cache.pop(record.id, None)
        for cache in transaction.cache.values():
            if record.__name__ in cache:
                cache[record.__name__].pop(record.id, None)


def meal_voucher_error(amounts, eligible, cap, covers=None):
    """Check the meal voucher payments (amounts) of a sale against its
    eligible food and the cap per person; return None or (message id,
    values) of the first rule broken."""
    total = sum(amounts, Decimal(0))
    if not eligible:
        return 'ptce_sectors.msg_meal_voucher_not_food', {}
    if total > eligible:
        return 'ptce_sectors.msg_meal_voucher_above_eligible', {
            'amount': total, 'eligible': eligible,
            'excess': total - eligible}
    if cap is None:
        return None
    for amount in amounts:
        if amount > cap:
            return 'ptce_sectors.msg_meal_voucher_above_cap', {
                'amount': amount, 'cap': cap, 'excess': amount - cap}
    holders = len([a for a in amounts if a > 0])
    if covers and holders > covers:
        return 'ptce_sectors.msg_meal_voucher_holders', {
            'count': holders, 'covers': covers, 'cap': cap}
    return None


class POS(metaclass=PoolMeta):
    __name__ = 'sale.point'

    sector = fields.Many2One(
        'ptce.sector', "Sector", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The sector of the sales of this point of sale when the "
        "product has none.")
    kind = fields.Selection([
            (None, ""),
            ('restaurant', "Restaurant"),
            ('shop', "Producers' Shop"),
            ('boutique', "Textile Boutique"),
            ('recyclerie', "Recyclerie Till"),
            ('culture', "Culture Ticket Desk"),
            ], "Kind")
    tip_account = fields.Many2One(
        'account.account', "Tip Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help="Account credited with the tips collected for the staff "
        "(they are not revenue).")
    accounting_moves = fields.Selection([
            ('day', "One Move per Day"),
            ('sale', "One Move per Sale"),
            ], "Accounting Moves", required=True,
        help="One move per day: the sales are posted in the ledger as one "
        "move per day, made when the day is closed (Code de commerce art. "
        "R123-174), the till keeping each sale signed and chained.\n"
        "One move per sale: each sale has its own move when it is posted.")
    # The signed high-water mark of the chains (see get_chain_head)
    chain_head_number = fields.Integer("Last Posting Number", readonly=True)
    chain_head_hash = fields.Char("Last Sale Hash", readonly=True, strip=False)
    closing_head_sequence = fields.Integer("Last Closing", readonly=True)
    closing_head_hash = fields.Char(
        "Last Closing Hash", readonly=True, strip=False)
    head_key = fields.Char("Head Key", readonly=True)
    head_signature = fields.Char(
        "Head Signature", readonly=True, strip=False,
        help="HMAC of the last posting number and closing of the point of "
        "sale: deleting the last sales or closings is detected.")

    @classmethod
    def default_accounting_moves(cls):
        return 'day'

    @classmethod
    def copy(cls, points, default=None):
        default = {} if default is None else default.copy()
        for name in ['chain_head_number', 'chain_head_hash',
                'closing_head_sequence', 'closing_head_hash', 'head_key',
                'head_signature']:
            default.setdefault(name)
        return super().copy(points, default=default)

    def get_chain_head(self, keys=None):
        """Return the chain head of the point of sale read from the table:
        {number, hash, closing_sequence, closing_hash, key, signature,
        valid} where valid is True (signed), False (changed or unsigned
        while something was chained), or None (signed by a key that is not
        available)."""
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.chain_head_number, table.chain_head_hash,
                table.closing_head_sequence, table.closing_head_hash,
                table.head_key, table.head_signature,
                where=table.id == self.id))
        number, hash_, sequence, closing_hash, key, signature = (
            cursor.fetchone())
        head = {
            'number': number or 0, 'hash': hash_ or GENESIS_HASH,
            'closing_sequence': sequence or 0,
            'closing_hash': closing_hash or GENESIS_HASH,
            'key': key, 'signature': signature,
            }
        if signature is None and not any([number, hash_, sequence,
                    closing_hash, key]):
            head['valid'] = True  # nothing chained yet
        else:
            if keys is None:
                keys = seal.load_keys()
            head['valid'] = seal.check(
                keys, key, head_payload(self.id, head), signature)
        return head

    def set_chain_head(self, head, key):
        "Store the head signed with the key (id, secret)"
        key_id, secret = key
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.chain_head_number, table.chain_head_hash,
                    table.closing_head_sequence, table.closing_head_hash,
                    table.head_key, table.head_signature],
                [head['number'], head['hash'], head['closing_sequence'],
                    head['closing_hash'], key_id,
                    seal.sign(secret, head_payload(self.id, head))],
                where=table.id == self.id))
        clear_cache([self])

    def get_writable_head(self, keys):
        """The head to chain from: refuse to go on from a head that was
        changed, since signing after it would hide the change."""
        head = self.get_chain_head(keys)
        if not head['valid']:
            raise SealError(gettext(
                    'ptce_sectors.msg_chain_head_broken',
                    point=self.rec_name))
        return head


class POSSale(metaclass=PoolMeta):
    __name__ = 'sale.point.sale'

    sector = fields.Many2One(
        'ptce.sector', "Sector", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') != 'open'},
        help="The sector of the point of sale; each line carries its own.")
    table = fields.Char(
        "Table", states={'readonly': Eval('state') != 'open'},
        help="Restaurant table.")
    covers = fields.Integer(
        "Covers",
        domain=['OR', ('covers', '=', None), ('covers', '>=', 0)],
        states={'readonly': Eval('state') != 'open'},
        help="Number of guests served (restaurant).")
    tip = Monetary(
        "Tip", currency='currency', digits='currency',
        domain=['OR', ('tip', '=', None), ('tip', '>=', 0)],
        states={'readonly': Eval('state') != 'open'},
        help="Tip left by the customers for the staff, paid with the bill.")
    refund_of = fields.Many2One(
        'sale.point.sale', "Refund of", readonly=True, ondelete='RESTRICT',
        help="The posted sale this negative sale corrects.")
    chain_number = fields.Integer(
        "Posting Number", readonly=True,
        help="Gap-free number given at posting, per point of sale "
        "(CGI art. 286 I 3° bis).")
    chain_previous_hash = fields.Char(
        "Previous Hash", readonly=True, strip=False)
    chain_hash = fields.Char(
        "Hash", readonly=True, strip=False,
        help="Signature (HMAC-SHA256) of the posted sale and its accounting "
        "move, chained to the previous one.")
    chain_key = fields.Char(
        "Sealing Key", readonly=True,
        help="Identifier of the key that signed the sale.")
    chain_move_digest = fields.Char(
        "Move Digest", readonly=True, strip=False,
        help="SHA-256 of the accounting move when the sale was posted.")
    day_move = fields.Many2One(
        'ptce.pos.day_move', "Day Move", readonly=True, ondelete='RESTRICT',
        help="The move of the day of the point of sale that records this "
        "sale in the ledger (sales posted with one move per day).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('point_chain_number_unique',
                Exclude(t, (t.point, Equal), (t.chain_number, Equal),
                    where=t.chain_number != Null),
                'ptce_sectors.msg_sale_chain_number_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.point, Index.Range()), (t.chain_number, Index.Range()),
                where=t.chain_number != Null))
        cls.__rpc__.update({
                'verify_chain': RPC(),
                'split_bill': RPC(instantiate=0),
                })
        cls._buttons.update(
            refund={
                'invisible': Eval('state') != 'posted',
                'depends': ['state'],
                },
            )

    @classmethod
    def default_tip(cls):
        return Decimal(0)

    @fields.depends('point')
    def on_change_point(self):
        if self.point:
            self.sector = self.point.sector

    @fields.depends('tip', methods=[
            'on_change_with_total', 'on_change_with_amount_paid'])
    def on_change_with_amount_to_pay(self, name=None):
        return (super().on_change_with_amount_to_pay(name=name)
            + (self.tip or Decimal(0)))

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Point = pool.get('sale.point')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('sector') and values.get(
                'point'):
            point = Point(values['point'])
            if point.sector:
                values['sector'] = point.sector.id
        return values

    @classmethod
    def copy(cls, sales, default=None):
        default = {} if default is None else default.copy()
        for name in ['chain_number', 'chain_previous_hash', 'chain_hash',
                'chain_key', 'chain_move_digest', 'refund_of', 'day_move']:
            default.setdefault(name)
        return super().copy(sales, default=default)

    @classmethod
    def check_modification(cls, mode, sales, values=None, external=False):
        if mode in {'write', 'delete'}:
            for sale in sales:
                if sale.state == 'posted':
                    raise InalterabilityError(gettext(
                            'ptce_sectors.msg_sale_posted_inalterable',
                            sale=sale.rec_name))
        super().check_modification(
            mode, sales, values=values, external=external)

    @classmethod
    def check_sectors(cls, sales):
        "Every line of a posted sale carries its sector (analytic axis)"
        for sale in sales:
            for line in sale.lines:
                if not line.sector:
                    raise SectorError(gettext(
                            'ptce_sectors.msg_line_sector_required',
                            line=line.rec_name))

    @classmethod
    @ModelView.button
    def post(cls, sales):
        pool = Pool()
        Closing = pool.get('ptce.pos.closing')
        to_chain = [s for s in sales
            if s.state == 'done' and not s.chain_hash]
        cls.check_sectors(to_chain)
        key = seal.signing_key() if to_chain else None
        cls.lock_posting(to_chain)
        Closing.check_open_period(to_chain)
        per_day = [s for s in sales if s.state == 'done' and not s.move
            and s.point.accounting_moves == 'day']
        per_day_ids = {s.id for s in per_day}
        super().post([s for s in sales if s.id not in per_day_ids])
        cls.post_per_day(per_day)
        # Chained once posted: the signature covers the accounting move of
        # a sale posted with its own move; the day move is signed with the
        # sales it holds when the day is closed (day_move.py)
        cls.chain(to_chain, key)

    @classmethod
    def post_per_day(cls, sales):
        """Post the done sales whose accounting is one move per day: their
        stock moves and accounting when the day is closed (DayMove.post_days
        calls post_stock_moves), as a POS session makes its pickings when
        it closes: the cashier does not wait for them at each sale."""
        sales = [s for s in sales if s.state == 'done']
        if not sales:
            return
        # Only the state changes: the content of a done sale was validated
        # (paid in full) when it was done, and is signed by chain() next
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        for sub_sales in grouped_slice(sales, 1000):
            cursor.execute(*table.update(
                    [table.state, table.write_uid, table.write_date],
                    ['posted', transaction.user, CurrentTimestamp()],
                    where=fields.SQL_OPERATORS['in'](
                        table.id, [s.id for s in sub_sales])
                    & (table.state == 'done')))
        clear_cache(sales)

    @classmethod
    def post_stock_moves(cls, sales):
        """Make and do the stock moves of the posted sales' goods, those of
        the lines that have none yet (a sale posted before the moves were
        left to the closing has them already)"""
        pool = Pool()
        StockMove = pool.get('stock.move')
        lines = [l for s in sales for l in s.lines
            # a service has no stock move (POSSaleLine.get_stock_move)
            if l.product and l.product.type != 'service']
        made = set()
        for sub_lines in grouped_slice(lines, 1000):
            made.update(m.origin for m in StockMove.search([
                        ('origin', 'in', [str(l) for l in sub_lines]),
                        ]))
        moves = [m for m in (l.get_stock_move() for l in lines
                if l not in made) if m]
        if moves:
            StockMove.save(moves)
            StockMove.do(moves)

    @classmethod
    def lock_posting(cls, sales):
        """Lock, before any work, what the posting will lock anyway: the
        points of sale (their chain) and the strict sequences of the moves.
        Tryton takes these locks at the start of a transaction (it restarts
        it for them), so the two cashiers of a till post one after the
        other; the callers retry when the other holds them too long."""
        pool = Pool()
        Point = pool.get('sale.point')
        Period = pool.get('account.period')
        Sequence = pool.get('ir.sequence.strict')
        if not sales:
            return
        # Only a till posting a move per sale numbers moves now: the move
        # sequence is the company's, locking it for every till would make
        # all of them post one after the other
        sequences = set()
        for company, date in {(s.company, s.date) for s in sales
                if s.point.accounting_moves != 'day'}:
            period = Period.find(company, date=date)
            sequences.add(period.move_sequence_used)
        Point.lock(list({s.point for s in sales}))
        if sequences:
            Sequence.lock(list(sequences))

    @classmethod
    def chain(cls, sales, key):
        """Give the posting number and the signature chained to the
        previous sale to the posted sales, per point of sale (locked by
        lock_posting), then sign the new head of each chain."""
        if not sales:
            return
        key_id, secret = key
        keys = {key_id: secret} | seal.load_keys()
        by_point = defaultdict(list)
        for sale in sales:
            by_point[sale.point].append(sale)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        data = cls.get_chain_data(sale_ids=[s.id for s in sales])
        for point, p_sales in by_point.items():
            head = point.get_writable_head(keys)
            number, previous = head['number'], head['hash']
            p_sales.sort(key=lambda s: (s.date, s.number or '', s.id))
            for sale in p_sales:
                number += 1
                values = data[sale.id]
                values.update({
                        'chain_number': number,
                        'chain_key': key_id,
                        'chain_move_digest': values['current_move_digest'],
                        })
                digest = seal.sign(secret, sale_payload(values, previous))
                cursor.execute(*table.update(
                        [table.chain_number, table.chain_previous_hash,
                            table.chain_hash, table.chain_key,
                            table.chain_move_digest],
                        [number, previous, digest, key_id,
                            values['chain_move_digest']],
                        where=table.id == sale.id))
                previous = digest
            head.update({'number': number, 'hash': previous})
            point.set_chain_head(head, key)
        clear_cache(sales)

    @classmethod
    def get_chain_data(cls, sale_ids=None, point=None, date_from=None,
            date_to=None, chained=False):
        """Read straight from the tables the fixed fields of the sales (by
        ids, or of a point of sale within dates, or all chained sales):
        {id: {company, point, number, chain_number, date, state, tip,
        refund_of, chain_previous_hash, chain_hash, chain_key, move,
        chain_move_digest, current_move_digest, day_move, lines,
        payments}} ordered
        by point and posting number.  Used to compute and to verify the
        chain with the very same values; current_move_digest is the digest
        of the accounting move as it is now in the ledger."""
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        Payment = pool.get('sale.point.payment')
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        sale = cls.__table__()
        line = Line.__table__()
        payment = Payment.__table__()
        move = Move.__table__()
        move_line = MoveLine.__table__()
        cursor = Transaction().connection.cursor()

        where = sale.id == sale.id
        if sale_ids is not None:
            where &= fields.SQL_OPERATORS['in'](sale.id, sale_ids or [-1])
        if point is not None:
            where &= sale.point == int(point)
        if date_from is not None:
            where &= sale.date >= date_from
        if date_to is not None:
            where &= sale.date <= date_to
        if chained:
            where &= (sale.chain_number != Null) | (sale.state == 'posted')

        result = {}
        cursor.execute(*sale.select(
                sale.id, sale.company, sale.point, sale.number,
                sale.chain_number, sale.date, sale.state, sale.tip,
                sale.refund_of, sale.chain_previous_hash, sale.chain_hash,
                sale.chain_key, sale.move, sale.chain_move_digest,
                sale.day_move,
                where=where,
                order_by=[sale.point, sale.chain_number, sale.id]))
        for (id_, company, point_id, number, chain_number, date, state, tip,
                refund_of, previous, digest, key, move_id,
                move_digest_, day_move) in cursor:
            result[id_] = {
                'company': company, 'point': point_id, 'number': number,
                'chain_number': chain_number, 'date': date, 'state': state,
                'tip': tip, 'refund_of': refund_of,
                'chain_previous_hash': previous, 'chain_hash': digest,
                'chain_key': key, 'move': move_id,
                'chain_move_digest': move_digest_,
                'current_move_digest': None, 'day_move': day_move,
                'lines': [], 'payments': [],
                }
        if not result:
            return result
        cursor.execute(*line.join(sale, condition=line.sale == sale.id
                ).select(
                line.sale, line.product, line.quantity,
                line.unit_list_price, line.unit_gross_price, line.sector,
                where=where, order_by=[line.sale, line.id]))
        for sale_id, *values in cursor:
            result[sale_id]['lines'].append(values)
        cursor.execute(*payment.join(sale, condition=payment.sale == sale.id
                ).select(
                payment.sale, payment.method, payment.amount,
                where=where, order_by=[payment.sale, payment.id]))
        for sale_id, *values in cursor:
            result[sale_id]['payments'].append(values)

        moves = {}
        cursor.execute(*move.join(sale, condition=sale.move == move.id
                ).select(sale.id, move.id, move.state, move.date,
                move.journal, where=where))
        for sale_id, *values in cursor:
            moves[sale_id] = (values, [])
        cursor.execute(*move_line.join(sale,
                condition=move_line.move == sale.move
                ).select(sale.id, move_line.account, move_line.party,
                move_line.debit, move_line.credit, where=where))
        for sale_id, *values in cursor:
            moves[sale_id][1].append(values)
        for sale_id, (header, lines) in moves.items():
            result[sale_id]['current_move_digest'] = move_digest(
                header, lines)
        return result

    @classmethod
    def verify_chain(cls, points=None, archives=None):
        """Check the chain of posted sales and of closings of each point
        of sale (all when points is None) against their signatures, their
        accounting moves, the signed chain head and the newest of the
        archives given (their contents). Return one dict per point:
        {point, name, sales, closings, broken, unverifiable, anchored}
        where broken is None or a dict {model, id, number,
        chain_number, reason} naming the first broken record,
        unverifiable counts the signatures that could not be checked
        for want of the key file (their content cannot be vouched for)
        and anchored tells whether an archive vouched for the last
        closing. Reasons: 'hash' (the content was changed), 'previous'
        (link to the previous record), 'sequence' (gap or deletion),
        'state' (a chained sale is no longer posted), 'move' (its
        accounting move, or the move of its day, was changed, or a sale
        of a closed day has no move), 'tail' (the last records were
        deleted), 'head' (the chain head was changed), 'closing' (a
        closing does not match its sales), 'total', 'anchor' (the
        database is behind or differs from an archive)."""
        pool = Pool()
        Point = pool.get('sale.point')
        Closing = pool.get('ptce.pos.closing')
        DayMove = pool.get('ptce.pos.day_move')
        if points is None:
            points = Point.search([], order=[('id', 'ASC')])
        points = Point.browse(points)
        keys = seal.load_keys()
        anchors = Closing.read_anchors(archives or [], keys)
        results = []
        for point in points:
            data = cls.get_chain_data(point=point, chained=True)
            head = point.get_chain_head(keys)
            unverifiable = 0
            broken = None
            expected_number, previous = 1, GENESIS_HASH
            for id_, values in data.items():
                reason = None
                signed = None
                if values['state'] != 'posted':
                    reason = 'state'
                elif values['chain_number'] != expected_number:
                    reason = 'sequence'
                elif values['chain_previous_hash'] != previous:
                    reason = 'previous'
                elif (values['chain_move_digest']
                        != values['current_move_digest']):
                    reason = 'move'
                else:
                    signed = seal.check(
                        keys, values['chain_key'],
                        sale_payload(values, previous), values['chain_hash'])
                    if signed is False:
                        reason = 'hash'
                    elif signed is None:
                        unverifiable += 1
                if reason:
                    broken = {
                        'model': 'sale.point.sale', 'id': id_,
                        'number': values['number'],
                        'chain_number': values['chain_number'],
                        'reason': reason,
                        }
                    break
                expected_number += 1
                previous = values['chain_hash']
            if not broken:
                if head['valid'] is False:
                    broken = {
                        'model': 'sale.point', 'id': point.id,
                        'number': point.rec_name,
                        'chain_number': head['number'], 'reason': 'head',
                        }
                elif head['valid'] is None:
                    unverifiable += 1
                if not broken and (head['number'] != expected_number - 1
                        or head['hash'] != previous):
                    broken = {
                        'model': 'sale.point.sale', 'id': None,
                        'number': point.rec_name,
                        # the first missing number
                        'chain_number': expected_number, 'reason': 'tail',
                        }
            if not broken:
                broken, day_unverifiable = DayMove.verify_point(
                    point, data, keys)
                unverifiable += day_unverifiable
            closings = 0
            if not broken:
                closings, closing_broken, closing_unverifiable = (
                    Closing.verify_point(point, data, head, keys))
                broken = closing_broken
                unverifiable += closing_unverifiable
            anchored = False
            if not broken:
                broken, anchored = Closing.verify_anchor(
                    point, anchors.get(csv_value(point.rec_name)))
            results.append({
                    'point': point.id, 'name': point.rec_name,
                    'sales': len(data), 'closings': closings,
                    'broken': broken, 'unverifiable': unverifiable,
                    'anchored': anchored,
                    })
        return results

    @classmethod
    @ModelView.button
    def refund(cls, sales):
        """Create, for each posted sale, a new open sale with the opposite
        quantities (a correction never changes the posted sale)."""
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        refunds = []
        for sale in sales:
            if sale.state != 'posted':
                continue
            refund = cls(
                company=sale.company, point=sale.point, sector=sale.sector,
                date=Pool().get('ir.date').today(), refund_of=sale,
                table=sale.table, tip=-(sale.tip or 0) or Decimal(0))
            refund.lines = [Line(
                    product=l.product, quantity=-l.quantity,
                    unit_list_price=l.unit_list_price,
                    unit_gross_price=l.unit_gross_price, sector=l.sector)
                for l in sale.lines]
            refunds.append(refund)
        cls.save(refunds)
        return refunds

    def get_account_move(self):
        pool = Pool()
        Line = pool.get('account.move.line')
        move = super().get_account_move()
        if self.tip:
            if not self.point.tip_account:
                raise SectorError(gettext(
                        'ptce_sectors.msg_point_tip_account',
                        point=self.point.rec_name))
            line = Line(account=self.point.tip_account, description='tip')
            if self.tip > 0:
                line.debit, line.credit = Decimal(0), self.tip
            else:
                line.debit, line.credit = -self.tip, Decimal(0)
            move.lines = list(move.lines) + [line]
        return move

    # Server-side entry points for the touchscreen page

    @classmethod
    def pos_add_line(cls, sale, product, quantity=1, kitchen_note=None):
        "Add a line of the product to the open sale and return it"
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        line = Line(sale=sale, product=product, quantity=quantity,
            kitchen_note=kitchen_note)
        line.on_change_product()
        line.save()
        return line

    @classmethod
    def pos_pay(cls, sale, method, amount=None):
        """Add a payment (the rest to pay when amount is None) and process
        the sale when fully paid; return the payment."""
        pool = Pool()
        Payment = pool.get('sale.point.payment')
        if amount is None:
            amount = sale.amount_to_pay
        payment = Payment(sale=sale, method=method, amount=amount)
        payment.save()
        sale = cls(sale.id)
        if not sale.amount_to_pay:
            cls.process([sale])
        return payment

    @classmethod
    def split_bill(cls, sales, parts):
        """Return for each sale the amounts that split what remains to pay
        into ``parts`` payments, the cents of rounding on the first ones so
        that they add up exactly."""
        parts = max(int(parts), 1)
        result = {}
        for sale in sales:
            remaining = sale.amount_to_pay
            share = sale.currency.round(remaining / parts)
            amounts = [share] * parts
            difference = remaining - sum(amounts)
            step = sale.currency.rounding * (1 if difference > 0 else -1)
            index = 0
            while difference:
                amounts[index % parts] += step
                difference -= step
                index += 1
            result[sale.id] = amounts
        return result


class POSSaleLine(metaclass=PoolMeta):
    __name__ = 'sale.point.sale.line'

    sector = fields.Many2One(
        'ptce.sector', "Sector", ondelete='RESTRICT',
        states={'readonly': Eval('sale_state') != 'open'},
        help="The sector the revenue of the line is booked on (analytic "
        "axis Filière).")
    kitchen_note = fields.Char(
        "Kitchen Note", states={'readonly': Eval('sale_state') != 'open'},
        help="Instruction sent to the kitchen with the dish.")

    @fields.depends('product', 'sale', '_parent_sale.sector')
    def on_change_product(self):
        super().on_change_product()
        if self.product and self.product.template.sector:
            self.sector = self.product.template.sector
        elif self.sale and self.sale.sector:
            self.sector = self.sale.sector

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Product = pool.get('product.product')
        Sale = pool.get('sale.point.sale')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('sector'):
            sector = None
            if values.get('product') is not None:
                sector = Product(values['product']).template.sector
            if not sector and values.get('sale') is not None:
                sale = Sale(values['sale'])
                sector = sale.sector or sale.point.sector
            if sector:
                values['sector'] = sector.id
        return values

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        for line in lines:
            if line.sale.state == 'posted':
                raise InalterabilityError(gettext(
                        'ptce_sectors.msg_sale_posted_inalterable',
                        sale=line.sale.rec_name))

    def get_account_move_lines(self):
        lines = super().get_account_move_lines()
        agreement = self.product.template.consignment_agreement
        if agreement and self.product.template.consigned:
            lines = self._split_consignment(lines, agreement)
        if self.sector:
            for line in lines:
                # The depositor's share is a debt, not the sector's revenue
                if line.account.type and line.account.type.revenue:
                    line.analytic_lines = self.sector.get_analytic_lines(
                        line, self.sale.date)
        return lines


    def _split_consignment(self, lines, agreement):
        """Dépôt-vente: only the commission is revenue; the depositor's
        share of the untaxed price is owed to them (depositors account)."""
        pool = Pool()
        Consignment = pool.get('ptce.consignment.agreement')
        Line = pool.get('account.move.line')
        result = []
        for line in lines:
            amount = line.credit - line.debit
            commission, share = Consignment.split_commission(
                amount, agreement.commission_rate)
            line.account = agreement.commission_account
            line.credit = commission if commission > 0 else Decimal(0)
            line.debit = -commission if commission < 0 else Decimal(0)
            result.append(line)
            if share:
                depositor = Line(
                    account=agreement.depositor_account, origin=self,
                    credit=share if share > 0 else Decimal(0),
                    debit=-share if share < 0 else Decimal(0))
                result.append(depositor)
        return result


class POSPayment(metaclass=PoolMeta):
    __name__ = 'sale.point.payment'

    @classmethod
    def check_modification(cls, mode, payments, values=None, external=False):
        for payment in payments:
            if payment.sale.state == 'posted':
                raise InalterabilityError(gettext(
                        'ptce_sectors.msg_sale_posted_inalterable',
                        sale=payment.sale.rec_name))
        super().check_modification(
            mode, payments, values=values, external=external)

    @classmethod
    def validate(cls, payments):
        super().validate(payments)
        cls.check_meal_vouchers({p.sale for p in payments})

    @classmethod
    def check_meal_vouchers(cls, sales):
        """Meal vouchers (titres-restaurant) pay only eligible food
        (Code du travail art. R3262-4), within the cap per person and per
        day (art. R3262-10).  The till knows neither the holders nor their
        other meals of the day, so the cashier enters one voucher payment
        per guest: each one is capped, and a table cannot have more voucher
        payments than covers."""
        pool = Pool()
        Configuration = pool.get('ptce.sectors.configuration')
        Lang = pool.get('ir.lang')
        config = Configuration(1)
        for sale in sales:
            cap = config.get_meal_voucher_cap(company=sale.company.id)
            amounts = [p.amount or Decimal(0) for p in sale.payments
                if p.method.meal_voucher]
            if not amounts:
                continue
            eligible = sum(
                (l.gross_amount for l in sale.lines
                    if l.product.template.meal_voucher_eligible), Decimal(0))
            error = meal_voucher_error(amounts, eligible, cap, sale.covers)
            if error:
                msg_id, values = error
                lang = Lang.get()
                values = {
                    k: (v if isinstance(v, int)
                        else lang.currency(v, sale.currency))
                    for k, v in values.items()}
                raise MealVoucherError(gettext(
                        msg_id, sale=sale.rec_name, **values))


class POSPaymentMethod(metaclass=PoolMeta):
    __name__ = 'sale.point.payment.method'

    meal_voucher = fields.Boolean(
        "Meal Voucher",
        help="Titres-restaurant: accepted only for eligible food and "
        "within the legal daily cap.")
    kind = fields.Selection([
            (None, ""),
            ('cash', "Cash"),
            ('card', "Card"),
            ('cheque', "Cheque"),
            ('meal_voucher', "Meal Voucher"),
            ('other', "Other"),
            ], "Kind")

    @classmethod
    def default_meal_voucher(cls):
        return False

    @fields.depends('kind')
    def on_change_kind(self):
        self.meal_voucher = self.kind == 'meal_voucher'
        if self.kind == 'cash':
            self.cash = True

