"""The one service layer's spine: every action is authorize → change → audit, in one transaction.

`Services.perform` is the only way a change reaches the store on behalf of a person. A refused
action (Forbidden, from the role table or from a rule inside the change) rolls back whatever
the change did and is then itself appended to the audit log in a transaction of its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlmodel import Session, select

from modconsole.errors import ClaimHeld, Forbidden, InvalidInput, ModconsoleError, NotFound, Unauthenticated

from . import audit, auth
from . import policy as policy_mod
from .auth import Actor
from .models import Staff
from .store import Store

T = TypeVar("T")
log = logging.getLogger("modconsole.domain")

POLICY_TTL_S = 30.0
SYSTEM = Actor(id=None, name="system", role="system")


MAX_REASON = 2000


def reason_text(reason: str | None, missing: str, limit: int = MAX_REASON) -> str:
    """A staff-written reason, stripped; InvalidInput(`missing`) when empty, or when too long."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(missing)
    if len(text) > limit:
        raise InvalidInput(f"a reason is at most {limit} characters")
    return text


class Services:
    """Holds the store and what is costly to rebuild (policy, the detector)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._policy: policy_mod.Policy | None = None
        self._policy_at = 0.0
        self._detector: Any = None
        self._detector_version: Any = None
        self._staff_names: dict[int, str] | None = None

    @property
    def clock(self):  # type: ignore[no-untyped-def]
        return self.store.clock

    def now(self):  # type: ignore[no-untyped-def]
        return self.store.clock.now()

    # --- cached configuration ---------------------------------------------------------------

    def policy(self) -> policy_mod.Policy:
        """The policy in force, re-read at most every POLICY_TTL_S so other processes' changes arrive."""
        if self._policy is None or time.monotonic() - self._policy_at > POLICY_TTL_S:
            with self.store.read() as s:
                self._policy = policy_mod.load(s)
            self._policy_at = time.monotonic()
        return self._policy

    def detector(self, session: Session | None = None) -> Any:
        """The detector of the lexicons in force, rebuilt when an admin's edit changed them."""
        from .lexicons import build_detector, version

        if session is None:
            with self.store.read() as s:
                return self.detector(s)
        regions = self.policy().phone_regions
        current = (version(session), regions)
        if self._detector is None or self._detector_version != current:
            self._detector = build_detector(session, regions)
            self._detector_version = current
        return self._detector

    def staff_names(self, session: Session | Connection, needed: set[int] | None = None) -> dict[int, str]:
        """Staff id -> name, cached; reloaded when an id is missing (names never change)."""
        if self._staff_names is None or (needed and not needed <= self._staff_names.keys()):
            self._staff_names = {i: n for i, n in session.execute(select(Staff.id, Staff.name)).all() if i is not None}
        return self._staff_names

    def invalidate(self) -> None:
        self._policy = None
        self._detector = None

    # --- who acts ---------------------------------------------------------------------------

    def actor(self, name: str | None) -> Actor:
        """The active staff member of that name; raises Unauthenticated (none given, or
        deactivated: audited), NotFound."""
        if not name:
            raise Unauthenticated("no acting staff member: pass --as NAME or set MODCONSOLE_AS")
        with self.store.read() as s:
            staff = s.exec(select(Staff).where(Staff.name == name)).first()
        if staff is None:
            raise NotFound(f"no staff member named {name!r} (see `modconsole staff list`)")
        if not staff.active:
            refusal = Unauthenticated(f"staff member {name!r} is deactivated")  # as a token would be
            self.record_refusal(Actor(staff.id, staff.name, staff.role), "login", refusal, target_type="staff", target_id=name)
            raise refusal
        return Actor(id=staff.id, name=staff.name, role=staff.role)

    # --- the action pipeline ----------------------------------------------------------------

    def perform(
        self,
        actor: Actor,
        action: str,
        change: Callable[[Session], tuple[T, dict[str, Any] | None]],
        *,
        target_type: str | None = None,
        target_id: str | int | None = None,
        reason: str | None = None,
        audit_ok: bool = True,
        audit_action: str | None = None,
    ) -> T:
        """Authorize `action`, run `change(session)` and append its audit entry, atomically.

        `change` returns (result, audit detail); the detail must hold ids, never member text.
        Returns the result; raises Forbidden (audited) or whatever the change raised.
        """
        try:
            auth.require(actor, action)
            with self.store.write() as session:
                result, detail = change(session)
                if audit_ok:
                    self.store.lock_audit_chain(session)
                    audit.append(
                        session, at=self.now(), staff_id=actor.id, staff_name=actor.name, role=actor.role,
                        action=audit_action or action, target_type=target_type, target_id=target_id, detail=detail,
                        reason=reason,
                    )
            return result
        except Forbidden as refusal:  # audited as what was attempted (staff.role, not staff.add)
            self.record_refusal(actor, audit_action or action, refusal, target_type=target_type, target_id=target_id)
            raise
        except ClaimHeld as held:  # a lost claim is a refused attempt too (SPEC §7)
            self.record_refusal(actor, audit_action or action, held, target_type=target_type, target_id=target_id)
            raise

    def check(self, actor: Actor, action: str, *, target_type: str | None = None, target_id: str | int | None = None) -> None:
        """Authorize a read; a refusal is audited like any other."""
        try:
            auth.require(actor, action)
        except Forbidden as refusal:
            self.record_refusal(actor, action, refusal, target_type=target_type, target_id=target_id)
            raise

    def record_refusal(
        self, actor: Actor, action: str, refusal: ModconsoleError, *, target_type: str | None, target_id: str | int | None
    ) -> None:
        log.info("refused %s for %s (%s) on %s %s", action, actor.name, actor.role, target_type, target_id)
        with self.store.write_conn() as conn:
            self.store.lock_audit_chain(conn)
            audit.append(
                conn, at=self.now(), staff_id=actor.id, staff_name=actor.name, role=actor.role, action=action,
                outcome="refused", target_type=target_type, target_id=target_id, detail={"why": refusal.message},
            )
