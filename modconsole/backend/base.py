"""The Backend protocol: everything the console and the CLI may ask of a store.

`LocalBackend` calls the domain services in-process; `RemoteBackend` (a later issue) calls
`modconsole serve` over HTTP. Both raise only the errors of `modconsole.errors`, so a caller
handles one set: NotFound, Forbidden (refused and audited), ClaimHeld (names the holder),
Conflict, InvalidInput, Unauthenticated, Unavailable.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any, Protocol

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


class Backend(Protocol):
    #: Optional features an interface may look for before offering them.
    SUPPORTS_LIVE_UPDATES: bool

    @property
    def whoami(self) -> StaffPublic:
        """The acting staff member. Raises Unauthenticated / NotFound."""
        ...

    def queue_list(
        self, *, queue: str | None = None, state: str | None = None, member: str | None = None,
        limit: int = 50, offset: int = 0, mine: bool = False,
    ) -> list[CasePublic]:
        """Cases in board order (breached first, then priority, then SLA), paged. `limit=0`: all.
        `mine`: only the cases the caller holds a live claim on.
        Raises InvalidInput for an unknown queue or state, Forbidden for a queue the role cannot see."""
        ...

    def queue_counts(self) -> list[QueueCount]:
        """Unresolved and breached cases for each queue the role can see."""
        ...

    def case_show(self, case_id: int) -> CaseDetail:
        """A case with its content in context, signals, reports (never the reporter), notes and history.
        Raises NotFound, Forbidden."""
        ...

    def case_claim(self, case_id: int, *, force: bool = False) -> ClaimResult:
        """Take or renew the lease. Raises ClaimHeld (with `holder`), Conflict if resolved, Forbidden."""
        ...

    def case_release(self, case_id: int) -> None:
        """Give the lease back. Raises Conflict when not held by the caller."""
        ...

    def case_note(self, case_id: int, body: str) -> NotePublic:
        ...

    def case_resolve(self, case_id: int, action: str, reason: str | None = None) -> CasePublic:
        """dismiss | hide | remove. Raises ClaimHeld, Conflict, InvalidInput, Forbidden."""
        ...

    def case_escalate(self, case_id: int, to: str, reason: str) -> CasePublic:
        """to senior | clinical. Raises ClaimHeld, Conflict, InvalidInput, Forbidden."""
        ...

    def ingest(self, stream: IO[bytes], progress: object | None = None) -> IngestResult:
        """Events of SPEC §2, one JSON object a line. Malformed lines are in `rejected`."""
        ...

    def staff_add(self, name: str, role: str) -> StaffPublic:
        ...

    def staff_role(self, name: str, role: str) -> StaffPublic:
        """Change a staff member's role (admin; audited). Raises Conflict (the last admin), NotFound."""
        ...

    def staff_active(self, name: str, active: bool) -> StaffPublic:
        """Deactivate or reactivate a staff member (admin; audited); deactivation stops their tokens."""
        ...

    def staff_list(self) -> list[StaffPublic]:
        ...

    def audit_list(self, *, limit: int = 100, before: int | None = None) -> list[AuditEntryPublic]:
        """Newest first; `before` pages back from an entry id."""
        ...

    def audit_verify(self, anchor_entries: int | None = None, anchor_head: str | None = None) -> AuditVerifyResult:
        """Walk the chain (admin); with an anchor (entries, head) recorded earlier, also check that
        entry `anchor_entries` still carries `anchor_head`, so a removed tail is detected."""
        ...

    def audit_rotate_key(self) -> AuditKeyRotation:
        """A new audit key version (admin); the rotation is itself an entry. Raises Forbidden
        (audited), Unavailable (the key file cannot be read or written)."""
        ...

    def lexicon_list(self) -> list[LexiconTermPublic]:
        ...

    def lexicon_add(self, term: str, category: str, lang: str, severity: int = 2) -> LexiconTermPublic:
        ...

    def lexicon_remove(self, term: str, lang: str | None = None) -> int:
        """Returns how many entries were removed; raises NotFound when the term is not in force."""
        ...

    def policy_show(self) -> dict[str, int | str]:
        """Every policy setting in force by key (SLA minutes per queue, lease, harassment follow-ups)."""
        ...

    def policy_set(self, key: str, value: str) -> dict[str, int | str]:
        """Admin. Raises InvalidInput naming the key or the bound; returns every setting after."""
        ...

    def member_show(self, member_id: str) -> MemberDetail:
        """Content, cases, sanctions (in force and past), notes, linked accounts, the ladder's
        suggestion. Never registration data. Raises NotFound, Forbidden."""
        ...

    def sanction_apply(self, *, member: str, kind: str, duration: str | None, reason: str,
                       other: str | None = None, case_id: int | None = None, rule: str | None = None) -> SanctionPublic:
        """Apply a sanction resting on a house rule (`rule`, or the reason's first word, or the
        case's queue); returns it with its statement of reasons. Raises Forbidden (e.g. a
        moderator's permanent ban, audited), InvalidInput (no house rule, bad duration), NotFound,
        Conflict (a no-contact order already in force)."""
        ...

    def sanction_preview(self, *, member: str, kind: str, duration: str | None, reason: str,
                         other: str | None = None, case_id: int | None = None, rule: str | None = None) -> SanctionPublic:
        """What sanction_apply would do (same checks and errors), with the statement of reasons
        the member would read; nothing is applied. The id is 0."""
        ...

    def sanction_bulk(self, rows: list[BulkRow], dry_run: bool = False) -> BulkResult:
        """Check every row (numbered as in the file), then apply all or none; rows applied by an
        earlier run are skipped. Errors are in the result, each with its line."""
        ...

    def sanction_lift(self, sanction_id: int, reason: str) -> SanctionPublic:
        """Lift a sanction (senior, admin). Raises Forbidden, NotFound, Conflict (already lifted
        or ended), InvalidInput."""
        ...

    def evasion_confirm(self, case_id: int, reason: str) -> list[SanctionPublic]:
        """Confirm a ban-evasion case (senior, admin): permanent bans on every linked profile;
        returns them. Raises Forbidden, InvalidInput (not an evasion case), Conflict, ClaimHeld."""
        ...

    def deletion_list(self, state: str = "pending", limit: int = 0, after: str | None = None) -> list[DeletionPublic]:
        """Deletion requests (clinical only): pending (and contacted) by default, oldest first,
        each with the member's recent risk cases and self-assessments; at most `limit` (0: all),
        after the request `after` (a request id: the last one of the page before). Raises
        Forbidden, InvalidInput."""
        ...

    def deletion_show(self, case_id: int) -> DeletionPublic:
        """One request by its case id (clinical only)."""
        ...

    def deletion_decide(self, case_id: int, decision: str, reason: str, until: datetime | None = None) -> DeletionPublic:
        """approve | decline | contacted | close_temporarily (clinical only). Approving an
        account or data request erases the member and returns the proof in `erasure`."""
        ...

    def deletion_reopen(self, member_id: str, reason: str) -> int:
        """End a member's temporary closure now (clinical only). Raises Conflict when none."""
        ...

    def deletion_verify(self, case_id: int, extra: list[str] | None = None) -> dict[str, Any]:
        """The erasure's stored proof, and a new search of the store for any strings given."""
        ...

    def vault_show(self, member_id: str, reason: str) -> VaultRecord:
        """Registration data (clinical, admin), each read audited with its reason."""
        ...

    def report_sor(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Statements of reasons for the period, in the DSA Transparency Database's fields,
        each checked against its required-field rules (admin)."""
        ...

    def report_transparency(self, since: datetime, until: datetime) -> dict[str, Any]:
        """The transparency report's counts for the period (admin)."""
        ...

    def shift_dashboard(self, hours: int = 12) -> ShiftDashboard:
        """Queue depths and SLA breaches over the last hours, who holds what, handover notes
        (seniors, admins)."""
        ...

    def shift_handover(self, body: str) -> HandoverPublic:
        """Leave a note for the next shift (seniors, admins)."""
        ...

    def appeal_list(self, state: str = "pending", limit: int = 200, after: str | None = None) -> list[AppealPublic]:
        """Appeals (pending, upheld, reversed or all), oldest first; at most `limit` (0: all),
        after the appeal `after` (an appeal id: the last one of the page before). Raises
        Forbidden, InvalidInput."""
        ...

    def appeal_show(self, case_id: int) -> AppealPublic:
        """One appeal by its case id, with what it contests and who decided first."""
        ...

    def appeal_decide(self, case_id: int, decision: str, reason: str) -> AppealPublic:
        """`uphold` or `reverse` (lifting the sanction or restoring the content); never by whoever
        decided first. Raises Forbidden, InvalidInput, Conflict, ClaimHeld, NotFound."""
        ...

    def member_message(self, member_id: str, *, template: str | None = None, body: str | None = None,
                       case_id: int | None = None) -> int:
        """Queue a message (a template in the member's language, or a moderator's text) in the
        outbox; returns its outbox id. Raises InvalidInput, NotFound, Forbidden."""
        ...

    def staff_token(self, name: str, days: int = 90) -> str:
        """Issue an API token for a staff member or service account (admin); returned once."""
        ...

    def member_status(self, member_id: str, at: datetime | None = None, with_member: str | None = None) -> EffectiveStatus:
        """can_login / can_post / can_comment (and can_message with `with_member`) at `at` (now by
        default), from the sanctions in force then. Raises NotFound, Forbidden."""
        ...

    def outbox(self, after: int = 0, limit: int = 100) -> list[OutboxItem]:
        """Unacknowledged outbox items above `after`, oldest first (platform, admin)."""
        ...

    def outbox_ack(self, ids: list[int]) -> int:
        """Acknowledge carried-out items; returns how many were newly acknowledged."""
        ...

    def changes(self, since: int | None = None, wait: float = 0.0) -> Changes:
        """The cases touched after cursor `since`, waiting up to `wait` seconds for some (a
        long-poll on the remote backend). Without `since`: the current cursor at once."""
        ...

    def staff_token_revoke(self, name: str) -> int:
        """Revoke every live token of a staff member (admin); returns how many."""
        ...
