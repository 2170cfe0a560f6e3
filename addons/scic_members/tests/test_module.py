# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
import datetime
import io
from decimal import Decimal

from pypdf import PdfReader
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.modules.company.tests import (
    CompanyTestMixin,
    PartyCompanyCheckEraseMixin,
    create_company,
    set_company,
)
from trytond.modules.party.exceptions import EraseError
from trytond.modules.party.tests import PartyCheckReplaceMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ateliers.testing import (
    AllModulesTestMixin,
    PartyReplaceAllFieldsMixin,
)

from ..exceptions import AssemblyError, MovementError
from ..share_register import _variable_capital, register_lines

CAPITAL_FIELDS = [
    'scic_capital', 'scic_capital_highest', 'scic_capital_floor',
    'scic_capital_public']


def create_register(company, share_value=Decimal(100)):
    """The company ready to keep its share register: the French chart (the
    register's entries use its PCG accounts), the fiscal year of today
    with its periods, the nominal value of a share."""
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    create_chart(company, chart='account_fr.root')
    fiscalyear = get_fiscalyear(company)
    fiscalyear.save()
    FiscalYear.create_period([fiscalyear])
    company.scic_share_value = share_value
    company.save()


def create_associate(company, name, category_code='supporters'):
    pool = Pool()
    Party = pool.get('party.party')
    Category = pool.get('scic.category')
    Member = pool.get('scic.member')
    category, = Category.search([('code', '=', category_code)])
    party = Party(name=name)
    party.save()
    member = Member(
        company=company, party=party, category=category,
        kind='organisation', admission_body='board',
        admission_date=datetime.date.today().replace(month=1, day=2))
    member.save()
    Member.admit([member])
    return member


def create_user(login, company, groups=()):
    "A functional user of company in the groups given by their XML id"
    pool = Pool()
    User = pool.get('res.user')
    Group = pool.get('res.group')
    ModelData = pool.get('ir.model.data')
    user = User(
        login=login, name=login, companies=[company], company=company,
        groups=[Group(ModelData.get_id(*g.split('.'))) for g in groups])
    user.save()
    return user


def pdf_text(content):
    "The text of a PDF, whitespace (line breaks, no-break spaces) folded"
    reader = PdfReader(io.BytesIO(content))
    return ' '.join(
        ' '.join(page.extract_text() for page in reader.pages).split())


def create_assembly(company, members, date=None):
    "A convened ordinary assembly of company with the associates admitted"
    pool = Pool()
    Assembly = pool.get('scic.assembly')
    date = date or datetime.date.today()
    assembly = Assembly(
        company=company, name="AGO", date=date, convocation_date=date,
        location="Castres")
    assembly.save()
    Assembly.convene([assembly])
    return Assembly(assembly.id)


class ScicMembersTestCase(
        AllModulesTestMixin, PartyCompanyCheckEraseMixin,
        PartyCheckReplaceMixin, PartyReplaceAllFieldsMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test scic_members module"
    module = 'scic_members'

    @with_transaction()
    def test_capital_floor_highest_capital_as_number(self):
        """Loi n° 47-1775 du 10 septembre 1947, art. 13: the capital may
        not be reduced below a quarter of the highest capital ever reached.
        The highest capital is compared as a number: with a history 9,000
        -> 12,000 it is 12,000 (as text '9000.00' > '12000.00'), so the
        floor is 3,000 and redemptions below it are refused."""
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        Company = pool.get('company.company')
        company = create_company()
        with set_company(company):
            create_register(company)
            member = create_associate(company, "ETIC")
            date = datetime.date.today().replace(month=1, day=15)

            def movement(kind, shares, **values):
                movement = Movement(
                    company=company, kind=kind, member=member, date=date,
                    shares=shares, **values)
                movement.save()
                return movement
            for shares in [90, 30]:
                Movement.confirm([movement(
                            'subscription', shares,
                            amount_paid=shares * Decimal(100))])
            self.assertEqual(
                Movement.capital(company), Decimal('12000.00'))
            self.assertEqual(
                Movement.highest_capital(company), Decimal('12000.00'))
            self.assertEqual(
                Movement.capital_floor(company), Decimal('3000.00'))
            company = Company(company.id)
            self.assertEqual(
                (company.scic_capital_highest, company.scic_capital_floor),
                (Decimal('12000.00'), Decimal('3000.00')))

            # 12,000 -> 2,500: below the floor (above a quarter of 9,000)
            below = movement('redemption', 95)
            with self.assertRaises(MovementError):
                Movement.confirm([below])
            self.assertEqual(below.state, 'draft')

            # 12,000 -> 3,000: down to the floor, allowed
            Movement.confirm([movement('redemption', 90)])
            self.assertEqual(Movement.capital(company), Decimal('3000.00'))
            self.assertEqual(
                Movement.highest_capital(company), Decimal('12000.00'))

            # 3,000 -> 2,900: below the floor
            with self.assertRaises(MovementError):
                Movement.confirm([movement('redemption', 1)])
            self.assertEqual(Movement.capital(company), Decimal('3000.00'))

    @with_transaction()
    def test_member_search_rec_name_negative(self):
        "Search associates by number and party with negative operators"
        pool = Pool()
        Member = pool.get('scic.member')
        company = create_company()
        with set_company(company):
            create_register(company)
            etic = create_associate(company, "ETIC")
            bois = create_associate(company, "Coop Bois")

            self.assertEqual(
                Member.search([('rec_name', 'ilike', '%bois%')]), [bois])
            self.assertEqual(
                Member.search([('rec_name', 'not ilike', '%bois%')]), [etic])
            self.assertEqual(
                Member.search([('rec_name', '!=', 'Coop Bois')]), [etic])

    @with_transaction()
    def test_movement_search_rec_name_negative(self):
        "Search movements by number and associate with negative operators"
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        company = create_company()
        with set_company(company):
            create_register(company)
            date = datetime.date.today().replace(month=1, day=15)
            movements = []
            for name in ["ETIC", "Coop Bois"]:
                movement = Movement(
                    company=company, kind='subscription',
                    member=create_associate(company, name), date=date,
                    shares=10, amount_paid=Decimal(1000))
                movement.save()
                movements.append(movement)
            Movement.confirm(movements)
            etic, bois = movements

            self.assertEqual(
                Movement.search([('rec_name', 'ilike', '%bois%')]), [bois])
            self.assertEqual(
                Movement.search([('rec_name', 'not ilike', '%bois%')]),
                [etic])
            self.assertEqual(
                Movement.search([('rec_name', 'not ilike', etic.number)]),
                [bois])

    @with_transaction()
    def test_capital_fields_scic_groups_only(self):
        """The capital figures of the company (current, highest, floor,
        public bodies' part) are read only by the SCIC groups"""
        pool = Pool()
        Company = pool.get('company.company')
        company = create_company()
        with set_company(company):
            outsider = create_user('outsider', company)
            readers = [
                create_user('scic_readonly', company,
                    ['scic_members.group_scic_readonly']),
                create_user('scic_admin', company,
                    ['scic_members.group_scic_admin']),
                ]
        transaction = Transaction()
        for name in CAPITAL_FIELDS:
            with transaction.set_user(outsider.id), \
                    transaction.set_context(_check_access=True):
                # The company itself stays readable
                Company.read([company.id], ['rec_name'])
                with self.assertRaises(AccessError):
                    Company.read([company.id], [name])
                view = Company.fields_view_get(view_type='form')
                self.assertNotIn(name, view['fields'])
        for user in readers:
            with transaction.set_user(user.id), \
                    transaction.set_context(_check_access=True):
                values, = Company.read([company.id], CAPITAL_FIELDS)
                self.assertEqual(
                    [values[n] for n in CAPITAL_FIELDS], [Decimal(0)] * 4)
                view = Company.fields_view_get(view_type='form')
                self.assertTrue(set(CAPITAL_FIELDS) <= set(view['fields']))


    @with_transaction()
    def test_erase_party_associate(self):
        "An associate holding shares cannot be erased"
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        company = create_company()
        with set_company(company):
            create_register(company)
            member = create_associate(company, "ETIC")
            member.party.active = False
            member.party.save()
            self.erase(member.party)
            movement = Movement(
                company=company, kind='subscription', member=member,
                date=datetime.date.today().replace(month=1, day=15),
                shares=10, amount_paid=Decimal(1000))
            movement.save()
            Movement.confirm([movement])

            with self.assertRaises(EraseError):
                self.erase(member.party)

    @with_transaction()
    def test_member_order_numeric(self):
        """Associate numbers are ordered as numbers (2 before 10): in the
        lists, the register, the convocation list"""
        pool = Pool()
        Member = pool.get('scic.member')
        Attendee = pool.get('scic.assembly.attendee')
        company = create_company()
        with set_company(company):
            create_register(company)
            # Numbers as a register taken over may hold them (PostgreSQL
            # sequences are not rolled back between tests: set them)
            numbers = ['10', '2', '100', '1', '11', '9', '20', '3', '12']
            members = [
                create_associate(company, f"Associé {n}") for n in numbers]
            for prefix in ['x', '']:
                for member, number in zip(members, numbers):
                    Member.write([member], {'number': prefix + number})
            expected = sorted(numbers, key=int)
            # A candidate has no number yet: last
            candidate = Member(
                company=company, party=members[0].party.__class__(
                    name="Candidat"),
                category=members[0].category, kind='person')
            candidate.party.save()
            candidate.save()

            self.assertEqual(
                [m.number for m in Member.search([])], expected + [None])
            self.assertEqual(
                [m.number for m in Member.search(
                        [('number', '!=', None)],
                        order=[('number', 'ASC')])],
                expected)
            self.assertEqual(
                [m.number for m in Member.search(
                        [('number', '!=', None)],
                        order=[('number', 'DESC')])],
                expected[::-1])
            self.assertEqual(
                [line['number'] for line in register_lines(company)],
                expected)
            assembly = create_assembly(company, members)
            self.assertEqual(
                [a.member.number for a in assembly.attendees], expected)
            self.assertEqual(
                [a.member.number for a in Attendee.search(
                        [('assembly', '=', assembly.id)])], expected)

    @with_transaction()
    def test_mark_all_present(self):
        """"Mark All Present" marks the absent convened associates present
        in one click, keeps the proxies, only while the assembly is
        convened, and only for the SCIC administrators"""
        pool = Pool()
        Assembly = pool.get('scic.assembly')
        Attendee = pool.get('scic.assembly.attendee')
        company = create_company()
        with set_company(company):
            create_register(company)
            members = [
                create_associate(company, f"Associé {i}")
                for i in range(1, 13)]
            assembly = create_assembly(company, members)
            self.assertEqual(
                (assembly.convened, assembly.present), (12, 0))
            first, second = assembly.attendees[:2]
            Attendee.write([first], {'attendance': 'present'})
            Attendee.write([second], {
                    'attendance': 'represented', 'proxy_holder': first.id})
            reader = create_user('scic_readonly', company,
                ['scic_members.group_scic_readonly'])
            admin = create_user('scic_admin', company,
                ['scic_members.group_scic_admin'])

            transaction = Transaction()
            with transaction.set_user(reader.id), \
                    transaction.set_context(_check_access=True):
                with self.assertRaises(AccessButtonError):
                    Assembly.mark_all_present([Assembly(assembly.id)])
            with transaction.set_user(admin.id), \
                    transaction.set_context(_check_access=True):
                Assembly.mark_all_present([Assembly(assembly.id)])

            assembly = Assembly(assembly.id)
            self.assertEqual(
                (assembly.present, assembly.represented), (11, 1))
            second = Attendee(second.id)
            self.assertEqual(
                (second.attendance, second.proxy_holder),
                ('represented', first))
            self.assertTrue(assembly.quorum_reached)

            Assembly.hold([assembly])
            with self.assertRaises(AssemblyError):
                Assembly.mark_all_present([assembly])

    def test_variable_capital_mention(self):
        "The foot of every document says the capital is variable"
        self.assertEqual(
            _variable_capital(["Les Ateliers, SCIC SAS à capital variable"]),
            ["Les Ateliers, SCIC SAS à capital variable"])
        self.assertEqual(
            _variable_capital(["Les Ateliers, SAS", "81 rue de Strasbourg"]),
            ["Les Ateliers, SAS, société coopérative d'intérêt collectif "
                "à capital variable", "81 rue de Strasbourg"])

    @with_transaction()
    def test_documents_pdf(self):
        """Every document of the register and of the general assembly is a
        PDF in French with the legal mentions of its kind"""
        pool = Pool()
        Movement = pool.get('scic.share.movement')
        Assembly = pool.get('scic.assembly')
        Attendee = pool.get('scic.assembly.attendee')
        Resolution = pool.get('scic.assembly.resolution')
        Party = pool.get('party.party')
        company = create_company(name="Les Ateliers SCIC")
        Address = pool.get('party.address')
        address = {
            'street': "81 rue de Strasbourg", 'postal_code': "81100",
            'city': "Castres"}
        if company.party.addresses:
            Address.write(list(company.party.addresses), address)
        else:
            Party.write([company.party], {
                    'addresses': [('create', [address])]})
        today = datetime.date.today()
        with set_company(company):
            create_register(company)
            alice = create_associate(company, "Alice Martin", 'employees')
            members = [alice] + [
                create_associate(company, f"Associé {i}")
                for i in range(2, 12)]
            subscription = Movement(
                company=company, kind='subscription', member=alice,
                date=today.replace(month=1, day=15), shares=10,
                amount_paid=Decimal(250))
            subscription.save()
            Movement.confirm([subscription])
            assembly = create_assembly(company, members)
            Assembly.mark_all_present([assembly])
            Assembly.hold([assembly])
            resolution = Resolution(
                assembly=assembly, title="Approbation des comptes",
                text="L'assemblée approuve les comptes de l'exercice.")
            resolution.save()
            Resolution.prepare_votes([resolution])
            vote, = Resolution(resolution.id).votes
            vote.yes, vote.no, vote.abstain = 9, 1, 1
            vote.save()
            self.assertEqual(len(Attendee.search([
                            ('assembly', '=', assembly.id),
                            ('attendance', '=', 'present')])), 11)

            def render(name, records, data=None):
                Report = pool.get(name, type='report')
                ext, content, _, _ = Report.execute(
                    [r.id for r in records], data or {})
                self.assertEqual(ext, 'pdf')
                self.assertEqual(content[:4], b'%PDF')
                text = pdf_text(content)
                for mention in [
                        "Les Ateliers SCIC", "capital variable",
                        "81100 Castres"]:
                    self.assertIn(mention, text)
                return text

            text = render('scic.subscription_form', [subscription])
            for expected in [
                    "Bulletin de souscription de parts sociales",
                    "Alice Martin", subscription.number,
                    "10 part(s) sociale(s)", "100,00 €", "1 000,00 €",
                    "Je verse ce jour 250,00 €",
                    "loi n° 47-1775 du 10 septembre 1947, art. 12",
                    "750,00 € sera appelé",
                    "avoir reçu un exemplaire des statuts",
                    "Fait en deux exemplaires, à Castres",
                    "Bon pour souscription de 10 parts sociales",
                    "Pour la coopérative"]:
                self.assertIn(expected, text)

            text = render('scic.attestation', [alice], {'date': today})
            for expected in [
                    "Attestation de détention de parts sociales",
                    "Alice Martin", f"associé(e) n° {alice.number}",
                    "Salariés",
                    "10 part(s) sociale(s)",
                    "valeur nominale de 100,00 €",
                    "capital souscrit de 1 000,00 €",
                    today.strftime('%d/%m/%Y'),
                    "Pour la coopérative, le président"]:
                self.assertIn(expected, text)

            text = render('scic.member_register', [], {
                    'company': company.id, 'date': today})
            for expected in [
                    "Registre des associés au " + today.strftime('%d/%m/%Y'),
                    "N° Nom / Raison sociale Type Catégorie Collège "
                    "Admission Sortie Parts Souscrit Appelé Libéré",
                    "Alice Martin", "Associé 11", "Personne morale",
                    "Associés : 11"]:
                self.assertIn(expected, text)
            self.assertLess(text.index("Associé 2 "), text.index("Associé 10"))

            text = render('scic.movement_register', [], {
                    'company': company.id, 'date': today})
            for expected in [
                    "Registre des mouvements de parts",
                    "N° Date Nature Associé Bénéficiaire Parts Montant "
                    "Capital après",
                    subscription.number,
                    f"Souscription {alice.number} - Alice Martin",
                    "1 000,00 €"]:
                self.assertIn(expected, text)

            assembly = Assembly(assembly.id)
            text = render('scic.assembly.convocation_list', [assembly])
            for expected in [
                    "Liste des associés convoqués",
                    "Assemblée générale ordinaire du "
                    + today.strftime('%d/%m/%Y') + ", Castres",
                    "convoqués : 11", "Alice Martin", "Associé 11"]:
                self.assertIn(expected, text)

            text = render('scic.assembly.attendance_sheet', [assembly])
            for expected in [
                    "Feuille de présence",
                    "N° Associé Collège Présence Mandataire Signature",
                    f"{alice.number} Alice Martin Présent",
                    "Convoqués : 11 — présents : 11 — représentés : 0",
                    "Le président de séance", "Le secrétaire de séance"]:
                self.assertIn(expected, text)

            text = render('scic.assembly.minutes', [assembly])
            for expected in [
                    "Procès-verbal de l’assemblée générale",
                    "Assemblée générale ordinaire réunie le "
                    + today.strftime('%d/%m/%Y') + " à Castres",
                    "Première résolution : Approbation des comptes",
                    "L'assemblée approuve les comptes de l'exercice.",
                    "Tous les associés",
                    "Résultat pondéré : 90,00 % des suffrages exprimés — "
                    "résolution adoptée.",
                    "Le président de séance"]:
                self.assertIn(expected, text)


del ModuleTestCase
