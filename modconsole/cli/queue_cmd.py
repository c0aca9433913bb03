"""`modconsole queue list`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from modconsole.errors import ModconsoleError
from modconsole.safetext import as_text
from modconsole.schemas import CasePublic

from .context import emit_json, fail, out, state

app = typer.Typer(help="The queues of cases.", no_args_is_help=True, rich_markup_mode=None)


def sla_left(case: CasePublic, now: datetime) -> Text:
    seconds = int((case.sla_due_at - now).total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    h, rem = divmod(seconds, 3600)
    m = rem // 60
    label = f"{sign}{h}h{m:02d}" if h else f"{sign}{m}m"
    if case.breached:
        return Text(f"BREACHED {label}", style="bold red")
    return Text(label, style="yellow" if seconds < 600 else "")


def signal_summary(case: CasePublic) -> Text:
    parts = [f"{s.category}:{s.detail or s.source}" for s in case.signals[:3]]
    more = len(case.signals) - 3
    return as_text("; ".join(parts) + (f" (+{more})" if more > 0 else ""), keep_newlines=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    queue: Annotated[str | None, typer.Option("--queue", "-q", help="one queue (default: all you can see)")] = None,
    state_: Annotated[str | None, typer.Option("--state", "-s", help="open | claimed | escalated | resolved")] = None,
    member: Annotated[str | None, typer.Option("--member", help="only cases about this member")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="how many (0 = all)")] = 50,
    offset: Annotated[int, typer.Option("--offset", help="skip this many first")] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Cases in priority order: breached first, then severity, then the SLA closest to running out."""
    try:
        backend = state(ctx).backend()
        cases = backend.queue_list(queue=queue, state=state_, member=member, limit=limit, offset=offset)
    except ModconsoleError as exc:
        fail(exc)
    if as_json:
        emit_json(cases)
        return
    now = datetime.now(UTC)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for col in ("case", "queue", "sev", "state", "SLA", "subject", "member", "signals", "held by"):
        table.add_column(col, no_wrap=col not in ("signals",))
    for c in cases:
        table.add_row(
            str(c.id), c.queue, str(c.priority), c.state, sla_left(c, now),
            as_text(f"{c.subject_type} {c.subject_id}", keep_newlines=False), as_text(c.member or "-", keep_newlines=False),
            signal_summary(c), as_text(c.claimed_by or "", keep_newlines=False),
        )
    out.print(table)
    out.print(f"{len(cases)} case(s)", markup=False)
