# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The touchscreen till: the page served by trytond under
/<database>/pos/<point of sale>/ and the server methods it calls.

The page keeps the order being rung up in the browser and sends it whole
when it is paid, with an idempotency key: a checkout that the till sends
again (the answer was lost, the server restarted) returns the sale it
already recorded instead of recording it twice.  Prices, taxes, meal
voucher rules, the inalterable chain and the closings are the server's:
the page only shows what the methods below return.

Authentication is trytond's: /<database>/session/login sets the session
cookie (HttpOnly, Secure, SameSite=Strict, so another site cannot use it)
and the page calls the JSON-RPC of the database with it; the rights are
the cashier's user groups."""
import datetime
import json
import mimetypes
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sql import Null
from sql.operators import Equal
from trytond import config
from trytond.exceptions import RateLimitException
from trytond.i18n import gettext
from trytond.model import Exclude, fields
from trytond.pool import Pool, PoolMeta
from trytond.protocols.wrappers import (
    HTTPStatus,
    Response,
    abort,
    add_auth_cookies,
    with_pool,
    with_transaction,
)
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wsgi import app

from .exceptions import TillError

STATIC = Path(__file__).parent / 'till'
STATIC_FILES = {'till.js', 'till.css'}
# The page runs only its own script and style (no inline code)
SECURITY_HEADERS = {
    'Content-Security-Policy': (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    }


# The PIN of a cashier: 4 to 6 digits
PIN_FORMAT = re.compile(r'^[0-9]{4,6}$')


def _money(value):
    return str(value) if value is not None else None


class User(metaclass=PoolMeta):
    """A cashier opens the till with their name and a PIN instead of their
    login and password.  The PIN is a second secret of the user, hashed
    like the password, so the session it opens is the user's own (same
    rights, same record rules); it lives on the user (not on a list per
    point of sale) because the same person works at several tills."""
    __name__ = 'res.user'

    till_pin_hash = fields.Char("Till PIN Hash", strip=False)
    till_pin = fields.Function(fields.Char(
            "Till PIN",
            help="4 to 6 digits to open the touchscreen tills with your "
            "name instead of your login and password; empty it to remove "
            "it."),
        'get_till_pin', setter='set_till_pin')
    has_till_pin = fields.Function(
        fields.Boolean("Has Till PIN"), 'get_has_till_pin')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._preferences_fields.append('till_pin')

    @classmethod
    def get_till_pin(cls, users, name):
        # Never send the hash: a placeholder like the password's
        hashes = cls._till_pin_hashes(users)
        return {u.id: 'x' * 6 if hashes.get(u.id) else None for u in users}

    @classmethod
    def get_has_till_pin(cls, users, name):
        hashes = cls._till_pin_hashes(users)
        return {u.id: bool(hashes.get(u.id)) for u in users}

    @classmethod
    def _till_pin_hashes(cls, users):
        "The PIN hashes read in SQL: read() hides them"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id, table.till_pin_hash,
                where=table.id.in_([u.id for u in users])))
        return dict(cursor.fetchall())

    @classmethod
    def set_till_pin(cls, users, name, value):
        if value == 'x' * 6:
            return
        if value and not PIN_FORMAT.match(value):
            raise TillError(gettext('ptce_sectors.msg_till_pin_format'))
        to_write = []
        for user in users:
            to_write.extend([[user], {
                        'till_pin_hash': (
                            cls.hash_password(value) if value else None),
                        }])
        cls.write(*to_write)

    @classmethod
    def read(cls, ids, fields_names):
        # Like password_hash, the PIN hash never leaves the server
        result = super().read(ids, fields_names)
        cache = Transaction().get_cache().get(cls.__name__)
        for values in result:
            if 'till_pin_hash' in values:
                values['till_pin_hash'] = None
            if cache and values['id'] in cache:
                cache[values['id']]['till_pin_hash'] = None
        return result

    @classmethod
    def copy(cls, users, default=None):
        default = {} if default is None else default.copy()
        default['till_pin_hash'] = None
        return super().copy(users, default=default)

    @classmethod
    def till_cashiers(cls, point):
        "The users who can open the till of the point of sale with a PIN"
        users = cls.search([
                ('till_pin_hash', '!=', None),
                ('companies', '=', point.company.id),
                ], order=[('name', 'ASC')])
        return [{'id': u.id, 'name': u.name or u.login} for u in users]

    @classmethod
    def till_pin_login(cls, point, user_id, pin):
        """Return the user when the PIN is theirs and they are a cashier
        of the point of sale, None otherwise.  Failures count as login
        attempts of the user (res.user.login.attempt), so guessing is
        throttled like a password: RateLimitException past
        session.max_attempt."""
        pool = Pool()
        LoginAttempt = pool.get('res.user.login.attempt')
        if LoginAttempt.count_ip() > config.getint(
                'session', 'max_attempt_ip_network', default=300):
            raise RateLimitException()
        cashiers = {c['id'] for c in cls.till_cashiers(point)}
        if user_id not in cashiers:
            return None
        user = cls(user_id)
        pin_hash = cls._till_pin_hashes([user]).get(user.id)
        if LoginAttempt.count(user.login) > config.getint(
                'session', 'max_attempt', default=5):
            LoginAttempt.add(user.login)
            raise RateLimitException()
        valid = False
        if isinstance(pin, str) and PIN_FORMAT.match(pin) and pin_hash:
            valid, _ = cls.check_password(pin, pin_hash)
        if not valid:
            LoginAttempt.add(user.login)
            return None
        LoginAttempt.remove(user.login)
        return user


class POS(metaclass=PoolMeta):
    __name__ = 'sale.point'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'till_catalog': RPC(instantiate=0),
                'till_sales': RPC(instantiate=0),
                'till_tables': RPC(instantiate=0),
                'till_close_day': RPC(instantiate=0, readonly=False),
                })

    def till_products(self):
        "The products the till offers: salable, of the till's sector"
        pool = Pool()
        Product = pool.get('product.product')
        domain = [('salable', '=', True)]
        if self.sector:
            domain.append(('template.sector', 'in', [self.sector.id, None]))
        return sorted(Product.search(domain), key=lambda p: p.rec_name)

    @classmethod
    def till_catalog(cls, points):
        """What the page needs to ring up sales at the point of sale: its
        products by category with the price the customer pays, its payment
        methods and the meal voucher cap."""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Method = pool.get('sale.point.payment.method')
        Configuration = pool.get('ptce.sectors.configuration')
        point, = points
        sale = Sale(point=point, company=point.company)
        products, categories = [], {}
        for product in point.till_products():
            line = Line(sale=sale, product=product, quantity=1)
            line.on_change_product()
            template = product.template
            category_ids = []
            for category in template.categories:
                categories[category.id] = category.rec_name
                category_ids.append(category.id)
            products.append({
                    'id': product.id,
                    'name': product.rec_name,
                    'code': product.code or '',
                    'barcodes': [i.code for i in product.identifiers],
                    'price': _money(line.unit_gross_price),
                    'categories': category_ids,
                    'meal_voucher': bool(template.meal_voucher_eligible),
                    })
        methods = Method.search([('company', '=', point.company.id)])
        config = Configuration(1)
        return {
            'point': {
                'id': point.id,
                'name': point.name,
                'kind': point.kind,
                'restaurant': point.kind == 'restaurant',
                'currency': point.company.currency.code,
                'company': point.company.rec_name,
                },
            'categories': [
                {'id': i, 'name': n}
                for i, n in sorted(categories.items(), key=lambda c: c[1])],
            'products': products,
            'methods': [{
                    'id': m.id,
                    'name': m.name,
                    'kind': m.kind,
                    'cash': bool(m.cash),
                    'meal_voucher': bool(m.meal_voucher),
                    } for m in methods],
            'meal_voucher_cap': _money(config.get_meal_voucher_cap(
                    company=point.company.id)),
            }

    @classmethod
    def till_sales(cls, points, date=None):
        "The sales of the day at the point of sale, the last first"
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Date = pool.get('ir.date')
        point, = points
        if date is None:
            with Transaction().set_context(company=point.company.id):
                date = Date.today()
        sales = Sale.search([
                ('point', '=', point.id),
                ('date', '=', date),
                ('state', 'in', ['done', 'posted']),
                ], order=[('id', 'DESC')])
        return [s.till_receipt() for s in sales]

    @classmethod
    def till_tables(cls, points):
        """The tables open at the point of sale: their orders kept on the
        server, so that another till or a reload takes them up"""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        point, = points
        sales = Sale.search([
                ('point', '=', point.id),
                ('state', '=', 'open'),
                ('till_key', '!=', None),
                ('table', '!=', None),
                ], order=[('table', 'ASC'), ('id', 'ASC')])
        return [s.till_order() for s in sales]

    @classmethod
    def till_close_day(cls, points, counted_cash, date=None):
        """Close the till's day in one action: post what is left to post,
        close and post the cash session with the cash counted in the
        drawer (sale_point refuses a difference), then the inalterable
        closing of the day (CGI art. 286 I 3° bis), which posts the one
        accounting move of the day when the till posts per day (Code de
        commerce art. R123-174, see day_move.py).  Return the closing id,
        whose Z report the page prints."""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Session = pool.get('sale.point.cash.session')
        Closing = pool.get('ptce.pos.closing')
        Date = pool.get('ir.date')
        point, = points
        if date is None:
            with Transaction().set_context(company=point.company.id):
                date = Date.today()
        to_post = Sale.search([
                ('point', '=', point.id),
                ('date', '<=', date),
                ('state', '=', 'done'),
                ])
        if to_post:
            Sale.post(to_post)
        sessions = Session.search([
                ('point', '=', point.id),
                ('state', '=', 'open'),
                ])
        for session in sessions:
            session.end_amount = Decimal(str(counted_cash))
        if sessions:
            Session.save(sessions)
            Session.close(sessions)
            Session.post(sessions)
        closing = Closing.close(point, 'day', date)
        return closing.id


class POSSale(metaclass=PoolMeta):
    __name__ = 'sale.point.sale'

    till_key = fields.Char(
        "Till Key", readonly=True, strip=False,
        help="The key the touchscreen till sent with the sale: a sale "
        "sent again is recognised and never recorded twice.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('point_till_key_unique',
                Exclude(t, (t.point, Equal), (t.till_key, Equal),
                    where=t.till_key != Null),
                'ptce_sectors.msg_sale_till_key_unique'),
            ]
        cls.__rpc__.update({
                'till_checkout': RPC(readonly=False),
                'till_save_table': RPC(readonly=False),
                'till_cancel_table': RPC(readonly=False),
                'till_refund': RPC(readonly=False, instantiate=0),
                })

    @classmethod
    def copy(cls, sales, default=None):
        default = {} if default is None else default.copy()
        default.setdefault('till_key')
        return super().copy(sales, default=default)

    @classmethod
    def _till_recorded(cls, point, key):
        if not key or not isinstance(key, str) or len(key) > 64:
            raise TillError(gettext('ptce_sectors.msg_till_key_invalid'))
        sales = cls.search([
                ('point', '=', point.id),
                ('till_key', '=', key),
                ], limit=1)
        return sales[0] if sales else None

    @classmethod
    def _till_lines(cls, point, order):
        "The lines of the order, priced by the server, or TillError"
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        Product = pool.get('product.product')
        allowed = {p.id for p in point.till_products()}
        lines = []
        for values in order.get('lines') or []:
            product = int(values['product'])
            quantity = float(values.get('quantity', 1))
            if product not in allowed or quantity <= 0:
                raise TillError(gettext(
                        'ptce_sectors.msg_till_line_invalid',
                        point=point.rec_name))
            lines.append(Line(product=Product(product), quantity=quantity,
                    kitchen_note=(values.get('note') or None)))
        if not lines:
            raise TillError(gettext('ptce_sectors.msg_till_empty_order'))
        return lines

    def _till_set_order(self, order, lines):
        """Put the order (lines, table, covers, tip) on the open sale,
        replacing the lines it had (saving deletes them)"""
        self.table = order.get('table') or None
        self.covers = int(order['covers']) if order.get('covers') else None
        self.tip = Decimal(str(order.get('tip') or 0))
        for line in lines:
            line.sale = self
            line.on_change_product()
        self.lines = lines
        self.save()

    @classmethod
    def _till_new(cls, point, key):
        sale = cls(company=point.company, point=point,
            date=cls._till_today(point), till_key=key)
        sale.on_change_point()
        return sale

    @classmethod
    def _till_lock(cls, point):
        """Lock, before any work, what paying at the till locks: the
        number of the sale (process), the chain of the point and the move
        sequence of a till posting a move per sale (lock_posting).  Tryton
        takes a lock by starting the transaction again with it: asked for
        one at a time after the work, it would do the checkout four times
        and hold the locks for the last one."""
        pool = Pool()
        Sequence = pool.get('ir.sequence.strict')
        Sequence.lock([point.sequence])
        cls.lock_posting([cls(point=point, company=point.company,
                    date=cls._till_today(point))])

    @classmethod
    def _till_today(cls, point):
        Date = Pool().get('ir.date')
        with Transaction().set_context(company=point.company.id):
            return Date.today()

    @classmethod
    def _till_open(cls, point, key):
        """The open sale of the key, locked so that two tills paying the
        same table one after the other see each other's work"""
        recorded = cls._till_recorded(point, key)
        if recorded:
            cls.lock([recorded])
            recorded = cls(recorded.id)
        return recorded

    @classmethod
    def till_save_table(cls, point, order, key):
        """Keep the order of a restaurant table on the server as an open
        sale with its table (created with the key, then replaced at each
        save) so that another till or a reload finds it.  Return the
        order as saved."""
        pool = Pool()
        Point = pool.get('sale.point')
        point = Point(int(point))
        if not (order.get('table') or '').strip():
            raise TillError(gettext('ptce_sectors.msg_till_table_required'))
        lines = cls._till_lines(point, order)
        sale = cls._till_open(point, key)
        if sale and sale.state != 'open':
            raise TillError(gettext(
                    'ptce_sectors.msg_till_table_closed',
                    table=sale.table or '', sale=sale.rec_name))
        if not sale:
            sale = cls._till_new(point, key)
        sale._till_set_order(order, lines)
        return cls(sale.id).till_order()

    @classmethod
    def till_cancel_table(cls, point, key):
        """Cancel the open table of the key (the customers left without
        ordering): the sale stays, cancelled, nothing is charged"""
        pool = Pool()
        Point = pool.get('sale.point')
        point = Point(int(point))
        sale = cls._till_open(point, key)
        if not sale or sale.state != 'open':
            raise TillError(gettext(
                    'ptce_sectors.msg_till_table_closed',
                    table=sale.table if sale else '',
                    sale=sale.rec_name if sale else ''))
        cls.cancel([sale])

    def till_order(self):
        "The open order of the sale as the till rings it up"
        return {
            'id': self.id,
            'key': self.till_key,
            'table': self.table or '',
            'covers': self.covers or 0,
            'tip': _money(self.tip or Decimal(0)),
            'lines': [{
                    'product': l.product.id,
                    'quantity': '%g' % l.quantity,
                    'note': l.kitchen_note or '',
                    } for l in self.lines],
            'total': _money(self.total + (self.tip or Decimal(0))),
            }

    @classmethod
    def till_checkout(cls, point, order, key):
        """Record the order rung up at the till, paid: a sale with its
        lines, priced by the server, its payments, then processed and
        posted into the inalterable chain.  An open table saved with the
        key is that sale, finished.  The same key returns the sale
        already recorded.  Return its receipt."""
        pool = Pool()
        Point = pool.get('sale.point')
        point = Point(int(point))
        cls._till_lock(point)
        sale = cls._till_open(point, key)
        if sale and sale.state == 'cancelled':
            raise TillError(gettext(
                    'ptce_sectors.msg_till_table_closed',
                    table=sale.table or '', sale=sale.rec_name))
        if sale and sale.state != 'open':
            return sale.till_receipt()
        lines = cls._till_lines(point, order)
        if not sale:
            sale = cls._till_new(point, key)
        sale._till_set_order(order, lines)
        sale._till_pay(order.get('payments') or [])
        return cls(sale.id).till_receipt()

    def _till_pay(self, payments):
        "Add the payments, refuse an unbalanced sale, process and post it"
        pool = Pool()
        Payment = pool.get('sale.point.payment')
        Method = pool.get('sale.point.payment.method')
        Lang = pool.get('ir.lang')
        records = []
        for values in payments:
            method = Method(int(values['method']))
            if method.company != self.company:
                raise TillError(gettext(
                        'ptce_sectors.msg_till_method_invalid'))
            amount = self.currency.round(Decimal(str(values['amount'])))
            tendered = None
            if method.cash and values.get('tendered'):
                tendered = self.currency.round(
                    Decimal(str(values['tendered'])))
                if tendered < amount:
                    tendered = None
            records.append(Payment(
                    sale=self, method=method, amount=amount,
                    till_tendered=tendered))
        Payment.save(records)
        sale = self.__class__(self.id)
        if sale.amount_to_pay:
            lang = Lang.get()
            raise TillError(gettext(
                    'ptce_sectors.msg_till_not_balanced',
                    sale=sale.rec_name,
                    amount=lang.currency(sale.amount_to_pay, sale.currency)))
        self.__class__.process([sale])
        self.__class__.post([sale])

    @classmethod
    def till_refund(cls, sales, key, payments):
        """Refund a posted sale at the till: a new negative sale (never an
        edit of the posted one), paid back with the given payments and
        posted.  The same key returns the refund already recorded."""
        sale, = sales
        cls._till_lock(sale.point)
        recorded = cls._till_recorded(sale.point, key)
        if recorded:
            return recorded.till_receipt()
        if sale.state != 'posted':
            raise TillError(gettext(
                    'ptce_sectors.msg_till_refund_not_posted',
                    sale=sale.rec_name))
        if cls.search([('refund_of', '=', sale.id)], limit=1):
            raise TillError(gettext(
                    'ptce_sectors.msg_till_refund_exists',
                    sale=sale.rec_name))
        refund, = cls.refund([sale])
        refund.till_key = key
        refund.save()
        refund._till_pay(payments)
        return cls(refund.id).till_receipt()

    def _till_local_time(self):
        "When the sale was rung up, in the company's time zone"
        created = self.create_date or datetime.datetime.now()
        created = created.replace(tzinfo=datetime.timezone.utc)
        if self.company.timezone:
            created = created.astimezone(ZoneInfo(self.company.timezone))
        return created

    def till_receipt(self):
        "What the receipt of the sale prints (the page lays it out)"
        company = self.company
        taxes = {}
        for tax_line in self._get_taxes().values():
            name = tax_line.tax.rec_name
            taxes[name] = taxes.get(name, Decimal(0)) + tax_line.amount
        return {
            'id': self.id,
            'number': self.number,
            'date': self.date.isoformat(),
            'time': self._till_local_time().strftime('%H:%M'),
            'state': self.state,
            'company': company.rec_name,
            'legal': company.get_legal_mentions(),
            'point': self.point.name,
            'table': self.table or '',
            'covers': self.covers or 0,
            'lines': [{
                    'name': l.product.rec_name,
                    'quantity': '%g' % l.quantity,
                    'price': _money(l.unit_gross_price),
                    'amount': _money(l.gross_amount),
                    'note': l.kitchen_note or '',
                    } for l in self.lines],
            'tip': _money(self.tip or Decimal(0)),
            'total': _money(self.total + (self.tip or Decimal(0))),
            'untaxed': _money(self.total - self.total_tax),
            'tax': _money(self.total_tax),
            'taxes': [{'name': n, 'amount': _money(a)}
                for n, a in sorted(taxes.items()) if a],
            'payments': [{
                    'method': p.method.name,
                    'amount': _money(p.amount),
                    'tendered': _money(p.till_tendered),
                    'change': _money(p.till_change),
                    } for p in self.payments],
            'refund_of': self.refund_of.number if self.refund_of else None,
            'chain_number': self.chain_number,
            'signature': (self.chain_hash or '')[:16],
            }


class POSPayment(metaclass=PoolMeta):
    __name__ = 'sale.point.payment'

    till_tendered = fields.Numeric(
        "Cash Tendered", digits=(16, 2), readonly=True,
        domain=['OR', ('till_tendered', '=', None),
            ('till_tendered', '>=', 0)],
        help="The cash the customer handed over, printed on the receipt "
        "with the change given back.")
    till_change = fields.Function(fields.Numeric(
            "Change", digits=(16, 2)), 'get_till_change')

    def get_till_change(self, name):
        if self.till_tendered is not None and self.amount is not None:
            return self.till_tendered - self.amount


def _static_response(name, content_type=None):
    path = STATIC / name
    response = Response(
        path.read_bytes(),
        content_type=content_type or (
            mimetypes.guess_type(name)[0] + '; charset=utf-8'))
    response.headers.update(SECURITY_HEADERS)
    return response


@app.route('/<database_name>/pos/<int:point>/', methods=['GET'])
@with_pool
def till_page(request, pool, point):
    "The touchscreen till of a point of sale (404 without this module)"
    try:
        pool.get('ptce.pos.closing')
    except KeyError:
        abort(404)
    return _static_response('index.html', 'text/html; charset=utf-8')


@app.route('/<database_name>/pos/static/<name>', methods=['GET'])
def till_static(request, database_name, name):
    if name not in STATIC_FILES:
        abort(404)
    return _static_response(name)


def _json_response(value, status=HTTPStatus.OK):
    response = Response(
        json.dumps(value), status=status,
        content_type='application/json; charset=utf-8')
    response.headers.update(SECURITY_HEADERS)
    return response


def _till_point(pool, point):
    "The point of sale of the URL, 404 if the module or the point is absent"
    try:
        Point = pool.get('sale.point')
        pool.get('ptce.pos.closing')
    except KeyError:
        abort(HTTPStatus.NOT_FOUND)
    points = Point.search([('id', '=', point)])
    if not points:
        abort(HTTPStatus.NOT_FOUND)
    return points[0]


@app.route('/<database_name>/pos/<int:point>/cashiers', methods=['GET'])
@with_pool
@with_transaction()
def till_cashiers(request, pool, point):
    "The names the login screen offers to open the till with a PIN"
    User = pool.get('res.user')
    return _json_response(User.till_cashiers(_till_point(pool, point)))


@app.route('/<database_name>/pos/<int:point>/pin', methods=['POST'])
@with_pool
@with_transaction(readonly=False)
def till_pin_login(request, pool, point):
    """Open a trytond session for the cashier whose PIN is given and set
    the same session cookie as /<database>/session/login.  Errors are
    answered (not raised) so that the failed attempt is committed."""
    User = pool.get('res.user')
    Session = pool.get('ir.session')
    # A JSON body cannot be sent by another site's form (CSRF)
    if request.mimetype != 'application/json':
        abort(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
    point = _till_point(pool, point)
    data = request.get_json(silent=True) or {}
    try:
        user_id = int(data.get('user'))
    except (TypeError, ValueError):
        return _json_response(None, HTTPStatus.UNAUTHORIZED)
    try:
        user = User.till_pin_login(point, user_id, data.get('pin'))
    except RateLimitException:
        return _json_response(None, HTTPStatus.TOO_MANY_REQUESTS)
    if not user:
        return _json_response(None, HTTPStatus.UNAUTHORIZED)
    with Transaction().set_user(user.id):
        token = Session.new()
    response = _json_response({'user': user.id, 'name': user.name})
    add_auth_cookies(
        response, pool.database_name, user.login, str(user.id), token)
    return response


@app.route('/<database_name>/pos/<int:point>/receipt/<int:sale>.pdf',
    methods=['GET'])
@app.auth_required
@with_pool
@with_transaction(user='request')
def till_receipt_pdf(request, pool, point, sale):
    """The receipt of a sale of the point of sale in PDF (80 mm), for the
    user of the session: their access rights apply"""
    Sale = pool.get('sale.point.sale')
    ReceiptReport = pool.get('sale.point.sale.receipt', type='report')
    point = _till_point(pool, point)
    sales = Sale.search([
            ('id', '=', sale),
            ('point', '=', point.id),
            ('state', 'in', ['done', 'posted']),
            ])
    if not sales:
        abort(HTTPStatus.NOT_FOUND)
    sale, = sales
    with Transaction().set_context(company=point.company.id):
        extension, content, _, name = ReceiptReport.execute(
            [sale.id], {'model': Sale.__name__, 'id': sale.id,
                'ids': [sale.id]})
    response = Response(
        bytes(content), content_type='application/pdf')
    response.headers.update(SECURITY_HEADERS)
    response.headers['Content-Disposition'] = (
        'attachment; filename="ticket-%s.pdf"'
        % re.sub(r'[^\w-]', '-', sale.number or str(sale.id)))
    return response
