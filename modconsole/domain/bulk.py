"""Bulk sanctions from a CSV file (`modconsole sanction bulk FILE.csv [--dry-run] [--json]`).

Columns (SPEC §9): member,kind,duration,reason[,other][,case]; a first row naming the columns
is taken as a header; blank lines and lines starting with '#' are skipped; UTF-8 (a BOM is
accepted). `parse` reads the file into numbered rows (a row with the wrong number of fields is
an error with its line number); the rows then go to `run`, the same in-process or over the API.

Every row is checked before anything is applied, with the same checks as one `sanction
apply` (the member and the other member exist, the kind, the duration, the house rule, the
case, the caller's role limits). If any row fails, nothing is applied: every failing row is
reported with its line number (a row refused for the caller's role is audited as a refused
attempt, and so is a row whose case someone else holds a live claim on: ClaimHeld's message
names the holder, as one `sanction apply --case` says), and the run raises nothing but
returns `applied == 0` with the errors, so that a script sees them all at once. Otherwise all
rows are applied in one transaction, each with its own statement of reasons, outbox items and
audit entry, plus one entry for the run.

Each row is keyed (a digest of its normalized fields): a row already applied by an earlier run
is reported as `already_applied` and not applied again, so running the same file twice changes
nothing. `dry_run` does every check and says what each row would do, and changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from modconsole.errors import ClaimHeld, Forbidden, InvalidInput, ModconsoleError
from modconsole.schemas import BulkResult, BulkRow

from . import audit, sanctions
from .auth import Actor
from .models import ProcessedEvent
from .service import Services

COLUMNS = ("member", "kind", "duration", "reason", "other", "case")
MAX_ROWS = 10_000
KEY_TYPE = "sanction_bulk"


def parse(text: str) -> tuple[list[BulkRow], list[BulkRow]]:
    """(rows, rows in error) from the CSV text, each with its line number."""
    rows: list[BulkRow] = []
    errors: list[BulkRow] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for fields in reader:
        line = reader.line_num
        if not fields or not "".join(fields).strip() or fields[0].lstrip().startswith("#"):
            continue
        cells = [f.strip() for f in fields]
        if not rows and not errors and cells[0].lower() == "member":
            continue  # the header
        if not 4 <= len(cells) <= 6:
            errors.append(BulkRow(line=line, status="error",
                                  error=f"expected 4 to 6 columns (member,kind,duration,reason[,other][,case]), got {len(cells)}"))
            continue
        values = dict(zip(COLUMNS, cells + [""] * (6 - len(cells)), strict=True))
        case_id: int | None = None
        if values["case"]:
            try:
                case_id = int(values["case"].lstrip("#"))
                if not 0 < case_id <= 2**63 - 1:
                    raise ValueError
            except ValueError:
                errors.append(BulkRow(line=line, member=values["member"], kind=values["kind"], status="error",
                                      error=f"not a case id: {values['case']!r}"))
                continue
        rows.append(BulkRow(line=line, member=values["member"], kind=values["kind"], duration=values["duration"] or None,
                            reason=values["reason"], other=values["other"] or None, case=case_id))
        if len(rows) > MAX_ROWS:
            raise InvalidInput(f"a bulk file has at most {MAX_ROWS} rows: split it")
    return rows, errors


def key(row: BulkRow) -> str:
    norm = "\x1f".join(str(x or "").strip().lower() for x in (row.member, row.kind, row.duration, row.reason, row.other, row.case))
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def run(svc: Services, actor: Actor, rows: list[BulkRow], dry_run: bool = False) -> BulkResult:
    """Check every row, then apply all of them or none. See the module docstring."""
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"a bulk run has at most {MAX_ROWS} rows: split it")
    svc.check(actor, "sanction.apply")
    result = BulkResult(dry_run=dry_run, rows=[])
    refused: list[str] = []
    held: list[tuple[str, str]] = []

    def check_all(s: Session) -> list[tuple[BulkRow, Any]]:
        """Every row checked; returns what to apply. Fills result.rows."""
        keys = [key(r) for r in rows]
        done = set(s.execute(select(ProcessedEvent.key).where(ProcessedEvent.type == KEY_TYPE,
                                                             ProcessedEvent.key.in_(keys))).scalars())  # type: ignore[attr-defined]
        todo: list[tuple[BulkRow, Any]] = []
        seen: set[str] = set()
        for row, k in zip(rows, keys, strict=True):
            out = row.model_copy()
            if k in done or k in seen:
                out.status = "already_applied" if k in done else "duplicate_row"
                result.rows.append(out)
                continue
            seen.add(k)
            try:
                reason, span = sanctions._validate(row.kind or "", row.duration, row.reason or "", row.other, row.member or "")
                prepared = sanctions._prepare(s, actor, member=row.member or "", kind=row.kind or "", span=span, reason=reason,
                                              other=row.other, case_id=row.case, rule=None, now=svc.now())
            except Forbidden as exc:
                out.status, out.error = "error", exc.message
                refused.append(f"line {row.line}")
            except ClaimHeld as exc:  # the row's case is someone else's: refused, as one apply is
                out.status, out.error = "error", exc.message
                held.append((f"line {row.line}", exc.holder))
            except ModconsoleError as exc:
                out.status, out.error = "error", exc.message
            else:
                out.status, out.rule = ("would_apply" if dry_run else "applied"), prepared[3]
                todo.append((out, (reason, span, prepared, k)))
            result.rows.append(out)
        return todo

    if dry_run:
        with svc.store.read() as s:
            check_all(s)
    else:
        def change(s: Session) -> tuple[BulkResult, dict[str, Any]]:
            todo = check_all(s)
            if any(r.status == "error" for r in result.rows):
                raise _Invalid("some rows failed their checks: nothing applied")
            svc.store.lock_audit_chain(s)
            now = svc.now()
            for out, (reason, span, (target, other_row, case, rule), k) in todo:
                row = sanctions._insert(s, svc, actor, member=target, kind=out.kind or "", span=span, reason=reason,
                                        rule=rule, case=case, other=other_row)
                out.sanction_id = row.id
                s.add(ProcessedEvent(type=KEY_TYPE, key=k, applied_at=now))
                audit.append(s, at=now, staff_id=actor.id, staff_name=actor.name, role=actor.role, action="sanction.apply",
                             target_type="member", target_id=target.id, reason=reason,
                             detail={"sanction_id": row.id, "kind": out.kind, "rule": rule, "bulk_line": out.line,
                                     "case_id": case.id if case else None, "other": other_row.id if other_row else None})
            return result, {"rows": len(rows), "applied": len(todo)}

        try:
            svc.perform(actor, "sanction.apply", change, target_type="bulk",
                        audit_action="sanction.bulk")
        except _Invalid:
            for r in result.rows:
                if r.status == "applied":
                    r.status = "not_applied"
    result.applied = sum(r.status == "applied" for r in result.rows)
    result.already_applied = sum(r.status in ("already_applied", "duplicate_row") for r in result.rows)
    result.errors = sum(r.status == "error" for r in result.rows)
    if refused:
        svc.record_refusal(actor, "sanction.bulk", Forbidden(f"rows beyond the caller's role: {', '.join(refused[:20])}"),
                           target_type="bulk", target_id=None)
    if held:
        holders = sorted({h for _, h in held})
        svc.record_refusal(actor, "sanction.bulk", ClaimHeld(
            f"rows on cases held by someone else ({', '.join(holders)}): {', '.join(line for line, _ in held[:20])}",
            ", ".join(holders)), target_type="bulk", target_id=None)
    return result


class _Invalid(ModconsoleError):
    """Some row failed its checks: the transaction is rolled back, nothing applied."""
