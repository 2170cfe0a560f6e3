"""The web client on the demo: a real browser (Debian's chromium driven by
Playwright) logs in to sao served by `ateliers serve` and opens every menu
entry of the modules (listed from ir.ui.menu, so that a new one is covered
without touching this test) and every action they bind to a model (print,
action and relate keywords, run on the first record of the model). In each
list the first record is opened. Any error dialog of sao (an exception of
the server or a user error) and any error of the page (console error,
uncaught exception) fails the test. A screenshot of each step is kept in
${ATELIERS_ARTIFACTS:-artifacts}/browser (CI keeps it).

Wizards are opened on their first form and left by their cancel button
(a wizard whose first state does something at once is not run); reports
are rendered by the server and downloaded by the browser (the file must be
the PDF, or the declared format). A user error met by an action run on the
first record found is reported but does not fail the test: that record
may be in a state the action refuses (a report of a draft), which is the
module's rule, not a broken view."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import unicodedata

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from smoke import BIN, POSTGRESQL, ROOT
from test_serve import free_port, wait_for

MODULES = ['ptce_company', 'scic_members', 'ptce_spaces', 'ptce_sectors',
    'ptce_reporting']
CHROMIUM = pathlib.Path(
    os.environ.get('ATELIERS_CHROMIUM', '/usr/bin/chromium'))
ARTIFACTS = pathlib.Path(os.environ.get(
        'ATELIERS_ARTIFACTS', ROOT / 'artifacts')) / 'browser'
# How long a step may wait for the client (ms): a view still loading then
# fails (the next steps start again on a new page)
STEP_TIMEOUT = 90_000
# Menu entries or actions (by XML id) known to fail, with the reason: they
# are not run (report.txt, beside the screenshots, lists them). Remove an
# entry once fixed.
# Menu entries (xml ids) known to fail, with the reason: none today (the
# dashboard's panels each have their own context_domain since #15)
EXPECTED_FAILURES = {}

LISTING = """\
import json
import sys

from ateliers import environment

environment.prepare()
with environment.transaction(sys.argv[1], readonly=True) as pool:
    from trytond.wizard import StateView
    Data = pool.get('ir.model.data')
    Menu = pool.get('ir.ui.menu')
    Keyword = pool.get('ir.action.keyword')
    View = pool.get('ir.ui.view')
    firsts = {}

    def first(model):
        if model not in firsts:
            records = pool.get(model).search([], order=[('id', 'ASC')],
                limit=1)
            firsts[model] = records[0].id if records else None
        return firsts[model]

    def describe(action):
        "What the client needs to run the action, or why it is not run"
        item = {'action': action.action.id, 'type': action.action.type,
            'name': action.action.name}
        if action.action.type == 'ir.action.wizard':
            Wizard = pool.get(action.wiz_name, type='wizard')
            if not isinstance(Wizard.states[Wizard.start_state], StateView):
                item['skip'] = (
                    f"its first state {Wizard.start_state!r} does its work "
                    "at once (no form to open)")
        elif action.action.type == 'ir.action.act_window':
            # The first record of a list opens in a form when there is one
            item['form'] = bool(View.search([
                        ('model', '=', action.res_model),
                        ('type', '=', 'form')], limit=1))
        elif action.action.type == 'ir.action.report':
            item['extension'] = action.extension or action.template_extension
        return item

    steps = []
    for data in Data.search([('module', 'in', sys.argv[2:]),
                ('model', 'in', ['ir.ui.menu', 'ir.action.act_window',
                        'ir.action.wizard', 'ir.action.report'])],
            order=[('module', 'ASC'), ('id', 'ASC')]):
        xml_id = f'{data.module}.{data.fs_id}'
        if data.model == 'ir.ui.menu':
            menu = Menu(data.db_id)
            if menu.active and menu.action:
                step = describe(menu.action)
                step.update(kind='menu', id=menu.id, xml_id=xml_id,
                    label=menu.complete_name)
                steps.append(step)
            continue
        action = pool.get(data.model)(data.db_id)
        for keyword in Keyword.search([('action', '=', action.action.id)]):
            model = keyword.model
            model = (model.split(',')[0] if isinstance(model, str)
                else getattr(model, '__name__', None))
            if not model or model == 'ir.ui.menu':
                continue
            step = describe(action)
            step.update(kind=keyword.keyword, xml_id=xml_id, model=model,
                id=first(model), label=f'{model} / {action.action.name}')
            if step['id'] is None:
                step.setdefault('skip', f"no {model} record in the demo")
            steps.append(step)
    print(json.dumps(steps))
"""

# The files that sao asks for and may be missing: the customisation of the
# site, the translations of the browser's language (trytond answers 405)
OPTIONAL_FILES = re.compile(r'/(custom\.css|custom\.js|locale/[\w-]+\.json)$')

# How a downloaded report starts, by its extension
MAGIC = {'pdf': b'%PDF', 'odt': b'PK', 'ods': b'PK', 'odp': b'PK',
    'docx': b'PK', 'xlsx': b'PK', 'html': b'<', 'xml': b'<'}

# Resolves when no request of the client has run for 400 ms and no
# animation is running (a dialog is put in the page once its backdrop has
# faded in)
IDLE = """() => {
    const now = Date.now();
    if (!window.jQuery || jQuery.active || jQuery(':animated').length
            || jQuery('#processing:visible').length
            || jQuery('.modal-backdrop').length > jQuery('.modal.in').length) {
        window.__busy = now;
        return false;
    }
    return now - (window.__busy || 0) > 400;
}"""

# The dialogs of sao that tell an error: an exception of the server
# (error-dialog), a user error (warning-dialog), a user warning and the
# messages (message-dialog: "Error: ... Try again later."); shown or
# being shown (sao removes them once closed)
DIALOGS = """() => jQuery(
        '.error-dialog, .warning-dialog, .user-warning-dialog, '
        + '.message-dialog').map(function() {
    const kind = this.className.split(' ')[0];
    const title = jQuery(this).find('.modal-title, h4').first().text();
    const text = jQuery(this).find('.modal-body').text();
    return kind + ': ' + title + ' ' + text;
}).get()"""

# The state of the current tab
TAB = """() => {
    const tab = Sao.Tab.tabs.get_current();
    const wizard = jQuery('.wizard-dialog').filter(':visible').length;
    if (!tab) {
        return {tab: null, wizard: wizard};
    }
    const screen = tab.screen;
    return {
        tab: tab.name,
        wizard: wizard,
        view: screen && screen.current_view ?
            screen.current_view.view_type : null,
        editable: Boolean(screen && screen.current_view &&
            screen.current_view.attributes.editable),
        records: screen && screen.group ? screen.group.length : null,
    };
}"""

# Leave the step: end the wizards (their cancel button, as Escape does),
# remove the dialogs left (an error, the download one) and tell sao they are
# gone (it shows one dialog of a kind at a time), close every tab;
# window.__closed tells when it is done (no await: a hung tab must not hang
# the test)
CLEAN = """() => {
    window.__closed = null;
    jQuery('.wizard-dialog').filter(':visible').trigger(
        jQuery.Event('keydown', {which: Sao.common.ESC_KEYCODE}));
    setTimeout(() => {
        jQuery('.modal').each(function() {
            jQuery(this).removeClass('fade').modal('hide').remove();
        });
        jQuery('.modal-backdrop').remove();
        jQuery('body').removeClass('modal-open');
        for (const name of ['message', 'warning', 'userwarning', 'sur',
                'sur_3b', 'ask', 'concurrency', 'error']) {
            Sao.common[name].running = false;
        }
        Sao.Tab.tabs.close(false).always(() => {
            window.__closed = Sao.Tab.tabs.map(tab => tab.name);
        });
    }, 300);
}"""


def chromium_missing():
    "Why the browser cannot run here, or None"
    if not CHROMIUM.exists():
        return (f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install chromium; .ci/run does it)")
    if not shutil.which('npm'):
        return "npm is needed to install the web client"
    return None


def list_steps(env, database):
    run = subprocess.run([sys.executable, '-c', LISTING, database, *MODULES],
        env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def slug(text):
    "A file name for text (ASCII)"
    text = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore')
    return re.sub(r'[^a-z0-9]+', '-', text.decode().lower()).strip('-')[:80]


class Client:
    "One page of sao, the errors it shows and the screenshots"

    def __init__(self, page, folder):
        self.page = page
        self.folder = folder
        self.errors = []
        self.downloads = []
        self.count = 0
        page.on('download', lambda download: self.downloads.append(download))
        page.on('console', self._console)
        page.on('pageerror', lambda error: self.errors.append(
                f"page error: {error}"))
        page.on('dialog', lambda dialog: (
                self.errors.append(f"browser dialog: {dialog.message}"),
                dialog.dismiss()))

    def _console(self, message):
        if message.type != 'error':
            return
        url = message.location.get('url', '')
        if (message.text.startswith('Failed to load resource')
                and OPTIONAL_FILES.search(url)):
            return
        self.errors.append(f"console error: {message.text} ({url})")

    def idle(self, timeout=STEP_TIMEOUT):
        self.page.wait_for_function(IDLE, polling=100, timeout=timeout)

    def problems(self):
        "The errors seen since the last call: page errors, error dialogs"
        found = self.errors + self.page.evaluate(DIALOGS)
        self.errors = []
        return found

    def screenshot(self, name):
        self.count += 1
        self.page.screenshot(
            path=self.folder / f'{self.count:03d}-{slug(name)}.png')

    def login(self, url, database, password):
        page = self.page
        page.goto(f'{url}/#{database}')
        page.locator('#login').wait_for()
        self.idle()
        page.locator('#login').fill('admin')
        page.locator('#login').press('Enter')
        entry = page.locator('input[type=password]').filter(visible=True)
        entry.fill(password)
        entry.press('Enter')
        # The menu, or first what sao opens at the first login (the
        # module configuration wizard, the menu comes once it is closed)
        page.locator('#menu .treeview, #tablist li').first.wait_for(
            state='attached')
        self.idle()
        self.screenshot('login')
        opened = page.evaluate('() => Sao.Tab.tabs.map(tab => tab.name)')
        self.clean()
        page.locator('#menu .treeview').wait_for()
        return opened

    def clean(self):
        "Close the tabs and dialogs; the tabs that refused to close"
        self.page.evaluate(CLEAN)
        self.page.wait_for_function('() => window.__closed !== null',
            polling=100, timeout=STEP_TIMEOUT)
        self.idle()
        return self.page.evaluate('() => window.__closed')


def run_step(client, step):
    """Open the menu entry or run the action of step; the problems seen
    and notes on what was done"""
    page = client.page
    notes = []
    client.downloads.clear()
    start(page, step)
    client.idle()
    client.screenshot(f"{step['kind']}-{step['label']}")
    problems = client.problems()
    if step.get('extension') and not problems:
        # A report is rendered by the server then downloaded
        deadline = time.monotonic() + STEP_TIMEOUT / 1000
        while not client.downloads and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        if not client.downloads:
            raise PlaywrightTimeout("the report was not downloaded")
        download, = client.downloads
        content = pathlib.Path(download.path()).read_bytes()
        magic = MAGIC.get(step['extension'], b'')
        if not content.startswith(magic):
            problems.append(f"the report {download.suggested_filename} is "
                f"no {step['extension']} file")
        notes.append(f"downloaded {download.suggested_filename}")
    state = page.evaluate(TAB)
    pane = page.locator('#tabcontent .tab-pane.active')
    tabs = pane.locator('.tab-domain .nav-tabs a').filter(visible=True)
    if (not problems and state.get('view') == 'tree' and not state['records']
            and tabs.count() > 1):
        # The first tab of the list is empty: the last one ("All") shows
        # the records
        tabs.last.click()
        client.idle()
        state = page.evaluate(TAB)
        problems += client.problems()
        notes.append('last tab')
    if (not problems and state.get('view') == 'tree' and state['records']
            and not state['editable'] and not state['wizard']):
        # The first record of the list, as a double click opens it
        # (in a corner of its first shown cell: not on a link it may hold)
        pane.locator('.treeview tbody tr').filter(visible=True).first.locator(
            'td[data-title]').filter(visible=True).first.dblclick(
                position={'x': 2, 'y': 2})
        client.idle()
        state = page.evaluate(TAB)
        # sao switches to the form once the record is read: on a loaded
        # machine that may come after the requests seen idle
        deadline = time.monotonic() + 10
        while state.get('view') == 'tree' and time.monotonic() < deadline:
            page.wait_for_timeout(250)
            state = page.evaluate(TAB)
        client.screenshot(f"{step['kind']}-{step['label']}-first")
        problems += client.problems()
        if state.get('view') == 'form':
            notes.append('first record opened')
        elif step.get('form', True):
            problems.append(
                f"the first record opened no form: {state.get('view')}")
        else:
            notes.append(f"{state['records']} record(s), no form view")
    elif state.get('view'):
        notes.append(f"{state['view']} view, {state['records']} record(s)")
    if state['wizard']:
        notes.append('wizard dialog')
    left = client.clean()
    problems += client.problems()
    if left:
        problems.append(f"tabs left open: {left}")
    return problems, notes


def start(page, step):
    """Start the step in the page; the script returns at once (sao asks
    for an action synchronously: a client held up by the server must not
    hold the test up beyond its timeout)"""
    if step['kind'] == 'menu':
        # What a double click on the entry of the menu does
        page.evaluate("""id => {
            window.__busy = Date.now();
            setTimeout(() => Sao.Action.exec_keyword(
                'tree_open', {model: 'ir.ui.menu', id: id}, null, false));
        }""", step['id'])
    else:
        # What the print, action and relate buttons of a form do
        page.evaluate("""step => {
            window.__busy = Date.now();
            setTimeout(() => Sao.Action.execute(step.action,
                {model: step.model, id: step.id, ids: [step.id]}, null,
                true));
        }""", step)


@pytest.mark.skipif(POSTGRESQL, reason="the views are the same on both "
    "backends: the SQLite run tests the web client once")
def test_menus_and_actions_open(site, tmp_path):
    """Every menu entry and action of the modules opens in the web client
    without an error, and so does the first record of each list"""
    missing = chromium_missing()
    if missing:
        if os.environ.get('ATELIERS_BROWSER') == 'required':
            pytest.fail(missing)
        pytest.skip(missing)

    env, database, password, _ = site
    steps = list_steps(env, database)
    assert [s for s in steps if s['kind'] == 'menu'], "no menu entry found"
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    port = free_port()
    log = (tmp_path / 'serve.log').open('w')
    server = subprocess.Popen([BIN / 'ateliers', 'serve', '--database',
            database, '--port', str(port)], env=env,
        stdout=log, stderr=subprocess.STDOUT)
    report, failed = [], []

    def connect(browser):
        page = browser.new_page(accept_downloads=True,
            viewport={'width': 1280, 'height': 900}, locale='fr-FR')
        page.set_default_timeout(STEP_TIMEOUT)
        client = Client(page, ARTIFACTS)
        opened = client.login(url, database, password)
        report.append(f"tabs opened at login: {opened}")
        problems = client.problems()
        assert not problems, problems
        return client

    try:
        url = f'http://127.0.0.1:{port}'
        wait_for(f'{url}/', server, timeout=300)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=['--no-sandbox'])
            try:
                client = connect(browser)
                for step in steps:
                    name = f"{step['kind']} {step['label']} ({step['xml_id']})"
                    skip = step.get('skip') or EXPECTED_FAILURES.get(
                        step['xml_id'])
                    if skip:
                        report.append(f"skipped {name}: {skip}")
                        continue
                    started = time.monotonic()
                    try:
                        problems, notes = run_step(client, step)
                    except PlaywrightTimeout as error:
                        # A view that does not finish loading: the next
                        # steps start again on a new page
                        client.screenshot(f"{step['kind']}-{step['label']}"
                            "-timeout")
                        problems = [
                            'timeout: ' + error.message.splitlines()[0]]
                        notes = []
                        client.page.close()
                        client = connect(browser)
                    took = time.monotonic() - started
                    user_errors = [p for p in problems
                        if p.startswith('warning-dialog')]
                    if step['kind'] != 'menu' and problems == user_errors:
                        notes += user_errors
                        problems = []
                    if problems:
                        failed.append(f"{name}:\n    "
                            + '\n    '.join(problems))
                    report.append(f"{'FAIL' if problems else 'ok'} {name} "
                        f"({took:.1f} s): {'; '.join(notes + problems)}")
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(30)
        log.close()
        (ARTIFACTS / 'report.txt').write_text('\n'.join(report) + '\n')
        print('\n'.join(report))
    assert not failed, '\n'.join(failed)
