"""Fixtures: a real SQLite file per test, and a throwaway PostgreSQL cluster per session.

`store` is parametrized over both; a test that takes it runs on SQLite and on PostgreSQL.
Each PostgreSQL test gets its own database, copied from a migrated template.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from modconsole.domain import staff
from modconsole.domain.clock import FixedClock
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from .pg import Cluster

# Audit keys of the test stores go to a directory of this run, never the user's config dir;
# `modconsole serve` and CLI subprocesses inherit it through the environment.
os.environ["MODCONSOLE_AUDIT_KEY_DIR"] = tempfile.mkdtemp(prefix="modconsole-audit-keys-")
os.environ.pop("MODCONSOLE_AUDIT_KEY_FILE", None)

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
_db_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    try:
        cluster = Cluster()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    try:
        cluster.sql("CREATE DATABASE tmpl")
        tmpl = Store(cluster.url("tmpl"))
        tmpl.upgrade()
        tmpl.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def sqlite_store(tmp_path, clock) -> Store:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'store.db'}", clock=clock)
    store.upgrade()
    return store


def postgres_store(cluster: Cluster, clock) -> Store:  # type: ignore[no-untyped-def]
    name = f"t{next(_db_numbers)}"
    cluster.sql(f"CREATE DATABASE {name} TEMPLATE tmpl")
    store = Store(cluster.url(name), clock=clock)
    _own_audit_key(store)
    return store


def _own_audit_key(store: Store) -> None:
    """A database copied from the template has the template's store id, hence its key file:
    each gets an id and a copy of the key of its own, so that one test's key rotation does not
    reach the others."""
    from modconsole.domain import audit_key

    new = secrets.token_hex(16)
    shutil.copy(audit_key.key_path(store.store_id()), audit_key.key_path(new))
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE store_meta SET value = :v WHERE key = 'store_id'"), {"v": new})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path, clock) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        s = sqlite_store(tmp_path, clock)
    else:
        s = postgres_store(request.getfixturevalue("pg_cluster"), clock)
    yield s
    s.dispose()


@pytest.fixture
def sqlite(tmp_path, clock) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    s = sqlite_store(tmp_path, clock)
    yield s
    s.dispose()


STAFF = [("root", "admin"), ("lea", "moderator"), ("sam", "moderator"), ("ines", "senior"), ("drm", "clinical"),
         ("feed", "platform")]


def make_services(store: Store) -> Services:
    svc = Services(store)
    staff.ensure_admin(svc, "root")
    admin = svc.actor("root")
    for name, role in STAFF[1:]:
        staff.add(svc, admin, name, role)
    return svc


@pytest.fixture
def svc(store: Store) -> Services:
    return make_services(store)
