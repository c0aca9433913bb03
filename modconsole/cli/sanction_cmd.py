"""`modconsole sanction apply | lift | confirm-evasion` (bulk arrives with the admin issue)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from modconsole.safetext import as_text
from modconsole.schemas import BulkResult, SanctionPublic

from .context import call, emit_json, err, fail, out, parse_case_id

app = typer.Typer(help="Sanctions on members.", no_args_is_help=True, rich_markup_mode=None)


@app.command()
def apply(
    ctx: typer.Context,
    member: Annotated[str, typer.Option("--member", help="the member's platform id")],
    kind: Annotated[str, typer.Option("--kind", help="warning | comment_mute | mute | ban | no_contact")],
    reason: Annotated[str, typer.Option("--reason", help="the house rule broken, first: 'respect: insulted a member'")],
    duration: Annotated[str | None, typer.Option("--duration", help="24h, 72h, 7d, 30d or permanent")] = None,
    other: Annotated[str | None, typer.Option("--other", help="the other member of a no-contact order")] = None,
    case: Annotated[str | None, typer.Option("--case", help="the case it decides")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="the house rule's id, when the reason does not start with it")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check and show the statement; apply nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Apply a sanction; prints it with the statement of reasons sent to the member.
    A moderator's permanent ban or no-contact order is refused (a senior decides)."""
    method = "sanction_preview" if dry_run else "sanction_apply"
    s = call(ctx, lambda b: getattr(b, method)(member=member, kind=kind, duration=duration, reason=reason, other=other,
                                               case_id=parse_case_id(case) if case else None, rule=rule))
    if dry_run and not as_json:
        out.print("dry run: nothing applied", markup=False)
    if as_json:
        emit_json(s)
        return
    _print(s)


def _print(s: SanctionPublic) -> None:
    until = f"until {s.ends_at:%Y-%m-%d %H:%M}Z" if s.ends_at else "with no end date"
    if not s.id:
        out.print(f"would apply: {s.kind} on {s.member} {until} (rule: {s.rule})", markup=False)
        out.print(Text("statement of reasons the member would receive:", style="dim"))
        out.print(as_text(s.statement or ""))
        return
    lifted = f", lifted {s.lifted_at:%Y-%m-%d %H:%M}Z" if s.lifted_at else ""
    out.print(f"sanction {s.id}: {s.kind} on {s.member} {until} (rule: {s.rule}){lifted}", markup=False)
    if s.statement and not s.lifted_at:
        out.print(Text("statement of reasons sent to the member:", style="dim"))
        out.print(as_text(s.statement))


@app.command()
def lift(
    ctx: typer.Context,
    sanction_id: Annotated[int, typer.Argument(metavar="ID", help="the sanction's id")],
    reason: Annotated[str, typer.Option("--reason", help="why it is lifted (audited)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Lift a sanction (senior, admin): effective status changes at once; the member is told."""
    s = call(ctx, lambda b: b.sanction_lift(sanction_id, reason))
    if as_json:
        emit_json(s)
        return
    _print(s)


@app.command()
def bulk(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="member,kind,duration,reason[,other][,case]")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check every row and say what it would do; change nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Apply sanctions from a CSV file: every row is checked first, then all are applied or
    none (exit 1, each bad row named by its line). Rows applied by an earlier run are skipped."""
    from rich.progress import Progress

    from modconsole.domain import bulk as bulk_mod
    from modconsole.errors import InvalidInput, ModconsoleError

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(InvalidInput(f"cannot read {file}: {exc}"))
    try:
        rows, bad = bulk_mod.parse(text)
    except ModconsoleError as exc:
        fail(exc)
    if bad:
        result = BulkResult(dry_run=dry_run, rows=bad, errors=len(bad))
    else:
        chunks = [rows[i:i + CHUNK] for i in range(0, len(rows), CHUNK)] or [[]]
        with Progress(console=err, transient=True, disable=as_json or not err.is_terminal) as progress:
            task = progress.add_task("checking rows", total=len(rows))
            checked: list = []
            for part in chunks:  # check in chunks for the progress bar, then apply all at once
                checked += call(ctx, lambda b, part=part: b.sanction_bulk(part, dry_run=True)).rows
                progress.advance(task, len(part))
            result = BulkResult(dry_run=True, rows=checked, errors=sum(r.status == "error" for r in checked),
                                already_applied=sum(r.status in ("already_applied", "duplicate_row") for r in checked))
            if not dry_run and not result.errors:
                progress.update(task, description="applying")
                result = call(ctx, lambda b: b.sanction_bulk(rows, dry_run=False))
    if as_json:
        emit_json(result)
    else:
        for r in result.rows:
            what = f"line {r.line}: {r.kind or '?'} on {r.member or '?'}" + (f" with {r.other}" if r.other else "")
            line = Text(f"{what}: {r.status.replace('_', ' ')}")
            if r.sanction_id:
                line.append(f" (sanction {r.sanction_id})")
            if r.error:
                line.append(" — ").append_text(as_text(r.error, keep_newlines=False))
            out.print(line)
        verdict = ("dry run: nothing changed" if result.dry_run and not result.errors else
                   f"nothing applied: {result.errors} row(s) in error" if result.errors else
                   f"{result.applied} applied, {result.already_applied} already applied before")
        out.print(verdict, markup=False)
    if result.errors:
        raise typer.Exit(1)


CHUNK = 500


@app.command("confirm-evasion")
def confirm_evasion(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="the evasion case")],
    reason: Annotated[str, typer.Option("--reason", help="why this is evasion (audited)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Confirm ban evasion (senior, admin): every linked profile is banned permanently."""
    bans = call(ctx, lambda b: b.evasion_confirm(parse_case_id(case), reason))
    if as_json:
        emit_json(bans)
        return
    for s in bans:
        out.print(f"sanction {s.id}: permanent ban on {s.member} (extends sanction {s.extends})", markup=False)
    if not bans:
        out.print("every linked profile was already banned permanently; the case is resolved", markup=False)
