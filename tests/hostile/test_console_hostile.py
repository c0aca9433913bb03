"""The hostile corpus through every console screen, with Textual's pilot (local backend only,
for speed: the remote backend returns the same strings, see test_api_hostile; SQLite store).

The member "m-all" carries every small corpus string at once (handle, body, report note,
question, deletion note, appeal, registration data, notes and reasons quoting it). On each
screen:
- what the terminal would receive (the composited strips of the screen, notifications
  included) carries no control, format or separator character but in Textual's own control
  segments, and no Rich link or `@click` action came from member text;
- the widgets' rendered text shows each string literally (controls as visible escapes,
  markup as its brackets);
- clicking member text runs nothing: the app is still running, on the same screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from textual.widgets import DataTable, RadioButton

from modconsole.app import make_app
from modconsole.backend.local import LocalBackend
from modconsole.domain.clock import FixedClock
from modconsole.domain.service import Services
from modconsole.domain.store import Store
from modconsole.screens.appeals import AppealScreen, AppealsScreen
from modconsole.screens.board import BoardScreen
from modconsole.screens.case import CaseScreen
from modconsole.screens.deletion import DeletionScreen, DeletionsScreen
from modconsole.screens.dialogs import TextPrompt
from modconsole.screens.member import MemberScreen
from modconsole.screens.message import MessageDialog
from modconsole.screens.sanction import SanctionDialog
from modconsole.screens.shift import ShiftScreen
from modconsole.screens.vault import ContactDetails
from modconsole.widgets.member_text import MemberText
from modconsole.widgets.queue_table import QueueTable

from ..conftest import T0
from .corpus import (
    ALL_CONTENT,
    ALL_ENTRIES,
    ALL_MEMBER,
    BY_NAME,
    EMAIL_ENTRIES,
    HANDLE_ENTRIES,
    NAME_ENTRIES,
    Hostile,
    assert_shows,
    assert_terminal_safe,
    squash,
)

SIZE = (200, 60)


@pytest.fixture
def store(hostile_db: str) -> Iterator[Store]:
    s = Store(hostile_db, clock=FixedClock(T0))
    yield s
    s.dispose()


def backend(store: Store, name: str) -> LocalBackend:
    return LocalBackend(Services(store), name)


# --- what is on screen ------------------------------------------------------------------------------


def terminal_text(app: Any) -> str:
    """Every line the terminal would be sent for the current screen, checked segment by segment:
    no unsafe character in any text segment, no link or @click from a member's string."""
    lines = []
    for strip in app.screen._compositor.render_strips():
        line = []
        for seg in strip:
            if seg.control:
                continue
            assert_terminal_safe(seg.text, where=f"a segment on {type(app.screen).__name__}")
            style = seg.style
            if style is not None:
                assert not style.link, f"a link on screen: {style.link!r} ({seg.text!r})"
                meta = style.meta or {}
                assert not any("quit" in str(v) or "dismiss" in str(v) for v in meta.values()), (meta, seg.text)
            line.append(seg.text)
        lines.append("".join(line))
    return "\n".join(lines)


def rendered(screen: Any) -> str:
    """The text of every Static (MemberText included) and of every DataTable cell on the screen."""
    parts = [str(w.render()) for w in screen.query("Static")]
    for table in screen.query(DataTable):
        for row in range(table.row_count):
            parts.append("  ".join(str(c) for c in table.get_row_at(row)))
    return "\n".join(parts)


def check_screen(app: Any, entries: list[Hostile], where: str) -> str:
    """The screen is terminal-safe and shows every entry literally; returns its rendered text."""
    terminal_text(app)
    text = rendered(app.screen)
    flat = squash(text)
    for h in entries:
        assert_shows(text, h, where=where, squashed=flat)
    for n in app._notifications:
        assert_terminal_safe(n.message, where="a notification")
    return text


async def click_member_text(pilot: Any) -> None:
    screen = pilot.app.screen
    for widget in list(screen.query(MemberText))[:3]:
        await pilot.click(widget)
        await pilot.pause()
        assert pilot.app.is_running and pilot.app.screen is screen


async def open_all_case(pilot: Any, queue: str = "urgent") -> CaseScreen:
    table = pilot.app.screen.query_one(QueueTable)
    row = next(i for i, c in enumerate(table.cases) if c.subject_id in (ALL_CONTENT, ALL_MEMBER) and c.queue == queue)
    table.move_cursor(row=row)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CaseScreen)
    return pilot.app.screen


# --- the screens ------------------------------------------------------------------------------------


async def test_board_and_case(store: Store) -> None:
    app = make_app(backend(store, "lea"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        table = app.screen.query_one(QueueTable)
        assert any(c.subject_id == ALL_CONTENT for c in table.cases)
        terminal_text(app)
        cells = rendered(app.screen)
        assert "[@click=app.quit]id[/]" in squash(cells) or "[@click" in cells  # a markup id, literal
        screen = await open_all_case(pilot)
        body = str(screen.query_one(MemberText).render())
        flat = squash(body)
        for h in ALL_ENTRIES:
            assert_shows(body, h, where="case body", squashed=flat)
        text = check_screen(app, ALL_ENTRIES, "case screen")  # the report note and the staff note too
        for h in HANDLE_ENTRIES:
            assert squash(h.shown[0]) in squash(text)
        await click_member_text(pilot)
        await pilot.press("q")  # leaves the case (its binding), not the app
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, BoardScreen)


async def test_question_case_shows_the_question(store: Store) -> None:
    app = make_app(backend(store, "lea"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_all_case(pilot, queue="ask_moderator")
        check_screen(app, ALL_ENTRIES, "question case")
        await click_member_text(pilot)


async def test_member_panel(store: Store) -> None:
    app = make_app(backend(store, "lea"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_all_case(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, MemberScreen)
        check_screen(app, ALL_ENTRIES, "member panel")  # content, notes, the mute's reason
        await click_member_text(pilot)


async def test_sanction_dialog_preview(store: Store) -> None:
    app = make_app(backend(store, "lea"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_all_case(pilot)
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SanctionDialog)
        dialog.query_one("#rule-respect", RadioButton).value = True  # an urgent case suggests no rule
        await pilot.pause()
        preview = str(app.screen.query_one("#preview").render())
        assert "Decision: a warning" in preview and "Rule: Respect other members" in preview, preview[:200]
        check_screen(app, HANDLE_ENTRIES, "sanction preview")  # the statement greets the member by handle
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


async def test_message_dialog_preview(store: Store) -> None:
    app = make_app(backend(store, "lea"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_all_case(pilot)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        check_screen(app, HANDLE_ENTRIES, "message preview")
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


async def test_appeals(store: Store) -> None:
    app = make_app(backend(store, "ines"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, AppealsScreen)
        terminal_text(app)
        row = next(i for i, a in enumerate(listing.items) if a.appeal == "a-all")
        listing.query_one(DataTable).move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AppealScreen)
        check_screen(app, ALL_ENTRIES, "appeal")  # the appeal body, and the mute's statement
        await click_member_text(pilot)


async def test_deletion_request_and_vault(store: Store) -> None:
    app = make_app(backend(store, "drm"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, DeletionsScreen)
        check_screen(app, [BY_NAME[n] for n in ("textual_click_quit", "rich_markup", "bidi_override")], "deletion list")
        row = next(i for i, d in enumerate(listing.items) if d.request == "d-all")
        listing.query_one(DataTable).move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DeletionScreen)
        check_screen(app, ALL_ENTRIES, "deletion request")
        await click_member_text(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"checking")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactDetails)
        check_screen(app, EMAIL_ENTRIES + NAME_ENTRIES, "contact details")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is detail


async def test_shift_dashboard(store: Store) -> None:
    app = make_app(backend(store, "ines"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ShiftScreen)
        check_screen(app, ALL_ENTRIES, "shift dashboard")
        for note in app.screen.query("#notes .note"):
            await pilot.click(note)
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, ShiftScreen)


async def test_urgent_alert_and_refusals_are_safe(store: Store) -> None:
    """A new urgent case raises an alert; a refused action a notification: both safe."""
    import io
    import json

    from modconsole.domain import ingest

    svc = Services(store)
    app = make_app(backend(store, "lea"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(json.dumps(
            {"type": "self_assessment", "id": "sa-new", "member": "[@click=app.quit]id[/]", "suicidal": True}).encode()))
        await pilot.pause(2.0)
        assert any(n.title == "URGENT" for n in app._notifications)
        screen = await open_all_case(pilot)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("l")  # a moderator may not lift: refused, in a notification
        await pilot.pause()
        if isinstance(app.screen, TextPrompt):  # the reason is asked first
            check_screen(app, [], "lift prompt")
            await pilot.press(*"no", "enter")
            await pilot.pause()
        assert any(n.severity == "error" for n in app._notifications)
        check_screen(app, [], "after notifications")
        assert app.is_running and screen is not None


async def test_the_one_megabyte_line(store: Store) -> None:
    app = make_app(backend(store, "lea"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(QueueTable)
        row = next(i for i, c in enumerate(table.cases) if c.subject_id == "c-mega_line" and c.queue == "urgent")
        table.move_cursor(row=row)
        started = datetime.now()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        body = str(app.screen.query_one(MemberText).render())
        assert body.startswith("je veux mourir start-xxxx") and body.endswith("xxxx-end")
        terminal_text(app)
        assert (datetime.now() - started).total_seconds() < 30
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, MemberScreen)
        terminal_text(app)
