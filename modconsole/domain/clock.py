"""Time, in one place: aware UTC datetimes everywhere; tests inject a `FixedClock`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told to (time-travel tests)."""

    def __init__(self, at: datetime) -> None:
        self.at = to_utc(at)

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


def to_utc(value: datetime) -> datetime:
    """An aware datetime converted to UTC; a naive one is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_time(text: str) -> datetime:
    """ISO 8601 (UTC when no offset; a trailing Z accepted) to aware UTC; ValueError otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO 8601 string, got {type(text).__name__}")
    return to_utc(datetime.fromisoformat(text.strip()))


def iso(value: datetime | None) -> str | None:
    """An ISO 8601 UTC time with a Z, for every interface."""
    if value is None:
        return None
    return to_utc(value).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
