"""The console's sanctions, evasion and appeals through Textual's pilot, on both backends
(the `svc` fixture of test_console: in-process, and a real `modconsole serve`)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, RadioButton

from modconsole.app import make_app
from modconsole.domain import cases, sanctions
from modconsole.domain.service import Services
from modconsole.screens.appeals import AppealScreen, AppealsScreen
from modconsole.screens.board import BoardScreen
from modconsole.screens.dialogs import TextPrompt
from modconsole.screens.member import MemberScreen
from modconsole.screens.sanction import SanctionDialog
from modconsole.widgets.member_text import MemberText

from . import test_console as tc
from .test_console import feed, open_case, svc  # noqa: F401 - the fixture, parametrized over both backends

HOSTILE_APPEAL = "[@click=app.quit]x[/] \x1b[31mred\x1b[0m \x1b]8;;http://evil\x1b\\lien\x1b]8;;\x1b\\ \u202eevil [link=http://x]y[/link]"


def backend(store: Services, name: str) -> Any:
    """The console's backend for `name`, looked up at call time: the remote fixture replaces it."""
    return tc.backend(store, name)


def everything(screen: Any) -> str:
    return " ".join(str(w.render()) for w in screen.query("Static"))


def errors(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def infos(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "information"]


async def answer(pilot: Any, text: str) -> None:
    """Type into the TextPrompt in front and submit it."""
    assert isinstance(pilot.app.screen, TextPrompt)
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


# --- the sanction dialog -------------------------------------------------------------------------------


async def test_dialog_previews_the_real_statement_and_applies_the_chosen_rule(svc: Services) -> None:  # noqa: F811
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "p2")
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SanctionDialog)
        assert dialog.rule == "respect"  # what the backend chooses for an offensive case
        preview = str(dialog.query_one("#preview").render())
        assert "Decision: a warning" in preview and "Rule: Respect other members" in preview
        assert "Contest a decision" in preview  # how to appeal
        dialog.query_one("#kind-mute", RadioButton).value = True
        dialog.query_one("#dur-24h", RadioButton).value = True
        dialog.query_one("#rule-threats", RadioButton).value = True
        await pilot.pause()
        preview = str(dialog.query_one("#preview").render())
        assert "you cannot publish anything (posts, comments, bricks, your profile) until 2" in preview and "Rule: No threats or incitement to violence." in preview
        assert "secret-reporter" not in preview
        assert backend(svc, "root").member_show("u2").sanctions_in_force == []  # a preview applies nothing
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
    [s] = backend(svc, "root").member_show("u2").sanctions_in_force
    assert (s.kind, s.rule, s.decided_by, s.case_id) == ("mute", "threats", "lea", screen.case_id)
    assert s.statement and "No threats or incitement" in s.statement


async def test_dialog_shows_a_refusal_or_missing_input_in_the_preview(svc: Services) -> None:  # noqa: F811
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "p2")
        app.push_screen(SanctionDialog(app.backend, "u2"))  # from no case: no rule is chosen for her
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SanctionDialog) and dialog.rule is None
        assert "Choose the house rule" in str(dialog.query_one("#preview").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        dialog.query_one("#rule-respect", RadioButton).value = True
        dialog.query_one("#kind-no_contact", RadioButton).value = True
        await pilot.pause()
        assert "other member" in str(dialog.query_one("#preview").render())
        dialog.query_one("#other").value = "u1"
        await pilot.pause(0.5)  # typing is debounced
        assert "may not issue a no-contact order" in str(dialog.query_one("#preview").render())
        assert "refused" in dialog.query_one("#preview").classes
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
    assert backend(svc, "root").member_show("u2").sanctions_in_force == []


# --- lifting from the member panel -------------------------------------------------------------------


async def test_a_moderator_is_refused_a_lift_and_a_senior_lifts(svc: Services) -> None:  # noqa: F811
    mute = sanctions.apply(svc, svc.actor("lea"), member="u2", kind="mute", duration="7d", reason="respect: insults")
    app = make_app(backend(svc, "sam"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        await open_case(pilot, svc, "p2")
        await pilot.press("p")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, MemberScreen)
        assert panel.selected_sanction is not None and panel.selected_sanction.id == mute.id
        assert panel.in_force_list is not None
        shown = str(panel.in_force_list.get_option_at_index(0).prompt)
        assert f"#{mute.id} mute" in shown and "rule respect" in shown and "by lea" in shown
        await pilot.press("l")
        await pilot.pause()
        await answer(pilot, "she apologised")
        assert app.screen is panel
        assert any("sam (moderator) may not" in m for m in errors(app)), errors(app)
    [still] = backend(svc, "root").member_show("u2").sanctions_in_force
    assert still.id == mute.id and still.lifted_at is None

    app = make_app(backend(svc, "ines"))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        app.push_screen(MemberScreen(app.backend, "u2"))
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        await answer(pilot, "she apologised")
        assert not errors(app) and any(f"Sanction #{mute.id} (mute) lifted" in m for m in infos(app))
        panel = app.screen
        assert isinstance(panel, MemberScreen)
        assert panel.detail is not None and panel.detail.sanctions_in_force == []  # reloaded
        assert "lifted because: she apologised" in everything(panel)
    detail = backend(svc, "root").member_show("u2")
    assert detail.sanctions_in_force == [] and detail.sanctions_past[0].lift_reason == "she apologised"


async def test_sanctioning_from_the_member_panel_starts_from_the_ladder_and_reloads(svc: Services) -> None:  # noqa: F811
    mute = sanctions.apply(svc, svc.actor("lea"), member="u2", kind="mute", duration="7d", reason="respect: insults")
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.pause()
        app.push_screen(MemberScreen(app.backend, "u2"))
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, MemberScreen) and "suggested next step: ban (temporary" in str(panel.query_one("#suggestion").render())
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SanctionDialog) and (dialog.kind, dialog.duration) == ("ban", "7d")
        dialog.query_one("#rule-respect", RadioButton).value = True
        await pilot.pause()
        assert "you cannot log in until" in str(dialog.query_one("#preview").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is panel and panel.detail is not None
        assert [x.kind for x in panel.detail.sanctions_in_force] == ["mute", "ban"]
        assert panel.in_force_list is not None and panel.in_force_list.option_count == 2
        assert panel.selected_sanction is not None and panel.selected_sanction.id == mute.id


# --- evasion ----------------------------------------------------------------------------------------------


def _evasion(store: Services) -> int:
    """u8 muted, then u8bis on the same device: an evasion case about u8bis."""
    feed(store, [{"type": "member", "id": "u8", "handle": "tempete", "device": "dev-8"}])
    sanctions.apply(store, store.actor("lea"), member="u8", kind="mute", duration="7d", reason="respect: insults")
    feed(store, [{"type": "member", "id": "u8bis", "handle": "tempete2", "device": "dev-8"}])
    return next(c.id for c in cases.list_queue(store, store.actor("root"), queue="evasion") if c.subject_id == "u8bis")


async def test_evasion_confirmed_by_a_senior_bans_both_profiles(svc: Services) -> None:  # noqa: F811
    cid = _evasion(svc)
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "u8bis")
        text = everything(screen)
        assert "Linked profiles" in text and "u8  tempete" in text and "mute until" in text
        assert screen.check_action("confirm_evasion", ()) and not screen.check_action("appeal", ())
        await pilot.press("v")
        await pilot.pause()
        await answer(pilot, "same device")
        assert app.screen is screen
        assert any("lea (moderator) may not" in m for m in errors(app)), errors(app)
        await pilot.press("escape")  # leaving releases the case
        await pilot.pause()
    assert backend(svc, "root").member_status("u8bis").can_login is True

    app = make_app(backend(svc, "ines"))
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        await open_case(pilot, svc, "u8bis")
        await pilot.press("v")
        await pilot.pause()
        await answer(pilot, "same device, same style")
        assert isinstance(app.screen, BoardScreen)
        [told] = [n.message for n in app._notifications if n.title == "Evasion confirmed"]
        assert " on u8." in told and " on u8bis," in told
    root = backend(svc, "root")
    for member in ("u8", "u8bis"):
        [ban] = [x for x in root.member_status(member).in_force if x.kind == "ban"]
        assert ban.ends_at is None and ban.rule == "evasion"
        assert root.member_status(member).can_login is False
    assert root.case_show(cid).case.resolution == "evasion_confirmed"


# --- appeals ------------------------------------------------------------------------------------------------


def _appeal(store: Services, member: str, body: str) -> tuple[int, int]:
    """A ban decided by ines, contested by the member: (sanction id, the appeal's case id)."""
    ban = sanctions.apply(store, store.actor("ines"), member=member, kind="ban", duration="7d", reason="threats: a threat")
    feed(store, [{"type": "appeal", "id": "ap1", "member": member, "sanction": str(ban.id), "body": body}])
    return ban.id, next(a.id for a in backend(store, "root").appeal_list() if a.appeal == "ap1")


async def _open_appeal(pilot: Any) -> AppealScreen:
    await pilot.press("A")
    await pilot.pause()
    listing = pilot.app.screen
    assert isinstance(listing, AppealsScreen)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, AppealScreen)
    return pilot.app.screen


async def test_appeal_first_decider_and_moderator_refused_another_senior_reverses(svc: Services) -> None:  # noqa: F811
    ban_id, cid = _appeal(svc, "u2", "I was quoting a film")
    app = make_app(backend(svc, "ines"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, AppealsScreen)
        row = "  ".join(str(c) for c in listing.query_one(DataTable).get_row(str(cid)))
        assert "ap1" in row and f"sanction #{ban_id} ban" in row and "u2" in row and "ines" in row
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AppealScreen)
        text = everything(screen)
        assert "I was quoting a film" in text and "Statement of reasons" in text and "you cannot log in" in text
        assert "decided first by ines" in str(screen.query_one("#status").render())
        await pilot.press("r")
        await pilot.pause()
        await answer(pilot, "I stand by it")
        assert app.screen is screen
        assert any("took the decision under appeal" in m for m in errors(app))
        await pilot.press("escape")  # leaving releases the appeal's case
        await pilot.pause()
    assert backend(svc, "root").appeal_show(cid).state == "pending"

    app = make_app(backend(svc, "sam"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        screen = await _open_appeal(pilot)
        await pilot.press("r")
        await pilot.pause()
        await answer(pilot, "looks wrong")
        assert app.screen is screen and any("a senior decides" in m for m in errors(app))
        await pilot.press("escape")
        await pilot.pause()
    assert backend(svc, "root").appeal_show(cid).state == "pending"
    assert backend(svc, "root").member_status("u2").can_login is False

    app = make_app(backend(svc, "root"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await _open_appeal(pilot)
        await pilot.press("r")
        await pilot.pause()
        await answer(pilot, "the threat was a quote from a film")
        assert isinstance(app.screen, AppealsScreen) and not errors(app)
        assert any(f"reversed; sanction #{ban_id} is lifted" in m for m in infos(app))
        assert app.screen.items == []  # no pending appeal left
    root = backend(svc, "root")
    decided = root.appeal_show(cid)
    assert decided.state == "reversed" and decided.decided_by == "root"
    assert root.member_status("u2").can_login is True and root.member_show("u2").sanctions_past[0].id == ban_id


async def test_appeal_upheld_from_its_case_on_the_board(svc: Services) -> None:  # noqa: F811
    _, cid = _appeal(svc, "u2", "pas juste")
    app = make_app(backend(svc, "lea"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        screen = await open_case(pilot, svc, "u2")  # the appeal's case (u2 has no other member case)
        assert screen.case_id == cid and screen.check_action("appeal", ()) and not screen.check_action("confirm_evasion", ())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AppealScreen) and "pas juste" in everything(app.screen)
        await pilot.press("u")
        await pilot.pause()
        await answer(pilot, "the message was a threat")
        assert isinstance(app.screen, BoardScreen) and not errors(app)
    decided = backend(svc, "root").appeal_show(cid)
    assert decided.state == "upheld" and decided.decided_by == "lea"
    assert backend(svc, "root").member_status("u2").can_login is False


async def test_hostile_appeal_text_is_shown_literally(svc: Services) -> None:  # noqa: F811
    _appeal(svc, "u1", HOSTILE_APPEAL)  # u1's handle is hostile too, and it is in the statement
    app = make_app(backend(svc, "sam"))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        screen = await _open_appeal(pilot)
        body = str(screen.query_one(MemberText).render())
        assert "[@click=app.quit]x[/]" in body and "[link=http://x]y[/link]" in body
        assert "\\x1b[31m" in body and "\\x1b]8;;http://evil" in body and "\\u202e" in body
        text = everything(screen)
        assert "Hello [bold red]admin[/] \\x1b[2J" in text  # the statement names the member by handle
        assert "\x1b" not in text and "\u202e" not in text
        await pilot.click(MemberText)
        await pilot.pause()
        assert app.is_running
