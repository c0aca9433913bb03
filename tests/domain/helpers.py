"""Small helpers shared by the domain tests."""

from __future__ import annotations

import io
import json
from typing import Any

from sqlalchemy import insert

from modconsole.domain import ingest
from modconsole.domain.casework import SignalDraft, apply_signals
from modconsole.domain.models import Content, Member
from modconsole.domain.service import Services


def make_cases(svc: Services, n: int, queue: str = "offensive", severity: int = 2, prefix: str = "c") -> list[int]:
    """n content cases (one member, n content items), opened the way ingest opens them."""
    now = svc.now()
    with svc.store.write() as s:
        s.execute(insert(Member.__table__), [{"id": f"{prefix}-author", "placeholder": False, "pseudonymised": False}])  # type: ignore[attr-defined]
        s.execute(
            insert(Content.__table__),  # type: ignore[attr-defined]
            [{"id": f"{prefix}{i}", "kind": "post", "author_id": f"{prefix}-author", "body": f"post {i}",
              "created_at": now, "placeholder": False, "visibility": "visible"} for i in range(n)],
        )
        drafts = [SignalDraft(queue=queue, source="lexicon", severity=severity, subject_type="content",
                              subject_id=f"{prefix}{i}", member_id=f"{prefix}-author", detail="test") for i in range(n)]
        applied = apply_signals(s, drafts, now, svc.policy())
    return sorted(applied.ids.values())


def feed(svc: Services, events: list[dict[str, Any]]) -> None:
    """Ingest these events as the platform account; every line must be taken."""
    data = "\n".join(json.dumps(e) for e in events).encode()
    result = ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data))
    assert not result.rejected, result.rejected
