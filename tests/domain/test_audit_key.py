"""The keyed audit chain (issue 14): entries written without the store's key are not authentic.

Forgeries an attacker who can write the database (but has not the key file) can make: a row
inserted with plain SQL, a forged erasure "explaining" a blanked reason, the whole chain
recomputed with the unkeyed SHA-256 of the earlier versions, and entries written by the same
program run with another key against a copy of the store."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text, update

from modconsole.domain import audit, audit_key, staff
from modconsole.domain.models import AuditEntry
from modconsole.domain.service import Services
from modconsole.domain.store import Store
from modconsole.errors import Unavailable

from ..conftest import STAFF


def _svc(store: Store) -> Services:
    svc = Services(store)
    staff.ensure_admin(svc, "root")
    for name, role in STAFF[1:]:
        staff.add(svc, svc.actor("root"), name, role)
    return svc


def _verify(store: Store) -> audit.VerifyResult:
    with store.read() as s:
        return audit.verify(s, store.audit_keys())


def _forged_fields(store: Store, **over: object) -> dict:
    """The next entry as someone without the key would write it: every field right, the
    unkeyed SHA-256 of the earlier versions for its hash."""
    with store.read() as s:
        last = s.execute(text("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1")).one()
    fields = {"id": last[0] + 1, "at": store.clock.now(), "staff_id": 1, "staff_name": "root", "role": "admin",
              "action": "staff.role", "outcome": "ok", "target_type": "staff", "target_id": "lea",
              "detail": {"role": "admin"}, "reason": None, "reason_digest": None, "prev_hash": last[1], "key_id": None}
    fields.update(over)
    if fields["key_id"] is None:  # a keyed forgery is signed by the test itself
        fields["hash"] = audit.entry_hash(SimpleNamespace(**fields))  # type: ignore[arg-type]
    return fields


def _insert(store: Store, fields: dict) -> None:
    with store.engine.begin() as conn:
        conn.execute(AuditEntry.__table__.insert(), fields)  # type: ignore[attr-defined]


def test_a_fresh_store_is_signed_and_verifies(store: Store) -> None:
    _svc(store)
    r = _verify(store)
    assert r.ok, r.problem
    with store.read() as s:
        kids = {k for (k,) in s.execute(text("SELECT DISTINCT key_id FROM audit_entry"))}
    assert kids == {store.audit_keys().current}


def test_an_entry_inserted_without_the_key_is_not_authentic(store: Store) -> None:
    _svc(store)
    forged = _forged_fields(store)
    _insert(store, forged)
    r = _verify(store)
    assert not r.ok and r.first_bad_id == forged["id"] and "not authentic" in (r.problem or "")


def test_an_entry_signed_with_a_guessed_key_id_is_not_authentic(store: Store) -> None:
    _svc(store)
    ring = store.audit_keys()
    fake = audit_key.KeyRing(ring.path, {ring.current: b"\0" * 32}, ring.current, 0)
    fields = _forged_fields(store, key_id=ring.current)
    fields["hash"] = audit.entry_hash(SimpleNamespace(**fields), fake)  # type: ignore[arg-type]
    _insert(store, fields)
    r = _verify(store)
    assert not r.ok and r.first_bad_id == fields["id"] and "signature does not match" in (r.problem or "")


def test_a_forged_erasure_cannot_explain_a_blanked_reason(store: Store) -> None:
    svc = _svc(store)
    svc.perform(svc.actor("root"), "staff.add", lambda s: (None, {}), target_type="staff", target_id="sam",
                reason="covers the night")
    with store.read() as s:
        target = s.execute(text("SELECT id FROM audit_entry WHERE reason IS NOT NULL ORDER BY id DESC LIMIT 1")).scalar()
    with store.engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.id == target).values(reason=None))  # type: ignore[arg-type]
    forged = _forged_fields(store, action=audit.ERASURE_ACTION, target_type="member", target_id="m1",
                            detail={"blanked_reasons": [target]})
    _insert(store, forged)
    r = _verify(store)
    assert not r.ok and r.first_bad_id == forged["id"]


def test_the_whole_chain_recomputed_without_the_key_is_reported(store: Store) -> None:
    _svc(store)
    cols = [c.name for c in AuditEntry.__table__.columns]  # type: ignore[attr-defined]
    with store.read() as s:
        entries = s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()  # type: ignore[arg-type]
        rows = [{c: getattr(e, c) for c in cols} for e in entries]
    prev = audit.GENESIS
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))
        for row in rows:
            row.update(key_id=None, prev_hash=prev)
            row["hash"] = prev = audit.entry_hash(SimpleNamespace(**row))  # type: ignore[arg-type]
            conn.execute(AuditEntry.__table__.insert(), row)  # type: ignore[attr-defined]
    r = _verify(store)
    assert not r.ok and r.first_bad_id == 1 and "no entry signed with this store's audit key" in (r.problem or "")


def test_the_same_program_with_another_key_on_a_copy_is_not_authentic(tmp_path: Path, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    original = Store(f"sqlite:///{tmp_path / 'store.db'}", clock=clock)
    original.upgrade()
    _svc(original)
    n = _verify(original).entries
    original.dispose()
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    shutil.copy(tmp_path / "store.db", copy_dir / "store.db")
    # the copy's runner has the program but not the key: it points the key at a file of its own
    monkeypatch.setenv("MODCONSOLE_AUDIT_KEY_FILE", str(copy_dir / "their.key"))
    copy = Store(f"sqlite:///{copy_dir / 'store.db'}", clock=clock)
    with pytest.raises(Unavailable, match="audit key"):  # the program never makes a key silently...
        copy.upgrade()
    audit_key.create(copy.store_id())  # a key of their own, by hand...
    with pytest.raises(Unavailable, match="does not hold"):  # ...which the program does not sign with: the chain names another
        staff.set_role(Services(Store(copy.url, clock=clock)), Services(copy).actor("root"), "lea", "admin")
    # ...so they write a key file by hand, under the key id the log shows (ids are not secret)
    with copy.read() as s:
        kid = s.execute(text("SELECT key_id FROM audit_entry ORDER BY id DESC LIMIT 1")).scalar()
    (copy_dir / "their.key").write_text(f"{kid} {os.urandom(32).hex()}\n", encoding="ascii")
    svc = Services(Store(copy.url, clock=clock))
    staff.set_role(svc, svc.actor("root"), "lea", "admin")
    svc.store.dispose()
    copy.dispose()
    monkeypatch.delenv("MODCONSOLE_AUDIT_KEY_FILE")
    back = Store(f"sqlite:///{copy_dir / 'store.db'}", clock=clock)  # verified with the real key
    r = _verify(back)
    assert not r.ok and r.first_bad_id == n + 1 and "not authentic" in (r.problem or ""), r.problem
    back.dispose()


def test_a_missing_key_fails_clearly_and_no_key_is_made(sqlite: Store) -> None:
    svc = _svc(sqlite)
    path = audit_key.key_path(sqlite.store_id())
    saved = path.read_bytes()
    path.unlink()
    fresh = Store(sqlite.url, clock=sqlite.clock)
    with pytest.raises(Unavailable, match="restore it from your backup") as err:
        staff.add(Services(fresh), Services(fresh).actor("root"), "zoe", "moderator")
    assert str(path) in err.value.message
    with pytest.raises(Unavailable):
        fresh.upgrade()  # init does not make a new key for a keyed log either
    assert not path.exists()
    with fresh.read() as s:
        assert s.execute(text("SELECT count(*) FROM staff WHERE name = 'zoe'")).scalar() == 0
    path.write_bytes(saved)
    staff.add(svc, svc.actor("root"), "zoe", "moderator")
    assert _verify(sqlite).ok
    fresh.dispose()


def test_rotation_is_an_entry_and_retires_the_old_key(store: Store) -> None:
    svc = _svc(store)
    old = store.audit_keys().current
    r = audit.rotate_key(svc, svc.actor("root"))
    assert r.retired == old and r.current != old
    staff.add(svc, svc.actor("root"), "zoe", "moderator")
    assert _verify(store).ok
    with store.read() as s:
        rot = s.execute(text("SELECT key_id, detail FROM audit_entry WHERE action = 'audit.key_rotated'")).one()
        assert rot[0] == r.current
        after = s.execute(text("SELECT key_id FROM audit_entry WHERE action = 'staff.add' ORDER BY id DESC LIMIT 1")).scalar()
        assert after == r.current
    # an entry written after the rotation with the retired key is not authentic
    ring = store.audit_keys()
    fields = _forged_fields(store, key_id=old)
    fields["hash"] = audit.entry_hash(SimpleNamespace(**fields), ring)  # type: ignore[arg-type]
    _insert(store, fields)
    bad = _verify(store)
    assert not bad.ok and bad.first_bad_id == fields["id"] and "retired" in (bad.problem or "")


def test_a_legacy_store_is_keyed_at_upgrade_and_legacy_entries_cannot_follow(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    store = Store(f"sqlite:///{tmp_path / 'old.db'}", clock=clock)
    cfg = store.alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
    prev = audit.GENESIS
    with store.engine.begin() as conn:  # two entries as version 0007 wrote them (unkeyed)
        for i in (1, 2):
            f = {"id": i, "at": clock.now(), "staff_id": None, "staff_name": "system", "role": "system",
                 "action": "staff.add", "outcome": "ok", "target_type": "staff", "target_id": f"s{i}", "detail": None,
                 "reason": None, "reason_digest": None, "prev_hash": prev}
            f["hash"] = prev = hashlib.sha256((prev + "\n" + json.dumps(
                {k: (v.isoformat(timespec="microseconds") if k == "at" else v) for k, v in f.items()
                 if k not in ("reason", "prev_hash")}, sort_keys=True, separators=(",", ":"))).encode()).hexdigest()
            conn.execute(text("INSERT INTO audit_entry (id, at, staff_id, staff_name, role, action, outcome, target_type, "
                              "target_id, detail, reason, reason_digest, prev_hash, hash) VALUES (:id, :at, :staff_id, "
                              ":staff_name, :role, :action, :outcome, :target_type, :target_id, :detail, :reason, "
                              ":reason_digest, :prev_hash, :hash)"), f)
    store.upgrade()
    r = _verify(store)
    assert r.ok and r.entries == 3, r.problem
    with store.read() as s:
        assert s.execute(text("SELECT action, key_id IS NOT NULL FROM audit_entry WHERE id = 3")).one() == ("audit.keyed", 1)
    forged = _forged_fields(store)  # unkeyed, after the keyed entry
    _insert(store, forged)
    r = _verify(store)
    assert not r.ok and r.first_bad_id == forged["id"] and "without the audit key" in (r.problem or "")
    store.dispose()


def test_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    """The store's directory 0700; store, WAL, SHM, the audit key and the anchor 0600, with umask 022;
    an existing looser store gets a warning naming the path."""
    data = tmp_path / "data"
    env = {**os.environ, "MODCONSOLE_AUDIT_KEY_DIR": str(tmp_path / "keys"), "MODCONSOLE_DB": f"sqlite:///{data / 'store.db'}"}
    script = ("import os,sys; os.umask(0o022); from modconsole.cli.main import run; sys.argv=sys.argv[1:]; run()")
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", script, "modconsole", *args], env=env, text=True, capture_output=True)
    assert cli("init", "--admin", "root").returncode == 0
    anchor = tmp_path / "anchor.json"
    r = cli("--as", "root", "audit", "verify", "--anchor", str(anchor))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "sor.jsonl"
    assert cli("--as", "root", "report", "sor", "--since", "2020-01-01T00:00Z", "--until", "2030-01-01T00:00Z",
               "--out", str(out)).returncode == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    keys = list((tmp_path / "keys").glob("*.key"))
    assert len(keys) == 1
    for p in [data / "store.db", data / "store.db-wal", data / "store.db-shm", keys[0], anchor, out]:
        if p.exists() or not p.name.endswith(("-wal", "-shm")):
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    os.chmod(data / "store.db", 0o644)
    r = cli("--as", "root", "audit", "verify")
    assert f"{data / 'store.db'} can be read by other users" in r.stderr and "chmod 600" in r.stderr


def test_database_errors_carry_no_bound_values(sqlite: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as err, sqlite.write() as s:
        s.execute(text("INSERT INTO staff (id, name, role, active, created_at) VALUES (1, 'secret-member-words', 'x', 1, '2026-01-01')"))
        s.execute(text("INSERT INTO staff (id, name, role, active, created_at) VALUES (:i, :n, 'x', 1, '2026-01-01')"),
                  {"i": 1, "n": "claire.fontaine@example.fr"})
    assert "claire.fontaine@example.fr" not in str(err.value)


def _signed(store: Store, key_id: str) -> dict:
    """The next entry (a forged staff.role), signed with `key_id` of the real key file: what a
    thief of one key version (an old backup of the key file) can write."""
    fields = _forged_fields(store, key_id=key_id)
    fields["hash"] = audit.entry_hash(SimpleNamespace(**fields), store.audit_keys(reload=True))  # type: ignore[arg-type]
    return fields


def test_one_key_signs_at_a_time_and_only_a_rotation_changes_it(store: Store) -> None:
    """Rule: every keyed entry is signed with the key of the entry before it, except a rotation
    entry, which names that key as retired; a key version no rotation announced signs nothing."""
    svc = _svc(store)
    k1 = store.audit_keys().current
    audit_key.rotate(store.audit_keys())  # a rotation whose entry never landed: k2 in the file, unannounced
    k2 = store.audit_keys(reload=True).current
    staff.add(svc, svc.actor("root"), "zoe", "moderator")  # still signed with k1, the chain's key
    assert _verify(store).ok
    bad = _signed(store, k2)
    _insert(store, bad)
    r = _verify(store)
    assert not r.ok and r.first_bad_id == bad["id"] and "never put in use" in (r.problem or "")
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = :i"), {"i": bad["id"]})
    rot = audit.rotate_key(svc, svc.actor("root"))  # announces k2: no third key
    assert (rot.retired, rot.current) == (k1, k2) and list(store.audit_keys(reload=True).keys) == [k1, k2]
    staff.add(svc, svc.actor("root"), "yann", "moderator")
    assert _verify(store).ok
    late = _signed(store, k1)  # the retired key signs nothing any more
    _insert(store, late)
    r = _verify(store)
    assert not r.ok and r.first_bad_id == late["id"] and "retired" in (r.problem or "")


def test_init_makes_no_key_over_a_log_whose_store_id_was_changed(sqlite: Store) -> None:
    """An attacker rewrites the log unkeyed (a forged staff.role) and changes the store's id, so
    that its key is "missing": `init` must not make a new key over the forged log."""
    _svc(sqlite)
    cols = [c.name for c in AuditEntry.__table__.columns]  # type: ignore[attr-defined]
    with sqlite.read() as s:
        rows = [{c: getattr(e, c) for c in cols}
                for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]  # type: ignore[arg-type]
    rows.append(dict(rows[-1], id=rows[-1]["id"] + 1, action="staff.role", target_id="lea", detail={"role": "admin"}))
    prev = audit.GENESIS
    with sqlite.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))
        for row in rows:
            row.update(key_id=None, prev_hash=prev)
            row["hash"] = prev = audit.entry_hash(SimpleNamespace(**row))  # type: ignore[arg-type]
            conn.execute(AuditEntry.__table__.insert(), row)  # type: ignore[attr-defined]
        conn.execute(text("UPDATE store_meta SET value = :v WHERE key = 'store_id'"), {"v": "f" * 32})
    again = Store(sqlite.url, clock=sqlite.clock)
    with pytest.raises(Unavailable, match="restore it from your backup"):
        again.require_initialized()  # what the operator sees first
    with pytest.raises(Unavailable, match="the store's id was changed") as err:
        again.upgrade()  # `modconsole init`
    assert "No key was made" in err.value.message
    assert not audit_key.key_path("f" * 32).exists()
    again.dispose()


def test_a_missing_key_stops_every_command_at_the_start(sqlite: Store) -> None:
    _svc(sqlite)
    path = audit_key.key_path(sqlite.store_id())
    saved = path.read_bytes()
    path.unlink()
    try:
        with pytest.raises(Unavailable, match="restore it from your backup") as err:
            Store(sqlite.url).require_initialized()  # LocalBackend.open and `serve` call it: reads stop too
        assert str(path) in err.value.message
    finally:
        path.write_bytes(saved)
    Store(sqlite.url).require_initialized()


def test_a_new_store_and_its_wal_and_shm_are_private_while_open(tmp_path: Path) -> None:
    """With umask 022, a new store's file, -wal and -shm (checked while a connection holds them)
    are 0600 and its directory 0700."""
    old = os.umask(0o022)
    try:
        st = Store(f"sqlite:///{tmp_path / 'data' / 'store.db'}")
        st.upgrade()
        with st.write() as s:  # an open write transaction: -wal and -shm exist
            s.execute(text("UPDATE store_meta SET value = value"))
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
        st.dispose()
    finally:
        os.umask(old)
    assert modes == {"store.db": 0o600, "store.db-wal": 0o600, "store.db-shm": 0o600}
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_a_looser_existing_store_is_warned_about_not_changed_behind_the_operator(sqlite: Store, capfd) -> None:  # type: ignore[no-untyped-def]
    db = Path(sqlite.url.removeprefix("sqlite:///"))
    os.chmod(db, 0o640)  # an operator's choice (a backup account in the group, say)
    capfd.readouterr()
    st = Store(sqlite.url)
    with st.write() as s:
        s.execute(text("UPDATE store_meta SET value = value"))
    st.dispose()
    err = capfd.readouterr().err
    assert f"{db} can be read by other users" in err and f"chmod 600 {db}" in err
    assert len([line for line in err.splitlines() if str(db) + " " in line]) == 1  # one line
    assert stat.S_IMODE(db.stat().st_mode) == 0o640  # a chmod on every connection failed for a non-owner (EPERM)
