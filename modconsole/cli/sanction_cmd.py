"""`modconsole sanction apply` (lifting and bulk arrive with the sanctions issue)."""

from __future__ import annotations

from typing import Annotated

import typer

from .context import call, emit_json, out, parse_case_id

app = typer.Typer(help="Sanctions on members.", no_args_is_help=True, rich_markup_mode=None)


@app.command()
def apply(
    ctx: typer.Context,
    member: Annotated[str, typer.Option("--member", help="the member's platform id")],
    kind: Annotated[str, typer.Option("--kind", help="warning | comment_mute | mute | ban | no_contact")],
    reason: Annotated[str, typer.Option("--reason", help="the house rule broken")],
    duration: Annotated[str | None, typer.Option("--duration", help="24h, 72h, 7d, 30d or permanent")] = None,
    other: Annotated[str | None, typer.Option("--other", help="the other member of a no-contact order")] = None,
    case: Annotated[str | None, typer.Option("--case", help="the case it decides")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Apply a sanction. A moderator's permanent ban or no-contact order is refused (a senior decides)."""
    s = call(ctx, lambda b: b.sanction_apply(member=member, kind=kind, duration=duration, reason=reason, other=other,
                                             case_id=parse_case_id(case) if case else None))
    if as_json:
        emit_json(s)
        return
    until = f"until {s.ends_at:%Y-%m-%d %H:%M}Z" if s.ends_at else "with no end date"
    out.print(f"sanction {s.id}: {s.kind} on {s.member} {until}", markup=False)
