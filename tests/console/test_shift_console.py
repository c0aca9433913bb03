"""The shift dashboard through Textual's pilot, on both backends (the `svc` fixture of
test_console: in-process, and a real `modconsole serve`). The screen is opened directly: the
board's binding to it is wired elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import App
from textual.widgets import DataTable, Input

from modconsole.app import make_app
from modconsole.domain import cases
from modconsole.domain.service import Services
from modconsole.errors import Unavailable
from modconsole.schemas import HandoverPublic, QueueCount, ShiftDashboard
from modconsole.screens.board import BoardScreen
from modconsole.screens.dialogs import TextPrompt
from modconsole.screens.shift import ShiftScreen, chart

from . import test_console as tc
from .test_console import EVENTS, feed, svc  # noqa: F401 - the fixture, parametrized over both backends

HOSTILE_NOTE = "[@click=app.quit]x[/] \x1b[31m"


def backend(store: Services, name: str) -> Any:
    """The console's backend for `name`, looked up at call time: the remote fixture replaces it."""
    return tc.backend(store, name)


def errors(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def notes_text(screen: ShiftScreen) -> str:
    return "\n".join(str(w.render()) for w in screen.query("#notes Static"))


def row_texts(table: DataTable[Any], key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


async def open_shift(pilot: Any) -> ShiftScreen:
    app = pilot.app
    await pilot.pause()
    await app.push_screen(ShiftScreen(app.backend))
    await pilot.pause()
    assert isinstance(app.screen, ShiftScreen)
    return app.screen


def test_chart_scales_and_never_hides_a_small_value() -> None:
    assert str(chart([0, 1, 50, 100], 100)) == "·▁▄█"
    assert str(chart([0, 0], 0)) == "··"


async def test_dashboard_shows_each_queue_with_its_depth_now(svc: Services) -> None:  # noqa: F811
    b = backend(svc, "ines")
    counts = {c.queue: c for c in b.queue_counts()}
    assert sum(c.open for c in counts.values()) == 2  # the fixture's events opened two cases
    app = make_app(b)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_shift(pilot)
        table = screen.query_one("#queues", DataTable)
        shown = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert shown[:len(counts)] == list(counts)  # every queue, empty ones at zero, in the board's order
        assert screen.dashboard is not None
        for queue, count in counts.items():
            row = row_texts(table, queue)
            assert row[2] == str(count.open)
            assert row[4] == str(count.breached)
            assert len(row[1]) == len(screen.dashboard.hours)  # one bar an hour mark
        assert "Shift" in str(screen.query_one("#title").render())
        assert "nobody holds a case" in str(screen.query_one("#holders", DataTable).get_row_at(0)[0])
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)


async def test_a_claimed_case_shows_under_its_holder(svc: Services) -> None:  # noqa: F811
    case_id = tc.case_id_of(svc, "p2")
    cases.claim(svc, svc.actor("lea"), case_id)
    app = make_app(backend(svc, "root"))
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_shift(pilot)
        holders = screen.query_one("#holders", DataTable)
        row = row_texts(holders, "lea")
        assert row[0] == "lea"
        assert f"{case_id} (" in row[1]
        assert row[2] == "1"
        # released elsewhere, `r` shows it
        cases.release(svc, svc.actor("lea"), case_id)
        await pilot.press("r")
        await pilot.pause()
        assert "nobody holds a case" in str(holders.get_row_at(0)[0])


async def test_writing_a_handover_note(svc: Services) -> None:  # noqa: F811
    b = backend(svc, "ines")
    app = make_app(b)
    text = "p2 looks like a pile-on, watch u2"
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_shift(pilot)
        assert "No handover note yet" in notes_text(screen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*text)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        shown = notes_text(screen)
        assert text in shown and "ines" in shown
        assert not errors(app)
    assert b.shift_dashboard().notes[0].body == text


async def test_escape_in_the_prompt_writes_nothing(svc: Services) -> None:  # noqa: F811
    b = backend(svc, "ines")
    app = make_app(b)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_shift(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"draft")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
    assert b.shift_dashboard().notes == []


async def test_hostile_note_shows_literally(svc: Services) -> None:  # noqa: F811
    b = backend(svc, "root")
    app = make_app(b)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_shift(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"[@click=app.quit]x[/] ")
        # ESC as a key press is the prompt's cancel: the control character goes in as pasted text
        app.screen.query_one(Input).insert_text_at_cursor("\x1b[31m")
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and app.screen is screen
        shown = notes_text(screen)
        assert "[@click=app.quit]x[/] \\x1b[31m" in shown  # literal, the ESC made visible
        assert "\x1b" not in shown
        await pilot.click("#notes .note")  # a click on it runs no action
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert not errors(app)
    assert b.shift_dashboard().notes[0].body == HOSTILE_NOTE


async def test_hostile_note_from_the_store_shows_literally(svc: Services) -> None:  # noqa: F811
    b = backend(svc, "ines")
    b.shift_handover(HOSTILE_NOTE)
    app = make_app(b)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_shift(pilot)
        shown = notes_text(screen)
        assert "[@click=app.quit]x[/] \\x1b[31m" in shown
        assert "\x1b" not in shown
        await pilot.click("#notes .note")
        await pilot.pause()
        assert app.is_running and app.screen is screen


async def test_a_moderator_is_refused_and_nothing_crashes(svc: Services) -> None:  # noqa: F811
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        await app.push_screen(ShiftScreen(app.backend))
        await pilot.pause()
        assert errors(app)
        assert [n for n in app._notifications if n.severity == "error" and n.title == "Forbidden"]
        assert isinstance(app.screen, BoardScreen)  # the shift screen closed itself
        await pilot.press("j")
        await pilot.pause()
        assert app.is_running


# --- the screen alone, on a stand-in backend: breaches, the periodic reload, a server away ---------


class FakeBackend:
    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self.breached = [0] * 10 + [1, 2, 3]

    def shift_dashboard(self, hours: int = 12) -> ShiftDashboard:
        self.calls += 1
        if self.down:
            raise Unavailable("the server does not answer")
        now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        return ShiftDashboard(
            at=now, hours=[now - timedelta(hours=h) for h in range(hours, -1, -1)],
            series={"offensive": {"open": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "breached": self.breached}},
            holders={"[b]sam[/b]": [{"case": 7, "queue": "offensive"}, {"case": 9, "queue": "urgent"}]},
            notes=[HandoverPublic(id=1, author="ines", at=now, body="calm night")])

    def queue_counts(self) -> list[QueueCount]:
        return [QueueCount(queue="urgent", open=0, breached=0), QueueCount(queue="offensive", open=12, breached=3)]


class Host(App[None]):
    def __init__(self, backend: Any) -> None:
        super().__init__()
        self.backend = backend

    def on_mount(self) -> None:
        self.push_screen(ShiftScreen(self.backend))


async def test_breaches_are_red_and_holders_literal() -> None:
    app = Host(FakeBackend())
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ShiftScreen)
        queues = screen.query_one("#queues", DataTable)
        assert [str(queues.get_row_at(i)[0]) for i in range(queues.row_count)] == ["urgent", "offensive"]
        urgent, offensive = queues.get_row("urgent"), queues.get_row("offensive")
        assert str(offensive[4]) == "3" and "red" in str(offensive[4].style)
        assert str(urgent[4]) == "0" and "red" not in str(urgent[4].style)
        assert str(offensive[1]).endswith("█") and str(offensive[3]) == "··········▁▁▂"
        assert all("red" in str(span.style) for span in offensive[3].spans if span.end > 10)
        row = [str(c) for c in screen.query_one("#holders", DataTable).get_row_at(0)]
        assert row == ["[b]sam[/b]", "7 (offensive), 9 (urgent)", "2"]


async def test_periodic_reload_and_a_server_away() -> None:
    fake = FakeBackend()
    app = Host(fake)
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ShiftScreen)
        fake.breached = [0] * 13
        screen._reload_in_background()  # what the 30 s timer runs
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert str(screen.query_one("#queues", DataTable).get_row("offensive")[4]) == "0"
        fake.down = True
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is screen  # only Forbidden closes it
        assert "the server does not answer" in str(screen.query_one("#title").render())
        assert str(screen.query_one("#queues", DataTable).get_row("offensive")[1]).endswith("█")  # last data kept
        assert [n.title for n in app._notifications if n.severity == "error"] == ["Unavailable"]
        fake.down = False
        await pilot.press("r")
        await pilot.pause()
        assert "could not reload" not in str(screen.query_one("#title").render())


async def test_the_board_opens_the_dashboard_for_seniors_only(svc: Services) -> None:  # noqa: F811 - the fixture
    from modconsole.screens.board import BoardScreen

    app = make_app(backend(svc, "ines"))
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        await pilot.press("S")
        await pilot.pause(0.5)
        assert isinstance(app.screen, ShiftScreen)
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        await pilot.press("S")
        await pilot.pause(0.5)
        assert isinstance(app.screen, BoardScreen)  # a moderator has no such key
