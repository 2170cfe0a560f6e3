# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
""""Assemblées" on the member portal: the assemblies the associate is
convened to, its attendance and votes, the convocation list, the documents
shared with the associates and the minutes once closed; nothing of an
assembly the associate is not convened to."""
import datetime

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests import test_tryton
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction, TransactionError

from .test_module import create_register

PASSWORD = 'mot-de-passe-solide'


class AssemblyPortalTestCase(RouteTestCase):
    "Test the assemblies page of the member portal"
    module = 'scic_members'

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
        Category = pool.get('scic.category')
        Member = pool.get('scic.member')
        Assembly = pool.get('scic.assembly')
        Attendee = pool.get('scic.assembly.attendee')
        Resolution = pool.get('scic.assembly.resolution')
        Ballot = pool.get('scic.assembly.ballot')
        Attachment = pool.get('ir.attachment')
        today = datetime.date.today()
        company = create_company()
        with set_company(company):
            create_register(company)
            category, = Category.search([('code', '=', 'supporters')])
            # Alice is admitted a month ago, Bruno today: only Alice is
            # convened to the assembly of last week
            for name, email, admission in [
                    ("Alice Martin", 'alice@example.org',
                        today - datetime.timedelta(days=30)),
                    ("Bruno Costa", 'bruno@example.org', today),
                    ("Chloé Tiers", 'chloe@example.org', None)]:
                party = Party(name=name)
                party.save()
                WebUser(email=email, password=PASSWORD, party=party).save()
                if admission:
                    member = Member(company=company, party=party,
                        category=category, kind='organisation',
                        admission_body='board', admission_date=admission)
                    member.save()
                    Member.admit([member])

            last_week = today - datetime.timedelta(days=7)
            closed = Assembly(company=company, name="AGO des comptes",
                date=last_week, convocation_date=last_week - (
                    datetime.timedelta(days=7)),
                location="22 rue Méridonde, Castres")
            closed.resolutions = [Resolution(
                    title="Approbation des comptes",
                    text="L'assemblée approuve les comptes.")]
            closed.save()
            Assembly.convene([closed])
            Assembly.mark_all_present([closed])
            Assembly.hold([closed])
            attendee, = Attendee.search([('assembly', '=', closed.id)])
            resolution, = closed.resolutions
            Ballot(resolution=resolution, attendee=attendee,
                vote='yes').save()
            Resolution.tally([resolution])
            Assembly.close([closed])
            Attachment.create([{
                        'name': "Rapport de gestion.pdf",
                        'resource': str(closed),
                        'data': b'%PDF-1.4 rapport',
                        'portal_visible': True,
                        }, {
                        'name': "Notes du conseil.pdf",
                        'resource': str(closed),
                        'data': b'%PDF-1.4 notes',
                        }])

            coming = Assembly(company=company, name="AGE des statuts",
                kind='extraordinary',
                date=today + datetime.timedelta(days=20),
                convocation_date=today, location="Salle Bleue")
            coming.resolutions = [Resolution(title="Modification des statuts")]
            coming.save()
            Assembly.convene([coming])
            Assembly(company=company, name="AGO en préparation",
                date=today + datetime.timedelta(days=90),
                convocation_date=today + datetime.timedelta(days=60)).save()

    def ids(self):
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Assembly = pool.get('scic.assembly')
            Attachment = pool.get('ir.attachment')
            assemblies = {a.name: a.id for a in Assembly.search([])}
            attachments = {a.name: a.id for a in Attachment.search([
                        ('name', 'like', '%.pdf')])}
            return assemblies, attachments

    def login(self, client, email):
        response = client.post(f'/{DB_NAME}/portal/login',
            data={'email': email, 'password': PASSWORD})
        self.assertEqual(response.status_code, 302)

    def test_assemblies_page(self):
        "Alice sees both assemblies, her attendance and her vote"
        client = self.client()
        self.login(client, 'alice@example.org')
        response = client.get(f'/{DB_NAME}/portal/assemblies')
        self.assertEqual(response.status_code, 200)
        text = response.text
        for expected in [
                "AGO des comptes", "AGE des statuts",
                "22 rue Méridonde, Castres", "Assemblée extraordinaire",
                "Close (procès-verbal disponible)", "Convoquée",
                "Approbation des comptes", "Modification des statuts",
                "Présent", "Pour", "Adoptée", "Rapport de gestion.pdf",
                "Procès-verbal de l'assemblée (PDF)",
                "Le procès-verbal sera disponible"]:
            self.assertIn(expected, text)
        for unexpected in ["AGO en préparation", "Notes du conseil"]:
            self.assertNotIn(unexpected, text)

        response = self.client().get(f'/{DB_NAME}/portal/assemblies')
        self.assertEqual(response.status_code, 302)

    def test_documents_of_own_assemblies_only(self):
        "The documents of an assembly the user is not convened to: 404"
        assemblies, attachments = self.ids()
        closed = assemblies["AGO des comptes"]
        coming = assemblies["AGE des statuts"]
        draft = assemblies["AGO en préparation"]
        shared = attachments["Rapport de gestion.pdf"]
        private = attachments["Notes du conseil.pdf"]

        client = self.client()
        self.login(client, 'alice@example.org')
        for kind, record in [
                ('convocation', closed), ('minutes', closed),
                ('convocation', coming)]:
            response = client.get(
                f'/{DB_NAME}/portal/document/{kind}/{record}')
            self.assertEqual(response.status_code, 200, (kind, record))
            self.assertEqual(response.data[:4], b'%PDF')
            self.assertIn('attachment',
                response.headers['Content-Disposition'])
        response = client.get(
            f'/{DB_NAME}/portal/document/assembly_file/{shared}')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.data, b'%PDF-1.4 rapport')
        for kind, record in [
                ('minutes', coming),  # not closed yet
                ('convocation', draft),  # not convened
                ('assembly_file', private)]:  # not shown on the portal
            response = client.get(
                f'/{DB_NAME}/portal/document/{kind}/{record}')
            self.assertEqual(response.status_code, 404, (kind, record))

        # Bruno, admitted after its convocation, sees nothing of the
        # closed assembly; Chloé, no associate, nothing at all
        client = self.client()
        self.login(client, 'bruno@example.org')
        page = client.get(f'/{DB_NAME}/portal/assemblies')
        self.assertIn("AGE des statuts", page.text)
        self.assertNotIn("AGO des comptes", page.text)
        for kind, record in [
                ('convocation', closed), ('minutes', closed),
                ('assembly_file', shared)]:
            response = client.get(
                f'/{DB_NAME}/portal/document/{kind}/{record}')
            self.assertEqual(response.status_code, 404, (kind, record))
        client = self.client()
        self.login(client, 'chloe@example.org')
        page = client.get(f'/{DB_NAME}/portal/assemblies')
        self.assertIn("Vous n'êtes pas associé", page.text)
        response = client.get(
            f'/{DB_NAME}/portal/document/convocation/{coming}')
        self.assertEqual(response.status_code, 404)

    def test_assemblies_post_needs_csrf(self):
        "A POST to the page without the session's token is refused"
        client = self.client()
        self.login(client, 'alice@example.org')
        response = client.post(f'/{DB_NAME}/portal/assemblies',
            data={'csrf': 'forged'})
        self.assertEqual(response.status_code, 403)


del RouteTestCase
