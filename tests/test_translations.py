"""Every module speaks French: each user message has its translation, and
each translation of a record points at a record the module loads (a
dangling one makes `trytond-admin -l fr` fail at installation, which the
module tests, run in English, do not see)."""
import configparser
import pathlib
import re
import unittest

import pytest

ADDONS = pathlib.Path(__file__).parent.parent / 'addons'
MODULES = sorted(
    p.name for p in ADDONS.iterdir() if (p / 'tryton.cfg').exists())
STRING = r'"((?:[^"\\]|\\.)*)"((?:\n"(?:[^"\\]|\\.)*")*)'


def po_entries(module):
    "(context, msgstr) of each entry of locale/fr.po"
    text = (ADDONS / module / 'locale' / 'fr.po').read_text(encoding='utf-8')
    entries = re.findall(
        rf'^msgctxt "([^"]*)"\nmsgid {STRING}\nmsgstr {STRING}', text, re.M)
    return [(ctx, msgstr + rest) for ctx, _, _, msgstr, rest in entries]


def module_path(module):
    if (ADDONS / module / 'tryton.cfg').exists():
        return ADDONS / module
    import trytond
    root = pathlib.Path(trytond.__file__).parent
    path = root / module if module in {'ir', 'res'} else (
        root / 'modules' / module)
    return path if (path / 'tryton.cfg').exists() else None


def xml_ids(module):
    "Ids of the records in the XML files that tryton.cfg loads"
    path = module_path(module)
    if path is None:
        return set()
    cfg = configparser.ConfigParser()
    cfg.read(path / 'tryton.cfg')
    ids = set()
    for name in cfg.get('tryton', 'xml', fallback='').split():
        text = (path / name).read_text(encoding='utf-8')
        ids.update(re.findall(r'<(?:record|menuitem) [^>]*id="([^"]+)"', text))
    return ids


@pytest.mark.parametrize('module', MODULES)
def test_messages_translated(module):
    "Each message of message.xml has a non-empty French translation"
    text = (ADDONS / module / 'message.xml').read_text(encoding='utf-8')
    ids = re.findall(r'<record model="ir.message" id="([^"]+)"', text)
    translated = {ctx.split(':', 2)[2]: msgstr
        for ctx, msgstr in po_entries(module)
        if ctx.startswith('model:ir.message,text:')}
    missing = [i for i in ids if not translated.get(i)]
    assert not missing, f"untranslated messages: {missing}"


@pytest.mark.parametrize('module', MODULES)
def test_record_translations_point_at_records(module):
    "model:… translations name records that the module loads"
    ids = xml_ids(module)
    dangling = []
    for ctx, _ in po_entries(module):
        if not ctx.startswith('model:'):
            continue
        fs_id = ctx.rsplit(':', 1)[1]
        if not fs_id:
            continue  # a model's name ("model:<model>,string:")
        if '.' in fs_id:
            # A record of another module: trytond overrides its translation
            other, fs_id = fs_id.split('.', 1)
            if fs_id not in xml_ids(other):
                dangling.append(ctx)
        elif fs_id not in ids:
            dangling.append(ctx)
    assert not dangling, f"translations of unknown records: {dangling}"


def fr_catalog(module):
    "{(msgctxt, msgid): msgstr} of the usable entries of locale/fr.po"
    import polib
    catalog = {}
    for entry in polib.pofile(str(ADDONS / module / 'locale' / 'fr.po')):
        if entry.obsolete or 'fuzzy' in entry.flags or not entry.msgstr:
            continue
        catalog[entry.msgctxt, entry.msgid] = entry.msgstr
    return catalog


def registered_classes(module):
    "(kind, class) of every class that tryton.cfg registers"
    import importlib
    cfg = configparser.ConfigParser()
    cfg.read(ADDONS / module / 'tryton.cfg')
    for section in cfg.sections():
        if section != 'register' and not section.startswith('register '):
            continue
        for kind in ('model', 'wizard', 'report'):
            for name in cfg.get(section, kind, fallback='').split():
                file, class_name = name.rsplit('.', 1)
                python_module = importlib.import_module(f'{module}.{file}')
                yield kind, getattr(python_module, class_name)


def source_strings(module):
    """(msgctxt, msgid) that Tryton registers for the models, fields,
    selection values and wizard buttons of the module's Python classes"""
    from trytond.model import Model, fields
    from trytond.wizard import StateView
    for kind, cls in registered_classes(module):
        name = cls.__name__
        if kind == 'model' and issubclass(cls, Model):
            # Without its own __string__, Tryton shows the humanized name
            yield (f'model:{name},string:',
                vars(cls).get('__string__') or f'<no __string__ in {cls}>')
        own = [k for k in cls.__mro__ if k.__module__.split('.')[0] == module]
        for klass in own:
            for fname, field in vars(klass).items():
                if kind != 'model' or not isinstance(field, fields.Field):
                    continue
                if isinstance(field.string, str) and field.string:
                    yield f'field:{name},{fname}:', field.string
                if isinstance(field.help, str) and field.help:
                    yield f'help:{name},{fname}:', field.help
                selection = getattr(field, 'selection', None)
                if isinstance(selection, (list, tuple)):
                    for _, label in selection:
                        if label:
                            yield f'selection:{name},{fname}:', label
            for sname, state in vars(klass).items():
                if kind != 'wizard' or not isinstance(state, StateView):
                    continue
                for button in state.buttons:
                    yield (f'wizard_button:{name},{sname},{button.state}:',
                        button.string)


def xml_strings(module):
    """(msgctxt, msgid) of the messages and the buttons that the module's
    XML files load"""
    import xml.etree.ElementTree as ET
    translated = {
        'ir.message': ['text'],
        'ir.model.button': ['string', 'help', 'confirm'],
        }
    cfg = configparser.ConfigParser()
    cfg.read(ADDONS / module / 'tryton.cfg')
    for file in cfg.get('tryton', 'xml', fallback='').split():
        tree = ET.parse(ADDONS / module / file)
        for record in tree.iter('record'):
            model = record.get('model')
            for field in record.iter('field'):
                if field.get('name') in translated.get(model, []):
                    if field.text and field.text.strip():
                        yield (f'model:{model},{field.get("name")}:'
                            f'{record.get("id")}', field.text)


@pytest.mark.parametrize('module', MODULES)
def test_model_strings(module):
    "Each model of the module has its own label and its French translation"
    catalog = fr_catalog(module)
    missing = [(ctx, msgid) for ctx, msgid in source_strings(module)
        if ctx.startswith('model:') and (ctx, msgid) not in catalog]
    assert not missing, f"models without a French label: {missing}"


@pytest.mark.parametrize('module', MODULES)
def test_source_strings_translated(module):
    """Each field label, help, selection value, wizard button, message and
    button has a French translation of its current English text (an entry
    with an outdated msgid is not used by Tryton)"""
    catalog = fr_catalog(module)
    strings = list(source_strings(module)) + list(xml_strings(module))
    missing = sorted({(ctx, msgid) for ctx, msgid in strings
            if (ctx, msgid) not in catalog})
    assert not missing, (f"{len(missing)} strings without French: "
        + '\n'.join(f'{ctx} {msgid!r}' for ctx, msgid in missing))


@pytest.mark.parametrize('module', MODULES)
def test_message_ids_greppable(module):
    """Each message is named by its full id ('module.msg_x') somewhere in
    the code: no id is built by concatenation, so grep finds its uses"""
    text = (ADDONS / module / 'message.xml').read_text(encoding='utf-8')
    ids = re.findall(r'<record model="ir.message" id="([^"]+)"', text)
    root = ADDONS.parent
    code = '\n'.join(
        path.read_text(encoding='utf-8')
        for pattern in ['addons/**/*.py', 'addons/**/*.xml',
            'ateliers/**/*.py']
        for path in root.glob(pattern))
    unnamed = [i for i in ids
        if f"'{module}.{i}'" not in code and f'"{module}.{i}"' not in code]
    assert not unnamed, f"messages never named by their full id: {unnamed}"


def ui_strings(module):
    """(msgctxt, msgid) of what the client shows from the module's XML:
    menus, actions, groups, action domains (tabs) and the strings of its
    views (labels, pages, groups, separators, buttons)"""
    import xml.etree.ElementTree as ET
    named = {
        'ir.action.act_window': 'ir.action',
        'ir.action.report': 'ir.action',
        'ir.action.wizard': 'ir.action',
        'ir.action.url': 'ir.action',
        'res.group': 'res.group',
        'ir.action.act_window.domain': 'ir.action.act_window.domain',
        }
    cfg = configparser.ConfigParser()
    cfg.read(ADDONS / module / 'tryton.cfg')
    for file in cfg.get('tryton', 'xml', fallback='').split():
        tree = ET.parse(ADDONS / module / file)
        for menu in tree.iter('menuitem'):
            if menu.get('name'):
                yield (f'model:ir.ui.menu,name:{menu.get("id")}',
                    menu.get('name'))
        for record in tree.iter('record'):
            fields = {f.get('name'): f for f in record.iter('field')}
            model = record.get('model')
            if model in named and fields.get('name') is not None:
                yield (f'model:{named[model]},name:{record.get("id")}',
                    fields['name'].text)
            if model == 'ir.ui.view' and fields.get('name') is not None:
                if fields.get('model') is not None:
                    view_model = fields['model'].text
                else:
                    continue
                path = ADDONS / module / 'view' / (
                    fields['name'].text + '.xml')
                for element in ET.parse(path).iter():
                    if element.get('string'):
                        yield (f'view:{view_model}:', element.get('string'))


@pytest.mark.parametrize('module', MODULES)
def test_ui_strings_translated(module):
    """Each menu, action, group, tab and view string has a French
    translation of its current English text"""
    catalog = fr_catalog(module)
    missing = sorted({(ctx, msgid) for ctx, msgid in ui_strings(module)
            if (ctx, msgid) not in catalog})
    assert not missing, (f"{len(missing)} strings without French: "
        + '\n'.join(f'{ctx} {msgid!r}' for ctx, msgid in missing))


# -- What Tryton itself registers, checked in an activated database --

# Function words and tool words of English that are no French words: a
# text that holds one is English ("Create the database", "Missing
# option"), a French one holds none ("Créer la base").
ENGLISH_WORDS = {
    'the', 'and', 'of', 'to', 'with', 'from', 'is', 'are', 'was', 'were',
    'this', 'that', 'these', 'those', 'for', 'by', 'not', 'be',
    'been', 'your', 'you', 'it', 'its', 'which', 'each', 'every', 'into',
    'than', 'then', 'when', 'where', 'will', 'would', 'should', 'must',
    'can', 'cannot', 'has', 'have', 'in', 'at', 'all', 'any', 'no', 'yes',
    'new', 'name', 'number', 'file', 'folder', 'directory', 'show',
    'create', 'write', 'check', 'print', 'run', 'load', 'database', 'year',
    'month', 'day', 'amount', 'invoice', 'rent', 'sale', 'sales', 'error',
    'missing', 'invalid', 'output', 'default', 'required', 'help', 'exit',
    'please', 'payment', 'period', 'closing', 'number', 'hash', 'tips',
    'agreement', 'depositor', 'owed', 'rate',
    }


def english_words(text):
    """The English words of the text (none in a French text), option
    names (--period), identifiers (chain_key_file), commands
    (« ateliers pos key create ») and placeholders ({year}) aside"""
    text = re.sub(r'--?\w[\w-]*|\{[^}]*\}|%\(\w+\)s|\w+_\w+'
        r'|«\s*ateliers [^»]*»', ' ', text)
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sorted(set(words) & ENGLISH_WORDS)


def test_english_words():
    "The detector tells English from French"
    assert english_words("Create the database") == [
        'create', 'database', 'the']
    assert english_words("Error: missing option '--period'") == [
        'error', 'missing']
    assert not english_words(
        "Créer la base avec les quatre modules, la société Les Ateliers, "
        "le plan comptable français et l'exercice.")
    assert not english_words(
        "Erreur : option obligatoire manquante '--period'. Dossier où le "
        "FEC est écrit (créé s'il manque) ; période clôturée : jour, mois "
        "ou année ; nombre de ventes validées par transaction.")


@pytest.mark.parametrize('module', MODULES)
def test_translations_are_french(module):
    "No French translation is a copy of the English text"
    english = [f'{ctx} {msgstr!r}'
        for (ctx, _), msgstr in fr_catalog(module).items()
        if english_words(msgstr)]
    assert not english, '\n'.join(english)


class TranslationsInDatabaseTestCase(unittest.TestCase):
    """In a database with the five modules activated: every string of the
    modules that Tryton registers for translation (model and field
    labels, help, selection values, wizard buttons, records' names:
    menus, actions, buttons, messages, rules...; view strings, help and
    confirmations; the strings of the report templates) has a French
    translation, once fr.po is loaded as `trytond-admin -l fr` does."""

    @classmethod
    def setUpClass(cls):
        from trytond.tests.test_tryton import activate_module, drop_db
        drop_db()
        activate_module(sorted(MODULES))

    def test_every_string_translated(self):
        from trytond.tests.test_tryton import with_transaction
        with_transaction()(self._check)()

    def _check(self):
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool()
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        Translation = pool.get('ir.translation')
        Report = pool.get('ir.action.report')
        View = pool.get('ir.ui.view')
        Set = pool.get('ir.translation.set', type='wizard')
        french, = Lang.search([('code', '=', 'fr')])
        Lang.write([french], {'translatable': True})
        for module in MODULES:
            Translation.translation_import(
                'fr', module, [str(ADDONS / module / 'locale' / 'fr.po')])
        # What the "Set Translations" wizard registers: the strings of
        # the module's views and report templates
        for Model in [Report, View]:
            records = Model.search([('module', 'in', MODULES)])
            with Transaction().set_context(active_model=Model.__name__,
                    active_ids=[r.id for r in records],
                    active_id=records[0].id):
                session_id, _, _ = Set.create()
                Set.execute(session_id, {}, 'set_')
                Set.delete(session_id)

        french_reports = {r.report_name for r in Report.search([
                    ('module', 'in', MODULES),
                    ('translatable', '=', True),
                    ])}
        table = Translation.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.module, table.type, table.name, table.res_id,
                table.src, table.lang, table.value, table.fuzzy,
                where=table.module.in_(MODULES)
                | table.overriding_module.in_(MODULES)))
        sources, translated, report_translated = [], set(), set()
        for module, type_, name, res_id, src, lang, value, fuzzy in cursor:
            if lang == 'en' and module in MODULES:
                sources.append((module, type_, name, res_id, src))
            elif lang == 'fr' and value and not fuzzy:
                translated.add((type_, name, res_id, src))
                if type_ == 'report':
                    report_translated.add(name)
        missing, english = [], []
        for module, type_, name, res_id, src in sources:
            if (type_, name, res_id, src) in translated:
                continue
            if not re.search(r'[^\W\d_]{2}', src):
                continue  # punctuation, "x", "Q": nothing to translate
            if type_ == 'report' and name not in report_translated:
                # A template written in French has nothing in fr.po: it
                # must not hold English
                if name in french_reports and english_words(src):
                    english.append(f"{module} {name}: {src!r}")
                continue
            if res_id != -1:
                # The record by its XML id
                record = ModelData.search([
                        ('model', '=', name.split(',')[0]),
                        ('db_id', '=', res_id),
                        ], limit=1)
                name += f":{record[0].fs_id}" if record else f":{res_id}"
            missing.append(f"{module} {type_} {name} {src!r}")
        assert not missing, (f"{len(missing)} strings without French:\n"
            + '\n'.join(sorted(missing)))
        assert not english, (
            "English in templates written in French:\n"
            + '\n'.join(sorted(english)))
