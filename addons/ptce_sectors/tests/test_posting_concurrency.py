# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Two processes post the sales of one till at the same time on
PostgreSQL (two cashiers, or the cron and the command line): every sale is
posted, none twice, and the chain has no gap (CGI art. 286 I 3° bis)."""
import os
import pathlib
import re
import subprocess
import sys
import time
import unittest

from trytond import backend
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.transaction import Transaction


@unittest.skipIf(backend.name != 'postgresql', "PostgreSQL only")
class PostingConcurrencyTestCase(unittest.TestCase):
    "Two processes posting on one till lose nothing"

    def tearDown(self):
        # A scenario drops its database when it ends (doctest_teardown);
        # this test case must do the same, or the next scenario cannot
        # restore its own: wait until the posters' sessions are gone,
        # then close this process's connections and drop it.
        backend.Database(DB_NAME).close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with Transaction().start(
                    None, 0, close=True, autocommit=True) as transaction:
                cursor = transaction.connection.cursor()
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (DB_NAME,))
                others, = cursor.fetchone()
            if not others:
                break
            time.sleep(0.2)
        drop_db()

    def test_two_posters_one_till(self):
        "Two `ateliers pos post` side by side on one till lose nothing"
        from proteus import Model
        from trytond.tests.tools import activate_modules

        from ateliers.setup import setup_les_ateliers

        from .tools import (
            create_categories,
            create_payment_methods,
            create_point,
            create_product,
            create_sectors,
        )

        config = activate_modules(['ptce_sectors'], setup_les_ateliers)
        sectors = create_sectors(config)
        categories = create_categories(config)
        jam = create_product("Confiture", '4.50', categories['goods'],
            sectors['CC'], config=config)
        shop = create_point("Épicerie", 'shop', sectors['CC'], config=config)
        methods = create_payment_methods(config)
        Sale = Model.get('sale.point.sale')
        Payment = Model.get('sale.point.payment')
        ids = []
        for quantity in range(1, 25):
            sale = Sale(point=shop)
            line = sale.lines.new()
            line.product = jam
            line.quantity = quantity
            sale.save()
            Payment(sale=sale, method=methods['cash'],
                amount=sale.amount_to_pay).save()
            sale.click('process')
            ids.append(sale.id)

        # Two `ateliers pos post` on the same till and the same sales, in
        # small batches so that their transactions keep overlapping
        ateliers = pathlib.Path(sys.executable).parent / 'ateliers'
        posters = [subprocess.Popen(
                [ateliers, 'pos', 'post', '--database', DB_NAME, '--point',
                    shop.name, '--batch', '2'],
                env=os.environ, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
        counts = []
        for poster in posters:
            out, err = poster.communicate(timeout=600)
            self.assertEqual(poster.returncode, 0, out + err)
            counts.append(int(re.search(r'(\d+) vente', out).group(1)))
        # Each sale posted by one of them, none twice
        self.assertEqual(sum(counts), 24, counts)

        posted = Sale.find([('id', 'in', ids)])
        self.assertEqual({s.state for s in posted}, {'posted'})
        self.assertEqual(
            sorted(s.chain_number for s in posted), list(range(1, 25)))
        result, = Sale.verify_chain([shop.id], config.context)
        self.assertIsNone(result['broken'])
        self.assertEqual(result['sales'], 24)
