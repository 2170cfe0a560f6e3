# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The member portal's frame: log in, the session cookie, CSRF, password
reset by e-mail, "Mes factures" showing only the party's invoices and "Mes
coordonnées" (address, e-mail, phone, IBAN and SEPA mandate)."""
import datetime
import re
from decimal import Decimal
from unittest.mock import patch

from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.modules.account_invoice.tests import set_invoice_sequences
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests import test_tryton
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction, TransactionError
from werkzeug.exceptions import Forbidden

from ptce_company.exceptions import PortalError

PASSWORD = 'mot-de-passe-solide'


def csrf(response):
    return re.search(
        r'name="csrf" value="([0-9a-f]+)"', response.text).group(1)


class PortalTestCase(RouteTestCase):
    "Test the member portal"
    module = 'ptce_company'

    @classmethod
    def setUpClass(cls):
        # RouteTestCase's set-up, restarted with the tables the chart
        # creation locks (as with_transaction does for the module tests)
        super(test_tryton.RouteTestCase, cls).setUpClass()
        extras = {}
        while True:
            try:
                with Transaction().start(DB_NAME, 1, **extras) as t:
                    cls.setUpDatabase()
                    t.commit()
                break
            except TransactionError as error:
                error.fix(extras)

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Party = pool.get('party.party')
        WebUser = pool.get('web.user')
        Invoice = pool.get('account.invoice')
        Account = pool.get('account.account')
        Journal = pool.get('account.journal')
        FiscalYear = pool.get('account.fiscalyear')
        company = create_company()
        with set_company(company):
            create_chart(company)
            fiscalyear = set_invoice_sequences(get_fiscalyear(company))
            fiscalyear.save()
            FiscalYear.create_period([fiscalyear])
            revenue, = Account.search([
                    ('type.revenue', '=', True),
                    ('closed', '=', False)], limit=1)
            receivable, = Account.search([
                    ('type.receivable', '=', True),
                    ('party_required', '=', True)], limit=1)
            journal, = Journal.search([('type', '=', 'revenue')], limit=1)
            parties = []
            for name in ["Alice Martin", "Bruno Costa"]:
                party, = Party.create([{
                            'name': name,
                            'account_receivable': receivable.id,
                            'addresses': [('create', [{
                                            'city': "Castres"}])],
                            }])
                parties.append(party)
                WebUser(email=f'{name.split()[0].lower()}@example.org',
                    password=PASSWORD, party=party).save()
                invoice = Invoice(type='out', party=party,
                    invoice_address=party.addresses[0], journal=journal,
                    account=receivable, description=f"Loyer {name}",
                    currency=company.currency)
                invoice.lines = [{
                        'description': "Loyer",
                        'quantity': 1,
                        'unit_price': Decimal('420.00'),
                        'account': revenue,
                        'type': 'line',
                        }]
                invoice.save()
                Invoice.post([invoice])

    def invoice_id(self, name):
        with Transaction().start(DB_NAME, 0):
            Invoice = Pool().get('account.invoice')
            invoice, = Invoice.search([('party.name', '=', name)])
            return invoice.id

    def login(self, client, email='alice@example.org', password=PASSWORD):
        return client.post(f'/{DB_NAME}/portal/login',
            data={'email': email, 'password': password})

    def test_login_and_invoices(self):
        "Alice logs in and sees her invoice, not Bruno's"
        client = self.client()
        response = client.get(f'/{DB_NAME}/portal/invoices')
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.location.endswith('/portal/login'))

        response = self.login(client)
        self.assertEqual(response.status_code, 302)
        cookie = response.headers['Set-Cookie']
        for flag in ['HttpOnly', 'Secure', 'SameSite=Strict']:
            self.assertIn(flag, cookie)

        response = client.get(f'/{DB_NAME}/portal/invoices')
        self.assertEqual(response.status_code, 200)
        self.assertIn("Loyer Alice Martin", response.text)
        self.assertNotIn("Bruno", response.text)
        self.assertIn("420,00 €", response.text)
        self.assertIn("default-src 'self'",
            response.headers['Content-Security-Policy'])

    def test_other_party_document_is_not_found(self):
        "Alice asking for Bruno's invoice by id gets 404"
        client = self.client()
        self.login(client)
        own = client.get(
            f'/{DB_NAME}/portal/document/invoice/'
            f'{self.invoice_id("Alice Martin")}')
        self.assertEqual(own.status_code, 200)
        self.assertIn('attachment', own.headers['Content-Disposition'])
        for kind in ['invoice', 'facturx']:
            other = client.get(
                f'/{DB_NAME}/portal/document/{kind}/'
                f'{self.invoice_id("Bruno Costa")}')
            self.assertEqual(other.status_code, 404)

    def test_wrong_password_and_throttling(self):
        "A wrong password is refused, then every try for a while"
        client = self.client()
        with patch('time.sleep'):
            response = self.login(client, password='faux')
            self.assertEqual(response.status_code, 401)
            self.assertIn("incorrect", response.text)
            for _ in range(8):
                response = self.login(
                    client, email='bruno@example.org', password='faux')
            self.assertIn("Trop de tentatives", response.text)
            response = self.login(client, email='bruno@example.org')
            self.assertEqual(response.status_code, 401)

    def test_logout_needs_csrf_and_ends_session(self):
        "Log out is a POST with the session's token; the session ends"
        client = self.client()
        self.login(client)
        page = client.get(f'/{DB_NAME}/portal/invoices')
        response = client.post(f'/{DB_NAME}/portal/logout',
            data={'csrf': 'forged'})
        self.assertEqual(response.status_code, 403)
        response = client.post(f'/{DB_NAME}/portal/logout',
            data={'csrf': csrf(page)})
        self.assertEqual(response.status_code, 302)
        response = client.get(f'/{DB_NAME}/portal/invoices')
        self.assertEqual(response.status_code, 302)

    def test_cross_site_post_refused(self):
        "A form posted from another site is refused"
        client = self.client()
        try:
            response = client.post(f'/{DB_NAME}/portal/login',
                data={'email': 'alice@example.org', 'password': PASSWORD},
                headers={'Origin': 'https://evil.example'})
        except Forbidden:  # trytond refuses another origin before routing
            return
        self.assertEqual(response.status_code, 403)

    def test_password_reset(self):
        "A reset sends a link by e-mail; the link sets the password once"
        client = self.client()
        with patch('trytond.modules.web_user.user.send_message_transactional'
                ) as sendmail:
            response = client.post(f'/{DB_NAME}/portal/reset',
                data={'email': 'alice@example.org'})
            unknown = client.post(f'/{DB_NAME}/portal/reset',
                data={'email': 'nobody@example.org'})
        self.assertEqual(response.text, unknown.text)
        self.assertEqual(sendmail.call_count, 1)
        with Transaction().start(DB_NAME, 0):
            WebUser = Pool().get('web.user')
            user, = WebUser.search([('email', '=', 'alice@example.org')])
            token = user.reset_password_token
        self.assertTrue(token)
        response = client.post(f'/{DB_NAME}/portal/password', data={
                'email': 'alice@example.org', 'token': token,
                'password': 'nouveau-secret', 'confirm': 'nouveau-secret'})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.login(
                client, password='nouveau-secret').status_code, 302)
        response = client.post(f'/{DB_NAME}/portal/password', data={
                'email': 'alice@example.org', 'token': token,
                'password': 'encore-autre', 'confirm': 'encore-autre'})
        self.assertEqual(response.status_code, 400)
        with Transaction().start(DB_NAME, 0) as transaction:
            user, = WebUser.search([('email', '=', 'alice@example.org')])
            user.password = PASSWORD
            user.save()
            transaction.commit()

    def test_invitation(self):
        "An invitation creates the account and mails a link to the portal"
        with Transaction().start(DB_NAME, 0, context={'_request': {
                        'http_host': 'portail.example', 'is_secure': True},
                    }) as transaction:
            pool = Pool()
            Party = pool.get('party.party')
            WebUser = pool.get('web.user')
            party = Party(name="Chloé Invitée")
            party.contact_mechanisms = [
                {'type': 'email', 'value': 'chloe@example.org'}]
            party.save()
            nomail = Party(name="Sans Courriel")
            nomail.save()
            with patch('trytond.modules.web_user.user.'
                    'send_message_transactional') as send:
                user, = WebUser.portal_invite([party])
            self.assertEqual((user.email, user.party), (
                    'chloe@example.org', party))
            message = send.call_args[0][0]
            self.assertEqual(message['To'], 'chloe@example.org')
            body = message.get_payload(decode=True).decode()
            self.assertIn(
                f'https://portail.example/{DB_NAME}/portal/password', body)
            self.assertIn(user.reset_password_token, body)
            with self.assertRaises(PortalError):
                WebUser.portal_invite([nomail])
            transaction.commit()
        client = self.client()
        with Transaction().start(DB_NAME, 0):
            user, = Pool().get('web.user').search(
                [('email', '=', 'chloe@example.org')])
            token = user.reset_password_token
        response = client.post(f'/{DB_NAME}/portal/password', data={
                'email': 'chloe@example.org', 'token': token,
                'password': 'bienvenue-chloe', 'confirm': 'bienvenue-chloe'})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.login(client, email='chloe@example.org',
                password='bienvenue-chloe').status_code, 302)

    def contact_page(self, client, redirection=None):
        "The page, or where a POST redirected to"
        if redirection is not None:
            self.assertEqual(redirection.status_code, 302)
        response = client.get(redirection.location if redirection
            else f'/{DB_NAME}/portal/contact')
        self.assertEqual(response.status_code, 200)
        return response

    def test_contact_change(self):
        "Alice changes her address, e-mail and phone; a wrong form is kept"
        client = self.client()
        self.login(client)
        page = self.contact_page(client)
        self.assertIn('value="Castres"', page.text)
        token = csrf(page)
        form = {
            'csrf': token, 'action': 'contact',
            'street': "3 rue de la Paix", 'postal_code': "81100",
            'city': "Castres", 'email': 'alice.martin@example.org',
            'phone': '',
            }
        refused = client.post(f'/{DB_NAME}/portal/contact',
            data={**form, 'city': ''})
        self.assertEqual(refused.status_code, 200)
        self.assertIn('role="alert"', refused.text)
        self.assertIn('3 rue de la Paix', refused.text)  # the form is kept
        response = client.post(
            f'/{DB_NAME}/portal/contact', data={**form, 'csrf': 'forged'})
        self.assertEqual(response.status_code, 403)
        response = client.post(f'/{DB_NAME}/portal/contact', data=form)
        page = self.contact_page(client, response)
        self.assertIn("Vos coordonnées sont enregistrées", page.text)
        self.assertIn('3 rue de la Paix', page.text)

        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Party = pool.get('party.party')
            Address = pool.get('party.address')
            alice, = Party.search([('name', '=', "Alice Martin")])
            bruno, = Party.search([('name', '=', "Bruno Costa")])
            address = alice.address_get()
            self.assertEqual(
                (address.street, address.postal_code, address.city),
                ("3 rue de la Paix", "81100", "Castres"))
            self.assertEqual(alice.email, 'alice.martin@example.org')
            # The invoice keeps the address it was posted with
            old, = Address.search([
                    ('party', '=', alice.id), ('active', '=', False)])
            self.assertEqual(old.city, "Castres")
            self.assertFalse(old.street)
            self.assertFalse(bruno.email)

    def test_sepa_mandate(self):
        """Without creditor identifier the page says so; then Alice enters
        her IBAN, signs the mandate and revokes it; Bruno cannot revoke
        it"""
        client = self.client()
        self.login(client)
        page = self.contact_page(client)
        self.assertIn("SEPA creditor identifier", page.text)
        self.assertNotIn('name="iban"', page.text)
        response = client.post(f'/{DB_NAME}/portal/contact', data={
                'csrf': csrf(page), 'action': 'mandate', 'accept': 'yes',
                'iban': 'FR14 2004 1010 0505 0001 3M02 606'})
        self.assertIn("SEPA creditor identifier", response.text)

        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Company = pool.get('company.company')
            Identifier = pool.get('party.identifier')
            company, = Company.search([])
            Identifier(party=company.party, type='eu_at_02',
                code='FR72ZZZ123456').save()
            transaction.commit()

        page = self.contact_page(client)
        self.assertIn('FR72ZZZ123456', page.text)
        token = csrf(page)
        form = {'csrf': token, 'action': 'mandate', 'accept': 'yes',
            'iban': 'FR14 2004 1010 0505 0001 3M02 606'}
        for refused, message in [
                ({'iban': 'FR14 2004 1010 0505 0001 3M02 607'}, "not valid"),
                ({'accept': ''}, "Tick the box")]:
            response = client.post(
                f'/{DB_NAME}/portal/contact', data={**form, **refused})
            self.assertEqual(response.status_code, 200)
            self.assertIn(message, response.text)
        response = client.post(f'/{DB_NAME}/portal/contact', data=form)
        page = self.contact_page(client, response)
        self.assertIn("Le mandat de prélèvement est signé", page.text)
        self.assertIn('FR14 •••• •••• •••• •••• •••2 606', page.text)
        self.assertNotIn('3M02', page.text)
        response = client.post(f'/{DB_NAME}/portal/contact', data=form)
        self.assertIn("already active", response.text)

        with Transaction().start(DB_NAME, 0):
            Mandate = Pool().get('account.payment.sepa.mandate')
            mandate, = Mandate.search([('party.name', '=', "Alice Martin")])
            self.assertEqual(mandate.state, 'validated')
            self.assertEqual(
                mandate.signature_date, datetime.date.today())
            self.assertEqual(mandate.account_number.number_compact,
                'FR1420041010050500013M02606')
            self.assertEqual((mandate.type, mandate.scheme),
                ('recurrent', 'CORE'))
            self.assertTrue(mandate.identification)
            self.assertIn(mandate.identification, page.text)
            mandate_id = mandate.id

        # Bruno may not use Alice's IBAN nor revoke her mandate
        other = self.client()
        self.login(other, email='bruno@example.org')
        page = self.contact_page(other)
        response = other.post(f'/{DB_NAME}/portal/contact', data={
                'csrf': csrf(page), 'action': 'mandate', 'accept': 'yes',
                'iban': 'FR1420041010050500013M02606'})
        self.assertIn("another party", response.text)
        response = other.post(f'/{DB_NAME}/portal/contact', data={
                'csrf': csrf(page), 'action': 'revoke',
                'mandate': str(mandate_id)})
        self.assertEqual(response.status_code, 404)

        response = client.post(f'/{DB_NAME}/portal/contact', data={
                'csrf': 'forged', 'action': 'revoke',
                'mandate': str(mandate_id)})
        self.assertEqual(response.status_code, 403)
        response = client.post(f'/{DB_NAME}/portal/contact', data={
                'csrf': token, 'action': 'revoke',
                'mandate': str(mandate_id)})
        page = self.contact_page(client, response)
        self.assertIn("Le mandat de prélèvement est révoqué", page.text)
        self.assertIn('name="iban"', page.text)
        with Transaction().start(DB_NAME, 0):
            Mandate = Pool().get('account.payment.sepa.mandate')
            self.assertEqual(Mandate(mandate_id).state, 'cancelled')


del RouteTestCase
