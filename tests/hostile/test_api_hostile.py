"""The hostile corpus through a real `modconsole serve` (SQLite): ingest and every GET that
returns member text.

Ingest: a bad line is rejected by number with what was wrong, a bad body is a 4xx with a
message, never a 500, and the server logs no traceback. Reads: valid JSON whose strings are
exactly what was ingested (JSON-escaped, never altered or dropped).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from modconsole.domain import tokens
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from ..contract.conftest import Server
from .corpus import (
    ALL_ENTRIES,
    ALL_MEMBER,
    BAD_IDS,
    BAD_LINES,
    CORPUS,
    HANDLE_ENTRIES,
    IDS,
    SMALL,
    STAFF_TEXT,
    Hostile,
    contains_text,
    content_id,
    events,
    jsonl,
    kept,
    member_id,
)

NAMES = ("root", "lea", "ines", "drm", "feed")


class Api:
    def __init__(self, server: Server, issued: dict[str, str]) -> None:
        self.server = server
        self.clients = {n: httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {t}"}, timeout=60)
                        for n, t in issued.items()}

    def get(self, who: str, path: str, **params: Any) -> Any:
        r = self.clients[who].get(path, params=params)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("application/json")
        return json.loads(r.content.decode("utf-8"))  # strict: valid UTF-8 and JSON

    def post(self, who: str, path: str, content: bytes) -> httpx.Response:
        r = self.clients[who].post(path, content=content)
        assert r.status_code < 500, (path, r.status_code, r.text[:300])
        return r


@pytest.fixture(scope="module")
def api(template: tuple[Path, dict[str, int]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    import shutil

    path = tmp_path_factory.mktemp("api") / "hostile.db"
    shutil.copyfile(template[0], path)
    url = f"sqlite:///{path}"
    store = Store(url)  # the real clock, as the server's: tokens valid now
    issuer = Services(store)
    issued = {n: tokens.issue(issuer, issuer.actor("root"), n) for n in NAMES}
    store.dispose()
    server = Server(url)
    a = Api(server, issued)
    try:
        yield a
    finally:
        for c in a.clients.values():
            c.close()
        server.stop()
        logged = server.proc.stderr.read().decode("utf-8", "replace")  # type: ignore[union-attr]
        assert "Traceback" not in logged and " 500" not in logged, logged[-3000:]


# --- ingest ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "raw", "mention"), BAD_LINES, ids=BAD_IDS)
def test_each_bad_line_alone_is_rejected_with_its_reason(api: Api, name: str, raw: bytes, mention: str) -> None:
    r = api.post("feed", "/events", raw)
    if name == "deep_unclosed":  # starts with "[": read as a JSON array, and refused as a body
        assert r.status_code == 422 and "nested too deeply" in r.json()["message"]
        return
    assert r.status_code == 200, r.text[:300]
    out = r.json()
    assert out["events"] == 0 and len(out["rejected"]) == 1
    assert out["rejected"][0]["line"] == 1 and mention in out["rejected"][0]["error"]


def test_a_jsonl_batch_rejects_the_bad_lines_by_number(api: Api) -> None:
    f = jsonl()
    out = api.post("feed", "/events", b"\n".join(f.lines)).json()
    assert {x["line"] for x in out["rejected"]} == set(f.bad)
    for x in out["rejected"]:
        assert f.bad[x["line"]][1] in x["error"]
    assert out["duplicates"] == len(events())  # the template store has them all already


def test_a_json_array_of_the_corpus(api: Api) -> None:
    body = json.dumps(events()[:40]).encode()
    out = api.post("feed", "/events", body).json()
    assert out["rejected"] == [] and out["duplicates"] == 40
    fresh = [{"type": "content", "id": f"arr-{h.name}", "kind": "post", "author": member_id(h), "body": h.text}
             for h in SMALL]
    out = api.post("feed", "/events", json.dumps(fresh).encode()).json()
    assert out["rejected"] == [] and out["events"] == len(SMALL)
    member = api.get("lea", f"/members/{member_id(SMALL[0])}")
    assert SMALL[0].kept in [c["body"] for c in member["content"]]


BAD_BODIES = [
    ("array_invalid_utf8", b'[{"type": "member", "id": "x", "handle": "\xff"}]', "UTF-8"),
    ("array_nested_too_deep", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("array_item_nested_too_deep", b'[{"type": "member", "id": "x", "d": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]",
     "nested too deeply"),
    ("array_huge_integer", b'[{"type": "member", "id": "x", "n": ' + b"9" * 5000 + b"}]", "digits"),
    ("array_truncated", b'[{"type": "member", "id": "x"', "not a JSON array"),
]


@pytest.mark.parametrize(("name", "body", "mention"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_a_bad_body_is_a_4xx_with_a_message(api: Api, name: str, body: bytes, mention: str) -> None:
    r = api.post("feed", "/events", body)
    assert r.status_code == 422
    err = r.json()
    assert err["error"] == "InvalidInput" and mention in err["message"], err


def test_odd_bodies_are_answered_not_crashed(api: Api) -> None:
    for body in (b"", b"\x00\x01\x02\xff", b'[1, "\\u001b[2J", null]', b'{"type": "member", "id": "ok-1"}\n\xff\xfe\n' + b"[" * 100_000):
        r = api.post("feed", "/events", body)
        assert r.status_code == 200, r.text[:200]
    out = r.json()
    assert out["events"] == 1 and [x["line"] for x in out["rejected"]] == [2, 3]
    assert api.post("feed", "/events", b'[1, "\\u001b[2J", null]').json()["rejected"][1] == {
        "line": 2, "error": "an event must be a JSON object (got str)"}


# --- reads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("h", CORPUS, ids=IDS)
def test_member_case_and_status_return_the_text_intact(api: Api, hostile_ids: dict[str, int], h: Hostile) -> None:
    mid, cid = member_id(h), content_id(h)
    m = api.get("lea", f"/members/{mid}")
    assert m["member"]["handle"] == h.kept[:256]
    assert f"je veux mourir {h.kept}" in [c["body"] for c in m["content"]]
    if h in SMALL:
        assert [n["body"] for n in m["notes"]] == [f"note {h.kept}"]
        assert [s["reason"] for s in m["sanctions_in_force"] + m["sanctions_past"]] == [f"respect: {h.kept}"]
    d = api.get("lea", f"/cases/{hostile_ids[cid]}")
    assert d["content"]["body"] == f"je veux mourir {h.kept}" and d["content"]["author_handle"] == h.kept[:256]
    assert [r["note"] for r in d["reports"]] == [h.kept]
    assert "secret-reporter" not in json.dumps(d)
    assert api.get("feed", f"/members/{mid}/status")["member"] == mid


def test_lists_return_every_string_intact(api: Api, hostile_ids: dict[str, int]) -> None:
    appeals = {a["appeal"]: a for a in api.get("ines", "/appeals", state="all")}
    deletions = {d["request"]: d for d in api.get("drm", "/deletions", state="all")}
    for h in CORPUS:
        assert appeals[f"a-{h.name}"]["body"] == h.kept
        assert deletions[f"d-{h.name}"]["note"] == h.kept and deletions[f"d-{h.name}"]["handle"] == h.kept[:256]
    one = api.get("ines", f"/appeals/{appeals['a-all']['id']}")
    assert one["body"] == kept(ALL_ENTRIES) and contains_text(one, kept(HANDLE_ENTRIES))
    assert api.get("drm", f"/deletions/{deletions['d-all']['id']}")["note"] == kept(ALL_ENTRIES)

    queue = api.get("lea", "/queue", limit=0)
    assert {c["subject_id"] for c in queue} >= {content_id(h) for h in CORPUS}
    shift = api.get("ines", "/shift")
    assert [n["body"] for n in shift["notes"]] == [STAFF_TEXT]
    audit = api.get("root", "/audit", limit=10_000)
    assert any(e["action"] == "sanction.apply" and e["reason"] == f"respect: {STAFF_TEXT}" for e in audit)
    outbox = api.get("feed", "/outbox", limit=1000)
    messages = [o for o in outbox if o["member"] == ALL_MEMBER]
    assert messages and all(contains_text(o["payload"], kept(HANDLE_ENTRIES)) for o in messages if o["kind"] == "message")
    assert any(contains_text(o["payload"], kept(HANDLE_ENTRIES)) for o in messages)
    vault = api.clients["drm"].post(f"/members/{ALL_MEMBER}/vault", json={"reason": "rendering check"})
    assert vault.status_code == 200 and vault.json()["phone"] is not None
