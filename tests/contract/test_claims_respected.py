"""A live claim is respected by every action naming a case, through both backends (the domain
rule is tests/domain/test_claim_respected.py): ClaimHeld, naming the holder, local and remote."""

from __future__ import annotations

import io
import json

import pytest

from modconsole.errors import ClaimHeld
from modconsole.schemas import BulkRow

EVENTS = [
    {"type": "member", "id": "u1", "handle": "lune"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "espèce de connard"},
]


def test_another_moderators_claim_holds_for_sanctions_and_messages(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    backend("feed").ingest(io.BytesIO("\n".join(json.dumps(e) for e in EVENTS).encode()))
    lea, sam = backend("lea"), backend("sam")
    [case] = lea.queue_list()
    lea.case_claim(case.id)
    for attempt in (
        lambda: sam.sanction_apply(member="u1", kind="warning", duration=None, reason="respect: x", case_id=case.id),
        lambda: sam.sanction_preview(member="u1", kind="warning", duration=None, reason="respect: x", case_id=case.id),
        lambda: sam.member_message("u1", template="pii_notice", case_id=case.id),
    ):
        with pytest.raises(ClaimHeld) as held:
            attempt()
        assert held.value.holder == "lea"
    result = sam.sanction_bulk([BulkRow(line=2, member="u1", kind="warning", reason="respect: x", case=case.id)])
    assert result.applied == 0 and "held by lea" in (result.rows[0].error or "")
    assert lea.member_show("u1").sanctions_in_force == []
    assert lea.sanction_apply(member="u1", kind="warning", duration=None, reason="respect: x", case_id=case.id).case_id == case.id
