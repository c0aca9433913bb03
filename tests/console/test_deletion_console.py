"""The clinical team's deletion queue and the vault's contact details, through Textual's pilot,
on both backends (the `svc` fixture of test_console: in-process, and a real `modconsole serve`)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Input

from modconsole.app import make_app
from modconsole.domain.service import Services
from modconsole.errors import Forbidden
from modconsole.screens.board import BoardScreen
from modconsole.screens.case import CaseScreen
from modconsole.screens.deletion import CloseDialog, DeletionScreen, DeletionsScreen, EraseDialog, ProofDialog
from modconsole.screens.dialogs import TextPrompt
from modconsole.screens.vault import ContactDetails
from modconsole.widgets.member_text import MemberText
from modconsole.widgets.queue_table import QueueTable

from . import test_console as tc
from .test_console import feed, svc  # noqa: F401 - the fixture, parametrized over both backends

HOSTILE_NOTE = "[b]effacez[/b] tout \x1b[31mrouge\x1b[0m [@click=app.quit]x[/] \u202eevil"
EMAIL = "comete@example.org"

EVENTS = [
    {"type": "member", "id": "u5", "handle": "comete", "email": EMAIL, "real_name": "Jeanne Comète",
     "created_at": "2026-11-01T10:00:00Z"},
    {"type": "content", "id": "p5", "kind": "post", "author": "u5", "body": "je ne sais plus quoi faire",
     "created_at": "2026-11-25T20:00:00Z"},
    {"type": "self_assessment", "id": "sa5", "member": "u5", "instrument": "PHQ-9", "score": 24, "suicidal": True,
     "created_at": "2026-11-26T07:00:00Z"},
    {"type": "deletion_request", "id": "d5", "member": "u5", "scope": "account", "note": HOSTILE_NOTE,
     "created_at": "2026-11-26T08:00:00Z"},
    {"type": "member", "id": "u6", "handle": "[red]calme[/] \x1b[2J", "email": "calme@example.org", "created_at": "2026-11-01T10:00:00Z"},
    {"type": "deletion_request", "id": "d6", "member": "u6", "scope": "temporary_close", "note": "une pause",
     "created_at": "2026-11-26T08:30:00Z"},
]


def backend(store: Services, name: str) -> Any:
    """The console's backend for `name`, looked up at call time: the remote fixture replaces it."""
    return tc.backend(store, name)


def everything(screen: Any) -> str:
    return " ".join(str(w.render()) for w in screen.query("Static"))


def errors(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def case_of(svc: Services, request: str) -> int:  # noqa: F811
    return next(d.id for d in backend(svc, "drm").deletion_list("all") if d.request == request)


async def type_in(pilot: Any, text: str) -> None:
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


async def answer(pilot: Any, text: str) -> None:
    """Type into the TextPrompt in front and submit it."""
    assert isinstance(pilot.app.screen, TextPrompt)
    await type_in(pilot, text)


async def open_urgent_case(pilot: Any, member: str) -> CaseScreen:
    table = pilot.app.screen.query_one(QueueTable)
    table.move_cursor(row=next(i for i, c in enumerate(table.cases) if c.queue == "urgent" and c.member == member))
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CaseScreen)
    return pilot.app.screen


async def open_list(pilot: Any) -> DeletionsScreen:
    await pilot.pause()
    assert isinstance(pilot.app.screen, BoardScreen)
    await pilot.press("D")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DeletionsScreen)
    return pilot.app.screen


async def open_request(pilot: Any, request: str) -> DeletionScreen:
    screen = await open_list(pilot)
    row = next(i for i, d in enumerate(screen.items) if d.request == request)
    screen.query_one(DataTable).move_cursor(row=row)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DeletionScreen)
    return pilot.app.screen


async def test_clinical_list_shows_each_request_with_the_risk_beside_it(svc: Services) -> None:  # noqa: F811
    feed(svc, EVENTS)
    app = make_app(backend(svc, "drm"))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_list(pilot)
        assert [d.request for d in screen.items] == ["d5", "d6"]  # oldest first
        table = screen.query_one(DataTable)
        d5 = [str(c) for c in table.get_row_at(0)]
        assert d5[1:4] == ["d5", "account", "u5 (comete)"] and d5[5] == "pending"
        assert "1 open urgent case" in d5[6] and "suicidal self-assessment" in d5[6]
        assert str(table.get_row_at(1)[6]) == "-"  # nothing known about u6
        assert str(table.get_row_at(1)[3]) == "u6 ([red]calme[/] \\x1b[2J)"  # a hostile handle, literal
        assert "1 from a member who may be at risk" in str(screen.query_one("#title").render())

        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DeletionScreen) and detail.lease.holding
        banner = str(detail.query_one("#risk-banner").render())
        assert "may be at risk" in banner and "urgent case" in banner and "score 24" in banner
        risk = " ".join(str(w.render()) for w in detail.query("#risk Static")) + " ".join(
            str(o.prompt) for o in detail.query_one("#risk OptionList").options)  # type: ignore[attr-defined]
        assert "urgent open" in risk and "SUICIDAL" in risk and "PHQ-9" in risk
        # the member's note is untrusted: literal, controls made visible, nothing interpreted
        note = " ".join(str(w.render()) for w in detail.query(MemberText))
        assert "[b]effacez[/b] tout \\x1b[31mrouge\\x1b[0m [@click=app.quit]x[/] \\u202eevil" in note
        assert "\x1b" not in everything(detail) and "\u202e" not in everything(detail)
        # the urgent case opens from beside the request, for the clinical team to act on
        detail.query_one("#risk OptionList").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen) and app.screen.detail is not None
        assert app.screen.detail.case.queue == "urgent" and not app.screen.holding  # opened to read, not claimed
        assert not errors(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is detail
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DeletionsScreen)
    assert backend(svc, "drm").deletion_show(case_of(svc, "d5")).state == "pending"


async def test_a_deletion_case_on_the_board_opens_the_request(svc: Services) -> None:  # noqa: F811
    from modconsole.commands import screen_commands

    feed(svc, EVENTS)
    app = make_app(backend(svc, "drm"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        board = app.screen
        assert "Deletion requests" in [c.title for c in screen_commands(board)]
        assert "Appeals" not in [c.title for c in screen_commands(board)]  # not the clinical team's
        assert {"deletions"} <= {b.binding.action for b in board.active_bindings.values()}
        assert "appeals" not in {b.binding.action for b in board.active_bindings.values()}
        table = board.query_one(QueueTable)
        row = next(i for i, c in enumerate(table.cases) if c.queue == "deletion")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DeletionScreen) and app.screen.case_id == table.cases[row].id
        titles = [c.title for c in screen_commands(app.screen)]
        assert {"Approve the request", "Decline the request", "Show contact details"} <= set(titles)
        assert "Reopen the account" not in titles  # nothing is closed


@pytest.mark.parametrize("who", ["lea", "ines"])
async def test_moderators_and_seniors_have_no_deletion_queue(svc: Services, who: str) -> None:  # noqa: F811
    from modconsole.commands import screen_commands

    feed(svc, EVENTS)
    app = make_app(backend(svc, who))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert "deletions" not in {b.binding.action for b in board.active_bindings.values()}
        assert "Deletion requests" not in [c.title for c in screen_commands(board)]
        await pilot.press("D")
        await pilot.pause()
        assert app.screen is board
        # on the member's urgent case, no contact details for a moderator or a senior
        case = await open_urgent_case(pilot, "u5")
        assert case.check_action("contact_details", ()) is False
        await pilot.press("i")
        await pilot.pause()
        assert app.screen is case
    them = backend(svc, who)
    with pytest.raises(Forbidden):
        them.deletion_list()
    with pytest.raises(Forbidden):
        them.deletion_decide(case_of(svc, "d5"), "decline", "not mine to decide")
    with pytest.raises(Forbidden):
        them.vault_show("u5", "curious")
    assert backend(svc, "drm").deletion_show(case_of(svc, "d5")).state == "pending"


async def test_decline_with_a_reason(svc: Services) -> None:  # noqa: F811
    feed(svc, EVENTS)
    app = make_app(backend(svc, "drm"))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_request(pilot, "d5")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("escape")  # cancelled: nothing changes
        await pilot.pause()
        assert app.screen is screen and screen.detail is not None and screen.detail.state == "pending"
        await pilot.press("d")
        await pilot.pause()
        await answer(pilot, "spoke with her, she wants to stay")
        assert app.screen is screen and screen.detail.state == "declined"
        assert "declined by drm" in everything(screen) and "spoke with her, she wants to stay" in everything(screen)
        assert screen.check_action("approve", ()) is False  # decided: no more decisions offered
        assert not errors(app)
    d = backend(svc, "drm").deletion_show(case_of(svc, "d5"))
    assert d.state == "declined" and d.decision_reason == "spoke with her, she wants to stay"


async def test_contacted_then_a_refusal_changes_nothing(svc: Services) -> None:  # noqa: F811
    feed(svc, EVENTS)
    app = make_app(backend(svc, "drm"))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_request(pilot, "d5")
        await pilot.press("m")
        await pilot.pause()
        await answer(pilot, "called her, call back tomorrow")
        assert screen.detail is not None and screen.detail.state == "contacted" and screen.lease.holding
        # decided elsewhere meanwhile (the CLI): this screen's decision is refused, as worded by the service
        backend(svc, "drm").deletion_decide(screen.case_id, "decline", "decided in the CLI")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, CloseDialog)
        await type_in(pilot, "")
        await type_in(pilot, "a break")
        assert app.screen is screen
        assert any("already decided" in e for e in errors(app))
        assert screen.detail.state == "declined"  # shown as it is now
    d = backend(svc, "drm").deletion_show(case_of(svc, "d5"))
    assert d.state == "declined" and d.closed_until is None and d.decision_reason == "decided in the CLI"
    assert backend(svc, "drm").member_status("u5").can_login


async def test_close_temporarily_then_reopen(svc: Services) -> None:  # noqa: F811
    feed(svc, EVENTS)
    app = make_app(backend(svc, "drm"))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_request(pilot, "d6")
        await pilot.press("t")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CloseDialog)
        await type_in(pilot, "demain")  # not a date: said in the dialog, which stays
        assert app.screen is dialog and "not a date" in str(dialog.query_one("#close-error").render())
        dialog.query_one("#close-until", Input).value = ""
        await type_in(pilot, "2099-01-01")
        await type_in(pilot, "she asked for a break over the holidays")
        assert app.screen is screen and screen.detail is not None and screen.detail.state == "closed"
        assert screen.detail.closed_until is not None and screen.detail.closed_until.startswith("2099-01-01")
        assert "closed until 2099-01-01 00:00Z" in everything(screen)
        assert backend(svc, "drm").member_status("u6").can_login is False
        # reopening ends the closure now
        assert screen.check_action("reopen", ()) is True
        await pilot.press("o")
        await pilot.pause()
        await answer(pilot, "she wrote that she is ready to come back")
        assert screen.detail.closed_until is None and not errors(app)
    assert backend(svc, "drm").member_status("u6").can_login is True


async def test_approve_asks_for_a_typed_confirmation_then_erases_with_a_clean_proof(svc: Services) -> None:  # noqa: F811
    feed(svc, EVENTS)
    app = make_app(backend(svc, "drm"))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_request(pilot, "d5")
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EraseDialog)
        words = everything(dialog) + " ".join(str(w.render()) for w in dialog.query("Label"))
        assert "irreversible" in words and "cannot be undone" in words and "type the member id u5" in words
        assert "may be at risk" in words  # the risk, once more, in the confirmation
        await pilot.press("escape")  # cancelling erases nothing
        await pilot.pause()
        assert app.screen is screen and screen.detail is not None and screen.detail.state == "pending"
        assert backend(svc, "drm").vault_show("u5", "check before erasure").email == EMAIL

        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EraseDialog)
        await type_in(pilot, "confirmed by phone on 11-26, no current risk")
        await type_in(pilot, "u6")  # the wrong member: nothing happens
        assert app.screen is dialog and "nothing is erased" in str(dialog.query_one("#erase-error").render())
        dialog.query_one("#erase-confirm", Input).value = ""
        await type_in(pilot, "u5")
        proof = app.screen
        assert isinstance(proof, ProofDialog)
        shown = everything(proof)
        assert "Proof at erasure: CLEAN" in shown and "registration 1" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.detail.state == "approved"
        assert "Proof at erasure: CLEAN" in everything(screen) and EMAIL not in everything(screen)
        assert not errors(app)
    record = backend(svc, "drm").vault_show("u5", "after erasure")
    assert (record.email, record.real_name, record.phone) == (None, None, None)
    assert backend(svc, "drm").deletion_verify(case_of(svc, "d5"))["clean"] is True


async def test_contact_details_need_a_reason_and_are_shown_only_in_the_dialog(svc: Services) -> None:  # noqa: F811
    feed(svc, EVENTS)
    app = make_app(backend(svc, "drm"))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_request(pilot, "d5")
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("escape")  # no reason: no reading
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("i")
        await pilot.pause()
        await answer(pilot, "suicidal self-assessment, calling her before deciding")
        dialog = app.screen
        assert isinstance(dialog, ContactDetails)
        shown = everything(dialog)
        assert EMAIL in shown and "Jeanne Comète" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert not any(EMAIL in n.message for n in app._notifications)  # never in a notification
        assert EMAIL not in everything(screen)
    readings = [e for e in backend(svc, "root").audit_list(limit=50) if e.action == "vault.read"]
    assert [(e.staff, e.target_id, e.reason) for e in readings] == [
        ("drm", "u5", "suicidal self-assessment, calling her before deciding")]
    assert EMAIL not in str(readings[0].detail)


async def test_contact_details_on_an_urgent_case_for_the_clinical_team(svc: Services) -> None:  # noqa: F811
    feed(svc, EVENTS)
    app = make_app(backend(svc, "drm"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        case = await open_urgent_case(pilot, "u5")
        assert case.detail is not None and case.detail.case.queue == "urgent"
        assert case.check_action("contact_details", ()) is True
        assert case.check_action("sanction", ()) is False  # the clinical team never sanctions
        await pilot.press("i")
        await pilot.pause()
        await answer(pilot, "urgent case: she may be in danger")
        assert isinstance(app.screen, ContactDetails) and EMAIL in everything(app.screen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is case
