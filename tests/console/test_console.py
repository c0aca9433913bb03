"""The console through Textual's pilot, on a real SQLite store."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from modconsole.app import make_app
from modconsole.backend.local import LocalBackend
from modconsole.domain import cases, ingest
from modconsole.domain.service import Services
from modconsole.errors import ClaimHeld
from modconsole.screens.board import BoardScreen
from modconsole.screens.case import CaseScreen
from modconsole.widgets.member_text import MemberText
from modconsole.widgets.queue_table import QueueTable

from ..conftest import make_services

HOSTILE_BODY = "[@click=app.quit]click[/] \x1b[31mred\x1b[0m \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ [link=http://x]y[/link] \u202eevil je veux mourir"
HOSTILE_HANDLE = "[bold red]admin[/] \x1b[2J"

EVENTS = [
    {"type": "member", "id": "u1", "handle": HOSTILE_HANDLE},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": HOSTILE_BODY},
    {"type": "content", "id": "p2", "kind": "post", "author": "u2", "body": "espèce de connard"},
    {"type": "report", "id": "r1", "reporter": "secret-reporter", "content": "p2", "reason": "offensive", "note": "encore"},
]


def feed(svc: Services, events: list[dict]) -> None:
    data = "\n".join(json.dumps(e) for e in events).encode()
    ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data))


@pytest.fixture(params=["local", pytest.param("remote", marks=pytest.mark.remote)])
def svc(request, sqlite, tmp_path, monkeypatch) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    """The store with the fixture's events, and the console's backend: in-process (`local`),
    or a real `modconsole serve` on loopback (`remote`, as with `--api`). The remote store
    runs on the real clock, as the server does, so that leases and SLAs agree on both sides."""
    if request.param == "local":
        s = make_services(sqlite)
        feed(s, EVENTS)
        yield s
        return
    from modconsole.backend.remote import RemoteBackend
    from modconsole.domain import tokens
    from modconsole.domain.store import Store

    from ..contract.conftest import Server

    store = Store(f"sqlite:///{tmp_path / 'remote.db'}")
    store.upgrade()
    s = make_services(store)
    feed(s, EVENTS)
    issued = {name: tokens.issue(s, s.actor("root"), name) for name in ("root", "lea", "sam", "ines", "drm")}
    server = Server(store.url)
    made: list[RemoteBackend] = []

    def remote(_svc: Services, name: str) -> RemoteBackend:
        made.append(RemoteBackend(server.url, issued[name]))
        return made[-1]

    monkeypatch.setitem(globals(), "backend", remote)
    try:
        yield s
    finally:
        for b in made:
            b.close()
        server.stop()
        store.dispose()


@pytest.fixture
def local_svc(sqlite) -> Services:  # type: ignore[no-untyped-def]
    s = make_services(sqlite)
    feed(s, EVENTS)
    return s


def backend(svc: Services, name: str) -> Any:
    """The console's backend for staff member `name` (replaced by the `remote` fixture)."""
    return LocalBackend(Services(svc.store), name)


def case_id_of(svc: Services, subject: str) -> int:
    return next(c.id for c in cases.list_queue(svc, svc.actor("root"), limit=0) if c.subject_id == subject)


async def open_case(pilot, svc: Services, subject: str) -> CaseScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    table = app.screen.query_one(QueueTable)
    row = next(i for i, c in enumerate(table.cases) if c.subject_id == subject)
    table.move_cursor(row=row)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, CaseScreen)
    return app.screen


async def test_board_lists_the_queue_in_order(svc: Services) -> None:
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        table = app.screen.query_one(QueueTable)
        assert [c.subject_id for c in table.cases] == ["p1", "p2"]  # self_harm (sev 3) before offensive (sev 2)
        assert table.row_count == 2


async def test_open_claims_and_leaving_releases(svc: Services) -> None:
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "p2")
        assert screen.holding
        with pytest.raises(ClaimHeld) as held:
            cases.claim(svc, svc.actor("sam"), screen.case_id)
        assert held.value.holder == "lea"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
    assert cases.claim(svc, svc.actor("sam"), case_id_of(svc, "p2")).claimed_by == "sam"


async def test_second_console_is_told_who_holds_it(svc: Services) -> None:
    cases.claim(svc, svc.actor("lea"), case_id_of(svc, "p2"))
    app = make_app(backend(svc, "sam"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "p2")
        assert not screen.holding
        status = str(screen.query_one("#status").render())
        assert "held by lea" in status
        assert any("held by lea" in n.message for n in app._notifications)


async def test_note_escalate_flow(svc: Services) -> None:
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "p2")
        await pilot.press("n")
        await pilot.press(*"a [b]note[/b]")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")  # first choice: senior
        await pilot.press(*"threat")
        await pilot.press("enter")
        await pilot.pause()
        cid = screen.case_id
    detail = cases.show(svc, svc.actor("ines"), cid)
    assert [n.body for n in detail.notes] == ["a [b]note[/b]"]
    assert detail.case.state == "escalated" and detail.case.escalated_to == "senior"


@pytest.mark.parametrize(("keys", "resolution", "visibility"), [
    (["d", "enter"], "dismiss", "visible"),
    (["h", "enter", "r", "u", "l", "e", "enter"], "hide", "hidden"),
])
async def test_resolve_flows(svc: Services, keys: list[str], resolution: str, visibility: str) -> None:
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "p2")
        cid = screen.case_id
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
    detail = cases.show(svc, svc.actor("lea"), cid)
    assert detail.case.state == "resolved" and detail.case.resolution == resolution
    assert detail.content is not None and detail.content.visibility == visibility


async def test_moderator_refused_on_senior_case_sees_the_reason(svc: Services) -> None:
    cases.escalate(svc, svc.actor("sam"), case_id_of(svc, "p2"), "senior", "needs a senior")
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "p2")
        assert not screen.holding
        assert any("escalated to a senior" in n.message for n in app._notifications)
        await pilot.press("d", "enter")
        await pilot.pause()
        assert any("escalated to a senior" in n.message and n.severity == "error" for n in app._notifications)
    assert cases.show(svc, svc.actor("ines"), case_id_of(svc, "p2")).case.state == "escalated"


async def test_hostile_member_text_renders_literally(svc: Services) -> None:
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        board_text = "".join(str(c) for c in app.screen.query_one(QueueTable).get_row(str(case_id_of(svc, "p1"))))
        assert "\x1b" not in board_text
        screen = await open_case(pilot, svc, "p1")
        body = screen.query_one(MemberText)
        rendered = str(body.render())
        assert "[@click=app.quit]click[/]" in rendered and "[link=http://x]y[/link]" in rendered
        assert "\\x1b[31m" in rendered and "\\x1b]8;;http://evil" in rendered and "\\u202e" in rendered
        assert "\x1b" not in rendered and "\u202e" not in rendered
        everything = " ".join(str(w.render()) for w in screen.query("Static"))
        assert "[bold red]admin[/] \\x1b[2J" in everything
        await pilot.click(MemberText)  # clicking the text must not run the embedded action
        await pilot.pause()
        assert app.is_running


async def test_a_new_urgent_case_appears_within_two_seconds(svc: Services) -> None:
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        feed(svc, [{"type": "self_assessment", "id": "sa1", "member": "u9", "suicidal": True, "score": 25}])
        await pilot.pause(2.0)
        table = app.screen.query_one(QueueTable)
        assert table.cases[0].subject_id == "u9" and table.cases[0].queue == "urgent"
        assert any(n.title == "URGENT" for n in app._notifications)


async def test_an_urgent_case_alerts_while_a_case_is_open_and_the_hidden_board_does_not_count(svc: Services) -> None:
    """With a case open on top of the board, a new urgent case still rings and alerts; the
    board, hidden, fetches only the urgent cases (no counts over the whole store), and catches up
    when it is shown again."""
    real = backend(svc, "lea")
    calls: list[str] = []

    class Counting:  # the real backend, counting the board's queue counts
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def queue_counts(self) -> Any:
            calls.append("queue_counts")
            return real.queue_counts()

    app = make_app(Counting())  # type: ignore[arg-type]
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        await open_case(pilot, svc, "p2")
        calls.clear()
        feed(svc, [{"type": "self_assessment", "id": "sa-hidden", "member": "u8", "suicidal": True, "score": 25}])
        for _ in range(140):  # the live poll, or at the latest the 5-second refresh
            if any(n.title == "URGENT" for n in app._notifications):
                break
            await pilot.pause(0.05)
        assert any(n.title == "URGENT" for n in app._notifications), "no alert while a case was open"
        assert isinstance(app.screen, CaseScreen)
        await pilot.pause(5.5)  # an idle refresh of the hidden board comes and goes
        assert calls == [], "the hidden board counted the queues"
        await pilot.press("escape")
        for _ in range(60):
            await pilot.pause(0.05)
            if calls and any(c.subject_id == "u8" for c in app.screen.query_one(QueueTable).cases):
                break
        assert isinstance(app.screen, BoardScreen)
        assert calls and any(c.subject_id == "u8" for c in app.screen.query_one(QueueTable).cases)


async def test_reporter_never_on_screen(svc: Services) -> None:
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "p2")
        everything = " ".join(str(w.render()) for w in screen.query("Static"))
        assert "encore" in everything and "secret-reporter" not in everything


async def test_member_panel_shows_history_and_the_ladder(svc: Services) -> None:
    from modconsole.domain import sanctions
    from modconsole.screens.member import MemberScreen

    sanctions.apply(svc, svc.actor("lea"), member="u2", kind="warning", duration=None, reason="respect")
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        await open_case(pilot, svc, "p2")
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, MemberScreen)
        head = str(app.screen.query_one("#suggestion").render())
        assert "u2" in head and "suggested next step: mute" in head
        everything = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "warning" in everything and "espèce de connard" in everything
        assert "secret-reporter" not in everything


async def _sanction(pilot, kind: str, duration: str, preview: str) -> None:  # type: ignore[no-untyped-def]
    """Open the dialog, choose, check the preview (the real statement, or the refusal), apply."""
    from textual.widgets import RadioButton

    from modconsole.screens.sanction import SanctionDialog

    await pilot.press("s")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, SanctionDialog)
    dialog.query_one(f"#kind-{kind}", RadioButton).value = True
    dialog.query_one(f"#dur-{duration}", RadioButton).value = True
    await pilot.pause()
    assert preview in str(dialog.query_one("#preview").render())
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_sanction_dialog_refusal_changes_nothing(svc: Services) -> None:
    from modconsole.screens.sanction import SanctionDialog

    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.pause()
        await open_case(pilot, svc, "p2")
        await _sanction(pilot, "ban", "permanent", "may not ban permanently")  # the preview says so first
        assert isinstance(app.screen, SanctionDialog)  # still open, with the reason
        assert any("may not ban permanently" in n.message and n.severity == "error" for n in app._notifications)
    assert backend(svc, "root").member_show("u2").sanctions_in_force == []


async def test_sanction_dialog_applies_a_temporary_ban(svc: Services) -> None:
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "p2")
        await _sanction(pilot, "ban", "7d", "you cannot log in until")
        assert app.screen is screen
    [s] = backend(svc, "root").member_show("u2").sanctions_in_force
    assert s.kind == "ban" and s.ends_at is not None and s.case_id == screen.case_id
    assert s.reason.startswith("respect:")


async def test_my_claims_view(svc: Services) -> None:
    cases.claim(svc, svc.actor("lea"), case_id_of(svc, "p2"))
    cases.claim(svc, svc.actor("sam"), case_id_of(svc, "p1"))
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        await pilot.press("tab")  # all -> my claims
        await pilot.pause()
        assert app.screen.view == "mine"
        assert [c.subject_id for c in app.screen.query_one(QueueTable).cases] == ["p2"]


async def test_palette_commands_follow_the_screen(svc: Services) -> None:
    from modconsole.commands import screen_commands

    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        board_titles = [c.title for c in screen_commands(app.screen)]
        assert "Show the offensive queue" in board_titles and "Add a note" not in board_titles
        show_offensive = next(c for c in screen_commands(app.screen) if c.title == "Show the offensive queue")
        show_offensive.callback()
        await pilot.pause()
        assert [c.subject_id for c in app.screen.query_one(QueueTable).cases] == ["p2"]
        await open_case(pilot, svc, "p2")
        case_titles = [c.title for c in screen_commands(app.screen)]
        assert "Add a note" in case_titles and "Show the offensive queue" not in case_titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"add a note")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        from modconsole.screens.dialogs import TextPrompt

        assert isinstance(app.screen, TextPrompt)


async def test_hostile_text_in_the_member_panel(svc: Services) -> None:
    from modconsole.screens.member import MemberScreen

    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        await open_case(pilot, svc, "p1")
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, MemberScreen)
        everything = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "[bold red]admin[/] \\x1b[2J" in everything and "[@click=app.quit]click[/]" in everything
        assert "\x1b" not in everything and "\u202e" not in everything


async def test_clinical_board_has_the_deletion_queue(svc: Services) -> None:
    feed(svc, [{"type": "deletion_request", "id": "d1", "member": "u7", "scope": "account", "note": "je veux partir"}])
    app = make_app(backend(svc, "drm"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        views = [c.queue for c in app.screen.counts]
        assert "deletion" in views and "offensive" not in views
        assert [c.queue for c in app.screen.query_one(QueueTable).cases] == ["self_harm", "deletion"]


async def test_message_the_member_from_the_case(svc: Services) -> None:
    from sqlalchemy import select

    from modconsole.domain.models import Outbox
    from modconsole.screens.message import MessageDialog

    feed(svc, [{"type": "member", "id": "u2", "handle": "orage", "language": "fr"}])
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.pause()
        await open_case(pilot, svc, "p2")
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        preview = str(app.screen.query_one("#preview").render())
        assert preview.startswith("Bonjour orage") and "règles de la maison" in preview
        await pilot.press("ctrl+s")
        await pilot.pause()
    with svc.store.read() as s:
        [row] = s.execute(select(Outbox).where(Outbox.kind == "message")).scalars().all()
    assert row.member_id == "u2" and row.payload["template"] == "warning" and row.payload["body"].startswith("Bonjour orage")


async def test_claim_and_release_from_the_board(svc: Services) -> None:
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(QueueTable)
        await pilot.press("c")
        await pilot.pause()
        assert table.cases[0].claimed_by == "lea" and table.cases[0].state == "claimed"
        await pilot.press("r")
        await pilot.pause()
        assert table.cases[0].claimed_by is None and table.cases[0].state == "open"


async def test_on_the_remote_backend_a_new_urgent_case_alerts_within_two_seconds(local_svc: Services) -> None:
    """The console on `--api`: a real `modconsole serve`, the platform posting over HTTP, the
    board told through the long-poll (not a periodic refresh, which comes every 5 s)."""
    import time

    import httpx

    from modconsole.backend.remote import RemoteBackend
    from modconsole.domain import tokens
    from modconsole.domain.store import Store

    from ..contract.conftest import Server

    issuer = Services(Store(local_svc.store.url))  # the real clock, as the server's
    token, feeder = (tokens.issue(issuer, issuer.actor("root"), n) for n in ("lea", "feed"))
    server = Server(local_svc.store.url)
    remote = RemoteBackend(server.url, token)
    try:
        app = make_app(remote)
        async with app.run_test(size=(150, 40)) as pilot:
            await pilot.pause(1.0)  # the board is up and its long-poll open
            table = app.screen.query_one(QueueTable)
            assert table.cases and "u9" not in {c.subject_id for c in table.cases}
            assert not any(n.title == "URGENT" for n in app._notifications)
            event = {"type": "self_assessment", "id": "sa-remote", "member": "u9", "suicidal": True, "score": 25}
            posted = time.monotonic()
            httpx.post(server.url + "/events", json=event, headers={"Authorization": f"Bearer {feeder}"}).raise_for_status()
            while time.monotonic() - posted < 2.0 and not any(n.title == "URGENT" for n in app._notifications):
                await pilot.pause(0.05)
            assert any(n.title == "URGENT" for n in app._notifications), "no alert within 2 s"
            await pilot.pause(1.5)  # the stale board is fetched again on the next tick
            # (the fixture's cases were made at 09:00 by a fixed clock: past their SLA by the
            # server's real clock, they stay above the new one)
            assert any(c.subject_id == "u9" and c.queue == "urgent" for c in table.cases)
    finally:
        remote.close()
        server.stop()


@pytest.mark.parametrize("screen_key, who, events, page, attr", [
    ("A", "lea", [{"type": "appeal", "id": f"ap{i:03}", "member": f"am{i}", "case": "1", "body": "pas juste",
                   "created_at": f"2026-11-20T10:{i // 60:02}:{i % 60:02}Z"} for i in range(130)], 100, "appeals"),
    ("D", "drm", [{"type": "deletion_request", "id": f"dr{i:03}", "member": f"dm{i}", "scope": "data",
                   "created_at": f"2026-11-20T10:{i // 60:02}:{i % 60:02}Z"} for i in range(70)], 50, "requests"),
])
async def test_the_appeals_and_deletion_lists_load_the_next_page_near_the_end(
        svc: Services, screen_key: str, who: str, events: list[dict], page: int, attr: str) -> None:
    from textual.widgets import DataTable

    from modconsole.screens.appeals import AppealsScreen
    from modconsole.screens.deletion import DeletionsScreen

    feed(svc, events)
    app = make_app(backend(svc, who))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        await pilot.press(screen_key)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AppealsScreen | DeletionsScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == page and screen.more  # one page, more below
        table.move_cursor(row=page - 1)  # near the end: the next page comes
        await pilot.pause()
        assert table.row_count == len(events) and not screen.more
        ids = [getattr(x, "appeal" if attr == "appeals" else "request") for x in screen.items]
        assert ids == sorted(e["id"] for e in events)  # oldest first, each once
