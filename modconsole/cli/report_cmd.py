"""`modconsole report transparency | sor` (admin)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from modconsole.errors import InvalidInput

from .context import call, emit_json, fail, out

app = typer.Typer(help="Compliance reports (EU DSA).", no_args_is_help=True, rich_markup_mode=None)


def _period(since: str, until: str):  # type: ignore[no-untyped-def]
    from .context import parse_time_option

    try:
        return parse_time_option(since, "--since"), parse_time_option(until, "--until")
    except InvalidInput as exc:
        fail(exc)


@app.command()
def transparency(
    ctx: typer.Context,
    since: Annotated[str, typer.Option("--since", help="ISO 8601, included")],
    until: Annotated[str, typer.Option("--until", help="ISO 8601, excluded")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Notices by reason and source, actions by kind and ground, handling times, SLA breaches, appeals."""
    start, end = _period(since, until)
    r = call(ctx, lambda b: b.report_transparency(start, end))
    if as_json:
        emit_json(r)
        return
    out.print(f"Transparency report {r['since']} — {r['until']}", markup=False, style="bold")
    out.print(f"notices from members: {r['notices']['total']} {r['notices']['by_reason']}", markup=False)
    out.print(f"detection: member reports {r['detection']['member_reports']}, automated {r['detection']['automated']}", markup=False)
    out.print(f"sanctions: {r['actions']['sanctions']}", markup=False)
    out.print(f"cases: {r['actions']['cases']}", markup=False)
    table = Table(box=None, header_style="bold")
    for col in ("queue", "resolved", "median min", "p90 min", "SLA breached"):
        table.add_column(col, justify="left" if col == "queue" else "right")
    for q, v in r["queues"].items():
        table.add_row(q, str(v["resolved"]), str(v["median_minutes"]), str(v["p90_minutes"]), str(v["breached"]))
    out.print(table)
    a = r["appeals"]
    out.print(f"appeals: received {a['received']}, upheld {a['upheld']}, reversed {a['reversed']}", markup=False)


@app.command()
def sor(
    ctx: typer.Context,
    since: Annotated[str, typer.Option("--since")],
    until: Annotated[str, typer.Option("--until")],
    out_file: Annotated[Path | None, typer.Option("--out", help="write JSON Lines here (default: standard output)")] = None,
) -> None:
    """Statements of reasons, one JSON object a line, in the DSA Transparency Database's fields;
    each is checked against its required-field rules before anything is written."""
    start, end = _period(since, until)
    rows = call(ctx, lambda b: b.report_sor(start, end))
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    if out_file is None:
        typer.echo(text, nl=False)
        return
    from modconsole.domain.files import write_private

    write_private(out_file, text)  # 0600: statements name decisions on members
    out.print(f"{len(rows)} statements of reasons written to {out_file}", markup=False)
