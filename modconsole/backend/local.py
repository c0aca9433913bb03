"""LocalBackend: the Backend protocol over the domain services, in this process."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from modconsole.domain import (
    appeals,
    audit,
    bulk,
    cases,
    deletion,
    ingest,
    lexicons,
    members,
    messages,
    platform,
    reports,
    sanctions,
    settings,
    shift,
    staff,
    tokens,
    vault,
)
from modconsole.domain import changes as changes_mod
from modconsole.domain.auth import Actor
from modconsole.domain.service import Services
from modconsole.domain.store import Store
from modconsole.schemas import (
    AppealPublic,
    AuditEntryPublic,
    AuditKeyRotation,
    AuditVerifyResult,
    BulkResult,
    BulkRow,
    CaseDetail,
    CasePublic,
    Changes,
    ClaimResult,
    DeletionPublic,
    EffectiveStatus,
    HandoverPublic,
    IngestResult,
    LexiconTermPublic,
    MemberDetail,
    NotePublic,
    OutboxItem,
    QueueCount,
    SanctionPublic,
    ShiftDashboard,
    StaffPublic,
    VaultRecord,
)


class LocalBackend:
    SUPPORTS_LIVE_UPDATES = False

    def __init__(self, services: Services, actor_name: str | None) -> None:
        self.services = services
        self._actor_name = actor_name
        self._actor: Actor | None = None

    @classmethod
    def open(cls, url: str, actor_name: str | None) -> LocalBackend:
        store = Store(url)
        store.require_initialized()
        return cls(Services(store), actor_name)

    @property
    def actor(self) -> Actor:
        """Who acts, read afresh for every call (one indexed read): a staff member deactivated
        or given another role while their console is open is judged on who they are now, as a
        remote backend is at its next request."""
        self._actor = self.services.actor(self._actor_name)
        return self._actor

    @property
    def whoami(self) -> StaffPublic:
        return staff.public_of(self.services, self.actor)

    def close(self) -> None:
        self.services.store.dispose()

    # queues and cases
    def queue_list(self, *, queue: str | None = None, state: str | None = None, member: str | None = None,
                   limit: int = 50, offset: int = 0, mine: bool = False) -> list[CasePublic]:
        return cases.list_queue(self.services, self.actor, queue=queue, state=state, member=member, limit=limit,
                                offset=offset, mine=mine)

    def queue_counts(self) -> list[QueueCount]:
        return cases.queue_counts(self.services, self.actor)

    def case_show(self, case_id: int) -> CaseDetail:
        return cases.show(self.services, self.actor, case_id)

    def case_claim(self, case_id: int, *, force: bool = False) -> ClaimResult:
        return cases.claim(self.services, self.actor, case_id, force=force)

    def case_release(self, case_id: int) -> None:
        cases.release(self.services, self.actor, case_id)

    def case_note(self, case_id: int, body: str) -> NotePublic:
        return cases.note(self.services, self.actor, case_id, body)

    def case_resolve(self, case_id: int, action: str, reason: str | None = None) -> CasePublic:
        return cases.resolve(self.services, self.actor, case_id, action, reason)

    def case_escalate(self, case_id: int, to: str, reason: str) -> CasePublic:
        return cases.escalate(self.services, self.actor, case_id, to, reason)

    # ingest
    def ingest(self, stream: IO[bytes], progress: Any = None) -> IngestResult:
        return ingest.ingest_file(self.services, self.actor, stream, progress)

    # staff
    def staff_add(self, name: str, role: str) -> StaffPublic:
        return staff.add(self.services, self.actor, name, role)

    def staff_role(self, name: str, role: str) -> StaffPublic:
        return staff.set_role(self.services, self.actor, name, role)

    def staff_active(self, name: str, active: bool) -> StaffPublic:
        return staff.set_active(self.services, self.actor, name, active)

    def staff_list(self) -> list[StaffPublic]:
        return staff.list_all(self.services, self.actor)

    # audit
    def audit_list(self, *, limit: int = 100, before: int | None = None) -> list[AuditEntryPublic]:
        return audit.list_entries(self.services, self.actor, limit=limit, before=before)

    def audit_verify(self, anchor_entries: int | None = None, anchor_head: str | None = None) -> AuditVerifyResult:
        return audit.verify_chain(self.services, self.actor, anchor_entries, anchor_head)

    def audit_rotate_key(self) -> AuditKeyRotation:
        return audit.rotate_key(self.services, self.actor)

    # lexicons
    def lexicon_list(self) -> list[LexiconTermPublic]:
        return lexicons.list_terms(self.services, self.actor)

    def lexicon_add(self, term: str, category: str, lang: str, severity: int = 2) -> LexiconTermPublic:
        return lexicons.add(self.services, self.actor, term, category, lang, severity)

    def lexicon_remove(self, term: str, lang: str | None = None) -> int:
        return lexicons.remove(self.services, self.actor, term, lang)

    # policy
    def policy_show(self) -> dict[str, int | str]:
        return settings.show(self.services, self.actor)

    def policy_set(self, key: str, value: str) -> dict[str, int | str]:
        return settings.set_value(self.services, self.actor, key, value)

    # members and sanctions
    def member_show(self, member_id: str) -> MemberDetail:
        return members.show(self.services, self.actor, member_id)

    def sanction_apply(self, *, member: str, kind: str, duration: str | None, reason: str,
                       other: str | None = None, case_id: int | None = None, rule: str | None = None) -> SanctionPublic:
        return sanctions.apply(self.services, self.actor, member=member, kind=kind, duration=duration, reason=reason,
                               other=other, case_id=case_id, rule=rule)

    def sanction_preview(self, *, member: str, kind: str, duration: str | None, reason: str,
                         other: str | None = None, case_id: int | None = None, rule: str | None = None) -> SanctionPublic:
        return sanctions.preview(self.services, self.actor, member=member, kind=kind, duration=duration, reason=reason,
                                 other=other, case_id=case_id, rule=rule)

    def sanction_bulk(self, rows: list[BulkRow], dry_run: bool = False) -> BulkResult:
        return bulk.run(self.services, self.actor, rows, dry_run)

    def sanction_lift(self, sanction_id: int, reason: str) -> SanctionPublic:
        return sanctions.lift(self.services, self.actor, sanction_id, reason)

    def evasion_confirm(self, case_id: int, reason: str) -> list[SanctionPublic]:
        return sanctions.confirm_evasion(self.services, self.actor, case_id, reason)

    def deletion_list(self, state: str = "pending", limit: int = 0, after: str | None = None) -> list[DeletionPublic]:
        return deletion.list_requests(self.services, self.actor, state, limit, after)

    def deletion_show(self, case_id: int) -> DeletionPublic:
        return deletion.show(self.services, self.actor, case_id)

    def deletion_decide(self, case_id: int, decision: str, reason: str, until: datetime | None = None) -> DeletionPublic:
        return deletion.decide(self.services, self.actor, case_id, decision, reason, until)

    def deletion_reopen(self, member_id: str, reason: str) -> int:
        return deletion.reopen(self.services, self.actor, member_id, reason)

    def deletion_verify(self, case_id: int, extra: list[str] | None = None) -> dict[str, Any]:
        return deletion.verify(self.services, self.actor, case_id, extra)

    def vault_show(self, member_id: str, reason: str) -> VaultRecord:
        return vault.read(self.services, self.actor, member_id, reason)

    def report_sor(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        return reports.statements(self.services, self.actor, since, until)

    def report_transparency(self, since: datetime, until: datetime) -> dict[str, Any]:
        return reports.transparency(self.services, self.actor, since, until)

    def shift_dashboard(self, hours: int = 12) -> ShiftDashboard:
        return shift.dashboard(self.services, self.actor, hours)

    def shift_handover(self, body: str) -> HandoverPublic:
        return shift.handover(self.services, self.actor, body)

    def appeal_list(self, state: str = "pending", limit: int = 200, after: str | None = None) -> list[AppealPublic]:
        return appeals.list_appeals(self.services, self.actor, state, limit, after)

    def appeal_show(self, case_id: int) -> AppealPublic:
        return appeals.show(self.services, self.actor, case_id)

    def appeal_decide(self, case_id: int, decision: str, reason: str) -> AppealPublic:
        return appeals.decide(self.services, self.actor, case_id, decision, reason)

    def member_message(self, member_id: str, *, template: str | None = None, body: str | None = None,
                       case_id: int | None = None) -> int:
        return messages.send(self.services, self.actor, member_id, template=template, body=body, case_id=case_id)

    def staff_token(self, name: str, days: int = tokens.DEFAULT_DAYS) -> str:
        return tokens.issue(self.services, self.actor, name, days)

    # what the platform reads back
    def member_status(self, member_id: str, at: datetime | None = None, with_member: str | None = None) -> EffectiveStatus:
        return platform.status(self.services, self.actor, member_id, at, with_member)

    def outbox(self, after: int = 0, limit: int = 100) -> list[OutboxItem]:
        return platform.outbox(self.services, self.actor, after, limit)

    def outbox_ack(self, ids: list[int]) -> int:
        return platform.acknowledge(self.services, self.actor, ids)

    def changes(self, since: int | None = None, wait: float = 0.0) -> Changes:
        return changes_mod.wait(self.services, self.actor, since, wait)

    def staff_token_revoke(self, name: str) -> int:
        return tokens.revoke_all(self.services, self.actor, name)
