# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The member portal under /<database>/portal/: associates and tenants log
in as a `web.user` linked to their party and see their own records.

The frame is here (log in and out, password reset, the session cookie,
the CSRF check, the layout); each module adds its pages by extending
`web.user` (`portal_pages` and a `portal_<page>` method returning the
template and its values), the way Tryton modules extend each other.
Every page reads through the user's party: a record of another party is
answered 404, as one that does not exist."""
import hashlib
import hmac
import urllib.parse
from pathlib import Path

from genshi.core import Markup
from genshi.template import MarkupTemplate
from trytond import config
from trytond.exceptions import RateLimitException
from trytond.i18n import gettext
from trytond.model import ModelView
from trytond.pool import Pool, PoolMeta
from trytond.protocols.wrappers import (
    HTTPStatus,
    Response,
    abort,
    redirect,
    with_pool,
    with_transaction,
)
from trytond.transaction import Transaction
from trytond.wsgi import app

from .exceptions import PortalError

COOKIE = 'ateliers_portal'
TEMPLATES = Path(__file__).parent / 'portal'
SECURITY_HEADERS = {
    'Content-Security-Policy': (
        "default-src 'self'; style-src 'self'; script-src 'none'; "
        "img-src 'self' data:; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    }


def render(path, doctype=None, **values):
    """Render a Genshi template file (HTML, values escaped) to a string: a
    page with doctype='html5', else a fragment of one"""
    template = MarkupTemplate(Path(path).read_text(encoding='utf-8'),
        filepath=str(path))
    return template.generate(**values).render('html', doctype=doctype)


class PortalInviteMixin:
    """The "Invite to the Portal" button of a model whose records name a
    party (``portal_party``): an associate, a lease."""
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update(portal_invite={})

    @property
    def portal_party(self):
        raise NotImplementedError

    @classmethod
    @ModelView.button
    def portal_invite(cls, records):
        "Invite the parties to the member portal (e-mail with a link)"
        pool = Pool()
        WebUser = pool.get('web.user')
        WebUser.portal_invite(list({r.portal_party for r in records}))


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    @classmethod
    def portal_invite(cls, parties):
        """Give each party an account on the portal (its e-mail address)
        and send it the link to choose its password, through trytond's
        mail settings.  Return the web users."""
        users = []
        for party in parties:
            email = (party.email or '').strip().lower()
            if not email:
                raise PortalError(gettext(
                        'ptce_company.msg_portal_invite_no_email',
                        party=party.rec_name))
            existing = cls.search([('email', '=', email)], limit=1)
            if existing:
                user, = existing
                if user.party != party:
                    raise PortalError(gettext(
                            'ptce_company.msg_portal_invite_email_used',
                            party=party.rec_name, email=email))
            else:
                user = cls(email=email, party=party)
            users.append(user)
        cls.save(users)
        cls.reset_password(users)
        return users

    def get_email_reset_password_url(self, url=None):
        "The portal's page, when the configuration names no other"
        if url is None and not config.get('web', 'reset_password_url'):
            request = Transaction().context.get('_request') or {}
            host = request.get('http_host')
            if host:
                scheme = 'https' if request.get('is_secure') else 'http'
                url = (f'{scheme}://{host}/'
                    f'{Transaction().database.name}/portal/password')
        return super().get_email_reset_password_url(url=url)

    @classmethod
    def portal_pages(cls):
        "(code, French title, template directory) of the portal's pages"
        return [('invoices', "Mes factures", TEMPLATES)]

    def portal_invoices(self, request):
        "The customer invoices of the user's party"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoices = Invoice.search([
                ('party', '=', self.party.id),
                ('type', '=', 'out'),
                ('state', 'in', ['posted', 'paid']),
                ], order=[('invoice_date', 'DESC'), ('id', 'DESC')])
        return 'invoices.html', {'invoices': invoices}

    def portal_document(self, kind, record_id):
        """The (filename, content, mimetype) of a document of the user's
        party, or None: a record of another party is not found."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        InvoiceReport = pool.get('account.invoice', type='report')
        if kind in {'invoice', 'facturx'}:
            invoices = Invoice.search([
                    ('id', '=', record_id),
                    ('party', '=', self.party.id),
                    ('type', '=', 'out'),
                    ('state', 'in', ['posted', 'paid']),
                    ])
            if not invoices:
                return None
            invoice, = invoices
            if kind == 'facturx':
                return (f'factur-x-{invoice.number}.pdf',
                    invoice.get_facturx(), 'application/pdf')
            extension, content, _, name = InvoiceReport.execute(
                [invoice.id], {})
            return (f'{name}.{extension}', content,
                _mimetype(extension))
        return None

    def portal_company(self):
        "The company whose records the portal shows (the first one)"
        pool = Pool()
        Company = pool.get('company.company')
        company, = Company.search([], order=[('id', 'ASC')], limit=1)
        return company

    @classmethod
    def portal_user(cls, request):
        "The web user of the request's session cookie, or None"
        key = request.cookies.get(COOKIE)
        if not key:
            return None
        user = cls.get_user(key)
        if user and user.active and user.party:
            return user


def _mimetype(extension):
    return {
        'pdf': 'application/pdf',
        'odt': 'application/vnd.oasis.opendocument.text',
        }.get(extension, 'application/octet-stream')


def _csrf_token(key):
    "A token tied to the session, put in every form and checked on POST"
    return hmac.new(key.encode(), b'portal-csrf', hashlib.sha256).hexdigest()


def _check_post(request, key=None):
    """Refuse a POST from another site: its Origin must be this host (the
    cookie is SameSite=Strict too) and, once logged in, it carries the
    session's CSRF token."""
    origin = request.headers.get('Origin')
    if origin and urllib.parse.urlsplit(origin).netloc != request.host:
        abort(HTTPStatus.FORBIDDEN)
    if key is not None and not hmac.compare_digest(
            request.form.get('csrf', ''), _csrf_token(key)):
        abort(HTTPStatus.FORBIDDEN)


def _page(request, database_name, body, title, user=None, pages=(),
        current=None, status=200):
    html = render(TEMPLATES / 'layout.html', doctype='html5',
        title=title, body=Markup(body), user=user, pages=pages,
        current=current, root=f'/{database_name}/portal/',
        csrf=_csrf_token(request.cookies.get(COOKIE, '')) if user else '')
    response = Response(html, status=status,
        content_type='text/html; charset=utf-8')
    response.headers.update(SECURITY_HEADERS)
    return response


def _set_cookie(response, database_name, key):
    response.set_cookie(COOKIE, key, path=f'/{database_name}/portal/',
        secure=True, httponly=True, samesite='Strict')


def _ready(pool):
    try:
        pool.get('web.user')
        pool.get('ptce.configuration')
    except KeyError:
        abort(HTTPStatus.NOT_FOUND)


@app.route('/<database_name>/portal/', methods=['GET'])
@with_pool
@with_transaction()
def portal_home(request, pool):
    _ready(pool)
    WebUser = pool.get('web.user')
    user = WebUser.portal_user(request)
    database_name = pool.database_name
    if not user:
        return redirect(f'/{database_name}/portal/login')
    code = WebUser.portal_pages()[0][0]
    return redirect(f'/{database_name}/portal/{code}')


@app.route('/<database_name>/portal/login', methods=['GET', 'POST'])
@with_pool
@with_transaction(readonly=False)
def portal_login(request, pool):
    _ready(pool)
    WebUser = pool.get('web.user')
    database_name = pool.database_name
    error = None
    email = ''
    if request.method == 'POST':
        _check_post(request)
        email = request.form.get('email', '').strip()
        try:
            user = WebUser.authenticate(
                email, request.form.get('password', ''))
        except RateLimitException:
            user = None
            error = ("Trop de tentatives : patientez quelques minutes "
                "avant de réessayer.")
        if user and user.party:
            key = user.new_session()
            response = redirect(f'/{database_name}/portal/')
            _set_cookie(response, database_name, key)
            return response
        error = error or "Adresse électronique ou mot de passe incorrect."
    body = render(TEMPLATES / 'login.html', email=email, error=error,
        root=f'/{database_name}/portal/')
    return _page(request, database_name, body, "Connexion",
        status=200 if not error else 401)


@app.route('/<database_name>/portal/logout', methods=['POST'])
@with_pool
@with_transaction(readonly=False)
def portal_logout(request, pool):
    _ready(pool)
    Session = pool.get('web.user.session')
    database_name = pool.database_name
    key = request.cookies.get(COOKIE)
    if key:
        _check_post(request, key)
        Session.remove(key)
    response = redirect(f'/{database_name}/portal/login')
    response.delete_cookie(COOKIE, path=f'/{database_name}/portal/',
        secure=True, httponly=True, samesite='Strict')
    return response


@app.route('/<database_name>/portal/reset', methods=['GET', 'POST'])
@with_pool
@with_transaction(readonly=False)
def portal_reset(request, pool):
    "Ask for a link to set a new password (sent by e-mail)"
    _ready(pool)
    WebUser = pool.get('web.user')
    database_name = pool.database_name
    sent = False
    if request.method == 'POST':
        _check_post(request)
        email = request.form.get('email', '').strip().lower()
        users = WebUser.search([('email', '=', email)]) if email else []
        if users:
            # The e-mail in French unless the party has another language
            with Transaction().set_context(language='fr'):
                WebUser.reset_password(users)
        # The same answer whether the address is known or not
        sent = True
    body = render(TEMPLATES / 'reset.html', sent=sent,
        root=f'/{database_name}/portal/')
    return _page(request, database_name, body, "Mot de passe oublié")


@app.route('/<database_name>/portal/password', methods=['GET', 'POST'])
@with_pool
@with_transaction(readonly=False)
def portal_password(request, pool):
    "Set the password with the link of an invitation or a reset"
    _ready(pool)
    WebUser = pool.get('web.user')
    database_name = pool.database_name
    email = request.values.get('email', '')
    token = request.values.get('token', '')
    error = None
    if request.method == 'POST':
        _check_post(request)
        password = request.form.get('password', '')
        if password != request.form.get('confirm', ''):
            error = "Les deux mots de passe ne sont pas identiques."
        elif len(password) < 8:
            error = "Le mot de passe doit compter au moins 8 caractères."
        elif WebUser.set_password_token(email, token, password):
            return redirect(f'/{database_name}/portal/login')
        else:
            error = "Ce lien n'est plus valable : demandez-en un nouveau."
    body = render(TEMPLATES / 'password.html', email=email, token=token,
        error=error, root=f'/{database_name}/portal/')
    return _page(request, database_name, body, "Choisir un mot de passe",
        status=200 if not error else 400)


@app.route('/<database_name>/portal/<page>', methods=['GET', 'POST'])
@with_pool
@with_transaction(readonly=False)
def portal_page(request, pool, page):
    _ready(pool)
    WebUser = pool.get('web.user')
    database_name = pool.database_name
    user = WebUser.portal_user(request)
    if not user:
        return redirect(f'/{database_name}/portal/login')
    pages = WebUser.portal_pages()
    found = [p for p in pages if p[0] == page]
    if not found:
        abort(HTTPStatus.NOT_FOUND)
    code, title, directory = found[0]
    if request.method == 'POST':
        _check_post(request, request.cookies.get(COOKIE))
    with Transaction().set_context(company=user.portal_company().id):
        result = getattr(user, f'portal_{code}')(request)
    if not isinstance(result, tuple):  # a redirection after a POST
        return result
    template, values = result
    body = render(Path(directory) / template, user=user,
        root=f'/{database_name}/portal/', page=code,
        csrf=_csrf_token(request.cookies.get(COOKIE)), **values)
    return _page(request, database_name, body, title, user=user,
        pages=pages, current=code)


@app.route('/<database_name>/portal/document/<kind>/<int:record>',
    methods=['GET'])
@with_pool
@with_transaction()
def portal_document(request, pool, kind, record):
    _ready(pool)
    WebUser = pool.get('web.user')
    user = WebUser.portal_user(request)
    if not user:
        abort(HTTPStatus.UNAUTHORIZED)
    with Transaction().set_context(company=user.portal_company().id):
        document = user.portal_document(kind, record)
    if document is None:
        abort(HTTPStatus.NOT_FOUND)
    filename, content, mimetype = document
    response = Response(content, content_type=mimetype)
    response.headers['Content-Disposition'] = (
        "attachment; filename*=UTF-8''" + urllib.parse.quote(filename))
    response.headers.update(SECURITY_HEADERS)
    return response


@app.route('/<database_name>/portal/static/portal.css', methods=['GET'])
def portal_css(request, database_name):
    response = Response((TEMPLATES / 'portal.css').read_bytes(),
        content_type='text/css; charset=utf-8')
    response.headers.update(SECURITY_HEADERS)
    return response

