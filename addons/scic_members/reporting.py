# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The indicators of the associates register for ptce_reporting."""
import calendar
import datetime
from decimal import Decimal

from sql.aggregate import Count
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Indicator(metaclass=PoolMeta):
    __name__ = 'ptce.indicator'

    @classmethod
    def _indicators(cls):
        return super()._indicators() + [
            (70, 'ASSOC', gettext('scic_members.msg_indicator_assoc'),
                'count'),
            (71, 'ASSOC_COLLEGE',
                gettext('scic_members.msg_indicator_assoc_college'),
                'count'),
            ]

    @classmethod
    def compute_assoc(cls, company, year):
        """Admitted associates at the end of each month (admitted before,
        not left): total, persons / organisations (ASSOC), and per college
        (ASSOC_COLLEGE); the year's figure is the one at its end. One
        aggregation per month end."""
        pool = Pool()
        Member = pool.get('scic.member')
        College = pool.get('scic.college')
        member = Member.__table__()
        college = College.__table__()
        cursor = Transaction().connection.cursor()
        assoc = cls.figure('ASSOC')
        by_college = cls.figure('ASSOC_COLLEGE')
        for y in (year - 1, year):
            for m in range(1, 13):
                end = datetime.date(y, m, calendar.monthrange(y, m)[1])
                cursor.execute(*member.join(college, 'LEFT',
                        condition=member.college == college.id).select(
                        member.kind, college.name, Count(member.id),
                        where=(member.company == company.id)
                        & (member.admission_date <= end)
                        & ((member.exit_date == None)  # noqa: E711
                            | (member.exit_date > end)),
                        group_by=[member.kind, college.name]))
                for kind, college_name, count in cursor:
                    count = Decimal(count)
                    for indicator, key in [(assoc, 'total'), (assoc, kind),
                            (by_college, college_name or '')]:
                        series = indicator.series[key]
                        if y == year:
                            series.months[m - 1] += count
                        else:
                            series.previous_months[m - 1] += count
        for indicator in (assoc, by_college):
            for series in indicator.series.values():
                series.total = series.months[-1]
                series.previous = series.previous_months[-1]
        return [assoc, by_college]


class FiscalYear(metaclass=PoolMeta):
    __name__ = 'account.fiscalyear'

    def _cross_checks(self):
        """The capital accounts against the totals of the share register
        at the closing date (accounting.md: 1011 + 1012 + 1013 = the
        capital of the register), and the associates' refunds due (4567)"""
        from .share_register import register_lines, register_totals
        checks = super()._cross_checks()
        company = self.company
        totals = register_totals(register_lines(company, self.end_date))
        for sequence, kind, message, expected in [
                (20, 'capital_uncalled',
                    'scic_members.msg_cross_check_capital_uncalled',
                    totals['subscribed'] - totals['called']),
                (21, 'capital_called',
                    'scic_members.msg_cross_check_capital_called',
                    totals['called'] - totals['paid']),
                (22, 'capital_paid',
                    'scic_members.msg_cross_check_capital_paid',
                    totals['paid']),
                (23, 'refund',
                    'scic_members.msg_cross_check_refund',
                    totals['refund']),
                ]:
            account = company.scic_account(kind)
            if not account:
                continue
            checks.append((sequence, kind,
                    gettext(message, account=account.rec_name),
                    company.currency.round(expected),
                    # Credit accounts: what the register shows is owed
                    -self.cross_check_balance([account])))
        return checks
