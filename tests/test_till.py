"""The touchscreen till in a real browser (Debian's chromium driven by
Playwright) against trytond serving the demo database: a cashier opens it
with a PIN, a restaurant table kept open on the server, taken up after a
reload and paid with meal vouchers and a split, its receipt in PDF, a shop
sale by barcode, a sale sent while the server is down then retried
(recorded once), a refund, the closing of the day with its Z report, and
`ateliers pos verify` after."""
import os
import pathlib
import shutil
import subprocess
import time
import uuid

import pytest
from smoke import BIN, ROOT
from test_serve import free_port, server, wait_for  # noqa: F401

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
ARTIFACTS = pathlib.Path(os.environ.get(
        'ATELIERS_ARTIFACTS', ROOT / 'artifacts')) / 'till'

playwright = pytest.importorskip('playwright.sync_api')
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is not installed")


def rpc_config(port, database, password):
    from proteus import config as pconfig
    return pconfig.set_xmlrpc(
        f'http://admin:{password}@127.0.0.1:{port}/{database}/rpc/')


def start_server(server, env, database, port):  # noqa: F811
    process = server([BIN / 'ateliers', 'serve', '--database', database,
            '--port', str(port), '--no-web'], env)
    wait_for(f'http://127.0.0.1:{port}/{database}/pos/static/till.css',
        process, timeout=300)
    return process


def test_till(site, server, tmp_path):  # noqa: F811
    from proteus import Model
    from proteus import config as pconfig
    env, database, password, _ = site
    port = free_port()
    process = start_server(server, env, database, port)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    config = rpc_config(port, database, password)
    try:
        Point = Model.get('sale.point', config=config)
        Sale = Model.get('sale.point.sale', config=config)
        Session = Model.get('sale.point.cash.session', config=config)
        Product = Model.get('product.product', config=config)
        restaurant, = Point.find([('kind', '=', 'restaurant')])
        shop, = Point.find([('kind', '=', 'shop')])
        # A barcode on a product of the shop
        catalog = Point.till_catalog([shop.id], config.context)
        honey = Product(catalog['products'][0]['id'])
        barcode = '3760123456784'  # a valid EAN-13
        honey.identifiers.new(type='ean', code=barcode)
        honey.save()
        restaurant_sales = len(Sale.find([('point', '=', restaurant.id)]))
        # A cashier of the restaurant, who opens the till with a PIN
        User = Model.get('res.user', config=config)
        Group = Model.get('res.group', config=config)
        cashier = User(name="Camille Caisse", login='camille.caisse')
        # By XML id: the demo's group names are in French
        Data = Model.get('ir.model.data', config=config)
        cashier.groups.extend(Group.find([('id', 'in', [
                            Data.get_id(module, name, config.context)
                            for module, name in [
                                ('ptce_sectors', 'group_cashier'),
                                ('sale_point', 'group_sale_point'),
                                ('sale_point', 'group_sale_point_posting'),
                                ]])]))
        Company = Model.get('company.company', config=config)
        cashier.companies.extend(Company.find([]))
        cashier.company = restaurant.company
        cashier.till_pin = '2468'
        cashier.save()
    finally:
        pconfig._CONFIG.current = None

    errors = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=['--no-sandbox'])
        page = browser.new_page(
            viewport={'width': 1280, 'height': 860}, accept_downloads=True)
        page.on('pageerror', lambda e: errors.append(str(e)))
        # Connection errors while the server is stopped on purpose
        page.on('console', lambda m: m.type == 'error'
            and 'ERR_CONNECTION' not in m.text
            and errors.append(m.text))

        def shot(name):
            page.screenshot(path=str(ARTIFACTS / f'{name}.png'),
                full_page=True)

        try:
            page.goto(f'http://127.0.0.1:{port}/{database}/pos/{restaurant.id}/')
            page.wait_for_selector('#cashiers button')
            shot('01-login')
            # The cashier picks their name and types their PIN
            page.locator('#cashiers button', has_text='Camille Caisse').click()
            page.fill('#pin', '1357')
            page.click('#pin-form button[type=submit]')
            page.wait_for_selector('#pin-error:text("Code incorrect")')
            errors.clear()  # the 401 of the wrong PIN
            page.fill('#pin', '2468')
            page.click('#pin-form button[type=submit]')
            # A restaurant opens on its tables
            page.wait_for_selector('#tables-screen:not([hidden])')
            shot('02-tables-empty')

            # A table of two: two dishes, one coffee, kept open on the server
            page.click('#new-table')
            page.fill('#table', '5')
            page.dispatch_event('#table', 'change')
            page.fill('#covers', '2')
            page.dispatch_event('#covers', 'change')
            page.locator('.product', has_text='Plat du jour').click()
            page.locator('.product', has_text='Plat du jour').click()
            page.locator('.product', has_text='Café').click()
            assert page.locator('#total').text_content() == '31,00\u00a0€'
            shot('03-order')
            page.click('#save-table')
            page.wait_for_selector('#tables button:has-text("Table 5")')
            # A reload (or another till) finds the open table on the server
            page.reload()
            page.wait_for_selector('#tables-screen:not([hidden])')
            table = page.locator('#tables button', has_text='Table 5')
            assert '31,00' in table.text_content()
            shot('04-tables')
            table.click()
            page.wait_for_selector('#till-screen:not([hidden])')
            assert page.locator('#lines li').count() == 2
            assert page.locator('#total').text_content() == '31,00\u00a0€'
            # one meal voucher per guest, then the rest by card
            page.click('#pay')
            page.locator(
                '#methods button', has_text='Titres-restaurant').click()
            page.fill('#amount', '14.50')
            page.click('#validate')
            page.locator(
                '#methods button', has_text='Titres-restaurant').click()
            page.fill('#amount', '14.50')
            page.click('#validate')
            page.locator('#methods button', has_text='Carte bancaire').click()
            shot('05-payment')
            # The last payment completes the bill: the sale is sent at once
            page.click('#validate')
            page.wait_for_selector('#receipt-screen:not([hidden])')
            receipt = page.locator('#receipt').text_content()
            assert 'Table 5' in receipt and '31,00' in receipt, receipt
            assert 'SCIC SAS à capital variable' in receipt
            shot('06-receipt')
            # The receipt in PDF, 80 mm wide
            with page.expect_download() as download:
                page.click('#receipt-pdf')
            pdf_path = ARTIFACTS / 'receipt-table-5.pdf'
            download.value.save_as(pdf_path)
            from pypdf import PdfReader
            pdf = PdfReader(str(pdf_path))
            assert round(float(pdf.pages[0].mediabox.width) / 72 * 25.4) == 80
            text = ' '.join(pdf.pages[0].extract_text().split())
            for mention in ['Table 5', 'Titres-restaurant', 'TOTAL TTC',
                    '31,00', 'SIREN 821 437 654', 'FR38821437654',
                    'Signature']:
                assert mention in text, (mention, text)
            subprocess.run(['pdftoppm', '-png', '-r', '110', '-singlefile',
                    str(pdf_path), str(ARTIFACTS / '07-receipt-pdf')],
                check=False)
            # The table is paid: it is no longer open
            page.click('#new-sale')
            page.wait_for_selector('#tables-screen:not([hidden])')
            page.wait_for_selector('#no-tables:not([hidden])')
            assert page.locator('#tables button').count() == 0
            page.click('#new-table')

            # Cash: the change is shown; the server goes down before the
            # answer, the till keeps the sale and sends it again later
            page.locator('.product', has_text='Café').click()
            page.click('#pay')
            page.locator('#methods button', has_text='Espèces').click()
            page.fill('#amount', '5')
            page.dispatch_event('#amount', 'input')
            assert '3,00' in page.locator('#change').text_content()
            process.terminate()
            process.wait(30)
            page.click('#validate')
            page.wait_for_selector('#status:text("en attente")')
            shot('08-offline')
            pending = page.evaluate('Object.keys(window.localStorage)')
            assert any(k.startswith('till-pending') for k in pending)
            process = start_server(server, env, database, port)
            # The till sends the kept sale again by itself (every 5 s); the
            # page's CSP forbids evaluated code, so the test polls
            deadline = time.monotonic() + 60
            while page.locator('#status').text_content():
                assert time.monotonic() < deadline, (
                    "the kept sale was not sent")
                page.wait_for_timeout(500)

            # The shop, by barcode
            page.goto(f'http://127.0.0.1:{port}/{database}/pos/{shop.id}/')
            page.wait_for_selector('#till-screen:not([hidden])')
            page.fill('#search', barcode)
            page.press('#search', 'Enter')
            assert page.locator('#lines li').count() == 1
            page.click('#pay')
            page.locator('#methods button', has_text='Carte bancaire').click()
            page.click('#validate')
            page.wait_for_selector('#receipt-screen:not([hidden])')
            shot('09-shop-receipt')

            # A refund of the restaurant's café, from today's sales
            page.goto(f'http://127.0.0.1:{port}/{database}/pos/{restaurant.id}/')
            page.wait_for_selector('#tables-screen:not([hidden])')
            page.click('#show-sales')
            page.wait_for_selector('#sales tr')
            shot('10-sales')
            page.on('dialog', lambda dialog: dialog.accept())
            # The last sale first: the café sent again after the restart
            assert '2,00' in page.locator('#sales tr').first.text_content()
            page.locator('#sales tr').first.get_by_role(
                'button', name='Rembourser').click()
            page.wait_for_selector('#receipt-screen:not([hidden])')
            assert 'Remboursement du ticket' in page.locator(
                '#receipt').text_content()
            shot('11-refund')
            page.click('#new-sale')
            page.wait_for_selector('#tables-screen:not([hidden])')

            # The day closed in one action, with the cash counted
            config = rpc_config(port, database, password)
            try:
                Session = Model.get('sale.point.cash.session', config=config)
                session, = Session.find([
                        ('point', '=', restaurant.id), ('state', '=', 'open')])
                counted = session.start_amount + session.balance
                Sale = Model.get('sale.point.sale', config=config)
                sales = Sale.find([('point', '=', restaurant.id)])
                # table, café (sent twice, recorded once), refund
                assert len(sales) == restaurant_sales + 3
                assert len({s.till_key for s in sales if s.till_key}) == 3
            finally:
                pconfig._CONFIG.current = None
            page.click('#show-close')
            shot('12-close')
            page.fill('#counted', '0')
            page.click('#close-form button[type=submit]')
            page.wait_for_selector('#close-error:text("montant final")')
            errors.clear()
            page.fill('#counted', str(counted))
            with page.expect_download() as download:
                page.click('#close-form button[type=submit]')
            z_report = tmp_path / download.value.suggested_filename
            download.value.save_as(z_report)
            assert z_report.stat().st_size
            shot('13-closed')
        except Exception:
            # What the till showed when it went wrong
            shot('failure')
            print(page.locator('.error').all_text_contents())
            raise
        browser.close()
    assert not errors, errors

    verify = subprocess.run(
        [BIN / 'ateliers', 'pos', 'verify', '--database', database],
        env=env, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert 'chaîne intacte' in verify.stdout


def test_till_unknown_point_and_files(site, server):  # noqa: F811
    "No page for a database without the module, no file outside the till"
    import urllib.error
    import urllib.request
    env, database, _, _ = site
    port = free_port()
    start_server(server, env, database, port)
    for path in [f'/{uuid.uuid4().hex}/pos/1/',
            f'/{database}/pos/static/index.py',
            f'/{database}/pos/static/..%2F..%2Ftill.py']:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f'http://127.0.0.1:{port}{path}')
        assert error.value.code in (404, 405), path  # nothing served
    with urllib.request.urlopen(
            f'http://127.0.0.1:{port}/{database}/pos/1/') as response:
        assert "default-src 'self'" in response.headers[
            'Content-Security-Policy']
        assert b'Caisse' in response.read()
