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


# The instants the product accepts from outside (API parameters and bodies, CLI options,
# event times): those that can be written in every UTC offset, so that no conversion, no
# database session time zone and no display can overflow Python's years 1..9999.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
RANGE_TEXT = "0001-01-02 to 9999-12-30, UTC"


def checked_utc(value: datetime) -> datetime:
    """`value` in UTC (naive taken as UTC), if the product accepts it; ValueError otherwise —
    also for a time that exists only in its own offset (0001-01-01T00:00:00+14:00)."""
    try:
        utc = to_utc(value)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} cannot be represented in UTC ({RANGE_TEXT} accepted)") from None
    if not EARLIEST <= utc <= LATEST:
        raise ValueError(f"{value.isoformat()} is outside the times accepted ({RANGE_TEXT})")
    return utc


def parse_time(text: str) -> datetime:
    """ISO 8601 (UTC when no offset; a trailing Z accepted) to aware UTC, within
    EARLIEST..LATEST; ValueError otherwise (its message says why, and names ISO 8601)."""
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO 8601 string, got {type(text).__name__}")
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {text[:40]!r}") from None
    return checked_utc(value)


def iso(value: datetime | None) -> str | None:
    """An ISO 8601 UTC time with a Z, for every interface."""
    if value is None:
        return None
    return to_utc(value).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
