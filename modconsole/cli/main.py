"""The `modconsole` command line (SPEC §9). Parses options, calls a backend, prints; no logic."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from modconsole.config import Settings
from modconsole.errors import InvalidInput, ModconsoleError
from modconsole.safetext import visible

from . import (
    appeal_cmd,
    audit_cmd,
    case_cmd,
    deletion_cmd,
    lexicon_cmd,
    member_cmd,
    policy_cmd,
    queue_cmd,
    report_cmd,
    sanction_cmd,
    shift_cmd,
    staff_cmd,
)
from .context import State, call, emit_json, err, fail, insecure_from_env, out, state

app = typer.Typer(
    name="modconsole",
    help="Trust-and-safety operations console: queues, cases, sanctions, audit.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(queue_cmd.app, name="queue")
app.add_typer(case_cmd.app, name="case")
app.add_typer(staff_cmd.app, name="staff")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(lexicon_cmd.app, name="lexicon")
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(member_cmd.app, name="member")
app.add_typer(sanction_cmd.app, name="sanction")
app.add_typer(appeal_cmd.app, name="appeal")
app.add_typer(deletion_cmd.app, name="deletion")
app.add_typer(deletion_cmd.vault_app, name="vault")
app.add_typer(report_cmd.app, name="report")
app.add_typer(shift_cmd.app, name="shift")


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL of the store [env MODCONSOLE_DB]")] = None,
    api: Annotated[str | None, typer.Option("--api", help="URL of a modconsole server [env MODCONSOLE_API]")] = None,
    actor: Annotated[str | None, typer.Option("--as", help="acting staff member (local store) [env MODCONSOLE_AS]")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log what happens (never member text)")] = False,
    insecure: Annotated[bool, typer.Option("--insecure", help="allow sending the token over plain http to another machine "
                                           "[env MODCONSOLE_INSECURE=1]")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = State(Settings.from_env(db=db, api=api, actor=actor), insecure=insecure or insecure_from_env())
    if ctx.invoked_subcommand is None:
        tui(ctx)


@app.command()
def init(
    ctx: typer.Context,
    admin: Annotated[str, typer.Option("--admin", help="name of the first admin")],
) -> None:
    """Create or upgrade the store, and make sure the named admin exists."""
    from modconsole.domain.service import Services
    from modconsole.domain.staff import ensure_admin
    from modconsole.domain.store import Store

    st = state(ctx)
    try:
        store = Store(st.settings.db)
        store.upgrade()
        who, created = ensure_admin(Services(store), admin)
    except ModconsoleError as exc:
        fail(exc)
    out.print(f"store ready at {store.display_url()}", markup=False)
    out.print(f"admin {who.name} {'created' if created else 'already present'}", markup=False)


@app.command()
def demo(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="where to write the demo store (default: demo.db in the data dir)")] = None,
    fresh: Annotated[bool, typer.Option("--fresh/--keep", help="start from an empty demo store")] = True,
    seed: Annotated[int, typer.Option(help="random seed of the generated community")] = 7,
    open_console: Annotated[bool, typer.Option("--open/--no-open", help="open the console afterwards")] = True,
) -> None:
    """Seed a realistic demo store (French and English) and open the console on it."""
    from modconsole.config import demo_db_url
    from modconsole.domain.demo import seed_demo

    url = db or demo_db_url()
    try:
        summary = seed_demo(url, seed=seed, fresh=fresh)
    except ModconsoleError as exc:
        fail(exc)
    out.print(f"demo store seeded at {summary['url']}", markup=False)
    for line in summary["lines"]:
        out.print("  " + line, markup=False)
    out.print(f"try: modconsole --db {summary['url']} --as {summary['moderator']} queue list", markup=False)
    if open_console:
        st = state(ctx)
        ctx.find_root().obj = State(Settings(db=summary["url"], api=None, actor=st.settings.actor or summary["moderator"]),
                                    insecure=st.insecure)
        tui(ctx)


@app.command()
def tui(ctx: typer.Context) -> None:
    """Open the console."""
    import gc

    from modconsole.app import make_app

    backend = call(ctx, lambda b: b)
    call(ctx, lambda _: backend.whoami)  # a bad --as fails here, before the screen takes over
    gc.freeze()  # long shifts: keep full collections of start-up objects out of the refresh loop
    make_app(backend).run()


@app.command()
def ingest(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSONL file of events, or - for standard input", allow_dash=True)],
    as_json: Annotated[bool, typer.Option("--json", help="print counts as JSON")] = False,
) -> None:
    """Ingest platform events (one JSON object a line); exit 1 if any line was rejected."""
    import sys

    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    st = state(ctx)
    try:
        backend = st.backend()
        if str(file) == "-":
            result = backend.ingest(sys.stdin.buffer)
        else:
            if not file.is_file():
                raise_missing(file)
            size = file.stat().st_size
            show = err.is_terminal and not as_json
            with file.open("rb") as fh:
                if show:
                    with Progress("ingest", BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(), console=err) as bar:
                        task = bar.add_task("ingest", total=size)
                        result = backend.ingest(fh, lambda n: bar.advance(task, n))
                else:
                    result = backend.ingest(fh)
    except ModconsoleError as exc:
        fail(exc)
    except OSError as exc:
        fail(InvalidInput(f"cannot read {file}: {exc.strerror or exc}"))
    if as_json:
        emit_json(result)
    else:
        kinds = ", ".join(f"{t} {n}" for t, n in sorted(result.by_type.items())) or "none"
        out.print(f"{result.events} events ({kinds}); {result.duplicates} duplicates; "
                  f"{result.cases_opened} cases opened, {result.cases_joined} signals joined open cases", markup=False)
        for r in result.rejected[:50]:
            err.print(f"line {r.line}: {visible(r.error)}", markup=False)
        if len(result.rejected) > 50:
            err.print(f"… and {len(result.rejected) - 50} more rejected lines (use --json for all)", markup=False)
    if result.rejected:
        raise typer.Exit(1)


GRACE_S = 2


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8787,
    workers: Annotated[int, typer.Option(help="worker processes (PostgreSQL; SQLite serializes writes anyway)")] = 1,
) -> None:
    """Run the API server over the store (--db / MODCONSOLE_DB)."""
    import os

    import uvicorn

    from modconsole.domain.store import Store

    st = state(ctx)
    try:
        store = Store(st.settings.db)
        store.require_initialized()
        if store.is_sqlite and workers > 1:
            raise InvalidInput("several workers need PostgreSQL: SQLite serializes writes, use --workers 1")
    except ModconsoleError as exc:
        fail(exc)
    os.environ["MODCONSOLE_DB"] = st.settings.db  # the factory reads it in every worker
    # On SIGTERM, requests in flight get GRACE_S to finish; then open long-polls (`/changes`
    # waits up to 60 s) are cut, and their clients poll again elsewhere or after a restart.
    uvicorn.run("modconsole.server.app:create_app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", timeout_graceful_shutdown=GRACE_S)


@app.command()
def login(ctx: typer.Context, url: str) -> None:
    """Store a token for the server at URL in the system keyring (asked for, not echoed).
    Refused for plain http to another machine unless --insecure, as every --api command is."""
    import keyring

    from .context import KEYRING_SERVICE, check_transport

    try:
        check_transport(url, state(ctx).insecure)
    except ModconsoleError as exc:
        fail(exc)
    token = typer.prompt("token (from `modconsole staff token NAME`)", hide_input=True).strip()
    try:
        keyring.set_password(KEYRING_SERVICE, url.rstrip("/"), token)
    except Exception as exc:  # noqa: BLE001 - keyring raises its own kinds, e.g. NoKeyringError
        err.print(f"error: no usable keyring on this machine ({type(exc).__name__}); "
                  "set MODCONSOLE_TOKEN instead", markup=False)
        raise typer.Exit(1) from None
    out.print(f"token stored for {url}", markup=False)


@app.command()
def logout(url: str) -> None:
    """Remove the stored token for the server at URL."""
    import keyring

    from .context import KEYRING_SERVICE

    try:
        keyring.delete_password(KEYRING_SERVICE, url.rstrip("/"))
    except Exception as exc:  # noqa: BLE001
        err.print(f"error: nothing removed ({type(exc).__name__}: {exc})", markup=False)
        raise typer.Exit(1) from None
    out.print(f"token for {url} removed", markup=False)


def raise_missing(file: Path) -> None:
    from modconsole.errors import InvalidInput

    raise InvalidInput(f"no such file: {file}")


def run() -> None:
    """The console script's entry point."""
    app()
