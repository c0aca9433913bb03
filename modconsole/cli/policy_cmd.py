"""`modconsole policy show | set KEY VALUE`: SLAs, the claim lease, the harassment rule."""

from __future__ import annotations

from typing import Annotated

import typer

from .context import call, emit_json, out

app = typer.Typer(help="Policy settings (SLAs in minutes, claim lease, harassment follow-ups).", no_args_is_help=True, rich_markup_mode=None)


@app.command()
def show(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every setting in force."""
    values = call(ctx, lambda b: b.policy_show())
    if as_json:
        emit_json(values)
        return
    for k, v in values.items():
        out.print(f"{k} = {v}", markup=False)


@app.command("set")
def set_(ctx: typer.Context, key: str, value: str) -> None:
    """Change one setting (admin), e.g. `policy set harassment_followups 2` or `policy set sla.urgent 3`."""
    values = call(ctx, lambda b: b.policy_set(key, value))
    out.print(f"{key} = {values[key]}", markup=False)
