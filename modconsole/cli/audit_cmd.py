"""`modconsole audit verify | rotate-key | list`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from modconsole.errors import InvalidInput

from .context import call, emit_json, err, fail, out

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True, rich_markup_mode=None)


@app.command()
def verify(
    ctx: typer.Context,
    anchor: Annotated[Path | None, typer.Option("--anchor", help="a file outside the database holding the head "
                                                "recorded last time: checked, then moved on to the new head")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check the whole chain; exit 1 naming the first bad entry.

    The chain alone cannot show that its newest entries were removed. With --anchor FILE (kept
    on another machine or write-once storage, and run from cron), the head recorded by the
    previous run must still be in the log; on success FILE records the new head."""
    recorded: dict = {}
    if anchor is not None and anchor.exists():
        try:
            recorded = json.loads(anchor.read_text(encoding="utf-8"))
            entries, head = int(recorded["entries"]), str(recorded["head"])
        except (ValueError, KeyError, TypeError, OSError) as exc:
            fail(InvalidInput(f"{anchor} is not an anchor written by `audit verify --anchor`: {exc}"))
    r = call(ctx, lambda b: b.audit_verify(*((entries, head) if recorded else (None, None))))
    if as_json:
        emit_json(r)
    elif r.ok:
        out.print(f"audit log intact: {r.entries} entries, head {r.head}", markup=False)
        if r.anchor_ok:
            out.print(f"the head recorded in {anchor} ({recorded['entries']} entries) is still in the log", markup=False)
    else:
        err.print(f"audit log BROKEN at entry {r.first_bad_id}: {r.problem} ({r.entries} entries verified before it)", markup=False)
    if r.ok and anchor is not None:
        from modconsole.domain.files import write_private

        write_private(anchor, json.dumps({"entries": r.entries, "head": r.head}) + "\n")  # 0600, atomically
    if not r.ok:
        raise typer.Exit(1)


@app.command("rotate-key")
def rotate_key(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Start signing the log with a new audit key (admin). The old key stays in the key file, so
    older entries still verify; the rotation is itself an entry. Back up the key file again."""
    r = call(ctx, lambda b: b.audit_rotate_key())
    if as_json:
        emit_json(r)
    else:
        out.print(f"audit key rotated: {r.retired} retired, {r.current} signs from now on; back up the key file again",
                  markup=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n")] = 50,
    before: Annotated[int | None, typer.Option("--before", help="entries older than this id")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The newest entries first."""
    rows = call(ctx, lambda b: b.audit_list(limit=limit, before=before))
    if as_json:
        emit_json(rows)
        return
    table = Table(box=None, header_style="bold")
    for col in ("id", "at (UTC)", "who", "action", "target", "outcome", "detail"):
        table.add_column(col, no_wrap=col != "detail", min_width=24 if col == "detail" else None)
    for e in rows:
        detail = " ".join(f"{k}={v}" for k, v in (e.detail or {}).items())
        table.add_row(
            str(e.id), f"{e.at:%m-%d %H:%M:%S}", Text(e.staff), e.action,
            Text(f"{e.target_type or ''} {e.target_id or ''}".strip()),
            Text(e.outcome, style="bold red" if e.outcome == "refused" else ""), Text(detail),
        )
    out.print(table)
