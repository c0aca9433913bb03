"""Each appeal of a member is its own case, over both backends (local and a real `modconsole
serve`), SQLite and PostgreSQL: `appeal list` shows every appeal, each is decided, and the
moderator who sanctioned is refused on whichever appeal contests their sanction."""

from __future__ import annotations

import pytest

from modconsole.errors import Forbidden

from .test_contract import feed


def test_every_appeal_is_listed_and_decided_on_its_own_case(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    feed(backend("feed"), [{"type": "member", "id": "u7", "handle": "lune"}])
    lea, sam, ines = backend("lea"), backend("sam"), backend("ines")
    by_sam = sam.sanction_apply(member="u7", kind="warning", duration=None, reason="respect: rude")
    by_lea = lea.sanction_apply(member="u7", kind="mute", duration="24h", reason="respect: ruder")
    feed(backend("feed"), [
        {"type": "appeal", "id": "ap-a", "member": "u7", "sanction": str(by_sam.id), "body": "non"},
        {"type": "appeal", "id": "ap-b", "member": "u7", "sanction": str(by_lea.id), "body": "non plus"},
    ])
    pending = {a.appeal: a for a in sam.appeal_list()}
    assert set(pending) == {"ap-a", "ap-b"} and pending["ap-a"].id != pending["ap-b"].id
    assert (pending["ap-a"].first_decided_by, pending["ap-b"].first_decided_by) == ("sam", "lea")
    with pytest.raises(Forbidden, match="under appeal ap-b"):
        lea.appeal_decide(pending["ap-b"].id, "uphold", "mine stands")
    assert sam.appeal_show(pending["ap-b"].id).state == "pending"
    assert lea.appeal_decide(pending["ap-a"].id, "uphold", "the warning stands").state == "upheld"
    assert ines.appeal_decide(pending["ap-b"].id, "reverse", "too harsh").state == "reversed"
    assert sam.appeal_list() == []
    assert {a.appeal: a.state for a in sam.appeal_list("all")} == {"ap-a": "upheld", "ap-b": "reversed"}
    assert backend("feed").member_status("u7").can_post is True
