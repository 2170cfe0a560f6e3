"""Sub-commands of the `ateliers` tool for operations: a consistent
backup of one database (``ateliers backup``) and its restoration into a
new database (``ateliers restore``), on PostgreSQL and SQLite.

A backup is a folder holding what a database needs to be whole again:
the database itself (``pg_dump`` custom format, or an online copy of the
SQLite file through SQLite's backup API), its filestore (attachments,
cached invoice PDFs: ``[database] path/<database>``) and the signed
archives of the till closings (``[ptce_sectors] archive_path/<database>``),
with a MANIFEST.json of their SHA-256 sums so that a damaged backup is refused
before anything is restored.  The sealing key of the tills is never in a
backup: it must be kept apart (doc/operations.rst), as whoever holds it
with the data could rewrite the chain."""
import datetime
import hashlib
import json
import pathlib
import shutil
import sqlite3
import subprocess
import urllib.parse

import click

from .. import environment
from ..environment import ToolError
from ..options import database_option

MANIFEST = 'MANIFEST.json'
FORMAT = 1


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as file:
        for block in iter(lambda: file.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _pg_uri(database):
    "The libpq URI of the database on trytond's PostgreSQL server"
    from trytond import config
    uri = urllib.parse.urlsplit(config.get('database', 'uri'))
    return urllib.parse.urlunsplit(
        ('postgresql', uri.netloc, '/' + urllib.parse.quote(database),
            uri.query, ''))


def _pg_tool(name):
    path = shutil.which(name)
    if not path:
        raise ToolError(
            f"Commande « {name} » introuvable : installez le client "
            "PostgreSQL (paquet postgresql-client) de la version du serveur "
            "ou plus récent.")
    return path


def _filestore(database):
    "The filestore folder of the database (it may not exist)"
    from trytond import config
    return pathlib.Path(config.get('database', 'path')) / database


def _archive_folder(database):
    "The closing archives of the database (ptce_sectors/seal.py)"
    from ptce_sectors import seal
    return seal.archive_folder(database)


def _modules(database):
    def read(pool):
        Module = pool.get('ir.module')
        return {m.name: m.version for m in Module.search(
                    [('state', '=', 'activated')])}
    return environment.run(database, read, readonly=True)


def _copy_tree(source, target):
    if source and source.is_dir():
        shutil.copytree(source, target)


def _list_files(root):
    return sorted(p for p in root.rglob('*') if p.is_file()
        and p.name != MANIFEST)


@click.command(help="Sauvegarder une base dans un dossier : la base "
    "(pg_dump ou copie SQLite cohérente), ses fichiers joints et les "
    "archives signées des clôtures de caisse, avec un manifeste SHA-256. "
    "La clé de scellement des caisses n'y est pas : gardez-la à part.")
@database_option
@click.option('--output', '-o', required=True, metavar='DOSSIER',
    type=click.Path(file_okay=False, writable=True),
    help="Dossier créé pour la sauvegarde (ne doit pas exister).")
def backup(database, output):
    "Back up a database, its filestore and the closing archives"
    if not environment.database_exists(database):
        raise ToolError(f"La base « {database} » n'existe pas.")
    target = pathlib.Path(output)
    if target.exists():
        raise ToolError(
            f"Le dossier « {target} » existe déjà : une sauvegarde ne "
            "remplace jamais une autre.")
    modules = _modules(database)
    building = target.with_name(target.name + '.partial')
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    try:
        backend = environment.backend_name()
        if backend == 'postgresql':
            run = subprocess.run([_pg_tool('pg_dump'), '--format=custom',
                    '--no-owner', '--no-privileges',
                    '--file', str(building / 'database.dump'),
                    '--dbname', _pg_uri(database)],
                capture_output=True, text=True)
            if run.returncode:
                raise ToolError(
                    f"pg_dump a échoué : {run.stderr.strip()}")
        else:
            # SQLite's backup API copies a consistent state even while
            # trytond writes to the file
            source = sqlite3.connect(
                f'file:{environment._sqlite_file(database)}?mode=ro',
                uri=True)
            copy = sqlite3.connect(building / 'database.sqlite')
            with copy:
                source.backup(copy)
            copy.close()
            source.close()
        _copy_tree(_filestore(database), building / 'filestore')
        _copy_tree(_archive_folder(database), building / 'pos-archives')
        manifest = {
            'format': FORMAT,
            'database': database,
            'backend': backend,
            'created': datetime.datetime.now(
                datetime.timezone.utc).isoformat(timespec='seconds'),
            'modules': modules,
            'files': {str(p.relative_to(building)): _sha256(p)
                for p in _list_files(building)},
            }
        (building / MANIFEST).write_text(
            json.dumps(manifest, indent=2, sort_keys=True) + '\n')
        building.rename(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    size = sum(p.stat().st_size for p in _list_files(target))
    click.echo(f"Sauvegarde de « {database} » écrite dans {target} "
        f"({len(manifest['files'])} fichiers, {size / 1e6:.1f} Mo). "
        "La clé de scellement des caisses n'y est pas : sauvegardez-la à "
        "part.")


def read_manifest(folder):
    """The manifest of the backup folder, once every file it lists is
    checked against its SHA-256 (and no file is missing or added)"""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text())
        files = manifest['files']
        backend = manifest['backend']
    except (OSError, ValueError, KeyError, TypeError):
        raise ToolError(
            f"« {folder} » n'est pas une sauvegarde lisible (manifeste "
            f"{MANIFEST} absent ou illisible).")
    found = {str(p.relative_to(folder)) for p in _list_files(folder)}
    if found != set(files):
        raise ToolError(
            f"Sauvegarde « {folder} » incomplète ou complétée : fichiers "
            f"différents du manifeste ({', '.join(sorted(found ^ set(files)))}"
            ").")
    for name, digest in files.items():
        if _sha256(folder / name) != digest:
            raise ToolError(
                f"Sauvegarde « {folder} » altérée : « {name} » ne "
                "correspond plus à son empreinte SHA-256. Rien n'a été "
                "restauré.")
    if backend not in {'postgresql', 'sqlite'}:
        raise ToolError(f"Moteur de base inconnu dans la sauvegarde : "
            f"{backend}.")
    return manifest


def _restore_archives(source, database):
    """Copy the closing archives of the backup into the archive folder of
    the new database: a file already there must be the same (an archive
    is never replaced)"""
    folder = _archive_folder(database)
    if not source.is_dir() or not folder:
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    copied = 0
    for path in sorted(source.glob('*')):
        target = folder / path.name
        if target.exists():
            if target.read_bytes() != path.read_bytes():
                raise ToolError(
                    f"L'archive « {target} » existe déjà avec un autre "
                    "contenu : une archive de clôture n'est jamais "
                    "remplacée.")
            continue
        shutil.copy2(path, target)
        copied += 1
    return copied


@click.command(help="Restaurer une sauvegarde (ateliers backup) dans une "
    "nouvelle base, après contrôle de son manifeste, puis vérifier la "
    "chaîne des caisses dans la base restaurée.")
@database_option
@click.option('--from', 'source', required=True, metavar='DOSSIER',
    type=click.Path(exists=True, file_okay=False, readable=True),
    help="Dossier d'une sauvegarde faite par « ateliers backup ».")
def restore(database, source):
    "Restore a backup folder into a new database"
    folder = pathlib.Path(source)
    manifest = read_manifest(folder)
    backend = environment.backend_name()
    if manifest['backend'] != backend:
        raise ToolError(
            f"Sauvegarde {manifest['backend']} : elle se restaure sur "
            f"{manifest['backend']}, pas sur {backend}.")
    if environment.database_exists(database):
        raise ToolError(
            f"La base « {database} » existe déjà : restaurez dans une "
            "nouvelle base (jamais par-dessus une base existante).")
    filestore = _filestore(database)
    if filestore.exists():
        raise ToolError(
            f"Le dossier de fichiers « {filestore} » existe déjà.")
    try:
        if backend == 'postgresql':
            environment.create_database(database)
            run = subprocess.run([_pg_tool('pg_restore'), '--no-owner',
                    '--no-privileges', '--exit-on-error',
                    '--dbname', _pg_uri(database),
                    str(folder / 'database.dump')],
                capture_output=True, text=True)
            if run.returncode:
                raise ToolError(
                    f"pg_restore a échoué : {run.stderr.strip()}")
        else:
            path = environment._sqlite_file(database)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + '.partial')
            shutil.copyfile(folder / 'database.sqlite', partial)
            partial.rename(path)
        _copy_tree(folder / 'filestore', filestore)
        archives = _restore_archives(folder / 'pos-archives', database)
    except BaseException:
        # Nothing half-restored is left behind
        environment.drop_database(database)
        shutil.rmtree(filestore, ignore_errors=True)
        raise
    click.echo(f"Base « {manifest['database']} » du {manifest['created']} "
        f"restaurée sous « {database} » ({archives} archive(s) de clôture "
        "copiée(s)).")
    from .sectors import archive_contents, verify
    folder = _archive_folder(database)
    contents = archive_contents([folder]) if folder and folder.is_dir() \
        else []
    lines, status = environment.run(
        database, lambda pool: verify(pool, contents), readonly=True)
    for line in lines:
        click.echo(line)
    if status == 'broken':
        raise ToolError(
            "Base restaurée, mais la chaîne des caisses est rompue : "
            "n'utilisez pas cette sauvegarde.")
    if status == 'unverifiable':
        click.echo("Chaîne des caisses non vérifiable : la clé de "
            "scellement ([ptce_sectors] chain_key_file) manque sur ce "
            "serveur ; restaurez-la depuis sa copie à part.", err=True)


COMMANDS = [backup, restore]
