"""`modconsole appeal list | show | decide` (EU DSA Art. 20)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from modconsole.errors import InvalidInput
from modconsole.safetext import as_text
from modconsole.schemas import AppealPublic

from .context import call, emit_json, err, fail, out, parse_case_id

app = typer.Typer(help="Members' appeals against sanctions and removals.", no_args_is_help=True, rich_markup_mode=None)


def _line(a: AppealPublic) -> Text:
    if a.sanction is not None:
        what = f"sanction {a.sanction.id} ({a.sanction.kind})"
    elif a.content is not None:
        what = f"removal of content {a.content} (case {a.content_case})"
    else:
        what = "nothing we can find"
    first = f", first decided by {a.first_decided_by}" if a.first_decided_by else ""
    text = Text(f"{a.id}  {a.state:<8} member {a.member} contests {what}{first}")
    if a.decided_by:
        text.append(f"; {a.state} by {a.decided_by}")
    return text


@app.command("list")
def list_(
    ctx: typer.Context,
    state: Annotated[str, typer.Option("--state", help="pending | upheld | reversed | all")] = "pending",
    limit: Annotated[int, typer.Option("--limit", min=0, help="at most N, the oldest (0 = all)")] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Appeals, oldest first; ID is the appeal's case id."""
    rows = call(ctx, lambda b: b.appeal_list(state, limit=limit))
    if as_json:
        emit_json(rows)
        return
    for a in rows:
        out.print(_line(a))
    if not rows:
        out.print(f"no {state} appeals", markup=False)
    elif limit and len(rows) == limit:
        err.print(f"(the oldest {limit} shown: --limit 0 for all)", markup=False)


@app.command()
def show(ctx: typer.Context, case: Annotated[str, typer.Argument(metavar="ID")],
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """One appeal: what it contests, the member's words, the first decision."""
    a = call(ctx, lambda b: b.appeal_show(parse_case_id(case)))
    if as_json:
        emit_json(a)
        return
    out.print(_line(a))
    out.print(Text("the member wrote: ", style="dim").append_text(as_text(a.body or "")))
    if a.sanction is not None and a.sanction.statement:
        out.print(Text("statement of reasons they received:", style="dim"))
        out.print(as_text(a.sanction.statement))


@app.command()
def decide(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="ID", help="the appeal's case id (see `appeal list`)")],
    uphold: Annotated[bool, typer.Option("--uphold", help="keep the decision")] = False,
    reverse: Annotated[bool, typer.Option("--reverse", help="lift the sanction or restore the content")] = False,
    reason: Annotated[str, typer.Option("--reason", help="sent to the member, and audited")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Decide an appeal; whoever took the first decision may not."""
    if uphold == reverse:
        fail(InvalidInput("say --uphold or --reverse (one of them)"))
    decision = "uphold" if uphold else "reverse"
    a = call(ctx, lambda b: b.appeal_decide(parse_case_id(case), decision, reason))
    if as_json:
        emit_json(a)
        return
    out.print(_line(a))
