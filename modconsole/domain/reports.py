"""Compliance reports (SPEC §6): statements of reasons in the EU DSA Transparency Database's
fields, and a transparency report for a period. Admin only.

Statements of reasons (`statements`): one per restrictive decision in [since, until) —
- a sanction that restricts (comment_mute, mute, no_contact: `decision_provision` partial
  suspension; ban: `decision_account` suspended, or terminated when permanent); a warning
  restricts nothing and has no statement in the database's sense;
- a case resolved by hiding (`decision_visibility` content disabled) or removing (content
  removed) its content.
Every decision rests on a house rule, so `decision_ground` is incompatible content, with the
rule's text as `incompatible_content_ground`; `category` follows the rule (or the queue);
`source_type` is an Art. 16 notice when a member reported it, else the provider's own
initiative; `automated_detection` says whether a detector raised it; every decision is a
human's (`AUTOMATED_DECISION_NOT_AUTOMATED`). `puid` is `modconsole-sanction-<id>` or
`modconsole-case-<id>`, unique and stable. Nothing personal goes in: no member id, handle or
member text — the facts are written from the rule, the kind of content and how it reached us.
Each statement is checked against the database's required-field rules (`check`) before it
is returned; one that fails stops the export, naming the statement and the field.

The transparency report (`transparency`): notices (members' reports by reason) and signals by
source (reports vs automated detection) received in the period; actions by kind and ground;
median and p90 handling time and SLA breaches per queue for cases resolved in the period;
appeals received, decided, upheld and reversed.
"""

from __future__ import annotations

import re
import statistics
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from modconsole.errors import InvalidInput
from modconsole.rules import house_rules

from .auth import Actor
from .models import Appeal, Case, Content, Report, Sanction, Signal
from .service import Services

EEA = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS", "IT", "LI",
       "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"]
CATEGORIES = {
    "STATEMENT_CATEGORY_ANIMAL_WELFARE", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE", "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
}
CATEGORY_OF_RULE = {
    "respect": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "threats": "STATEMENT_CATEGORY_VIOLENCE",
    "harassment": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "sexual": "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "privacy": "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "no_contact": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "evasion": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    "spam": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
}
RULE_OF_QUEUE = {"offensive": "respect", "harassment": "harassment", "pii": "privacy", "evasion": "evasion",
                 "self_harm": "self_harm", "urgent": "self_harm"}
VISIBILITY = {"DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED", "DECISION_VISIBILITY_CONTENT_DEMOTED",
              "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED", "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
              "DECISION_VISIBILITY_CONTENT_LABELLED", "DECISION_VISIBILITY_OTHER"}
PROVISION = {"DECISION_PROVISION_PARTIAL_SUSPENSION", "DECISION_PROVISION_TOTAL_SUSPENSION",
             "DECISION_PROVISION_PARTIAL_TERMINATION", "DECISION_PROVISION_TOTAL_TERMINATION"}
ACCOUNT = {"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"}
SOURCES = {"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"}
AUTOMATED_DECISION = {"AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"}
CONTENT_TYPES = {"CONTENT_TYPE_APP", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_IMAGE", "CONTENT_TYPE_PRODUCT",
                 "CONTENT_TYPE_SYNTHETIC_MEDIA", "CONTENT_TYPE_TEXT", "CONTENT_TYPE_VIDEO", "CONTENT_TYPE_OTHER"}
AUTOMATED_SOURCES = {"lexicon", "pii", "harassment_rule", "no_contact", "device"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LIMITS = {"decision_facts": 5000, "incompatible_content_ground": 500, "incompatible_content_explanation": 2000, "puid": 500}
SELF_HARM_RULE = {"id": "self_harm", "en": "Content that encourages or depicts self-harm is not published; the member is offered help."}


def _period(since: datetime, until: datetime) -> None:
    if until <= since:
        raise InvalidInput("--until must be after --since")


def _rule_text(rule: str | None) -> str:
    for r in [*house_rules(), SELF_HARM_RULE]:
        if r["id"] == rule:
            return r["en"]
    return "The community's house rules."


def _signals(s: Session, case_id: int | None) -> set[str]:
    if case_id is None:
        return set()
    return set(s.execute(select(Signal.source).where(Signal.case_id == case_id)).scalars())


def _common(s: Session, puid: str, rule: str | None, case: Case | None, decided: datetime, what: str) -> dict[str, Any]:
    sources = _signals(s, case.id if case else None)
    content = s.get(Content, case.subject_id) if case is not None and case.subject_type == "content" else None
    content_date = (content.created_at if content is not None and content.created_at else (case.created_at if case else decided))
    how = "reported by a member (Art. 16 notice)" if "report" in sources else \
        "found by the provider's automated detection and reviewed by a moderator" if sources & AUTOMATED_SOURCES else \
        "found by a moderator's own review"
    text = _rule_text(rule)
    return {
        "puid": puid,
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": f"House rule '{rule or 'house rules'}': {text}"[:500],
        "incompatible_content_explanation": f"{what} The content or behaviour was {how}, and a moderator found it against this rule."[:2000],
        "category": CATEGORY_OF_RULE.get(rule or "", "STATEMENT_CATEGORY_SELF_HARM" if rule == "self_harm" else
                                         "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"),
        "content_type": ["CONTENT_TYPE_TEXT"],
        "content_date": content_date.strftime("%Y-%m-%d"),
        "application_date": decided.strftime("%Y-%m-%d"),
        "decision_facts": f"{what} Ground: house rule '{rule or 'house rules'}'. Source: {how}.",
        "source_type": "SOURCE_ARTICLE_16" if "report" in sources else "SOURCE_VOLUNTARY",
        "automated_detection": "Yes" if sources & AUTOMATED_SOURCES else "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "territorial_scope": EEA,
    }


def statements(svc: Services, actor: Actor, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The period's statements of reasons, each checked (InvalidInput names the first bad one)."""
    _period(since, until)
    svc.check(actor, "report.read", target_type="report", target_id="sor")
    out: list[dict[str, Any]] = []
    with svc.store.read() as s:
        rows = s.execute(select(Sanction).where(Sanction.created_at >= since, Sanction.created_at < until,
                                                Sanction.kind != "warning").order_by(Sanction.id)).scalars().all()
        for x in rows:
            case = s.get(Case, x.case_id) if x.case_id else None
            span = "permanently" if x.ends_at is None else f"until {x.ends_at:%Y-%m-%d}"
            what = {"ban": f"The account was suspended {span}." if x.ends_at else "The account was terminated.",
                    "mute": f"The member may not publish content {span}; private messages with existing contacts still work.",
                    "comment_mute": f"The member may not comment in threads {span}.",
                    "no_contact": "The member may not contact, mention, comment on or reply to one other member until the order is lifted."}[x.kind]
            st = _common(s, f"modconsole-sanction-{x.id}", x.rule, case, x.created_at, what)
            if x.kind == "ban":
                st["decision_account"] = "DECISION_ACCOUNT_SUSPENDED" if x.ends_at else "DECISION_ACCOUNT_TERMINATED"
                if x.ends_at:
                    st["end_date_account_restriction"] = x.ends_at.strftime("%Y-%m-%d")
            else:
                st["decision_provision"] = "DECISION_PROVISION_PARTIAL_SUSPENSION"
                if x.ends_at:
                    st["end_date_service_restriction"] = x.ends_at.strftime("%Y-%m-%d")
            out.append(st)
        cases = s.execute(select(Case).where(Case.resolved_at >= since, Case.resolved_at < until,  # type: ignore[operator]
                                             Case.resolution.in_(("hide", "remove"))).order_by(Case.id)).scalars().all()  # type: ignore[union-attr]
        for c in cases:
            removed = c.resolution == "remove"
            what = "The content was removed." if removed else "The content was made invisible to other members."
            st = _common(s, f"modconsole-case-{c.id}", RULE_OF_QUEUE.get(c.queue, "respect"), c, c.resolved_at or since, what)
            st["decision_visibility"] = ["DECISION_VISIBILITY_CONTENT_REMOVED" if removed else "DECISION_VISIBILITY_CONTENT_DISABLED"]
            out.append(st)
    puids: set[str] = set()
    for st in out:
        problems = check(st)
        if st["puid"] in puids:
            problems.append("puid is not unique")
        puids.add(st["puid"])
        if problems:
            raise InvalidInput(f"statement {st['puid']} does not meet the database's rules: {'; '.join(problems)}")
    return out


def check(st: dict[str, Any]) -> list[str]:
    """The DSA Transparency Database's required-field rules, as problems found (none: valid)."""
    problems: list[str] = []

    def need(field: str) -> Any:
        value = st.get(field)
        if value in (None, "", []):
            problems.append(f"{field} is required")
        return value

    decisions = [f for f in ("decision_visibility", "decision_monetary", "decision_provision", "decision_account") if st.get(f)]
    if not decisions:
        problems.append("one of decision_visibility, decision_monetary, decision_provision, decision_account is required")
    if st.get("decision_visibility") and not set(st["decision_visibility"]) <= VISIBILITY:
        problems.append("decision_visibility has an unknown value")
    if st.get("decision_provision") and st["decision_provision"] not in PROVISION:
        problems.append("decision_provision has an unknown value")
    if st.get("decision_account") and st["decision_account"] not in ACCOUNT:
        problems.append("decision_account has an unknown value")
    ground = need("decision_ground")
    if ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT":
        need("incompatible_content_ground")
        need("incompatible_content_explanation")
    elif ground == "DECISION_GROUND_ILLEGAL_CONTENT":
        need("illegal_content_legal_ground")
        need("illegal_content_explanation")
    elif ground is not None:
        problems.append("decision_ground has an unknown value")
    if need("category") not in CATEGORIES and st.get("category"):
        problems.append("category has an unknown value")
    types = need("content_type") or []
    if not set(types) <= CONTENT_TYPES:
        problems.append("content_type has an unknown value")
    for field in ("content_date", "application_date"):
        value = need(field)
        if value and not DATE.match(value):
            problems.append(f"{field} must be YYYY-MM-DD")
    if st.get("content_date") and st.get("application_date") and st["content_date"] > st["application_date"]:
        problems.append("content_date is after application_date")
    need("decision_facts")
    if need("source_type") not in SOURCES and st.get("source_type"):
        problems.append("source_type has an unknown value")
    if need("automated_detection") not in ("Yes", "No") and st.get("automated_detection"):
        problems.append("automated_detection must be Yes or No")
    if need("automated_decision") not in AUTOMATED_DECISION and st.get("automated_decision"):
        problems.append("automated_decision has an unknown value")
    scope = need("territorial_scope") or []
    if not set(scope) <= set(EEA):
        problems.append("territorial_scope has a country outside the EEA")
    need("puid")
    for field, limit in LIMITS.items():
        if isinstance(st.get(field), str) and len(st[field]) > limit:
            problems.append(f"{field} is longer than {limit} characters")
    return problems


def transparency(svc: Services, actor: Actor, since: datetime, until: datetime) -> dict[str, Any]:
    """Counts for a period (see the module docstring). Admin only."""
    _period(since, until)
    svc.check(actor, "report.read", target_type="report", target_id="transparency")
    with svc.store.read() as s:
        reports = dict(s.execute(select(Report.reason, func.count()).where(Report.created_at >= since, Report.created_at < until)
                                 .group_by(Report.reason)).all())
        by_source = dict(s.execute(select(Signal.source, func.count()).where(Signal.created_at >= since, Signal.created_at < until)
                                   .group_by(Signal.source)).all())
        sanctions = {f"{k} ({r or 'no rule'})": n for k, r, n in s.execute(
            select(Sanction.kind, Sanction.rule, func.count()).where(Sanction.created_at >= since, Sanction.created_at < until)
            .group_by(Sanction.kind, Sanction.rule)).all()}
        resolved = s.execute(select(Case.queue, Case.resolution, Case.created_at, Case.resolved_at, Case.sla_due_at)
                             .where(Case.resolved_at >= since, Case.resolved_at < until)).all()  # type: ignore[operator]
        appeals_in = s.execute(select(func.count()).select_from(Appeal).where(Appeal.created_at >= since, Appeal.created_at < until)).scalar_one()
        decided = dict(s.execute(select(Appeal.state, func.count()).where(Appeal.decided_at >= since, Appeal.decided_at < until)  # type: ignore[operator]
                                 .group_by(Appeal.state)).all())
    actions: dict[str, int] = {}
    per_queue: dict[str, dict[str, Any]] = {}
    for queue, resolution, created, done, due in resolved:
        actions[f"case {resolution}"] = actions.get(f"case {resolution}", 0) + 1
        q = per_queue.setdefault(queue, {"resolved": 0, "breached": 0, "_minutes": []})
        q["resolved"] += 1
        q["breached"] += int(done > due)
        q["_minutes"].append((done - created).total_seconds() / 60)
    for q in per_queue.values():
        minutes = sorted(q.pop("_minutes"))
        q["median_minutes"] = round(statistics.median(minutes), 1)
        q["p90_minutes"] = round(minutes[min(len(minutes) - 1, int(0.9 * len(minutes)))], 1)
    automated = sum(n for src, n in by_source.items() if src in AUTOMATED_SOURCES)
    return {
        "since": since.isoformat(), "until": until.isoformat(),
        "notices": {"total": sum(reports.values()), "by_reason": reports},
        "signals_by_source": by_source,
        "detection": {"member_reports": by_source.get("report", 0), "automated": automated},
        "actions": {"sanctions": sanctions, "cases": actions},
        "queues": dict(sorted(per_queue.items())),
        "appeals": {"received": appeals_in, "upheld": decided.get("upheld", 0), "reversed": decided.get("reversed", 0)},
    }
