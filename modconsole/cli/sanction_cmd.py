"""`modconsole sanction apply | lift | confirm-evasion` (bulk arrives with the admin issue)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from modconsole.safetext import as_text
from modconsole.schemas import SanctionPublic

from .context import call, emit_json, out, parse_case_id

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
