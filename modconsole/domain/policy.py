"""Policy settings: SLAs per queue, the claim lease, the harassment rule's threshold, the
regions whose phone numbers are personal details.

Defaults below; admins override them in the `policy_setting` table (`modconsole policy set`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from .models import PolicySetting

DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("FR", "BE", "CH", "CA", "GB", "US")
MAX_PHONE_REGIONS = 20

DEFAULT_SLA_MINUTES: dict[str, int] = {
    "urgent": 5,
    "self_harm": 15,
    "offensive": 60,
    "harassment": 60,
    "pii": 240,
    "evasion": 240,
    "ask_moderator": 24 * 60,
    "deletion": 72 * 60,
    "appeal": 72 * 60,
}

# Which queue wins when signals of several queues join one case (most urgent first).
QUEUE_RANK: dict[str, int] = {
    q: i
    for i, q in enumerate(
        ["urgent", "self_harm", "harassment", "offensive", "evasion", "pii", "appeal", "ask_moderator", "deletion"]
    )
}

# Queues whose cases never merge with the moderation case of the same subject.
ISOLATED_QUEUES = frozenset({"deletion", "appeal", "ask_moderator"})


@dataclass(frozen=True)
class Policy:
    sla_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SLA_MINUTES))
    claim_lease_minutes: int = 15
    harassment_followups: int = 3  # the third follow-up with no reply opens a case
    ingest_batch: int = 2000
    # Regions whose national phone formats the personal-detail finder knows (numbers with
    # + or 00 are found whatever the region); the French communities' neighbours by default.
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS

    def sla(self, queue: str) -> timedelta:
        return timedelta(minutes=self.sla_minutes.get(queue, 60))

    @property
    def lease(self) -> timedelta:
        return timedelta(minutes=self.claim_lease_minutes)

    @property
    def harassment_threshold(self) -> int:
        """Unanswered messages in a row that open a case: the initial one plus the follow-ups."""
        return 1 + self.harassment_followups


KEYS = ("claim_lease_minutes", "harassment_followups", "ingest_batch", "phone_regions") + tuple(
    f"sla.{q}" for q in DEFAULT_SLA_MINUTES
)
INT_KEYS = ("claim_lease_minutes", "harassment_followups", "ingest_batch")


def load(session: Session) -> Policy:
    """The defaults with the store's overrides applied."""
    policy = Policy()
    sla = dict(policy.sla_minutes)
    changes: dict[str, Any] = {}
    for row in session.exec(select(PolicySetting)).all():
        if row.key.startswith("sla.") and row.key[4:] in sla:
            sla[row.key[4:]] = int(row.value)
        elif row.key in INT_KEYS:
            changes[row.key] = int(row.value)
        elif row.key == "phone_regions" and isinstance(row.value, str):
            changes["phone_regions"] = tuple(row.value.split(","))
    return replace(policy, sla_minutes=sla, **changes)


def as_dict(policy: Policy) -> dict[str, int | str]:
    """Every setting by its key, as `policy set` takes them."""
    out: dict[str, int | str] = {
        "claim_lease_minutes": policy.claim_lease_minutes, "harassment_followups": policy.harassment_followups,
        "ingest_batch": policy.ingest_batch, "phone_regions": ",".join(policy.phone_regions),
    }
    out.update({f"sla.{q}": m for q, m in policy.sla_minutes.items()})
    return out


LIMITS = {"claim_lease_minutes": (1, 240), "harassment_followups": (1, 50), "ingest_batch": (1, 50_000)}


def validate(key: str, value: str) -> int | str:
    """The value as a whole number within its bounds (or, for ``phone_regions``, a list of
    region codes); raises InvalidInput naming the key."""
    from modconsole.errors import InvalidInput

    if key not in KEYS:
        raise InvalidInput(f"unknown policy setting {key!r}: one of {', '.join(KEYS)}")
    if key == "phone_regions":
        return _regions(value)
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{key} takes a whole number (got {value!r})") from None
    low, high = LIMITS.get(key, (1, 60 * 24 * 30))
    if not low <= number <= high:
        raise InvalidInput(f"{key} must be between {low} and {high} (got {number})")
    return number


def _regions(value: str) -> str:
    """``"fr, be,CH"`` -> ``"FR,BE,CH"``: 1 to 20 distinct region codes that ``phonenumbers``
    knows (ISO 3166-1 alpha-2)."""
    import phonenumbers

    from modconsole.errors import InvalidInput

    codes: list[str] = []
    for part in (value or "").replace(";", ",").split(","):
        code = part.strip().upper()
        if not code:
            continue
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise InvalidInput(f"phone_regions: {part.strip()[:10]!r} is not a region code phonenumbers knows (e.g. FR, BE, CH)")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise InvalidInput("phone_regions takes region codes separated by commas, e.g. FR,BE,CH,CA,GB,US")
    if len(codes) > MAX_PHONE_REGIONS:
        raise InvalidInput(f"phone_regions holds at most {MAX_PHONE_REGIONS} regions (got {len(codes)})")
    return ",".join(codes)
