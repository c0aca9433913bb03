"""The full role × action authorization matrix, through the Backend interface: local and remote,
on SQLite and on PostgreSQL (the `setup` fixture of this package).

Every method of `Backend` is a row (several rows where the rules depend on the case: its queue,
an escalation, who decided first, a permanent ban…), every role a column. The expected allowed
set of each row is written from the rules — `auth.PERMISSIONS`, and the documented case rules
of SPEC §1, §3, §4, §5 and of `auth.check_case_action` and the docstrings of `sanctions`,
`appeals`, `deletion` and `bulk` — never from a run. For each (row, role):

- allowed: the call succeeds, says what it did, and records no refusal;
- refused: it raises Forbidden, changes nothing (the count of every table, and the rows that
  carry state: cases and claims, sanctions, staff, tokens, lexicon, policy, outbox acks,
  deletion decisions and closures, appeals, content visibility), and appends exactly one audit
  entry, outcome "refused", naming the staff member, the role and the action.

One store and (remote) one server per backend × database serve the whole matrix: every cell
gets fixtures of its own, built through the backends (one ingest for all of them, then what each
cell needs: claims, escalations, sanctions, appeals…), and the problems are collected and
reported together, each naming its role and row.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlmodel import SQLModel

from modconsole.backend.base import Backend
from modconsole.domain import auth
from modconsole.domain.models import ROLES as MODEL_ROLES
from modconsole.domain.models import Appeal, AuditEntry, Case, DeletionRequest
from modconsole.domain.service import Services
from modconsole.errors import Forbidden, ModconsoleError, Unauthenticated
from modconsole.schemas import BulkRow

ROLES = {"admin": "root", "moderator": "lea", "senior": "ines", "clinical": "drm", "platform": "feed"}
ALL = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
P = auth.PERMISSIONS
REASON = "respect: matrix test"  # a sanction reason naming its house rule

# Who sees a case (auth.can_view_case; SPEC §3: the deletion queue is the clinical team's; clinical
# staff see urgent and self_harm cases and those escalated to them; admins see everything).
SEES = {
    "offensive": frozenset({"moderator", "senior", "admin"}),
    "urgent": frozenset({"moderator", "senior", "clinical", "admin"}),
    "escalated:senior": frozenset({"moderator", "senior", "admin"}),  # an offensive case, escalated
    "escalated:clinical": frozenset({"moderator", "senior", "clinical", "admin"}),
    "deletion": frozenset({"clinical", "admin"}),
}
# Who acts on it (auth.check_case_action): an escalated case belongs to the role it was escalated
# to (and admins); clinical staff act only on cases escalated to them; deletion requests are
# decided by the clinical team only (SPEC §1, §3).
ACTS = {
    "offensive": frozenset({"moderator", "senior", "admin"}),
    "urgent": frozenset({"moderator", "senior", "admin"}),
    "escalated:senior": frozenset({"senior", "admin"}),
    "escalated:clinical": frozenset({"clinical", "admin"}),
    "deletion": frozenset({"clinical"}),
}


# --- fixtures of one cell ---------------------------------------------------------------------


class World:
    """The store and the backends of one backend × database."""

    def __init__(self, svc: Services, factory: Callable[[str], Any]) -> None:
        self.svc = svc
        self._factory = factory
        self._backends: dict[str, Any] = {}

    def as_(self, name: str) -> Any:
        if name not in self._backends:
            self._backends[name] = self._factory(name)
        return self._backends[name]

    def feed(self, events: list[dict[str, Any]]) -> None:
        body = "".join(json.dumps(e) + "\n" for e in events).encode()
        result = self.as_("feed").ingest(io.BytesIO(body))
        assert not result.rejected and result.events == len(events), result

    def _one(self, stmt: Any, what: str) -> int:
        with self.svc.store.read() as s:
            found = s.execute(stmt).scalars().first()
        assert found is not None, f"fixture missing: {what}"
        return int(found)

    def case(self, subject: str, queue: str) -> int:
        stmt = select(Case.id).where(Case.subject_id == subject, Case.queue == queue).order_by(Case.id.desc())
        return self._one(stmt, f"{queue} case of {subject}")

    def deletion_case(self, request: str) -> int:
        return self._one(
            select(DeletionRequest.case_id).where(DeletionRequest.id == request),
            f"deletion request {request}",
        )

    def appeal_case(self, appeal: str) -> int:
        return self._one(select(Appeal.case_id).where(Appeal.id == appeal), f"appeal {appeal}")


class Fx(SimpleNamespace):
    """One cell's fixtures: `tag` names its members and content; `arrange` adds case ids etc."""

    tag: str
    role: str
    name: str

    @property
    def m(self) -> str:
        return f"m-{self.tag}"

    @property
    def n(self) -> str:
        return f"n-{self.tag}"


def member(tag: str, prefix: str = "m", **extra: Any) -> dict[str, Any]:
    return {
        "type": "member",
        "id": f"{prefix}-{tag}",
        "handle": f"h{prefix}-{tag}",
        "email": f"{prefix}.{tag}@example.org",
        "language": "en",
        **extra,
    }


def reported(reason: str) -> Callable[[str], list[dict[str, Any]]]:
    """A member, a post of theirs, and a report of it: a case in the queue the reason feeds."""
    return lambda t: [
        member(t),
        {"type": "content", "id": f"p-{t}", "kind": "post", "author": f"m-{t}", "body": "quiet words"},
        {"type": "report", "id": f"r-{t}", "reporter": f"rep-{t}", "content": f"p-{t}", "reason": reason},
    ]


def two_members(t: str) -> list[dict[str, Any]]:
    return [member(t), member(t, "n")]


def deletion_request(scope: str) -> Callable[[str], list[dict[str, Any]]]:
    return lambda t: [
        member(t),
        {"type": "deletion_request", "id": f"d-{t}", "member": f"m-{t}", "scope": scope, "note": "please"},
    ]


QUEUE_OF = {
    "offensive": "offensive",
    "urgent": "urgent",
    "escalated:senior": "offensive",
    "escalated:clinical": "offensive",
}
EVENTS_OF = {
    "offensive": reported("offensive"),
    "urgent": reported("urgent_help"),
    "escalated:senior": reported("offensive"),
    "escalated:clinical": reported("offensive"),
    "deletion": deletion_request("account"),
}


def case_of(kind: str) -> Callable[[World, Fx], None]:
    """The cell's case of that kind (an escalation is made by sam, a moderator)."""

    def arrange(w: World, fx: Fx) -> None:
        if kind == "deletion":
            fx.case = w.deletion_case(f"d-{fx.tag}")
            return
        fx.case = w.case(f"p-{fx.tag}", QUEUE_OF[kind])
        if kind.startswith("escalated:"):
            w.as_("sam").case_escalate(fx.case, kind.split(":")[1], "needs you")

    return arrange


def then(*steps: Callable[[World, Fx], None]) -> Callable[[World, Fx], None]:
    def arrange(w: World, fx: Fx) -> None:
        for step in steps:
            step(w, fx)

    return arrange


def claimed_by(who: Callable[[Fx], str]) -> Callable[[World, Fx], None]:
    return lambda w, fx: w.as_(who(fx)).case_claim(fx.case)


def sanctioned_by(who: Callable[[Fx], str]) -> Callable[[World, Fx], None]:
    def arrange(w: World, fx: Fx) -> None:
        fx.sanction = (
            w.as_(who(fx)).sanction_apply(member=fx.m, kind="mute", duration="72h", reason=REASON).id
        )

    return arrange


def appealed_sanction(w: World, fx: Fx) -> None:
    w.feed(
        [{"type": "appeal", "id": f"a-{fx.tag}", "member": fx.m, "sanction": str(fx.sanction), "body": "no"}]
    )
    fx.case = w.appeal_case(f"a-{fx.tag}")


def appealed_removal(w: World, fx: Fx) -> None:
    removed = w.case(f"p-{fx.tag}", "offensive")
    w.as_("sam").case_resolve(removed, "remove", "respect")
    w.feed([{"type": "appeal", "id": f"a-{fx.tag}", "member": fx.m, "case": str(removed), "body": "no"}])
    fx.case = w.appeal_case(f"a-{fx.tag}")


def evasion_case(w: World, fx: Fx) -> None:
    """m is muted (by sam), then n arrives on m's device: a ban-evasion case about n."""
    w.as_("sam").sanction_apply(member=fx.m, kind="mute", duration="72h", reason=REASON)
    w.feed([member(fx.tag, "n", device=f"dev-{fx.tag}")])
    fx.case = w.case(fx.n, "evasion")


def closed_account(w: World, fx: Fx) -> None:
    """m asked for a temporary closure, which the clinical team approved."""
    w.as_("drm").deletion_decide(w.deletion_case(f"d-{fx.tag}"), "approve", "a break")


def new_staff(w: World, fx: Fx) -> None:
    fx.staff = f"x-{fx.tag}"
    w.as_("root").staff_add(fx.staff, "moderator")


def with_token(w: World, fx: Fx) -> None:
    new_staff(w, fx)
    w.as_("root").staff_token(fx.staff, days=1)


def with_term(w: World, fx: Fx) -> None:
    fx.term = f"quux{fx.tag}"
    w.as_("root").lexicon_add(fx.term, "offensive", "en", 2)


def with_outbox_item(w: World, fx: Fx) -> None:
    fx.item = w.as_("sam").member_message(fx.m, template="warning")


def self_or_sam(allowed: frozenset[str]) -> Callable[[Fx], str]:
    """The cell's own staff member where the role may do it, else sam (a moderator)."""
    return lambda fx: fx.name if fx.role in allowed else "sam"


def period() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - timedelta(days=2), now + timedelta(days=2)


# --- the rows ---------------------------------------------------------------------------------


# Actions checked under another permission and audited as what was attempted
AUDITED_AS = {"staff.role", "staff.deactivate", "account.reopen", "sanction.bulk", "audit.key_rotated"}


@dataclass(frozen=True)
class Row:
    """One action (a Backend method, with the kind of case in brackets) for every role."""

    action: str
    allowed: frozenset[str]
    refused_as: str | None  # the action a refusal's audit entry names; None: nobody can be refused
    call: Callable[[Any, Fx], Any]
    ok: Callable[[Any, Fx], bool | str] = lambda r, fx: True  # True, or False / what is wrong
    events: Callable[[str], list[dict[str, Any]]] = lambda t: []
    arrange: Callable[[World, Fx], None] | None = None
    # Documented refusals that do not raise Forbidden (role -> "in_result") or are not audited
    # (role -> "unaudited"), with the action their audit entry names when it differs.
    quirks: dict[str, str] = field(default_factory=dict)
    quirk_action: str | None = None

    @property
    def method(self) -> str:
        return self.action.split("[")[0]


def case_rows() -> list[Row]:
    rows: list[Row] = []
    for kind in ("offensive", "urgent", "deletion"):
        rows.append(
            Row(
                f"case_show[{kind}]",
                P["case.show"] & SEES[kind],
                "case.show",
                lambda b, fx: b.case_show(fx.case),
                lambda r, fx: r.case.id == fx.case,
                EVENTS_OF[kind],
                case_of(kind),
            )
        )
    for kind in ("offensive", "urgent", "escalated:senior", "escalated:clinical", "deletion"):
        rows.append(
            Row(
                f"case_claim[{kind}]",
                P["case.claim"] & ACTS[kind],
                "case.claim",
                lambda b, fx: b.case_claim(fx.case),
                lambda r, fx: r.claimed_by == fx.name,
                EVENTS_OF[kind],
                case_of(kind),
            )
        )
    rows.append(
        Row(
            "case_claim[force: held by sam]",
            P["case.reassign"] & ACTS["offensive"],
            "case.reassign",
            lambda b, fx: b.case_claim(fx.case, force=True),
            lambda r, fx: r.claimed_by == fx.name,
            EVENTS_OF["offensive"],
            then(case_of("offensive"), claimed_by(lambda fx: "sam")),
        )
    )
    release = P["case.release"] & SEES["offensive"]  # a release needs only to see the case
    rows.append(
        Row(
            "case_release[own claim]",
            release,
            "case.release",
            lambda b, fx: b.case_release(fx.case),
            lambda r, fx: r is None,
            EVENTS_OF["offensive"],
            then(case_of("offensive"), claimed_by(self_or_sam(release))),
        )
    )
    for kind in ("offensive", "urgent", "escalated:senior"):  # notes stay open to whoever sees the case
        rows.append(
            Row(
                f"case_note[{kind}]",
                P["case.note"] & SEES[kind],
                "case.note",
                lambda b, fx: b.case_note(fx.case, "context"),
                lambda r, fx: r.author == fx.name,
                EVENTS_OF[kind],
                case_of(kind),
            )
        )
    for kind in ("offensive", "urgent", "escalated:senior", "escalated:clinical"):
        rows.append(
            Row(
                f"case_resolve[{kind}]",
                P["case.resolve"] & ACTS[kind],
                "case.resolve",
                lambda b, fx: b.case_resolve(fx.case, "dismiss", "no violation"),
                lambda r, fx: r.state == "resolved",
                EVENTS_OF[kind],
                case_of(kind),
            )
        )
    for kind, to in (("offensive", "senior"), ("urgent", "clinical")):
        rows.append(
            Row(
                f"case_escalate[{kind} to {to}]",
                P["case.escalate"] & ACTS[kind],
                "case.escalate",
                lambda b, fx, to=to: b.case_escalate(fx.case, to, "needs a second look"),
                lambda r, fx, to=to: r.escalated_to == to,
                EVENTS_OF[kind],
                case_of(kind),
            )
        )
    return rows


def bulk_rows(kind: str, duration: str) -> Callable[[Any, Fx], Any]:
    return lambda b, fx: b.sanction_bulk(
        [BulkRow(line=1, member=fx.m, kind=kind, duration=duration, reason=REASON)]
    )


ROWS: list[Row] = [
    Row("whoami", ALL, None, lambda b, fx: b.whoami, lambda r, fx: r.name == fx.name and r.role == fx.role),
    # queues
    Row(
        "queue_list",
        P["queue.list"],
        "queue.list",
        lambda b, fx: b.queue_list(limit=5),
        lambda r, fx: isinstance(r, list),
    ),
    # clinical staff list what is escalated to them whatever its queue (auth.escalations_seen)
    Row(
        "queue_list[queue=offensive]",
        P["queue.list"],
        "queue.list",
        lambda b, fx: b.queue_list(queue="offensive", limit=5),
        lambda r, fx: isinstance(r, list),
    ),
    Row(
        "queue_list[queue=deletion]",
        P["queue.list"] & SEES["deletion"],
        "queue.list",
        lambda b, fx: b.queue_list(queue="deletion", limit=5),
        lambda r, fx: all(c.queue == "deletion" for c in r),
    ),
    Row(
        "queue_counts",
        P["queue.list"],
        "queue.list",
        lambda b, fx: b.queue_counts(),
        lambda r, fx: isinstance(r, list),
    ),
    Row("changes", P["queue.list"], "queue.list", lambda b, fx: b.changes(), lambda r, fx: r.cursor > 0),
    *case_rows(),
    Row(
        "ingest",
        P["ingest"],
        "ingest",
        lambda b, fx: b.ingest(
            io.BytesIO(
                json.dumps(
                    {"type": "content", "id": f"i-{fx.tag}", "kind": "post", "author": fx.m, "body": "quiet"}
                ).encode()
                + b"\n"
            )
        ),
        lambda r, fx: r.events == 1 and not r.rejected,
        lambda t: [member(t)],
    ),
    # staff and tokens (a role change and an (de)activation are checked as "staff.add" and
    # audited as what was attempted)
    Row(
        "staff_add",
        P["staff.add"],
        "staff.add",
        lambda b, fx: b.staff_add(f"new-{fx.tag}", "moderator"),
        lambda r, fx: r.name == f"new-{fx.tag}",
    ),
    Row(
        "staff_role",
        P["staff.add"],
        "staff.role",
        lambda b, fx: b.staff_role(fx.staff, "senior"),
        lambda r, fx: r.role == "senior",
        arrange=new_staff,
    ),
    Row(
        "staff_active",
        P["staff.add"],
        "staff.deactivate",
        lambda b, fx: b.staff_active(fx.staff, False),
        lambda r, fx: r.active is False,
        arrange=new_staff,
    ),
    Row(
        "staff_list",
        P["staff.list"],
        "staff.list",
        lambda b, fx: b.staff_list(),
        lambda r, fx: {s.name for s in r} >= set(ROLES.values()),
    ),
    Row(
        "staff_token",
        P["staff.token"],
        "staff.token",
        lambda b, fx: b.staff_token(fx.staff, days=1),
        lambda r, fx: r.startswith("mct_"),
        arrange=new_staff,
    ),
    Row(
        "staff_token_revoke",
        P["staff.token"],
        "staff.token",
        lambda b, fx: b.staff_token_revoke(fx.staff),
        lambda r, fx: r == 1,
        arrange=with_token,
    ),
    # audit
    Row(
        "audit_list",
        P["audit.list"],
        "audit.list",
        lambda b, fx: b.audit_list(limit=3),
        lambda r, fx: len(r) == 3,
    ),
    Row(
        "audit_verify", P["audit.verify"], "audit.verify", lambda b, fx: b.audit_verify(), lambda r, fx: r.ok
    ),
    Row(
        "audit_rotate_key", P["audit.rotate_key"], "audit.key_rotated", lambda b, fx: b.audit_rotate_key(),
        lambda r, fx: r.current != r.retired
    ),
    # lexicons and policy (the policy is read under "queue.list": the SLAs are on the board)
    Row(
        "lexicon_list",
        P["lexicon.list"],
        "lexicon.list",
        lambda b, fx: b.lexicon_list(),
        lambda r, fx: len(r) > 0,
    ),
    Row(
        "lexicon_add",
        P["lexicon.edit"],
        "lexicon.edit",
        lambda b, fx: b.lexicon_add(f"zorglub{fx.tag}", "offensive", "fr", 2),
        lambda r, fx: r.source == "custom",
    ),
    Row(
        "lexicon_remove",
        P["lexicon.edit"],
        "lexicon.edit",
        lambda b, fx: b.lexicon_remove(fx.term),
        lambda r, fx: r == 1,
        arrange=with_term,
    ),
    Row(
        "policy_show",
        P["queue.list"],
        "queue.list",
        lambda b, fx: b.policy_show(),
        lambda r, fx: "harassment_followups" in r,
    ),
    Row(
        "policy_set",
        P["policy.set"],
        "policy.set",
        lambda b, fx: b.policy_set("harassment_followups", str(4 + list(ROLES).index(fx.role))),
        lambda r, fx: r["harassment_followups"] == 4 + list(ROLES).index(fx.role),
    ),
    # members
    Row(
        "member_show",
        P["member.show"],
        "member.show",
        lambda b, fx: b.member_show(fx.m),
        lambda r, fx: r.member.id == fx.m,
        lambda t: [member(t)],
    ),
    Row(
        "member_status",
        P["member.status"],
        "member.status",
        lambda b, fx: b.member_status(fx.m),
        lambda r, fx: r.member == fx.m and r.can_login,
        lambda t: [member(t)],
    ),
    Row(
        "member_message",
        P["member.message"],
        "member.message",
        lambda b, fx: b.member_message(fx.m, template="warning"),
        lambda r, fx: r > 0,
        lambda t: [member(t)],
    ),
    Row(
        "vault_show",
        P["vault.read"],
        "vault.read",
        lambda b, fx: b.vault_show(fx.m, "safety check"),
        lambda r, fx: r.email == f"m.{fx.tag}@example.org",
        lambda t: [member(t)],
    ),
    # sanctions: moderators warn, mute and ban for a time; permanent bans and no-contact orders
    # are a senior's (SPEC §4)
    Row(
        "sanction_apply[mute]",
        P["sanction.apply"],
        "sanction.apply",
        lambda b, fx: b.sanction_apply(member=fx.m, kind="mute", duration="24h", reason=REASON),
        lambda r, fx: r.kind == "mute" and r.decided_by == fx.name,
        lambda t: [member(t)],
    ),
    Row(
        "sanction_apply[permanent ban]",
        P["sanction.apply"] - {"moderator"},
        "sanction.apply",
        lambda b, fx: b.sanction_apply(member=fx.m, kind="ban", duration="permanent", reason=REASON),
        lambda r, fx: r.kind == "ban" and r.ends_at is None,
        lambda t: [member(t)],
    ),
    Row(
        "sanction_apply[no_contact]",
        P["sanction.apply"] - {"moderator"},
        "sanction.apply",
        lambda b, fx: b.sanction_apply(
            member=fx.m, kind="no_contact", duration=None, reason="no_contact: apart", other=fx.n
        ),
        lambda r, fx: r.kind == "no_contact" and r.other_member == fx.n,
        two_members,
    ),
    Row(
        "sanction_preview[mute]",
        P["sanction.apply"],
        "sanction.apply",
        lambda b, fx: b.sanction_preview(member=fx.m, kind="mute", duration="24h", reason=REASON),
        lambda r, fx: r.id == 0 and bool(r.statement),
        lambda t: [member(t)],
    ),
    # sanctions.preview: a moderator previewing a permanent ban is told, not audited ("a preview
    # is a look at a form, not an attempt — the apply is")
    Row(
        "sanction_preview[permanent ban]",
        P["sanction.apply"] - {"moderator"},
        "sanction.apply",
        lambda b, fx: b.sanction_preview(member=fx.m, kind="ban", duration="permanent", reason=REASON),
        lambda r, fx: r.id == 0 and r.ends_at is None,
        lambda t: [member(t)],
        quirks={"moderator": "unaudited"},
    ),
    Row(
        "sanction_bulk[mute]",
        P["sanction.apply"],
        "sanction.apply",
        bulk_rows("mute", "24h"),
        lambda r, fx: r.applied == 1,
        lambda t: [member(t)],
    ),
    # bulk: a row beyond the caller's role fails the run (nothing applied), is reported in the
    # result, not raised, and is audited as one refused "sanction.bulk" (domain/bulk.py)
    Row(
        "sanction_bulk[permanent ban]",
        P["sanction.apply"] - {"moderator"},
        "sanction.apply",
        bulk_rows("ban", "permanent"),
        lambda r, fx: r.applied == 1,
        lambda t: [member(t)],
        quirks={"moderator": "in_result"},
        quirk_action="sanction.bulk",
    ),
    Row(
        "sanction_lift",
        P["sanction.lift"],
        "sanction.lift",
        lambda b, fx: b.sanction_lift(fx.sanction, "served"),
        lambda r, fx: r.lifted_at is not None,
        lambda t: [member(t)],
        sanctioned_by(lambda fx: "sam"),
    ),
    Row(
        "evasion_confirm",
        P["evasion.confirm"],
        "evasion.confirm",
        lambda b, fx: b.evasion_confirm(fx.case, "evasion: device"),
        lambda r, fx: sorted(x.member for x in r) == [fx.m, fx.n],
        lambda t: [member(t, device=f"dev-{t}")],
        evasion_case,
    ),
    # deletion requests and closures: the clinical team only (SPEC §1, §5; admins neither)
    Row(
        "deletion_list",
        P["deletion.list"],
        "deletion.list",
        lambda b, fx: b.deletion_list(),
        lambda r, fx: f"d-{fx.tag}" in {d.request for d in r},
        deletion_request("account"),
    ),
    Row(
        "deletion_show",
        P["deletion.list"],
        "deletion.list",
        lambda b, fx: b.deletion_show(fx.case),
        lambda r, fx: r.request == f"d-{fx.tag}",
        deletion_request("account"),
        case_of("deletion"),
    ),
    Row(
        "deletion_decide",
        P["deletion.decide"],
        "deletion.decide",
        lambda b, fx: b.deletion_decide(fx.case, "decline", "not now"),
        lambda r, fx: r.state == "declined",
        deletion_request("account"),
        case_of("deletion"),
    ),
    Row(
        "deletion_reopen",
        P["deletion.decide"],
        "account.reopen",
        lambda b, fx: b.deletion_reopen(fx.m, "back"),
        lambda r, fx: r == 1,
        deletion_request("temporary_close"),
        closed_account,
    ),
    Row(
        "deletion_verify",
        P["deletion.list"],
        "deletion.list",
        lambda b, fx: b.deletion_verify(fx.case),
        lambda r, fx: r["request"] == f"d-{fx.tag}",
        deletion_request("account"),
        case_of("deletion"),
    ),
    # reports and the shift
    Row(
        "report_sor",
        P["report.read"],
        "report.read",
        lambda b, fx: b.report_sor(*period()),
        lambda r, fx: isinstance(r, list),
    ),
    Row(
        "report_transparency",
        P["report.read"],
        "report.read",
        lambda b, fx: b.report_transparency(*period()),
        lambda r, fx: isinstance(r, dict),
    ),
    Row(
        "shift_dashboard",
        P["shift.view"],
        "shift.view",
        lambda b, fx: b.shift_dashboard(hours=1),
        lambda r, fx: len(r.hours) == 2,
    ),
    Row(
        "shift_handover",
        P["shift.handover"],
        "shift.handover",
        lambda b, fx: b.shift_handover("watch the queues"),
        lambda r, fx: r.author == fx.name,
    ),
    # appeals (DSA Art. 20): decided by someone other than who decided first; reversing a sanction
    # lifts it, which is a senior's decision; reversing a removal restores content: moderators may
    Row(
        "appeal_list",
        P["appeal.list"],
        "appeal.list",
        lambda b, fx: b.appeal_list(),
        lambda r, fx: isinstance(r, list),
    ),
    Row(
        "appeal_show",
        P["appeal.list"],
        "appeal.list",
        lambda b, fx: b.appeal_show(fx.case),
        lambda r, fx: r.appeal == f"a-{fx.tag}",
        lambda t: [member(t)],
        then(sanctioned_by(lambda fx: "sam"), appealed_sanction),
    ),
    Row(
        "appeal_decide[uphold a sanction by sam]",
        P["appeal.decide"],
        "appeal.decide",
        lambda b, fx: b.appeal_decide(fx.case, "uphold", "the rule was broken"),
        lambda r, fx: r.state == "upheld",
        lambda t: [member(t)],
        then(sanctioned_by(lambda fx: "sam"), appealed_sanction),
    ),
    Row(
        "appeal_decide[reverse a sanction by sam]",
        P["appeal.decide"] & P["sanction.lift"],
        "appeal.decide",
        lambda b, fx: b.appeal_decide(fx.case, "reverse", "not a breach"),
        lambda r, fx: r.state == "reversed",
        lambda t: [member(t)],
        then(sanctioned_by(lambda fx: "sam"), appealed_sanction),
    ),
    Row(
        "appeal_decide[reverse a removal by sam]",
        P["appeal.decide"],
        "appeal.decide",
        lambda b, fx: b.appeal_decide(fx.case, "reverse", "not a breach"),
        lambda r, fx: r.state == "reversed",
        reported("offensive"),
        appealed_removal,
    ),
    Row(
        "appeal_decide[uphold one's own sanction]",
        NOBODY,
        "appeal.decide",
        lambda b, fx: b.appeal_decide(fx.case, "uphold", "I was right"),
        lambda r, fx: True,
        lambda t: [member(t)],
        then(sanctioned_by(self_or_sam(P["sanction.apply"])), appealed_sanction),
    ),
    # what the platform reads
    Row(
        "outbox",
        P["outbox.read"],
        "outbox.read",
        lambda b, fx: b.outbox(limit=5),
        lambda r, fx: isinstance(r, list),
    ),
    Row(
        "outbox_ack",
        P["outbox.ack"],
        "outbox.ack",
        lambda b, fx: b.outbox_ack([fx.item]),
        lambda r, fx: r == 1,
        lambda t: [member(t)],
        with_outbox_item,
    ),
]


# --- known bugs: rows whose rules the code breaks today (see test_known_authorization_bugs) ----


def noted_cases(w: World, fx: Fx) -> None:
    """m has an offensive case noted by sam (a moderator) and a deletion request noted by drm (clinical)."""
    w.as_("sam").case_note(w.case(f"p-{fx.tag}", "offensive"), f"moderator note {fx.tag}")
    w.as_("drm").case_note(w.deletion_case(f"d-{fx.tag}"), f"clinical note {fx.tag}")


def notes_seen(r: Any, fx: Fx) -> bool | str:
    """A member's history shows the notes of the cases the role may see, and only those."""
    bodies = {n.body for n in r.notes}
    seen = {
        "offensive": f"moderator note {fx.tag}" in bodies,
        "deletion": f"clinical note {fx.tag}" in bodies,
    }
    wrong = [
        f"the note on the {q} case is {'shown' if shown else 'missing'}"
        for q, shown in seen.items()
        if shown != (fx.role in SEES[q])
    ]
    return "; ".join(wrong) or True


# Two rows that once broke the rules (a moderator read clinical notes through member_show; a
# moderator sanctioned on a case escalated to a senior): kept as their own rows, on every backend.
REGRESSION_ROWS: list[Row] = [
    Row(
        "member_show[notes of cases the role cannot see]",
        P["member.show"],
        "member.show",
        lambda b, fx: b.member_show(fx.m),
        notes_seen,
        lambda t: reported("offensive")(t) + deletion_request("account")(t)[1:],
        noted_cases,
    ),
    Row(
        "sanction_apply[on a case escalated to a senior]",
        P["sanction.apply"] & ACTS["escalated:senior"],
        "sanction.apply",
        lambda b, fx: b.sanction_apply(
            member=fx.m, kind="mute", duration="24h", reason=REASON, case_id=fx.case
        ),
        lambda r, fx: r.case_id == fx.case,
        EVENTS_OF["escalated:senior"],
        case_of("escalated:senior"),
    ),
]
ROWS += REGRESSION_ROWS


# --- "nothing changed" --------------------------------------------------------------------------

# The rows whose columns carry state; every other table (audit_entry aside) is compared by count.
STATE = {
    "moderation_case": (
        "id",
        "state",
        "active",
        "escalated_to",
        "claimed_by",
        "claim_expires_at",
        "resolution",
    ),
    "claim": ("id", "staff_id", "expires_at", "released_at"),
    "sanction": ("id", "member_id", "kind", "ends_at", "lifted_at"),
    "staff": ("id", "name", "role", "active"),
    "api_token": ("id", "staff_id", "revoked_at"),
    "lexicon_change": ("id", "term", "lang", "op", "category", "severity"),
    "policy_setting": ("key", "value"),
    "outbox": ("id", "acked_at"),
    "deletion_request": ("id", "state", "decided_by"),
    "closure": ("id", "ends_at", "reopened_at"),
    "appeal": ("id", "state", "decided_by"),
    "content": ("id", "visibility"),
    "member": ("id", "pseudonymised"),
    "no_contact_order": ("id", "lifted_at"),
    "registration": ("member_id", "email"),
}


def _snapshot_statements() -> tuple[Any, list[tuple[str, Any]]]:
    """(one statement counting every other table, one statement a table carrying state), built once."""
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name != "audit_entry"]
    counts = select(
        *[
            select(func.count()).select_from(t).scalar_subquery().label(t.name)
            for t in tables
            if t.name not in STATE
        ]
    )
    rows = [
        (t.name, select(*[t.c[c] for c in STATE[t.name]]).order_by(*t.primary_key.columns))
        for t in tables
        if t.name in STATE
    ]
    return counts, rows


_SNAPSHOT = _snapshot_statements()


def snapshot(svc: Services) -> dict[str, Any]:
    counts, rows = _SNAPSHOT
    with svc.store.read_conn() as conn:
        out: dict[str, Any] = dict(conn.execute(counts).one()._mapping)
        for name, stmt in rows:
            out[name] = [tuple(r) for r in conn.execute(stmt)]
    return out


def audit_after(svc: Services, mark: int) -> list[AuditEntry]:
    with svc.store.read() as s:
        rows = (
            s.execute(select(AuditEntry).where(AuditEntry.id > mark).order_by(AuditEntry.id)).scalars().all()
        )
        s.expunge_all()
        return list(rows)


def audit_mark(svc: Services) -> int:
    with svc.store.read() as s:
        return int(s.execute(select(func.max(AuditEntry.id))).scalar() or 0)


# --- the walk -----------------------------------------------------------------------------------


def run_cell(w: World, row: Row, fx: Fx) -> list[str]:
    """The problems of one (row, role) cell; none when it behaves as the rules say."""
    if row.arrange is not None:
        try:
            row.arrange(w, fx)
        except Exception as exc:  # a broken fixture is reported with its cell
            return [f"fixture failed: {type(exc).__name__}: {exc}"]
    allowed = fx.role in row.allowed
    quirk = row.quirks.get(fx.role)
    before = None if allowed else snapshot(w.svc)
    mark = audit_mark(w.svc)
    try:
        result, raised = row.call(w.as_(fx.name), fx), None
    except ModconsoleError as exc:
        result, raised = None, exc
    entries = audit_after(w.svc, mark)
    refusals = [e for e in entries if e.outcome == "refused"]
    if allowed:
        if raised is not None:
            return [f"expected to be allowed, raised {type(raised).__name__}: {raised.message}"]
        problems = []
        verdict = row.ok(result, fx)
        if isinstance(verdict, str):
            problems.append(f"allowed, but {verdict}")
        elif verdict is not True:
            problems.append(f"allowed, but the result is wrong: {result!r}"[:400])
        if refusals:
            problems.append(f"allowed, but a refusal was audited: {[(e.action, e.detail) for e in refusals]}")
        return problems
    problems = []
    if quirk == "in_result":
        if raised is not None:
            problems.append(
                f"expected the refusal in the result, raised {type(raised).__name__}: {raised.message}"
            )
        elif result.applied != 0 or not any(r.status == "error" for r in result.rows):
            problems.append(f"expected a refused row and nothing applied, got {result!r}"[:400])
    elif not isinstance(raised, Forbidden):
        what = "succeeded" if raised is None else f"raised {type(raised).__name__}: {raised.message}"
        problems.append(f"expected Forbidden, {what}")
    after = snapshot(w.svc)
    changed = sorted(t for t in after if after[t] != before[t])  # type: ignore[index]
    if changed:
        problems.append(f"a refused action changed {', '.join(changed)}")
    if quirk == "unaudited":
        if entries:
            problems.append(
                f"expected no audit entry (documented), got {[(e.action, e.outcome) for e in entries]}"
            )
        return problems
    action = row.quirk_action if quirk and row.quirk_action else row.refused_as
    got = [(e.outcome, e.staff_name, e.role, e.action) for e in entries]
    if got != [("refused", fx.name, fx.role, action)]:
        problems.append(
            f"expected exactly one audit entry ('refused', {fx.name!r}, {fx.role!r}, {action!r}), got {got}"
        )
    return problems


def tag_of(i: int, role: str) -> str:
    return f"{i}{role[:3]}"


def walk(w: World, rows: list[Row]) -> tuple[int, list[str]]:
    """Build every cell's events in one ingest, then run the cells; (cells run, problems)."""
    events = [e for i, row in enumerate(rows) for role in ROLES for e in row.events(tag_of(i, role))]
    if events:
        w.feed(events)
    problems: list[str] = []
    cells = 0
    for i, row in enumerate(rows):
        for role, name in ROLES.items():
            cells += 1
            fx = Fx(tag=tag_of(i, role), role=role, name=name)
            verdict = "allowed" if role in row.allowed else "refused"
            problems += [
                f"{role} ({name}) × {row.action} [expected {verdict}]: {p}" for p in run_cell(w, row, fx)
            ]
    return cells, problems


def report(cells: int, problems: list[str]) -> str:
    broken = len({p.split(" [expected")[0] for p in problems})
    return f"{broken} of {cells} cells break the rules ({len(problems)} problems):\n" + "\n".join(problems)


def test_every_backend_method_is_in_the_matrix() -> None:
    methods = {n for n in dir(Backend) if not n.startswith("_") and n != "SUPPORTS_LIVE_UPDATES"}
    covered = {row.method for row in ROWS}
    assert methods - covered == set(), f"Backend methods missing from the matrix: {sorted(methods - covered)}"
    assert covered <= methods, f"rows naming no Backend method: {sorted(covered - methods)}"
    assert set(ROLES) == set(MODEL_ROLES), "a role is missing from the matrix"
    assert len({row.action for row in ROWS}) == len(ROWS), "two rows have the same name"
    # every refusal is audited under an action the role table knows
    assert {row.refused_as for row in ROWS if row.refused_as} <= set(P) | AUDITED_AS


def test_role_action_matrix(setup) -> None:  # type: ignore[no-untyped-def]
    svc, factory = setup
    cells, problems = walk(World(svc, factory), ROWS)
    assert cells == len(ROWS) * len(ROLES)
    assert not problems, report(cells, problems)


def test_staff_changes_reach_open_backends(setup) -> None:  # type: ignore[no-untyped-def]
    """A staff member deactivated, or given another role, while their console is open: the next
    request is judged on who they are now (a remote backend presents its token at every request)."""
    svc, factory = setup
    w = World(svc, factory)
    w.feed(reported("offensive")("x"))
    case = w.case("p-x", "offensive")
    root, sam, ines = w.as_("root"), w.as_("sam"), w.as_("ines")
    assert sam.case_show(case).case.id == case and len(ines.staff_list()) >= 6  # both at work
    root.staff_active("sam", False)
    root.staff_role("ines", "moderator")
    problems = []
    before = snapshot(svc)
    try:
        sam.case_note(case, "still here?")
        problems.append("sam, deactivated, still acts (a note was written)")
    except Unauthenticated:
        pass
    except ModconsoleError as exc:
        problems.append(f"sam, deactivated, got {type(exc).__name__} ({exc.message}), not Unauthenticated")
    mark = audit_mark(svc)
    try:
        ines.staff_list()  # a senior's read; ines is a moderator now
        problems.append("ines, now a moderator, still lists staff as a senior")
    except Forbidden:
        got = [(e.outcome, e.staff_name, e.role, e.action) for e in audit_after(svc, mark)]
        if got != [("refused", "ines", "moderator", "staff.list")]:
            problems.append(f"ines's refusal audited as {got}")
    if snapshot(svc) != before:
        problems.append("the refused requests changed the store")
    assert not problems, "; ".join(problems)
