# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Closings of the points of sale by day, month and fiscal year with the
period total and the perpetual grand total, chained by SHA-256 and
immutable (CGI art. 286 I 3° bis, "conservation"), the Z report and the
archive of a closed period."""
import calendar
import csv
import datetime
import hashlib
import io
import json
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Max
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import ClosingError, InalterabilityError
from .sale_point import CHAIN_VERSION, GENESIS_HASH, _date, _money, sale_totals


def closing_payload(values, previous_hash):
    "Canonical serialisation of a closing"
    payload = [
        CHAIN_VERSION, values['company'], values['point'], values['sequence'],
        values['type'], _date(values['date_from']), _date(values['date_to']),
        values['sale_count'], values['first_chain_number'],
        values['last_chain_number'], values['last_sale_hash'],
        str(_money(values['total'])), str(_money(values['total_tax'])),
        str(_money(values['grand_total'])), previous_hash]
    return json.dumps(payload, separators=(',', ':'), ensure_ascii=False)


def closing_hash(values, previous_hash):
    return hashlib.sha256(
        closing_payload(values, previous_hash).encode('utf-8')).hexdigest()


def period_dates(type_, date):
    "First and last day of the day, month or year of the date"
    if type_ == 'day':
        return date, date
    elif type_ == 'month':
        last = calendar.monthrange(date.year, date.month)[1]
        return date.replace(day=1), date.replace(day=last)
    else:
        return datetime.date(date.year, 1, 1), datetime.date(date.year, 12, 31)


class Closing(ModelSQL, ModelView):
    "Point of Sale Closing"
    __name__ = 'ptce.pos.closing'
    _rec_name = 'name'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    point = fields.Many2One(
        'sale.point', "Point of Sale", required=True, readonly=True,
        ondelete='RESTRICT')
    name = fields.Function(
        fields.Char("Name"), 'get_name', searcher='search_name')
    sequence = fields.Integer(
        "Sequence", required=True, readonly=True,
        help="Gap-free number of the closing in the point of sale's chain.")
    type = fields.Selection([
            ('day', "Day"),
            ('month', "Month"),
            ('year', "Year"),
            ], "Type", required=True, readonly=True)
    date_from = fields.Date("From Date", required=True, readonly=True)
    date_to = fields.Date("To Date", required=True, readonly=True)
    sale_count = fields.Integer("Sales", required=True, readonly=True)
    first_chain_number = fields.Integer("First Posting Number", readonly=True)
    last_chain_number = fields.Integer("Last Posting Number", readonly=True)
    last_sale_hash = fields.Char(
        "Last Sale Hash", readonly=True, strip=False,
        help="Hash of the last sale of the chain when the period was closed.")
    total = Monetary(
        "Period Total", currency='currency', digits='currency',
        required=True, readonly=True,
        help="Sales of the period, taxes included.")
    total_tax = Monetary(
        "Period Taxes", currency='currency', digits='currency',
        required=True, readonly=True)
    grand_total = Monetary(
        "Perpetual Grand Total", currency='currency', digits='currency',
        required=True, readonly=True,
        help="Cumulative sales of the point of sale since its first sale, "
        "taxes included.")
    previous_hash = fields.Char(
        "Previous Hash", required=True, readonly=True, strip=False)
    hash = fields.Char("Hash", required=True, readonly=True, strip=False)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.point, Index.Range()), (t.sequence, Index.Range())))
        cls._order = [
            ('point', 'ASC'), ('sequence', 'DESC'), ('id', 'DESC')]
        cls.__rpc__.update({
                'verify_archive': RPC(),
                })
        cls._buttons.update(
            print_z={
                'invisible': Eval('type') != 'day',
                'depends': ['type'],
                },
            )

    def get_name(self, name):
        return f'{self.point.rec_name} {self.type} {self.date_from}'

    @classmethod
    def search_name(cls, name, clause):
        return [('point.rec_name',) + tuple(clause[1:])]

    def get_currency(self, name):
        return self.company.currency.id

    @classmethod
    def check_modification(cls, mode, closings, values=None, external=False):
        super().check_modification(
            mode, closings, values=values, external=external)
        if mode in {'write', 'delete'}:
            for closing in closings:
                raise InalterabilityError(gettext(
                        'ptce_sectors.msg_closing_inalterable',
                        closing=closing.rec_name))

    @classmethod
    def check_open_period(cls, sales):
        "Refuse to post a sale dated in a closed day of its point of sale"
        if not sales:
            return
        last = cls.get_last_closed_dates({s.point for s in sales})
        for sale in sales:
            closed = last.get(sale.point.id)
            if closed and sale.date <= closed:
                raise ClosingError(gettext(
                        'ptce_sectors.msg_sale_in_closed_period',
                        sale=sale.rec_name, date=closed))

    @classmethod
    def get_last_closed_dates(cls, points):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.point, Max(table.date_to),
                where=fields.SQL_OPERATORS['in'](
                    table.point, [p.id for p in points] or [-1]),
                group_by=[table.point]))
        result = {}
        for point, date in cursor:
            if isinstance(date, str):
                date = datetime.date.fromisoformat(date)
            result[point] = date
        return result

    @classmethod
    def close(cls, point, type_, date):
        """Close the day, month or year of the date for the point of sale:
        sums the posted sales of the period, adds the perpetual grand total
        and chains the closing to the previous one.  Return the closing."""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Point = pool.get('sale.point')
        Lang = pool.get('ir.lang')
        date_from, date_to = period_dates(type_, date)
        Point.lock([point])
        if cls.search([
                    ('point', '=', point.id),
                    ('type', '=', type_),
                    ('date_from', '=', date_from),
                    ], limit=1):
            raise ClosingError(gettext(
                    'ptce_sectors.msg_closing_exists',
                    point=point.rec_name, type=type_,
                    date=Lang.get().strftime(date_from)))
        pending = Sale.search([
                ('point', '=', point.id),
                ('state', 'in', ['open', 'done']),
                ('date', '>=', date_from),
                ('date', '<=', date_to),
                ('lines', '!=', None),
                ], limit=1)
        if pending:
            pending, = pending
            raise ClosingError(gettext(
                    'ptce_sectors.msg_closing_pending_sale',
                    sale=pending.rec_name, point=point.rec_name))

        data = Sale.get_chain_data(
            point=point, date_from=date_from, date_to=date_to, chained=True)
        total = total_tax = Decimal(0)
        for values in data.values():
            sale_total, sale_tax = sale_totals(values)
            total += sale_total
            total_tax += sale_tax
        numbers = [v['chain_number'] for v in data.values()]
        previous_same = cls.search([
                ('point', '=', point.id),
                ('type', '=', type_),
                ('date_to', '<', date_from),
                ], order=[('date_to', 'DESC')], limit=1)
        if previous_same:
            previous_same, = previous_same
            gap = Sale.get_chain_data(
                point=point, date_from=previous_same.date_to
                + datetime.timedelta(days=1),
                date_to=date_from - datetime.timedelta(days=1), chained=True)
            grand_total = previous_same.grand_total + total + sum(
                (sale_totals(v)[0] for v in gap.values()), Decimal(0))
        else:
            before = Sale.get_chain_data(
                point=point, date_to=date_from - datetime.timedelta(days=1),
                chained=True)
            grand_total = total + sum(
                (sale_totals(v)[0] for v in before.values()), Decimal(0))
        last_number, last_sale_hash = Sale.get_chain_last(point)
        sequence, previous_hash = cls.get_last(point)
        values = {
            'company': point.company.id,
            'point': point.id,
            'sequence': sequence + 1,
            'type': type_,
            'date_from': date_from,
            'date_to': date_to,
            'sale_count': len(data),
            'first_chain_number': min(numbers) if numbers else None,
            'last_chain_number': max(numbers) if numbers else None,
            'last_sale_hash': last_sale_hash,
            'total': _money(total),
            'total_tax': _money(total_tax),
            'grand_total': _money(grand_total),
            'previous_hash': previous_hash,
            }
        values['hash'] = closing_hash(values, previous_hash)
        closing, = cls.create([values])
        return closing

    @classmethod
    def get_last(cls, point):
        "Return the last closing sequence and hash of the point of sale"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.sequence, table.hash,
                where=(table.point == point.id) & (table.sequence != Null),
                order_by=[table.sequence.desc], limit=1))
        row = cursor.fetchone()
        return (row[0], row[1]) if row else (0, GENESIS_HASH)

    @classmethod
    def verify_point(cls, point, sales_data):
        """Verify the closings chain of the point of sale and their totals
        against the (already verified) sales data; return (count, broken)"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        columns = ['id', 'company', 'point', 'sequence', 'type', 'date_from',
            'date_to', 'sale_count', 'first_chain_number',
            'last_chain_number', 'last_sale_hash', 'total', 'total_tax',
            'grand_total', 'previous_hash', 'hash']
        cursor.execute(*table.select(
                *[getattr(table, c) for c in columns],
                where=table.point == point.id,
                order_by=[table.sequence.asc]))
        rows = [dict(zip(columns, r)) for r in cursor]
        totals = defaultdict(Decimal)
        for values in sales_data.values():
            date = values['date']
            if isinstance(date, str):
                date = datetime.date.fromisoformat(date)
            totals[date] += sale_totals(values)[0]
        expected, previous = 1, GENESIS_HASH
        for values in rows:
            reason = None
            date_from, date_to = values['date_from'], values['date_to']
            if isinstance(date_from, str):
                date_from = datetime.date.fromisoformat(date_from)
                date_to = datetime.date.fromisoformat(date_to)
            period_total = sum(
                (t for d, t in totals.items() if date_from <= d <= date_to),
                Decimal(0))
            if values['sequence'] != expected:
                reason = 'sequence'
            elif values['previous_hash'] != previous:
                reason = 'previous'
            elif closing_hash(values, previous) != values['hash']:
                reason = 'hash'
            elif _money(period_total) != _money(values['total']):
                reason = 'total'
            if reason:
                return len(rows), {
                    'model': 'ptce.pos.closing', 'id': values['id'],
                    'number': f"{values['type']} {_date(date_from)}",
                    'chain_number': values['sequence'], 'reason': reason,
                    }
            expected += 1
            previous = values['hash']
        return len(rows), None

    def get_sales(self):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        return Sale.search([
                ('point', '=', self.point.id),
                ('state', '=', 'posted'),
                ('date', '>=', self.date_from),
                ('date', '<=', self.date_to),
                ], order=[('chain_number', 'ASC')])

    def get_z_report(self):
        """Summary of the closed period: number of sales, covers, tips,
        totals per payment method, per sector and per tax."""
        sales = self.get_sales()
        methods = defaultdict(Decimal)
        sectors = defaultdict(Decimal)
        taxes = defaultdict(lambda: [Decimal(0), Decimal(0)])
        covers = 0
        tips = Decimal(0)
        for sale in sales:
            covers += sale.covers or 0
            tips += sale.tip or 0
            for payment in sale.payments:
                methods[payment.method.name] += payment.amount
            for line in sale.lines:
                sector = line.sector.rec_name if line.sector else ''
                sectors[sector] += line.gross_amount
            for tax in sale._get_taxes().values():
                key = tax.tax.rec_name
                taxes[key][0] += tax.base
                taxes[key][1] += tax.amount
        return {
            'sales': len(sales),
            'covers': covers,
            'tips': tips,
            'total': self.total,
            'total_tax': self.total_tax,
            'grand_total': self.grand_total,
            'average_cover': (
                self.company.currency.round(self.total / covers)
                if covers else None),
            'methods': sorted(methods.items()),
            'sectors': sorted(sectors.items()),
            'taxes': sorted((k, v[0], v[1]) for k, v in taxes.items()),
            }

    def get_archive(self):
        """Return (content, sha256) of the archive of the closed period: a
        CSV readable without the software with the closing, every sale line
        and payment of the period, ended by the hash of what precedes."""
        output = io.StringIO()
        writer = csv.writer(output, delimiter=';', lineterminator='\n')
        writer.writerow([
                'record', 'point', 'number', 'posting_number', 'date',
                'product', 'quantity', 'unit_price_tax_excl',
                'unit_price_tax_incl', 'sector', 'method', 'amount',
                'hash'])
        writer.writerow([
                'closing', self.point.rec_name, self.sequence, '',
                f'{self.date_from}/{self.date_to}', self.type,
                self.sale_count, self.total_tax, self.total, '',
                'grand_total', self.grand_total, self.hash])
        for sale in self.get_sales():
            writer.writerow([
                    'sale', self.point.rec_name, sale.number,
                    sale.chain_number, sale.date, '', '', '', sale.total,
                    sale.sector.code if sale.sector else '', 'tip',
                    sale.tip or 0, sale.chain_hash])
            for line in sale.lines:
                writer.writerow([
                        'line', self.point.rec_name, sale.number,
                        sale.chain_number, sale.date, line.product.rec_name,
                        line.quantity, line.unit_list_price,
                        line.unit_gross_price,
                        line.sector.code if line.sector else '', '',
                        line.gross_amount, ''])
            for payment in sale.payments:
                writer.writerow([
                        'payment', self.point.rec_name, sale.number,
                        sale.chain_number, sale.date, '', '', '', '', '',
                        payment.method.name, payment.amount, ''])
        content = output.getvalue().encode('utf-8')
        digest = hashlib.sha256(content).hexdigest()
        return content + f'sha256;{digest}\n'.encode('utf-8'), digest

    @classmethod
    def verify_archive(cls, content):
        """Check the signature of an archive made by get_archive: True when
        its last line "sha256;<hash>" is the SHA-256 of every byte before
        it, False when the archive was modified (or is not signed)."""
        if isinstance(content, str):
            content = content.encode('utf-8')
        body, _, last = content.rstrip(b'\n').rpartition(b'\n')
        if not body or not last.startswith(b'sha256;'):
            return False
        digest = last[len(b'sha256;'):].decode('ascii', 'replace')
        return hashlib.sha256(body + b'\n').hexdigest() == digest

    @classmethod
    @ModelView.button_action('ptce_sectors.report_z')
    def print_z(cls, closings):
        pass


class ZReport(Report):
    __name__ = 'ptce.pos.closing.z_report'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['summaries'] = {r.id: r.get_z_report() for r in records}
        return context


class CloseStart(ModelView):
    "Close a Point of Sale Period"
    __name__ = 'ptce.pos.close.start'

    point = fields.Many2One('sale.point', "Point of Sale", required=True)
    type = fields.Selection([
            ('day', "Day"),
            ('month', "Month"),
            ('year', "Year"),
            ], "Type", required=True)
    date = fields.Date(
        "Date", required=True, help="A day of the period to close.")

    @classmethod
    def default_type(cls):
        return 'day'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class Close(Wizard):
    "Close a Point of Sale Period"
    __name__ = 'ptce.pos.close'
    start = StateView(
        'ptce.pos.close.start', 'ptce_sectors.close_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Close", 'close', 'tryton-ok', default=True),
            ])
    close = StateAction('ptce_sectors.act_closing')

    def do_close(self, action):
        pool = Pool()
        Closing = pool.get('ptce.pos.closing')
        closing = Closing.close(
            self.start.point, self.start.type, self.start.date)
        return action, {'res_id': [closing.id]}
