"""`modconsole deletion list | show | decide | reopen | verify` and `modconsole vault show`
(the clinical team's review of deletion requests, SPEC §5)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from modconsole.errors import InvalidInput
from modconsole.safetext import as_text
from modconsole.schemas import DeletionPublic

from .context import call, emit_json, err, fail, out, parse_case_id, parse_time_option

app = typer.Typer(help="Deletion, erasure and temporary-closure requests (clinical team).", no_args_is_help=True,
                  rich_markup_mode=None)
vault_app = typer.Typer(help="The registration vault (clinical, admin; every read audited).", no_args_is_help=True,
                        rich_markup_mode=None)


def _print(d: DeletionPublic, full: bool) -> None:
    head = Text(f"{d.id}  {d.state:<9} {d.scope:<15} member {d.member} (")
    head.append_text(as_text(d.handle or "no handle", keep_newlines=False)).append(")")
    if d.closed_until:
        head.append(f"  closed {d.closed_until}", style="yellow")
    out.print(head)
    if not full:
        return
    if d.note:
        out.print(Text("  the member wrote: ", style="dim").append_text(as_text(d.note)))
    for c in d.risk_cases:
        out.print(Text(f"  risk case {c.id} {c.queue} {c.state} priority {c.priority} "
                       f"{c.created_at:%Y-%m-%d %H:%M}Z", style="bold red" if c.state != "resolved" else ""))
    for a in d.self_assessments:
        when = f"{a.created_at:%Y-%m-%d}" if a.created_at else "?"
        out.print(Text(f"  self-assessment {a.instrument or '?'} score {a.score} {'SUICIDAL ' if a.suicidal else ''}{when}"))
    if d.decided_by:
        out.print(Text(f"  decided by {d.decided_by} at {d.decided_at:%Y-%m-%d %H:%M}Z: ").append_text(as_text(d.decision_reason or "")))
    if d.erasure:
        proof = d.erasure.get("proof") or {}
        out.print(f"  erased at {d.erasure.get('at')}: removed {d.erasure.get('removed')}", markup=False)
        out.print(f"  proof: {'clean' if proof.get('clean') else 'NOT CLEAN'} "
                  f"(found {proof.get('found')}, in the database files {proof.get('file_hits')})", markup=False)
        if proof.get("shared_with_other_members"):
            out.print(f"  also held by other members, so not searched in the files: {proof['shared_with_other_members']}",
                      markup=False)


@app.command("list")
def list_(ctx: typer.Context,
          state: Annotated[str, typer.Option("--state", help="pending (with contacted) | approved | declined | closed | all")] = "pending",
          limit: Annotated[int, typer.Option("--limit", min=0, help="at most N, the oldest (0 = all, the default)")] = 0,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Requests to decide, oldest first, each with the member's recent risk cases and self-assessments."""
    rows = call(ctx, lambda b: b.deletion_list(state, limit=limit))
    if as_json:
        emit_json(rows)
        return
    for d in rows:
        _print(d, True)
    if not rows:
        out.print(f"no {state} requests", markup=False)
    elif limit and len(rows) == limit:
        err.print(f"(the oldest {limit} shown: --limit 0 for all)", markup=False)


@app.command()
def show(ctx: typer.Context, case: Annotated[str, typer.Argument(metavar="ID")],
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """One request, by its case id."""
    d = call(ctx, lambda b: b.deletion_show(parse_case_id(case)))
    if as_json:
        emit_json(d)
        return
    _print(d, True)


@app.command()
def decide(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="ID", help="the request's case id (see `deletion list`)")],
    approve: Annotated[bool, typer.Option("--approve", help="erase (account, data) or close (temporary_close)")] = False,
    decline: Annotated[bool, typer.Option("--decline")] = False,
    contacted: Annotated[bool, typer.Option("--contacted", help="the team reached the member; stays open")] = False,
    close_temporarily: Annotated[bool, typer.Option("--close-temporarily", help="no login until reopened (or --until)")] = False,
    reason: Annotated[str, typer.Option("--reason", help="why (audited; an approval's reason is scrubbed of the member's data)")] = "",
    until: Annotated[str | None, typer.Option("--until", help="ISO 8601 end of a temporary closure")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Decide a request (clinical only)."""
    chosen = [name for name, on in (("approve", approve), ("decline", decline), ("contacted", contacted),
                                    ("close_temporarily", close_temporarily)) if on]
    if len(chosen) != 1:
        fail(InvalidInput("say one of --approve, --decline, --contacted, --close-temporarily"))
    try:
        end = parse_time_option(until, "--until") if until else None
    except InvalidInput as exc:
        fail(exc)
    d = call(ctx, lambda b: b.deletion_decide(parse_case_id(case), chosen[0], reason, end))
    if as_json:
        emit_json(d)
    else:
        _print(d, True)
    if d.erasure and not (d.erasure.get("proof") or {}).get("clean"):
        err.print("error: the erasure is done but its proof is not clean: see `modconsole deletion verify`", markup=False)
        raise typer.Exit(1)


@app.command()
def reopen(ctx: typer.Context, member: str, reason: Annotated[str, typer.Option("--reason")]) -> None:
    """End a member's temporary closure now (clinical only)."""
    call(ctx, lambda b: b.deletion_reopen(member, reason))
    out.print(f"member {member} can log in again", markup=False)


@app.command()
def verify(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="ID")],
    search: Annotated[list[str] | None, typer.Option("--search", help="a string to look for now (e.g. the email from the member's letter); repeatable")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Prove an erasure: the proof kept when it ran, and a new search for the strings given.
    Exits 1 when anything is found (or the member was not erased)."""
    result = call(ctx, lambda b: b.deletion_verify(parse_case_id(case), search or []))
    if as_json:
        emit_json(result)
    else:
        out.print(f"request {result['request']} of member {result['member']}: {result['state']}; "
                  f"erased: {result['erased']}; pseudonymised: {result['pseudonymised']}", markup=False)
        if result.get("proof_at_erasure"):
            p = result["proof_at_erasure"]
            out.print(f"at erasure ({result.get('erased_at')}): {'clean' if p.get('clean') else 'NOT CLEAN'}; "
                      f"{p.get('checks')} column checks, found {p.get('found')}, database files {p.get('file_hits')}", markup=False)
        if "search_now" in result:
            p = result["search_now"]
            out.print(f"search now: {'clean' if p.get('clean') else 'FOUND'}; found {p.get('found')}, "
                      f"database files {p.get('file_hits')}", markup=False)
        out.print("CLEAN: nothing of the member's personal data left" if result["clean"] else "NOT CLEAN", markup=False)
    if not result["clean"]:
        raise typer.Exit(1)


@vault_app.command("show")
def vault_show(ctx: typer.Context, member: str,
               reason: Annotated[str, typer.Option("--reason", help="why you need it (audited)")],
               as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A member's registration data: email, real name, phone (clinical, admin; audited)."""
    r = call(ctx, lambda b: b.vault_show(member, reason))
    if as_json:
        emit_json(r)
        return
    for label, value in (("email", r.email), ("real name", r.real_name), ("phone", r.phone)):
        out.print(Text(f"{label:<10} ").append_text(as_text(value or "—", keep_newlines=False)))
