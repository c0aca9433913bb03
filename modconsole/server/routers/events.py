"""The platform posts events: one JSON object, JSON Lines or an array, under the rules of `ingest`.

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from modconsole.domain import ingest
from modconsole.errors import InvalidInput
from modconsole.schemas import IngestResult

from ..deps import ActorDep, SvcDep
from .bodies import MAX_EVENTS_BYTES, PayloadTooLarge

router = APIRouter()


@router.post("/events", tags=["events"])
async def post_events(request: Request, actor: ActorDep, svc: SvcDep) -> IngestResult:
    """One event (a JSON object) or a batch (JSON Lines, or a JSON array); the rules of `ingest`."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_EVENTS_BYTES:
        raise PayloadTooLarge(f"at most {MAX_EVENTS_BYTES // 2**20} MiB per request")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_EVENTS_BYTES:
            raise PayloadTooLarge(f"at most {MAX_EVENTS_BYTES // 2**20} MiB per request")
    lines = _event_lines(raw)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(ingest.ingest_lines, svc, actor, lines)


def _event_lines(raw: bytes) -> list[tuple[int, bytes | str]]:
    import json

    text = raw.lstrip()
    if text.startswith(b"["):
        try:
            items = json.loads(text)
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"the body is not a JSON array of events: not valid UTF-8 (byte {exc.start})") from None
        except RecursionError:
            raise InvalidInput("the body is not a JSON array of events: JSON nested too deeply") from None
        except ValueError as exc:
            raise InvalidInput(f"the body is not a JSON array of events: {str(exc)[:100]}") from None
        return [(i, json.dumps(item)) for i, item in enumerate(items, 1)]
    return list(enumerate(raw.splitlines(), 1))
