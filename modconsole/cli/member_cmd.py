"""`modconsole member show M`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from modconsole.safetext import as_text

from .context import call, emit_json, out, parse_time_option, to_jsonable

app = typer.Typer(help="Members' histories.", no_args_is_help=True, rich_markup_mode=None)


@app.command()
def show(ctx: typer.Context, member: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """History: content, cases, sanctions, notes, linked accounts, and the ladder's suggestion."""
    d = call(ctx, lambda b: b.member_show(member))
    if as_json:
        emit_json(d)
        return
    m = d.member
    out.print(Text("Member ", style="bold").append_text(as_text(f"{m.id} ({m.handle or 'no handle'})", keep_newlines=False)))
    out.print(Text(f"suggested next step: {d.suggested_next} — {d.suggestion_reason}", style="bold yellow"))
    out.print(Text("\nsanctions in force", style="bold"))
    for s in d.sanctions_in_force or []:
        until = f"until {s.ends_at:%Y-%m-%d %H:%M}Z" if s.ends_at else "permanent / until lifted"
        out.print(Text(f"  #{s.id} {s.kind} {until}: ").append_text(as_text(s.reason)))
    if d.sanctions_past:
        out.print(Text("past sanctions", style="bold"))
        for s in d.sanctions_past:
            out.print(Text(f"  #{s.id} {s.kind} {s.starts_at:%Y-%m-%d}: ").append_text(as_text(s.reason)))
    out.print(Text(f"\ncases ({len(d.cases)})", style="bold"))
    for c in d.cases:
        out.print(Text(f"  {c.id} {c.queue} {c.state} priority {c.priority} ").append_text(as_text(f"{c.subject_type} {c.subject_id}", keep_newlines=False)))
    out.print(Text(f"\ncontent ({d.content_total}, latest {len(d.content)})", style="bold"))
    for item in d.content[:20]:
        out.print(Text(f"  {item.kind} {item.id} [{item.visibility}]: ", style="dim").append_text(as_text(item.body or "", keep_newlines=False)))
    if d.linked:
        out.print(Text("\nlinked accounts (same device)", style="bold"))
        for x in d.linked:
            out.print(Text("  ").append_text(as_text(f"{x.id} ({x.handle or 'no handle'})", keep_newlines=False)))
    if d.notes:
        out.print(Text("\nnotes", style="bold"))
        for n in d.notes:
            out.print(Text(f"  {n.created_at:%Y-%m-%d %H:%M} {n.author}: ").append_text(as_text(n.body)))


@app.command()
def status(
    ctx: typer.Context, member: str,
    at: Annotated[str | None, typer.Option("--at", help="ISO 8601 instant (default: now)")] = None,
    with_member: Annotated[str | None, typer.Option("--with", help="can they message this member?")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Effective status at an instant: can_login, can_post, can_comment (and can_message --with)."""

    def run(b: object) -> object:
        when = parse_time_option(at, "--at") if at is not None else None
        return b.member_status(member, when, with_member)  # type: ignore[attr-defined]

    st = call(ctx, run)
    if as_json:
        data = to_jsonable(st)
        data["sanctions"] = data.pop("in_force")
        if with_member is None:
            data.pop("can_message")
            data.pop("with_member")
        emit_json(data)
        return
    out.print(Text("member ").append_text(as_text(member, keep_newlines=False)).append(f" at {st.at:%Y-%m-%d %H:%M}Z"))
    for k in ("can_login", "can_post", "can_comment"):
        out.print(f"  {k}: {'yes' if getattr(st, k) else 'NO'}", markup=False)
    if with_member is not None:
        out.print(Text(f"  can_message {'yes' if st.can_message else 'NO'} with ").append_text(as_text(with_member, keep_newlines=False)))
    for s in st.in_force:
        out.print(Text(f"  in force: #{s.id} {s.kind}" + (f" until {s.ends_at:%Y-%m-%d %H:%M}Z" if s.ends_at else "")))
