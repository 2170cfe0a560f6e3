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
import io
import json
import os
import pathlib
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Max
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from ptce_company.spreadsheet import csv_value

from . import seal
from .exceptions import ClosingError, InalterabilityError
from .report import FrenchDocumentReport
from .sale_point import (
    CHAIN_VERSION,
    GENESIS_HASH,
    _date,
    _money,
    sale_totals,
)

ARCHIVE_SIGNATURE = b'hmac-sha256;'


def closing_payload(values, previous_hash):
    "Canonical serialisation of a closing"
    payload = [
        CHAIN_VERSION, values['key'], values['company'], values['point'],
        values['sequence'], values['type'], _date(values['date_from']),
        _date(values['date_to']), values['sale_count'],
        values['first_chain_number'], values['last_chain_number'],
        values['last_sale_hash'], str(_money(values['total'])),
        str(_money(values['total_tax'])), str(_money(values['grand_total'])),
        previous_hash]
    return json.dumps(payload, separators=(',', ':'), ensure_ascii=False)


def _as_date(value):
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def period_summary(sales_data, date_from, date_to):
    """Count, first and last posting number, hash of the last sale and
    total of the chained sales of the period"""
    sales = sorted(
        (v for v in sales_data.values()
            if date_from <= _as_date(v['date']) <= date_to),
        key=lambda v: v['chain_number'])
    return {
        'sale_count': len(sales),
        'first_chain_number': sales[0]['chain_number'] if sales else None,
        'last_chain_number': sales[-1]['chain_number'] if sales else None,
        'last_sale_hash': sales[-1]['chain_hash'] if sales else None,
        'total': _money(sum(
                (sale_totals(v)[0] for v in sales), Decimal(0))),
        'total_tax': _money(sum(
                (sale_totals(v)[1] for v in sales), Decimal(0))),
        }


class ArchiveFiles:
    """Write the archives of the closings of a transaction next to the
    database when, and only when, the transaction commits: written to a
    temporary file before the commit, renamed after it."""

    def __init__(self):
        self.files = []

    def __eq__(self, other):
        return isinstance(other, ArchiveFiles)

    def add(self, path, content):
        self.files.append((pathlib.Path(path), content))

    def abort(self, trans):
        self._remove()

    def tpc_begin(self, trans):
        pass

    def commit(self, trans):
        pass

    def tpc_vote(self, trans):
        for path, content in self.files:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + '.tmp')
            with open(temporary, 'wb') as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())

    def tpc_finish(self, trans):
        for path, _ in self.files:
            os.replace(path.with_name(path.name + '.tmp'), path)
        self.files.clear()

    def tpc_abort(self, trans):
        self._remove()

    def _remove(self):
        for path, _ in self.files:
            path.with_name(path.name + '.tmp').unlink(missing_ok=True)
        self.files.clear()


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
    __string__ = "Point of Sale Closing"
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
        help="Signature of the last sale of the period.")
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
    hash = fields.Char(
        "Signature", required=True, readonly=True, strip=False,
        help="HMAC-SHA256 of the closing chained to the previous one.")
    key = fields.Char(
        "Sealing Key", readonly=True,
        help="Identifier of the key that signed the closing.")
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
        """The last day closed of each point of sale.  A closing that ends
        after today (made before closings of periods to come were refused)
        blocks nothing: a wrong closing must never block a till for ever;
        the integrity check reports it against its sales."""
        Date = Pool().get('ir.date')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.point, Max(table.date_to),
                where=fields.SQL_OPERATORS['in'](
                    table.point, [p.id for p in points] or [-1])
                & (table.date_to <= Date.today()),
                group_by=[table.point]))
        result = {}
        for point, date in cursor:
            if isinstance(date, str):
                date = datetime.date.fromisoformat(date)
            result[point] = date
        return result
    @classmethod
    def check_period_ended(cls, type_, date_from, date_to, today):
        """A period is closed once it has ended: never a period to come,
        nor the month or year still running (closing December on 1 December
        is refused).  The day is closed at the end of service, so today's
        day may be closed; it then takes no more sales, until tomorrow."""
        Lang = Pool().get('ir.lang')
        end = today if type_ == 'day' else today - datetime.timedelta(days=1)
        if date_to > end:
            raise ClosingError(gettext(
                    'ptce_sectors.msg_closing_not_ended',
                    date_from=Lang.get().strftime(date_from),
                    date_to=Lang.get().strftime(date_to)))

    @classmethod
    def close(cls, point, type_, date):
        """Close the day, month or year of the date for the point of sale:
        sums the posted sales of the period, adds the perpetual grand total,
        records count, first and last posting number and signature of the
        last sale, posts the move of each day whose sales wait for it
        (DayMove.post_days), signs the closing chained to the previous one,
        moves the signed head of the point and writes the signed archive of the
        period outside the database.  Return the closing."""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Point = pool.get('sale.point')
        DayMove = pool.get('ptce.pos.day_move')
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        date_from, date_to = period_dates(type_, date)
        with Transaction().set_context(company=point.company.id):
            today = Date.today()
        cls.check_period_ended(type_, date_from, date_to, today)
        key = seal.signing_key()
        key_id, secret = key
        Point.lock([point])
        head = point.get_writable_head({key_id: secret} | seal.load_keys())
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

        # The ledger records the days of sales posted "per day" as one move
        # each (Code de commerce art. R123-174), before the period is sealed
        DayMove.post_days(point, date_from, date_to, key)
        data = Sale.get_chain_data(
            point=point, date_from=date_from, date_to=date_to, chained=True)
        summary = period_summary(data, date_from, date_to)
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
            grand_total = previous_same.grand_total + summary['total'] + sum(
                (sale_totals(v)[0] for v in gap.values()), Decimal(0))
        else:
            before = Sale.get_chain_data(
                point=point, date_to=date_from - datetime.timedelta(days=1),
                chained=True)
            grand_total = summary['total'] + sum(
                (sale_totals(v)[0] for v in before.values()), Decimal(0))
        values = {
            'company': point.company.id,
            'point': point.id,
            'sequence': head['closing_sequence'] + 1,
            'type': type_,
            'date_from': date_from,
            'date_to': date_to,
            'grand_total': _money(grand_total),
            'previous_hash': head['closing_hash'],
            'key': key_id,
            **summary,
            }
        values['hash'] = seal.sign(
            secret, closing_payload(values, head['closing_hash']))
        closing, = cls.create([values])
        head.update({
                'closing_sequence': closing.sequence,
                'closing_hash': closing.hash,
                })
        point.set_chain_head(head, key)
        closing.write_archive()
        return closing

    def write_archive(self):
        """Queue the signed archive of the closing in the archive folder
        (``[ptce_sectors] archive_path/<database>``): the anchor of the
        chain outside the database, written when the transaction commits."""
        folder = seal.archive_folder(Transaction().database.name)
        if not folder:
            return
        content, _ = self.get_archive()
        name = (f'closing-{self.point.id}-{self.sequence:06d}-{self.type}-'
            f'{_date(self.date_from)}.csv')
        files = Transaction().join(ArchiveFiles())
        files.add(folder / name, content)

    @classmethod
    def verify_point(cls, point, sales_data, head, keys):
        """Verify the closings chain of the point of sale: signatures,
        links, the signed head (a deleted last closing) and each closing's
        count, first and last posting number, last signature and total
        against the (already verified) sales data.  Return (count, broken,
        unverifiable)."""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        columns = ['id', 'company', 'point', 'sequence', 'type', 'date_from',
            'date_to', 'sale_count', 'first_chain_number',
            'last_chain_number', 'last_sale_hash', 'total', 'total_tax',
            'grand_total', 'previous_hash', 'hash', 'key']
        cursor.execute(*table.select(
                *[getattr(table, c) for c in columns],
                where=table.point == point.id,
                order_by=[table.sequence.asc]))
        rows = [dict(zip(columns, r)) for r in cursor]
        expected, previous = 1, GENESIS_HASH
        unverifiable = 0
        for values in rows:
            reason = None
            date_from = _as_date(values['date_from'])
            date_to = _as_date(values['date_to'])
            summary = period_summary(sales_data, date_from, date_to)
            signed = None
            if values['sequence'] != expected:
                reason = 'sequence'
            elif values['previous_hash'] != previous:
                reason = 'previous'
            else:
                signed = seal.check(
                    keys, values['key'], closing_payload(values, previous),
                    values['hash'])
                if signed is False:
                    reason = 'hash'
            if not reason:
                if any(summary[k] != values[k] for k in [
                            'sale_count', 'first_chain_number',
                            'last_chain_number', 'last_sale_hash']):
                    reason = 'closing'
                elif summary['total'] != _money(values['total']):
                    reason = 'total'
            if reason:
                return len(rows), {
                    'model': 'ptce.pos.closing', 'id': values['id'],
                    'number': f"{values['type']} {_date(date_from)}",
                    'chain_number': values['sequence'], 'reason': reason,
                    }, unverifiable
            if signed is None:
                unverifiable += 1
            expected += 1
            previous = values['hash']
        if (head['closing_sequence'] != expected - 1
                or head['closing_hash'] != previous):
            return len(rows), {
                'model': 'ptce.pos.closing', 'id': None,
                'number': point.rec_name,
                'chain_number': expected, 'reason': 'tail',
                }, unverifiable
        return len(rows), None, unverifiable

    @classmethod
    def read_anchors(cls, archives, keys):
        """Return {point name: (sequence, signature)} of the newest closing
        of each point among the archives (contents) whose signature is
        right; the others vouch for nothing."""
        anchors = {}
        for content in archives:
            if isinstance(content, str):
                content = content.encode('utf-8')
            if cls.check_archive(content, keys) is not True:
                continue
            rows = list(csv.reader(
                    io.StringIO(content.decode('utf-8')), delimiter=';'))
            closing = rows[1]
            if closing[0] != 'closing':
                continue
            name, sequence, signature = (
                closing[1], int(closing[2]), closing[-1])
            if name not in anchors or anchors[name][0] < sequence:
                anchors[name] = (sequence, signature)
        return anchors

    @classmethod
    def verify_anchor(cls, point, anchor):
        """Compare the closings of the point with the newest archive of it:
        the database may be ahead of its archives, never behind or
        different.  Return (broken, anchored)."""
        if anchor is None:
            return None, False
        sequence, signature = anchor
        closings = cls.search([
                ('point', '=', point.id),
                ('sequence', '=', sequence),
                ], limit=1)
        if not closings or closings[0].hash != signature:
            return {
                'model': 'ptce.pos.closing',
                'id': closings[0].id if closings else None,
                'number': point.rec_name, 'chain_number': sequence,
                'reason': 'anchor',
                }, False
        return None, True

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
        """Return (content, signature) of the archive of the closed period:
        a CSV readable without the software with the closing, every sale
        line and payment of the period, ended by a line
        "hmac-sha256;<key id>;<signature>" of what precedes, made with the
        sealing key."""
        key_id, secret = seal.signing_key()
        output = io.StringIO()
        writer = csv.writer(output, delimiter=';', lineterminator='\n')

        def write(row):
            # Texts neutralised: archives are opened in spreadsheets too
            writer.writerow([csv_value(v) for v in row])
        write([
                'record', 'point', 'number', 'posting_number', 'date',
                'product', 'quantity', 'unit_price_tax_excl',
                'unit_price_tax_incl', 'sector', 'method', 'amount',
                'hash'])
        write([
                'closing', self.point.rec_name, self.sequence, '',
                f'{self.date_from}/{self.date_to}', self.type,
                self.sale_count, self.total_tax, self.total, '',
                'grand_total', self.grand_total, self.hash])
        for sale in self.get_sales():
            write([
                    'sale', self.point.rec_name, sale.number,
                    sale.chain_number, sale.date, '', '', '', sale.total,
                    sale.sector.code if sale.sector else '', 'tip',
                    sale.tip or 0, sale.chain_hash])
            for line in sale.lines:
                write([
                        'line', self.point.rec_name, sale.number,
                        sale.chain_number, sale.date, line.product.rec_name,
                        line.quantity, line.unit_list_price,
                        line.unit_gross_price,
                        line.sector.code if line.sector else '', '',
                        line.gross_amount, ''])
            for payment in sale.payments:
                write([
                        'payment', self.point.rec_name, sale.number,
                        sale.chain_number, sale.date, '', '', '', '', '',
                        payment.method.name, payment.amount, ''])
        content = output.getvalue().encode('utf-8')
        signature = seal.sign(secret, content)
        return content + ARCHIVE_SIGNATURE + (
            f'{key_id};{signature}\n'.encode('ascii')), signature

    @classmethod
    def check_archive(cls, content, keys):
        """True when the last line of the archive signs every byte before
        it, False when the archive was modified (or is not signed), None
        when the key that signed it is not available."""
        body, _, last = content.rstrip(b'\n').rpartition(b'\n')
        if not body or not last.startswith(ARCHIVE_SIGNATURE):
            return False
        key_id, _, signature = last[len(ARCHIVE_SIGNATURE):].decode(
            'ascii', 'replace').partition(';')
        return seal.check(keys, key_id, body + b'\n', signature)

    @classmethod
    def verify_archive(cls, content):
        "check_archive with the configured keys (see check_archive)"
        if isinstance(content, str):
            content = content.encode('utf-8')
        return cls.check_archive(content, seal.load_keys())

    @classmethod
    @ModelView.button_action('ptce_sectors.report_z')
    def print_z(cls, closings):
        pass


class ZReport(FrenchDocumentReport):
    """Ticket Z: the printed closing of a point of sale (BOI-TVA-DECLA-
    30-10-30): the company, the till, the closing's number, period, date
    and time, totals by payment method and by VAT rate, number of sales,
    perpetual grand total and the closing's signature"""
    __name__ = 'ptce.pos.closing.z_report'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['summaries'] = {r.id: r.get_z_report() for r in records}
        context['now'] = datetime.datetime.now()
        context['closing_types'] = {
            'day': "journalière",
            'month': "mensuelle",
            'year': "annuelle",
            }
        return context


class CloseStart(ModelView):
    "Close a Point of Sale Period"
    __name__ = 'ptce.pos.close.start'
    __string__ = "Close a Point of Sale Period"

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
