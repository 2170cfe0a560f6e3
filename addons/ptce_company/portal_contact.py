# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
""""Mes coordonnées" on the member portal: the party's postal address,
e-mail and phone, its IBAN and the SEPA direct debit mandate (stock
`account_payment_sepa`) with which the cooperative collects the rents and
the share calls.  The mandate is signed online: the associate or tenant
ticks its text, which the page shows with the creditor's identifier."""
import datetime
from pathlib import Path

from stdnum import iban as stdnum_iban
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.protocols.wrappers import HTTPStatus, abort, redirect
from trytond.transaction import Transaction

from .exceptions import PortalError

TEMPLATES = Path(__file__).parent / 'portal'
ACTIVE_MANDATE = ['requested', 'validated']
NOTICES = {
    'contact': "Vos coordonnées sont enregistrées.",
    'mandate': "Le mandat de prélèvement est signé et actif.",
    'revoked': "Le mandat de prélèvement est révoqué : les prochaines "
    "échéances ne seront plus prélevées.",
    }


def mask_iban(number):
    "The IBAN with only its country, key and last four characters shown"
    compact = stdnum_iban.compact(number or '')
    if len(compact) <= 8:
        return compact
    masked = compact[:4] + '•' * (len(compact) - 8) + compact[-4:]
    return ' '.join(masked[i:i + 4] for i in range(0, len(masked), 4))


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    @classmethod
    def portal_pages(cls):
        return super().portal_pages() + [
            ('contact', "Mes coordonnées", TEMPLATES)]

    def portal_mandates(self):
        "The active SEPA mandates of the user's party with the company"
        pool = Pool()
        Mandate = pool.get('account.payment.sepa.mandate')
        return Mandate.search([
                ('party', '=', self.party.id),
                ('company', '=', self.portal_company().id),
                ('state', 'in', ACTIVE_MANDATE),
                ], order=[('signature_date', 'DESC'), ('id', 'DESC')])

    def portal_contact(self, request):
        company = self.portal_company()
        error = None
        if request.method == 'POST':
            action = request.form.get('action')
            try:
                if action == 'contact':
                    self._portal_save_contact(request.form)
                elif action == 'mandate':
                    self._portal_sign_mandate(request.form)
                elif action == 'revoke':
                    self._portal_revoke_mandate(request.form)
                else:
                    abort(HTTPStatus.BAD_REQUEST)
            except UserError as exception:
                # Nothing of the refused form is kept: the page is shown
                # with the reason from a clean transaction
                Transaction().rollback()
                error = (action, exception.message)
            else:
                done = 'revoked' if action == 'revoke' else action
                return redirect(f'{request.base_url}?done={done}')
        party = self.party
        address = party.address_get()
        creditor = company.party.sepa_creditor_identifier_used
        return 'contact.html', {
            'party': party,
            'address': address,
            'form': request.form if error else {},
            'error': error,
            'notice': NOTICES.get(request.args.get('done')),
            'creditor': creditor,
            'creditor_name': company.rec_name,
            'no_creditor': (None if creditor else gettext(
                    'ptce_company.msg_portal_mandate_no_creditor')),
            'mandates': self.portal_mandates(),
            'mask_iban': mask_iban,
            }

    def _portal_save_contact(self, form):
        """Change the party's address, e-mail and phone.  A changed address
        is a new one and the old one is deactivated: the posted invoices
        and the signed mandates keep the address they were made with."""
        pool = Pool()
        Address = pool.get('party.address')
        ContactMechanism = pool.get('party.contact_mechanism')
        Country = pool.get('country.country')
        party = self.party
        street = (form.get('street') or '').strip()
        postal_code = (form.get('postal_code') or '').strip()
        city = (form.get('city') or '').strip()
        email = (form.get('email') or '').strip()
        phone = (form.get('phone') or '').strip()
        if not (street and postal_code and city):
            raise PortalError(gettext(
                    'ptce_company.msg_portal_contact_address'))
        if not email:
            raise PortalError(gettext('ptce_company.msg_portal_contact_email'))

        current = party.address_get()
        if (not current
                or (current.street or '').strip() != street
                or (current.postal_code or '') != postal_code
                or (current.city or '') != city):
            if current:
                country = current.country
            else:
                countries = Country.search([('code', '=', 'FR')], limit=1)
                country = countries[0] if countries else None
            address = Address(party=party, street=street,
                postal_code=postal_code, city=city, country=country,
                sequence=current.sequence if current else None)
            Address.save([address])
            if current:
                Address.write([current], {'active': False})

        to_save, to_delete = [], []
        for type_, value in [('email', email), ('phone', phone)]:
            mechanisms = [m for m in party.contact_mechanisms
                if m.type == type_]
            if mechanisms:
                mechanism = mechanisms[0]
                if not value:
                    to_delete.append(mechanism)
                elif mechanism.value != value:
                    mechanism.value = value
                    to_save.append(mechanism)
            elif value:
                to_save.append(ContactMechanism(
                        party=party, type=type_, value=value))
        ContactMechanism.save(to_save)
        ContactMechanism.delete(to_delete)

    def _portal_bank_number(self, iban):
        """The IBAN account number of the user's party, created when new;
        refused when invalid or another party's."""
        pool = Pool()
        Account = pool.get('bank.account')
        Number = pool.get('bank.account.number')
        party = self.party
        compact = stdnum_iban.compact(iban or '')
        if not compact or not stdnum_iban.is_valid(compact):
            raise PortalError(gettext(
                    'ptce_company.msg_portal_iban_invalid', iban=iban))
        numbers = Number.search([
                ('type', '=', 'iban'),
                ('number_compact', '=', compact),
                ])
        for number in numbers:
            if party in number.account.owners:
                return number
        if numbers:
            raise PortalError(gettext('ptce_company.msg_portal_iban_used'))
        account = Account(owners=[party],
            numbers=[Number(type='iban', number=stdnum_iban.format(compact))])
        Account.save([account])
        number, = account.numbers
        return number

    def _portal_sign_mandate(self, form):
        """Create the party's recurrent SEPA mandate on its IBAN, signed
        today by ticking its text, and validate it: the cooperative then
        collects the rents and the share calls on it."""
        pool = Pool()
        Mandate = pool.get('account.payment.sepa.mandate')
        company = self.portal_company()
        if not company.party.sepa_creditor_identifier_used:
            raise PortalError(gettext(
                    'ptce_company.msg_portal_mandate_no_creditor'))
        if form.get('accept') != 'yes':
            raise PortalError(gettext(
                    'ptce_company.msg_portal_mandate_not_accepted'))
        if self.portal_mandates():
            raise PortalError(gettext(
                    'ptce_company.msg_portal_mandate_active'))
        address = self.party.address_get()
        if not address:
            raise PortalError(gettext(
                    'ptce_company.msg_portal_mandate_no_address'))
        number = self._portal_bank_number(form.get('iban'))
        today = datetime.date.today()
        mandate = Mandate(party=self.party, company=company, address=address,
            account_number=number, type='recurrent', scheme='CORE',
            signature_date=today)
        Mandate.save([mandate])
        if not mandate.identification:
            # No mandate sequence configured: a unique reference (RUM) of
            # at most 35 characters, as the SEPA rules require
            mandate.identification = f'PORTAIL-{mandate.id}-{today:%Y%m%d}'
            Mandate.save([mandate])
        Mandate.request([mandate])
        Mandate.validate_mandate([mandate])
        self.portal_mandate_signed(mandate)

    def portal_mandate_signed(self, mandate):
        """Hook for the modules whose documents name a mandate (a lease):
        called once the party's new mandate is validated."""

    def _portal_revoke_mandate(self, form):
        "Cancel an active mandate of the party; another's is not found"
        pool = Pool()
        Mandate = pool.get('account.payment.sepa.mandate')
        try:
            mandate_id = int(form.get('mandate', ''))
        except ValueError:
            abort(HTTPStatus.NOT_FOUND)
        mandates = [m for m in self.portal_mandates() if m.id == mandate_id]
        if not mandates:
            abort(HTTPStatus.NOT_FOUND)
        Mandate.cancel(mandates)
