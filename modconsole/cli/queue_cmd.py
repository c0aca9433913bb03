"""`modconsole queue list`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from modconsole.safetext import as_text
from modconsole.schemas import CasePublic

from .context import call, emit_json, out

app = typer.Typer(help="The queues of cases.", no_args_is_help=True, rich_markup_mode=None)


def sla_left(case: CasePublic, now: datetime) -> Text:
    seconds = int((case.sla_due_at - now).total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    h, rem = divmod(seconds, 3600)
    m = rem // 60
    label = f"{sign}{h}h{m:02d}" if h else f"{sign}{m}m"
    if case.breached:
        return Text(f"{label}!", style="bold red")  # past its SLA: negative time left
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
    mine: Annotated[bool, typer.Option("--mine", help="only the cases you hold")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Cases in priority order: breached first, then severity, then the SLA closest to running out."""
    cases = call(ctx, lambda b: b.queue_list(queue=queue, state=state_, member=member, limit=limit, offset=offset, mine=mine))
    if as_json:
        emit_json(cases)
        return
    now = datetime.now(UTC)
    table = Table(box=None, padding=(0, 1), header_style="bold")
    widths = {"case": 5, "sev queue": 12, "state": 8, "SLA": 8, "subject": 14, "member": 7, "held by": 6}
    for col in ("case", "sev queue", "SLA", "state", "subject", "member", "held by", "signals"):
        table.add_column(col, no_wrap=True, overflow="ellipsis", min_width=widths.get(col, 6), max_width=None if col == "signals" else widths.get(col))
    for c in cases:
        table.add_row(
            str(c.id), f"{c.priority} {c.queue}", sla_left(c, now), c.state,
            as_text(f"{c.subject_type} {c.subject_id}", keep_newlines=False), as_text(c.member or "-", keep_newlines=False),
            as_text(c.claimed_by or "", keep_newlines=False), signal_summary(c),
        )
    out.print(table)
    out.print(f"{len(cases)} case(s)", markup=False)
