"""The member portal in a real browser (Debian's chromium driven by
Playwright) against trytond serving the demo database: an associate logs
in, reads "Mes parts sociales", downloads the attestation, asks for the
redemption of a share (a draft request for the board), books a room and
cancels it, opens "Assemblées" and downloads a convocation list, changes
its address in "Mes coordonnées", enters an IBAN and signs the SEPA
mandate, and cannot reach another associate's attestation."""
import datetime
import os
import pathlib
import shutil

import pytest
from smoke import BIN, ROOT
from test_serve import free_port, server, wait_for  # noqa: F401

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
ARTIFACTS = pathlib.Path(os.environ.get(
        'ATELIERS_ARTIFACTS', ROOT / 'artifacts')) / 'portal'
PASSWORD = 'portail-essai-2026'

playwright = pytest.importorskip('playwright.sync_api')
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is not installed")


def test_portal_shares(site, server, tmp_path):  # noqa: F811
    from proteus import Model
    from proteus import config as pconfig
    env, database, password, _ = site
    port = free_port()
    process = server([BIN / 'ateliers', 'serve', '--database', database,
            '--port', str(port), '--no-web'], env)
    wait_for(f'http://127.0.0.1:{port}/{database}/portal/static/portal.css',
        process, timeout=300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    config = pconfig.set_xmlrpc(
        f'http://admin:{password}@127.0.0.1:{port}/{database}/rpc/')
    try:
        Member = Model.get('scic.member', config=config)
        WebUser = Model.get('web.user', config=config)
        Movement = Model.get('scic.share.movement', config=config)
        first, second = Member.find([('state', '=', 'admitted')], limit=2)
        user = WebUser(email='portail.essai@example.org', party=first.party)
        user.password = PASSWORD
        user.save()
        requests = len(Movement.find([('kind', '=', 'redemption_request')]))
    finally:
        pconfig._CONFIG.current = None

    errors = []
    base = f'http://127.0.0.1:{port}/{database}/portal/'
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=['--no-sandbox'])
        page = browser.new_page(accept_downloads=True)
        page.on('pageerror', lambda e: errors.append(str(e)))
        page.goto(base)
        page.fill('#email', 'portail.essai@example.org')
        page.fill('#password', PASSWORD)
        page.click('button[type=submit]')
        page.wait_for_selector('nav')
        page.screenshot(path=str(ARTIFACTS / '01-invoices.png'))
        page.goto(base + 'shares')
        assert first.number in page.locator('dl').text_content()
        with page.expect_download() as download:
            page.locator('a', has_text='attestation').click()
        attestation = tmp_path / 'attestation.pdf'
        download.value.save_as(attestation)
        assert attestation.read_bytes()[:4] == b'%PDF'
        page.fill('#shares', '1')
        page.fill('#reason', "Départ de Castres")
        page.click('form[action$="shares"] button[type=submit]')
        page.wait_for_selector('.notice')
        page.screenshot(path=str(ARTIFACTS / '02-shares.png'), full_page=True)

        # A room booked two months ahead, an overlapping one refused, the
        # first cancelled
        day = (datetime.date.today() + datetime.timedelta(days=60))
        page.goto(f'{base}bookings?date={day.isoformat()}')
        mine = page.locator('section[aria-labelledby=mine-title] tbody tr')
        before = mine.count()
        room = page.locator('form.booking').first
        room.locator('input[name=start]').fill('10:00')
        room.locator('input[name=end]').fill('12:00')
        room.locator('input[name=description]').fill("Réunion")
        room.locator('button[type=submit]').click()
        page.wait_for_selector(
            f'section[aria-labelledby=mine-title] tbody tr >> nth={before}')
        page.screenshot(path=str(ARTIFACTS / '03-booked.png'), full_page=True)
        room = page.locator('form.booking').first
        room.locator('input[name=start]').fill('11:00')
        room.locator('input[name=end]').fill('13:00')
        room.locator('button[type=submit]').click()
        page.wait_for_selector('p.error')
        assert 'réserv' in page.locator('p.error').text_content()
        assert mine.count() == before + 1
        day_text = day.strftime('%d/%m/%Y')
        mine.filter(has_text=day_text).get_by_role('button').click()
        page.wait_for_load_state()
        assert mine.filter(has_text=day_text).count() == 0
        assert mine.count() == before
        page.screenshot(path=str(ARTIFACTS / '04-cancelled.png'),
            full_page=True)

        # The assemblies the associate is convened to and a convocation
        page.goto(base + 'assemblies')
        assert page.locator('section.card h2').count() >= 1
        page.screenshot(path=str(ARTIFACTS / '05-assemblies.png'),
            full_page=True)
        with page.expect_download() as download:
            page.locator('a', has_text='associés convoqués').first.click()
        convocation = tmp_path / 'convocation.pdf'
        download.value.save_as(convocation)
        assert convocation.read_bytes()[:4] == b'%PDF'

        # A new address, then the IBAN and the mandate (an active mandate
        # of the demo is revoked first)
        page.goto(base + 'contact')
        page.screenshot(path=str(ARTIFACTS / '06-contact.png'),
            full_page=True)
        page.fill('#street', "5 place Jean Jaurès")
        page.fill('#postal_code', "81100")
        page.fill('#city', "Castres")
        page.fill('#email', 'portail.essai@example.org')
        page.click('form:has(#street) button[type=submit]')
        page.wait_for_selector('.notice')
        assert page.input_value('#street') == "5 place Jean Jaurès"
        revoke = page.get_by_role('button', name="Révoquer ce mandat")
        if revoke.count():
            revoke.first.click()
            page.wait_for_selector('#iban')
        page.fill('#iban', 'FR76 3000 6000 0112 3456 7890 189')
        page.check('#accept')
        page.click('form:has(#iban) button[type=submit]')
        page.wait_for_selector('.notice')
        assert 'signé' in page.locator('.notice').text_content()
        assert '3000 6000' not in page.content()
        assert page.locator('dd.masked').first.text_content().startswith(
            'FR76')
        page.screenshot(path=str(ARTIFACTS / '07-mandate.png'),
            full_page=True)

        own = page.request.get(f'{base}document/attestation/{first.id}')
        other = page.request.get(f'{base}document/attestation/{second.id}')
        assert (own.status, other.status) == (200, 404)
        browser.close()
    assert not errors, errors

    config = pconfig.set_xmlrpc(
        f'http://admin:{password}@127.0.0.1:{port}/{database}/rpc/')
    try:
        Movement = Model.get('scic.share.movement', config=config)
        request, = Movement.find([
                ('kind', '=', 'redemption_request'),
                ('member', '=', first.id),
                ('state', '=', 'draft'),
                ])
        assert (request.shares, request.description) == (
            1, "Départ de Castres")
        assert len(Movement.find(
                [('kind', '=', 'redemption_request')])) == requests + 1
        Party = Model.get('party.party', config=config)
        Mandate = Model.get('account.payment.sepa.mandate', config=config)
        party = Party(first.party.id)
        assert [a.street for a in party.addresses if a.active] == [
            "5 place Jean Jaurès"]
        mandate, = Mandate.find([
                ('party', '=', party.id), ('state', '=', 'validated')])
        assert mandate.account_number.number_compact == (
            'FR7630006000011234567890189')
        assert mandate.signature_date == datetime.date.today()
    finally:
        pconfig._CONFIG.current = None
