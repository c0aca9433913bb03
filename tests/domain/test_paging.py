"""Keyset paging of the appeals and deletion lists (the console fetches them a page at a time):
pages joined end to end equal the whole list, with ties on the time broken by id, on SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import json

from modconsole.domain import appeals, deletion, ingest
from modconsole.domain.service import Services


def feed(svc: Services, events: list[dict]) -> None:
    data = "\n".join(json.dumps(e) for e in events).encode()
    result = ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data))
    assert result.rejected == []


def pages(fetch, key, size: int) -> list[str]:  # type: ignore[no-untyped-def]
    out: list[str] = []
    while True:
        page = fetch(size, out[-1] if out else None)
        out += [key(x) for x in page]
        if len(page) < size:
            return out


def test_pages_joined_equal_the_whole_list(svc: Services) -> None:
    times = ["2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", "2026-11-21T08:00:00Z"]  # ties on purpose
    feed(svc, [{"type": "report", "id": "r0", "reporter": "u9", "content": "p0", "reason": "offensive"}]
         + [{"type": "appeal", "id": f"a{i:02}", "member": f"m{i}", "case": "1", "body": "x", "created_at": times[i % 3]}
            for i in range(23)]
         + [{"type": "deletion_request", "id": f"d{i:02}", "member": f"m{i}", "scope": "data", "created_at": times[i % 3]}
            for i in range(11)])
    lea, drm = svc.actor("lea"), svc.actor("drm")
    whole = [a.appeal for a in appeals.list_appeals(svc, lea, "pending", limit=0)]
    assert len(whole) == 23 and len(set(whole)) == 23
    for size in (1, 4, 7, 23):
        assert pages(lambda n, after: appeals.list_appeals(svc, lea, "pending", limit=n, after=after),
                     lambda a: a.appeal, size) == whole
    whole_d = [d.request for d in deletion.list_requests(svc, drm, "pending")]
    assert len(whole_d) == 11
    for size in (1, 3, 11):
        assert pages(lambda n, after: deletion.list_requests(svc, drm, "pending", limit=n, after=after),
                     lambda d: d.request, size) == whole_d
