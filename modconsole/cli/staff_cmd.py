"""`modconsole staff add | list | role | deactivate | reactivate | token`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .context import call, emit_json, out

app = typer.Typer(help="Staff members and roles.", no_args_is_help=True, rich_markup_mode=None)


@app.command()
def add(ctx: typer.Context, name: str, role: Annotated[str, typer.Option("--role", help="moderator | senior | clinical | admin | platform")]) -> None:
    """Add a staff member (admin)."""
    s = call(ctx, lambda b: b.staff_add(name, role))
    out.print(f"staff {s.name} added as {s.role}", markup=False)


@app.command()
def role(ctx: typer.Context, name: str, new_role: Annotated[str, typer.Argument(metavar="ROLE", help="moderator | senior | clinical | admin")]) -> None:
    """Change a staff member's role (admin; audited). The last active admin keeps theirs."""
    s = call(ctx, lambda b: b.staff_role(name, new_role))
    out.print(f"{s.name} is now {s.role}", markup=False)


@app.command()
def deactivate(ctx: typer.Context, name: str) -> None:
    """Deactivate a staff member (admin; audited): their tokens stop working at once."""
    call(ctx, lambda b: b.staff_active(name, False))
    out.print(f"{name} deactivated", markup=False)


@app.command()
def reactivate(ctx: typer.Context, name: str) -> None:
    """Reactivate a staff member (admin; audited)."""
    call(ctx, lambda b: b.staff_active(name, True))
    out.print(f"{name} reactivated", markup=False)


@app.command("list")
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every staff member with their role."""
    rows = call(ctx, lambda b: b.staff_list())
    if as_json:
        emit_json(rows)
        return
    table = Table(box=None, header_style="bold")
    for col in ("name", "role", "active", "since"):
        table.add_column(col)
    for s in rows:
        table.add_row(s.name, s.role, "yes" if s.active else "no", f"{s.created_at:%Y-%m-%d}")
    out.print(table)


@app.command()
def token(
    ctx: typer.Context, name: str,
    days: Annotated[int, typer.Option("--days", help="how long it lasts (1-730)")] = 90,
    revoke: Annotated[bool, typer.Option("--revoke", help="revoke every live token of NAME instead")] = False,
) -> None:
    """Issue an API token for a staff member or service account (admin); printed alone, once."""
    if revoke:
        n = call(ctx, lambda b: b.staff_token_revoke(name))
        out.print(f"{n} token(s) of {name} revoked", markup=False)
        return
    value = call(ctx, lambda b: b.staff_token(name, days))
    print(value)
