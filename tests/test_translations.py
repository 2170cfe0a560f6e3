"""Every module speaks French: each user message has its translation, and
each translation of a record points at a record the module loads (a
dangling one makes `trytond-admin -l fr` fail at installation, which the
module tests, run in English, do not see)."""
import configparser
import pathlib
import re

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
