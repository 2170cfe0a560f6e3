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
import mimetypes
from decimal import Decimal
from pathlib import Path

from sql import Null
from sql.operators import Equal
from trytond.i18n import gettext
from trytond.model import Exclude, fields
from trytond.pool import Pool, PoolMeta
from trytond.protocols.wrappers import Response, abort, with_pool
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


def _money(value):
    return str(value) if value is not None else None


class POS(metaclass=PoolMeta):
    __name__ = 'sale.point'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'till_catalog': RPC(instantiate=0),
                'till_sales': RPC(instantiate=0),
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
    def till_checkout(cls, point, order, key):
        """Record the order rung up at the till, paid: a sale with its
        lines, priced by the server, its payments, then processed and
        posted into the inalterable chain.  The same key returns the sale
        already recorded.  Return its receipt."""
        pool = Pool()
        Point = pool.get('sale.point')
        Line = pool.get('sale.point.sale.line')
        Product = pool.get('product.product')
        Date = pool.get('ir.date')
        point = Point(int(point))
        recorded = cls._till_recorded(point, key)
        if recorded:
            return recorded.till_receipt()
        allowed = {p.id for p in point.till_products()}
        lines = []
        for values in order.get('lines') or []:
            product = int(values['product'])
            quantity = float(values.get('quantity', 1))
            if product not in allowed or quantity <= 0:
                raise TillError(gettext(
                        'ptce_sectors.msg_till_line_invalid',
                        point=point.rec_name))
            line = Line(product=Product(product), quantity=quantity,
                kitchen_note=(values.get('note') or None))
            lines.append(line)
        if not lines:
            raise TillError(gettext('ptce_sectors.msg_till_empty_order'))
        with Transaction().set_context(company=point.company.id):
            today = Date.today()
        sale = cls(
            company=point.company, point=point, date=today, till_key=key,
            table=order.get('table') or None,
            covers=int(order['covers']) if order.get('covers') else None,
            tip=Decimal(str(order.get('tip') or 0)))
        sale.on_change_point()
        for line in lines:
            line.sale = sale
            line.on_change_product()
        sale.lines = lines
        sale.save()
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
            records.append(Payment(
                    sale=self, method=method,
                    amount=self.currency.round(
                        Decimal(str(values['amount'])))))
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
            'time': (self.create_date or datetime.datetime.now()).strftime(
                '%H:%M'),
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
                    } for p in self.payments],
            'refund_of': self.refund_of.number if self.refund_of else None,
            'chain_number': self.chain_number,
            'signature': (self.chain_hash or '')[:16],
            }


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
