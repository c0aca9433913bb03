"""`modconsole lexicon list | add | remove`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from modconsole.safetext import as_text

from .context import call, emit_json, out

app = typer.Typer(help="The detection lexicons (self_harm, offensive; fr, en).", no_args_is_help=True, rich_markup_mode=None)


@app.command("list")
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every term in force, shipped or added by an admin."""
    rows = call(ctx, lambda b: b.lexicon_list())
    if as_json:
        emit_json(rows)
        return
    table = Table(box=None, header_style="bold")
    for col in ("term", "category", "lang", "severity", "source"):
        table.add_column(col)
    for t in rows:
        table.add_row(as_text(t.term, keep_newlines=False), t.category, t.lang, str(t.severity), t.source)
    out.print(table)
    out.print(f"{len(rows)} terms", markup=False)


@app.command()
def add(
    ctx: typer.Context, term: str,
    category: Annotated[str, typer.Option("--category", help="self_harm | offensive")],
    lang: Annotated[str, typer.Option("--lang", help="fr | en")],
    severity: Annotated[int, typer.Option("--severity", min=1, max=3)] = 2,
) -> None:
    """Add a term (admin); used by the next ingest batch."""
    t = call(ctx, lambda b: b.lexicon_add(term, category, lang, severity))
    out.print(Text("added ").append_text(as_text(t.term, keep_newlines=False)).append(f" ({t.category}, {t.lang}, severity {t.severity})"))


@app.command()
def remove(
    ctx: typer.Context, term: str,
    lang: Annotated[str | None, typer.Option("--lang", help="only this language")] = None,
) -> None:
    """Remove a term (admin)."""
    n = call(ctx, lambda b: b.lexicon_remove(term, lang))
    out.print(Text("removed ").append_text(as_text(term, keep_newlines=False)).append(f" ({n} entr{'y' if n == 1 else 'ies'})"))
