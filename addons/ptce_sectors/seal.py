# This file is part of Les Ateliers ERP.  The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The sealing key of the points of sale (CGI art. 286 I 3° bis).

Every posted sale, closing and archive is signed with HMAC-SHA256 under a
secret key kept outside the database, so that whoever can write to the
tables still cannot recompute a valid chain.

The key file is named by ``[ptce_sectors] chain_key_file`` in trytond's
configuration (or ``TRYTOND_PTCE_SECTORS__CHAIN_KEY_FILE``).  One key per
line, ``<id>:<secret in base64>``; ``#`` starts a comment.  The last line
signs; the earlier ones are kept to verify what they signed (rotation:
append a new line, never remove an old one).  ``ateliers pos key create``
and ``ateliers pos key rotate`` do both.
"""
import base64
import datetime
import hashlib
import hmac
import os
import pathlib
import secrets

from trytond import config
from trytond.i18n import gettext

from .exceptions import SealError

SECTION = 'ptce_sectors'


def key_path():
    "Path of the key file from the configuration, or None"
    path = config.get(SECTION, 'chain_key_file', default=None)
    return pathlib.Path(path) if path else None


def read_keys(path):
    "Return the keys of the file as an ordered {id: secret bytes}"
    keys = {}
    for line in path.read_text(encoding='utf-8').splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        key_id, _, secret = line.partition(':')
        keys[key_id.strip()] = base64.b64decode(secret.strip(), validate=True)
    return keys


def archive_folder(database):
    """The folder of the signed closing archives of the database:
    ``[ptce_sectors] archive_path/<database>`` (one folder per database, so
    that the hubs served by one trytond never mix their archives), or None
    when no archive path is configured."""
    folder = config.get(SECTION, 'archive_path', default=None)
    return pathlib.Path(folder) / database if folder else None


def load_keys():
    """The keys of the configured file ({} when none is configured or the
    file cannot be read: then nothing can be signed nor verified)."""
    path = key_path()
    if not path:
        return {}
    try:
        return read_keys(path)
    except (OSError, ValueError):
        return {}


def signing_key():
    "Return (id, secret) of the key that signs, or raise SealError"
    keys = load_keys()
    if not keys:
        raise SealError(gettext(
                'ptce_sectors.msg_seal_key_missing',
                path=key_path() or '-'))
    key_id = list(keys)[-1]
    return key_id, keys[key_id]


def sign(secret, payload):
    "HMAC-SHA256 (hexadecimal) of the payload"
    if isinstance(payload, str):
        payload = payload.encode('utf-8')
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def check(keys, key_id, payload, signature):
    """True when the signature is right, False when it is wrong, None when
    no key is available at all (not verifiable).  A key id that the key
    file does not hold is wrong: the file keeps every key that ever signed,
    so it was either forged or the file lost a key (restore it)."""
    if not keys:
        return None
    secret = keys.get(key_id) if key_id else None
    if secret is None:
        return False
    return hmac.compare_digest(sign(secret, payload), signature or '')


def new_key_line():
    key_id = datetime.date.today().strftime('%Y%m%d-') + secrets.token_hex(3)
    secret = base64.b64encode(secrets.token_bytes(32)).decode('ascii')
    return f'{key_id}:{secret}\n', key_id


def create_key_file(path):
    "Create the key file with one new key (never overwrite); return its id"
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line, key_id = new_key_line()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as file:
        file.write(
            "# Clés de scellement des caisses (CGI art. 286 I 3° bis).\n"
            "# Ne jamais supprimer une ligne : elle vérifie ce qu'elle a "
            "signé.\n")
        file.write(line)
    return key_id


def rotate_key_file(path):
    "Append a new signing key to the key file; return its id"
    path = pathlib.Path(path)
    read_keys(path)  # refuse to append to an unreadable file
    line, key_id = new_key_line()
    with open(path, 'a', encoding='utf-8') as file:
        file.write(line)
    return key_id
