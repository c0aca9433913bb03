"""Snapshots (pytest-textual-snapshot) of the board, the case view, the member panel and the
sanction dialog on a fixed store and a fixed clock. Update with `scripts/test --snapshot-update`
after a deliberate change, and look at the report before committing the new SVGs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from modconsole.app import make_app
from modconsole.backend.local import LocalBackend
from modconsole.domain import cases, sanctions
from modconsole.domain.clock import FixedClock
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from ..conftest import T0, make_services
from .test_console import EVENTS, feed

SIZE = (140, 40)


@pytest.fixture
def fixed(tmp_path: Path):  # type: ignore[no-untyped-def]
    clock = FixedClock(T0)
    store = Store(f"sqlite:///{tmp_path / 'snap.db'}", clock=clock)
    store.upgrade()
    svc = make_services(store)
    feed(svc, EVENTS + [
        {"type": "content", "id": "p3", "kind": "message", "author": "u3", "recipient": "u4", "body": "mon num c'est le 06 12 34 56 78"},
        {"type": "self_assessment", "id": "sa1", "member": "u5", "suicidal": True, "score": 25},
    ])
    sanctions.apply(svc, svc.actor("lea"), member="u2", kind="warning", duration=None, reason="respect: no insults")
    clock.advance(timedelta(minutes=7))  # the urgent case is now past its 5-minute SLA
    cases.claim(svc, svc.actor("sam"), next(c.id for c in cases.list_queue(svc, svc.actor("root")) if c.subject_id == "p3"))
    yield svc, clock
    store.dispose()


def app_for(svc: Services, clock: FixedClock, who: str = "lea"):  # type: ignore[no-untyped-def]
    return make_app(LocalBackend(Services(svc.store), who), clock=clock.now)


def case_row(svc: Services, subject: str) -> int:
    board = cases.list_queue(svc, svc.actor("root"))
    return next(i for i, c in enumerate(board) if c.subject_id == subject)


def test_board(snap_compare, fixed) -> None:  # type: ignore[no-untyped-def]
    svc, clock = fixed
    assert snap_compare(app_for(svc, clock), terminal_size=SIZE)


def _open(svc: Services, subject: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        for _ in range(case_row(svc, subject)):
            await pilot.press("j")
        await pilot.press("enter")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


def test_case_view_with_hostile_text(snap_compare, fixed) -> None:  # type: ignore[no-untyped-def]
    svc, clock = fixed
    assert snap_compare(app_for(svc, clock), terminal_size=SIZE, run_before=_open(svc, "p1"))


def test_member_panel(snap_compare, fixed) -> None:  # type: ignore[no-untyped-def]
    svc, clock = fixed
    before = _open(svc, "p2")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await before(pilot)
        await pilot.press("p")
        await pilot.pause()

    assert snap_compare(app_for(svc, clock), terminal_size=SIZE, run_before=run_before)


def test_sanction_dialog(snap_compare, fixed) -> None:  # type: ignore[no-untyped-def]
    svc, clock = fixed
    before = _open(svc, "p2")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await before(pilot)
        await pilot.press("s")
        await pilot.pause()

    assert snap_compare(app_for(svc, clock), terminal_size=(140, 50), run_before=run_before)


def test_deletion_request(snap_compare, fixed) -> None:  # type: ignore[no-untyped-def]
    """The clinical team's view of an account deletion request from a member at risk (u5 has a
    suicidal self-assessment and its open urgent case), with hostile text in the member's note."""
    svc, clock = fixed
    feed(svc, [
        {"type": "member", "id": "u5", "handle": "comete", "email": "comete@example.org", "created_at": "2026-11-01T10:00:00Z"},
        {"type": "deletion_request", "id": "d5", "member": "u5", "scope": "account",
         "note": "[b]effacez[/b] tout, je ne reviendrai pas \x1b[31m[@click=app.quit]ok[/]", "created_at": "2026-11-26T08:40:00Z"},
    ])

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app_for(svc, clock, "drm"), terminal_size=SIZE, run_before=run_before)
