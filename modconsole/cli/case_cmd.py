"""`modconsole case show | claim | release | note | resolve | escalate`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from modconsole.safetext import as_text
from modconsole.schemas import CaseDetail, ContentPublic

from .context import call, emit_json, out, parse_case_id

app = typer.Typer(help="Work one case.", no_args_is_help=True, rich_markup_mode=None)


def _highlighted(body: str | None, spans: list[tuple[int, int]]) -> Text:
    """The body, literal, with matched spans underlined (offsets into the original text)."""
    text = Text()
    body = body or ""
    pos = 0
    for start, end in sorted(spans):
        if start < pos or end > len(body):
            continue
        text.append_text(as_text(body[pos:start]))
        text.append_text(as_text(body[start:end], style="bold reverse"))
        pos = end
    text.append_text(as_text(body[pos:]))
    return text


def _content_line(c: ContentPublic, body: Text | None = None) -> Text:
    who = as_text(f"{c.author or '?'} ({c.author_handle or 'no handle'})", keep_newlines=False)
    head = Text(f"[{c.kind or 'content'} {c.id}] ", style="dim")
    head.append_text(who)
    if c.created_at:
        head.append(f" at {c.created_at:%Y-%m-%d %H:%M}", style="dim")
    head.append(": ")
    if body is not None:
        return head.append_text(body)
    if c.body is None:
        return head.append("(not received yet)", style="dim italic")
    return head.append_text(as_text(c.body))


def print_detail(d: CaseDetail) -> None:
    c = d.case
    out.print(Text(f"Case {c.id} — {c.queue} — priority {c.priority} — {c.state}", style="bold"))
    out.print(Text(f"SLA due {c.sla_due_at:%Y-%m-%d %H:%M:%S}Z{'  BREACHED' if c.breached else ''}"))
    if c.claimed_by:
        out.print(Text("held by ").append_text(as_text(c.claimed_by)))
    if c.escalated_to:
        out.print(Text(f"escalated to {c.escalated_to}"))
    if d.subject_member:
        m = d.subject_member
        out.print(Text("member ").append_text(as_text(f"{m.id} ({m.handle or 'no handle'})", keep_newlines=False)))
    if d.content:
        spans = [s.span for s in c.signals if s.span and s.content_id == d.content.id]
        out.print(Text("\ncontent", style="bold"))
        body = _highlighted(d.content.body, spans) if d.content.body is not None else None
        out.print(_content_line(d.content, body))
    if d.context:
        out.print(Text("\ncontext", style="bold"))
        for ctx_item in d.context:
            out.print(_content_line(ctx_item))
    out.print(Text("\nsignals", style="bold"))
    for s in c.signals:
        out.print(Text(f"  {s.category} ({s.source}, severity {s.severity}) ").append_text(as_text(s.detail or "", keep_newlines=False)))
    if d.reports:
        out.print(Text("\nreports", style="bold"))
        for r in d.reports:
            out.print(Text(f"  {r.reason}: ").append_text(as_text(r.note or "")))
    for label, items in d.extra.items():
        out.print(Text(f"\n{label.replace('_', ' ')}", style="bold"))
        for item in items:
            out.print(Text("  ").append_text(as_text(str({k: v for k, v in item.items() if v is not None}))))
    if d.notes:
        out.print(Text("\nnotes", style="bold"))
        for n in d.notes:
            out.print(Text(f"  {n.created_at:%Y-%m-%d %H:%M} {n.author}: ").append_text(as_text(n.body)))
    out.print(Text("\nhistory", style="bold"))
    for e in d.history:
        out.print(Text(f"  {e.at:%Y-%m-%d %H:%M:%S} {e.actor or 'system'} {e.action} {e.detail or ''}"))


@app.command()
def show(ctx: typer.Context, case_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A case in context: content, conversation, signals, reports (never the reporter), notes, history."""
    detail = call(ctx, lambda b: b.case_show(parse_case_id(case_id)))
    if as_json:
        emit_json(detail)
    else:
        print_detail(detail)


@app.command()
def claim(
    ctx: typer.Context, case_id: str,
    force: Annotated[bool, typer.Option("--force", help="take it over from its holder (senior, admin)")] = False,
) -> None:
    """Claim a case (a 15-minute lease, renewed by claiming again). Exit 3 naming the holder if held."""
    r = call(ctx, lambda b: b.case_claim(parse_case_id(case_id), force=force))
    out.print(f"case {r.case_id} claimed by {r.claimed_by} until {r.expires_at:%H:%M:%S}Z", markup=False)


@app.command()
def release(ctx: typer.Context, case_id: str) -> None:
    """Give a claimed case back to its queue."""
    call(ctx, lambda b: b.case_release(parse_case_id(case_id)))
    out.print(f"case {case_id.lstrip('#')} released", markup=False)


@app.command()
def note(ctx: typer.Context, case_id: str, text: str) -> None:
    """Add a note to a case (staff only; never shown to the member)."""
    n = call(ctx, lambda b: b.case_note(parse_case_id(case_id), text))
    out.print(f"note {n.id} added", markup=False)


@app.command()
def resolve(
    ctx: typer.Context, case_id: str,
    action: Annotated[str, typer.Option("--action", help="dismiss | hide | remove")],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
) -> None:
    """Close a case: dismiss it, or hide or remove its content."""
    c = call(ctx, lambda b: b.case_resolve(parse_case_id(case_id), action, reason))
    out.print(f"case {c.id} resolved: {c.resolution}", markup=False)


@app.command()
def escalate(
    ctx: typer.Context, case_id: str,
    to: Annotated[str, typer.Option("--to", help="senior | clinical")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Hand a case to a senior or to the clinical team."""
    c = call(ctx, lambda b: b.case_escalate(parse_case_id(case_id), to, reason))
    out.print(f"case {c.id} escalated to {c.escalated_to}", markup=False)
