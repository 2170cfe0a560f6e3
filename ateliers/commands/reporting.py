"""Sub-commands of the `ateliers` tool for ptce_reporting: the
accountant's year-end pack (``ateliers accounting ...``) and the funder
packs (``ateliers report ...``)."""
import os
import pathlib
import shutil
import tempfile

import click

from .. import environment, options
from ..environment import ToolError
from ..options import database_option


def _company(pool):
    from trytond.transaction import Transaction
    Company = pool.get('company.company')
    company_id = Transaction().context.get('company')
    if not company_id:
        raise ToolError("Aucune société n'est définie pour l'administrateur.")
    return Company(company_id)


@click.group(cls=options.Group)
def accounting():
    "Clôture de l'exercice : points bloquants, FEC, affectation du résultat."


def _amount(value):
    "An amount the French way: 1 234,56"
    text = f'{value:,.2f}'
    return text.replace(',', '\u202f').replace('.', ',')


def _echo_blockers(blockers):
    "Print the blockers; return how many items block"
    total = 0
    for blocker in blockers:
        total += blocker.count
        mark = 'OK ' if not blocker.count else '!! '
        click.echo(f"{mark}{blocker.label} : {blocker.count}")
        for record in blocker.records[:20]:
            click.echo(f"     - {record}")
        if blocker.count > 20:
            click.echo(f"     … et {blocker.count - 20} autres")
    return total


def _echo_cross_checks(checks):
    "Print the consistency checks; return how many fail"
    if checks:
        click.echo("Contrôles de cohérence :")
    for check in checks:
        mark = 'OK ' if check.ok else '!! '
        line = (f"{mark}{check.label} : attendu {_amount(check.expected)}, "
            f"trouvé {_amount(check.found)}")
        if not check.ok:
            line += f", écart {_amount(check.difference)}"
        click.echo(line)
    return sum(1 for c in checks if not c.ok)


@accounting.command('close-check')
@database_option
@options.year_option(required=True)
def close_check(database, year):
    """Lister ce qui bloque la clôture de l'exercice et les contrôles de
    cohérence (code de sortie 1 si quelque chose bloque)."""
    from ptce_reporting import closing
    with environment.transaction(database, readonly=True) as pool:
        options.check_fiscal_year(pool, year)
        fiscalyear = closing.get_fiscalyear(_company(pool), year)
        total = _echo_blockers(closing.close_check(fiscalyear))
        failed = _echo_cross_checks(fiscalyear.cross_checks())
    if total or failed:
        raise ToolError(
            f"L'exercice {year} ne peut pas être clôturé : "
            f"{total} élément(s) bloquant(s), {failed} contrôle(s) de "
            "cohérence en écart.")
    click.echo(f"Rien ne bloque la clôture de l'exercice {year}.")


@accounting.command('close-year')
@database_option
@options.year_option(required=True)
@click.option('--renew', is_flag=True,
    help="Créer aussi l'exercice suivant (nouvelles séquences).")
@click.option('--output', type=options.OutputFolder(), required=True,
    metavar='DOSSIER',
    help="Dossier où le FEC est écrit (créé s'il manque).")
def close_year(database, year, renew, output):
    """Clôturer l'exercice avec les assistants standard de Tryton :
    vérification, solde des comptes de gestion (6 et 7) au résultat,
    clôture des périodes et de l'exercice, exercice suivant (--renew),
    FEC écrit et validé, totaux de la balance générale."""
    from ptce_reporting import closing
    folder = pathlib.Path(output)

    def close(pool):
        # Run again from the start when trytond restarts the transaction to
        # take its locks (environment.run): print nothing here
        options.check_fiscal_year(pool, year)
        fiscalyear = closing.get_fiscalyear(_company(pool), year)
        if fiscalyear.state != 'open':
            raise ToolError(
                f"L'exercice {fiscalyear.rec_name} est déjà clôturé : "
                "rien à faire (le FEC s'obtient par "
                "« ateliers accounting fec »).")
        # Before any change: without SIREN the FEC could not be named
        closing.fec.fec_filename(fiscalyear)
        blockers, failed = closing.closing_obstacles(fiscalyear)
        if blockers or failed:
            # Returned, not raised: the transaction has changed nothing
            return blockers, failed, None
        move, next_year = closing.close_year(fiscalyear, renew=renew)
        return [], [], (fiscalyear.rec_name,
            move.rec_name if move else None,
            (next_year.rec_name, len(next_year.periods))
            if next_year else None)

    blockers, failed, closed = environment.run(database, close)
    if not closed:
        total = _echo_blockers(blockers)
        _echo_cross_checks(failed)
        raise ToolError(
            f"L'exercice {year} ne peut pas être clôturé : "
            f"{total} élément(s) bloquant(s), {len(failed)} contrôle(s) "
            "de cohérence en écart. Rien n'a été modifié.")
    name, move, next_year = closed
    click.echo("Vérification : rien ne bloque, contrôles de cohérence OK.")
    if move:
        click.echo("Écriture de clôture (solde des comptes de gestion) "
            f"passée : {move}")
    click.echo(f"Périodes et exercice {name} clôturés.")
    if next_year:
        click.echo(f"Exercice suivant : {next_year[0]} "
            f"({next_year[1]} périodes).")
    # Not read-only: account_fr's export stores its wizard session
    with environment.transaction(database) as pool:
        fiscalyear = closing.get_fiscalyear(_company(pool), year)
        folder.mkdir(exist_ok=True)
        path, defects, _ = closing.export_fec(fiscalyear, str(folder))
        total, balanced = closing.trial_balance_totals(fiscalyear)
    click.echo(f"FEC écrit : {path}")
    for defect in defects:
        click.echo(f"  {defect}")
    click.echo(f"Balance générale : débit {_amount(total['debit'])}, "
        f"crédit {_amount(total['credit'])}"
        + (" (équilibrée)" if balanced else " (DÉSÉQUILIBRÉE)"))
    if defects:
        raise ToolError(
            f"Exercice clôturé, mais le FEC comporte {len(defects)} "
            "anomalie(s) de format.")
    if not balanced:
        raise ToolError("Exercice clôturé, mais la balance générale n'est "
            "pas équilibrée.")
    click.echo("FEC conforme à l'article A47 A-1 du LPF.")


@accounting.command('fec')
@database_option
@options.year_option(required=True)
@click.option('--output', type=options.OutputFolder(), required=True,
    metavar='DOSSIER',
    help="Dossier où le FEC est écrit (créé s'il manque).")
def fec(database, year, output):
    """Écrire le FEC (fichier des écritures comptables) de l'exercice avec
    l'export d'account_fr et le valider (LPF art. A47 A-1)."""
    from ptce_reporting import closing
    folder = pathlib.Path(output)
    # Not read-only: account_fr's export stores its wizard session
    with environment.transaction(database) as pool:
        options.check_fiscal_year(pool, year)
        fiscalyear = closing.get_fiscalyear(_company(pool), year)
        folder.mkdir(exist_ok=True)
        # The export writes through a temporary file renamed at the end
        path, defects, final = closing.export_fec(fiscalyear, str(folder))
    click.echo(f"FEC écrit : {path}")
    if not final:
        click.echo(
            f"Attention : l'exercice {year} n'est pas verrouillé, ce FEC "
            "est provisoire.")
    for defect in defects:
        click.echo(f"  {defect}")
    if defects:
        raise ToolError(
            f"Le FEC comporte {len(defects)} anomalie(s) de format.")
    click.echo("Format conforme à l'article A47 A-1 du LPF.")


@accounting.command('surplus')
@database_option
@options.year_option(required=True)
def surplus(database, year):
    """Proposer l'affectation du résultat de l'exercice (au moins 57,5 % en
    réserves impartageables, loi 1947 art. 19 nonies)."""
    with environment.transaction(database, readonly=True) as pool:
        options.check_fiscal_year(pool, year)
        Allocation = pool.get('ptce.surplus.allocation')
        from ptce_reporting import closing
        fiscalyear = closing.get_fiscalyear(_company(pool), year)
        allocation = Allocation(fiscalyear=fiscalyear,
            company=fiscalyear.company)
        allocation.on_change_fiscalyear()
        click.echo(f"Résultat {year} : {allocation.result}")
        for line in allocation.lines:
            click.echo(f"  {line.account.code} {line.account.name} : "
                f"{line.amount}")


@click.group(cls=options.Group)
def report():
    "Dossiers des financeurs et rapport d'activité."


output_option = click.option('--output', type=options.OutputFile(['.xlsx']),
    required=True, metavar='FICHIER',
    help="Classeur XLSX écrit ; le PDF des graphiques et un dossier "
    "<nom>_graphiques de PNG sont écrits à côté.")


@report.command('funder')
@database_option
@click.option('--funder', type=options.Text(), metavar='NOM',
    help="Nom du financeur (tiers, majuscules indifférentes).")
@options.year_option(required=True, help="Année du rapport.")
@output_option
def funder(database, funder, year, output):
    """Dossier d'un financeur : XLSX (indicateurs, budget et réalisé,
    subventions, filières), PDF et PNG des graphiques."""
    _pack(database, funder, year, output)


@report.command('activity')
@database_option
@options.year_option(required=True, help="Année du rapport.")
@output_option
def activity(database, year, output):
    """Rapport d'activité sur l'ensemble des financeurs, avec la partie
    projet coopératif du rapport de gestion."""
    _pack(database, None, year, output)


def _pack(database, funder, year, output):
    from ptce_reporting import pack
    output = pathlib.Path(output).absolute()
    # Built in a temporary folder beside the output, moved at the end: a
    # failure leaves no partial pack
    tmp = pathlib.Path(tempfile.mkdtemp(
            dir=output.parent, prefix=f'.{output.stem}.', suffix='.tmp'))
    try:
        with environment.transaction(database, readonly=True) as pool:
            options.check_fiscal_year(pool, year)
            company = _company(pool)
            party = None
            if funder:
                Party = pool.get('party.party')
                parties = Party.search([('name', 'ilike', funder)])
                if not parties:
                    raise click.BadParameter(
                        f"aucun tiers nommé « {funder} ».",
                        param_hint="'--funder'")
                party = parties[0]
            files = pack.build_pack(
                company, year, str(tmp / output.name), funder=party)
        files = [pathlib.Path(f).relative_to(tmp) for f in files]
        for name in sorted({f.parts[0] for f in files}):
            target = output.parent / name
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(tmp / name, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for path in files:
        click.echo(f"Écrit : {output.parent / path}")


COMMANDS = [accounting, report]
