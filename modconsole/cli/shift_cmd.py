"""`modconsole shift show` (seniors, admins) | `handover` (moderators too: SPEC §1)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from modconsole.safetext import as_text

from .context import call, emit_json, out

app = typer.Typer(help="The state of the shift and handover notes.", no_args_is_help=True, rich_markup_mode=None)
BARS = " ▁▂▃▄▅▆▇█"


def spark(values: list[int]) -> str:
    top = max(values) if values and max(values) > 0 else 1
    return "".join(BARS[min(8, round(v / top * 8))] for v in values)


@app.command()
def show(ctx: typer.Context, hours: Annotated[int, typer.Option("--hours", help="1-72")] = 12,
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Queue depths and SLA breaches over the last hours, who holds what, the handover notes."""
    d = call(ctx, lambda b: b.shift_dashboard(hours))
    if as_json:
        emit_json(d)
        return
    table = Table(box=None, header_style="bold")
    for col in ("queue", f"open, last {hours} h", "now", f"breached, last {hours} h", "now"):
        table.add_column(col)
    for q, v in d.series.items():
        table.add_row(q, spark(v["open"]), str(v["open"][-1]), spark(v["breached"]), str(v["breached"][-1]))
    out.print(table)
    out.print(Text("holding now", style="bold"))
    for name, held in d.holders.items():
        out.print(f"  {name}: " + ", ".join(f"{h['case']} ({h['queue']})" for h in held), markup=False)
    if not d.holders:
        out.print("  nobody", markup=False)
    out.print(Text("handover notes", style="bold"))
    for n in d.notes:
        out.print(Text(f"  {n.at:%Y-%m-%d %H:%M}Z {n.author}: ").append_text(as_text(n.body)))


@app.command()
def handover(ctx: typer.Context, text: str) -> None:
    """Leave a note for the next shift."""
    n = call(ctx, lambda b: b.shift_handover(text))
    out.print(f"handover note {n.id} left", markup=False)
