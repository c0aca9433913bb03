"""Parsing and validating one event line of SPEC §2 (no database here).

`parse_line` returns an `Event` or raises `EventError` with a message that names the field
and what was wrong; the caller adds the line number. Unknown fields are kept in `extra`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import parse_time

CONTENT_KINDS = frozenset({"post", "comment", "brick", "message", "profile"})
REPORT_REASONS = frozenset({"urgent_help", "offensive", "harassment", "other"})
DELETION_SCOPES = frozenset({"account", "data", "temporary_close"})
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_ID = 128
# Short fields stored in bounded columns; bodies and notes are unbounded text.
MAX_LENGTHS = {"handle": 256, "device": 256, "language": 16, "instrument": 64, "email": 320, "real_name": 300, "phone": 64}

# type -> {field: kind}; kinds: id, id?, str, str?, time, time?, bool?, num?, enum:<set>
FIELDS: dict[str, dict[str, str]] = {
    "member": {"id": "id", "handle": "str?", "created_at": "time?", "email": "str?", "real_name": "str?",
               "phone": "str?", "device": "str?", "language": "str?"},
    "content": {"id": "id", "kind": "kind", "author": "id", "body": "str", "created_at": "time?",
                "recipient": "id?", "thread": "id?", "parent": "id?", "wall_of": "id?"},
    "report": {"id": "id", "reporter": "id?", "content": "id?", "member": "id?", "reason": "reason",
               "note": "str?", "created_at": "time?"},
    "self_assessment": {"id": "id", "member": "id", "instrument": "str?", "score": "num?", "suicidal": "bool?",
                        "created_at": "time?"},
    "ask_moderator": {"id": "id", "member": "id", "body": "str", "created_at": "time?"},
    "deletion_request": {"id": "id", "member": "id", "scope": "scope", "note": "str?", "created_at": "time?"},
    "block": {"blocker": "id", "blocked": "id", "created_at": "time"},  # the time is part of its identity
    "unblock": {"blocker": "id", "blocked": "id", "created_at": "time"},
    "appeal": {"id": "id", "member": "id", "sanction": "id?", "case": "id?", "body": "str?", "created_at": "time?"},
}
ENUMS = {"kind": CONTENT_KINDS, "reason": REPORT_REASONS, "scope": DELETION_SCOPES}


class EventError(ValueError):
    """A line that cannot be taken; the message says which field and why."""


@dataclass(slots=True)
class Event:
    type: str
    key: str  # idempotence key within the type
    data: dict[str, Any]
    extra: dict[str, Any] | None = field(default=None)


def _id(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise EventError(f"'{name}' must be a string id (got {type(value).__name__})")
    text = str(value)
    if not text or len(text) > MAX_ID or not text.isprintable() or not text.isascii() and not _encodable(text):
        raise EventError(f"'{name}' must be a printable id of 1 to {MAX_ID} characters")
    return text


def clean_text(etype: str, name: str, value: str) -> str:
    """Member text as sent, but storable everywhere: an unpaired surrogate is an error, and a NUL
    (which PostgreSQL cannot store in text) becomes U+FFFD."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EventError(f"{etype} event: '{name}' has an unpaired surrogate at character {exc.start}") from None
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(etype: str, name: str, kind: str, value: Any) -> Any:
    optional = kind.endswith("?")
    base = kind.rstrip("?")
    if value is None:
        if optional:
            return None
        raise EventError(f"{etype} event: '{name}' is required")
    if base == "id":
        return _id(name, value)
    if base == "str":
        if not isinstance(value, str):
            raise EventError(f"{etype} event: '{name}' must be a string (got {type(value).__name__})")
        limit = MAX_LENGTHS.get(name)
        if limit is not None and len(value) > limit:
            raise EventError(f"{etype} event: '{name}' is longer than {limit} characters")
        return clean_text(etype, name, value)
    if base == "time":
        try:
            return parse_time(value)
        except (ValueError, TypeError, OverflowError):
            raise EventError(f"{etype} event: '{name}' is not an ISO 8601 time: {str(value)[:40]!r}") from None
    if base == "bool":
        if not isinstance(value, bool):
            raise EventError(f"{etype} event: '{name}' must be true or false")
        return value
    if base == "num":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EventError(f"{etype} event: '{name}' must be a number")
        try:
            number = float(value)
        except OverflowError:
            raise EventError(f"{etype} event: '{name}' is out of range") from None
        if not math.isfinite(number):  # 1e999 parses as infinity, which no JSON answer can carry
            raise EventError(f"{etype} event: '{name}' is not a finite number")
        return number
    allowed = ENUMS[base]
    if value not in allowed:
        raise EventError(f"{etype} event: '{name}' must be one of {', '.join(sorted(allowed))} (got {str(value)[:40]!r})")
    return value


def parse_obj(obj: Any) -> Event:
    """Validate one decoded JSON value as an event."""
    if not isinstance(obj, dict):
        raise EventError(f"an event must be a JSON object (got {type(obj).__name__})")
    etype = obj.get("type")
    if not isinstance(etype, str) or etype not in FIELDS:
        raise EventError(f"unknown or missing 'type' {str(etype)[:40]!r}: one of {', '.join(FIELDS)}")
    spec = FIELDS[etype]
    data: dict[str, Any] = {}
    for name, kind in spec.items():
        data[name] = _check(etype, name, kind, obj.get(name))
    extra = {k: v for k, v in obj.items() if k not in spec and k != "type"} or None
    _check_extra(etype, extra)
    if etype == "content" and data["kind"] == "message" and data["recipient"] is None:
        raise EventError("content event: a message needs a 'recipient'")
    if etype == "report" and data["content"] is None and data["member"] is None:
        raise EventError("report event: needs 'content' or 'member' (what is reported)")
    if etype == "appeal" and data["sanction"] is None and data["case"] is None:
        raise EventError("appeal event: needs 'sanction' or 'case' (what is contested)")
    if etype in ("block", "unblock"):
        if data["blocker"] == data["blocked"]:
            raise EventError(f"{etype} event: a member cannot block themselves")
        when: datetime | None = data["created_at"]
        key = f"{data['blocker']}|{data['blocked']}|{when.isoformat() if when else ''}"
    else:
        key = data["id"]
    return Event(type=etype, key=key, data=data, extra=extra)


def _check_extra(etype: str, extra: dict[str, Any] | None) -> None:
    """Unknown fields are kept, so they must be storable and sendable back: no number JSON
    cannot carry (1e999 parses as infinity), no unpaired surrogate in a name or a string.
    Walks without recursion: `extra` may be deeply nested."""
    stack: list[tuple[str, Any]] = list((extra or {}).items())
    while stack:
        name, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise EventError(f"{etype} event: field {name[:40]!r} holds a number out of range")
        if isinstance(value, dict):
            stack.extend((name, k) for k in value)
            stack.extend((name, v) for v in value.values())
        elif isinstance(value, list):
            stack.extend((name, v) for v in value)
        elif isinstance(value, str) and not _encodable(value):
            raise EventError(f"{etype} event: field {name[:40]!r} has an unpaired surrogate")
    for key in extra or {}:
        if not _encodable(key):
            raise EventError(f"{etype} event: a field name has an unpaired surrogate")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_line(raw: bytes | str) -> Event | None:
    """One JSONL line to an Event; None for a blank line. Raises EventError."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_LINE_BYTES:
            raise EventError(f"line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EventError(f"not valid UTF-8 (byte {exc.start})") from None
    else:
        text = raw
    if not text.strip():
        return None
    try:
        obj = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise EventError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise EventError("not accepted: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits, NaN/Infinity
        raise EventError(f"not accepted: {str(exc)[:120]}") from None
    return parse_obj(obj)
