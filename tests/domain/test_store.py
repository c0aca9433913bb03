"""The store: migrations match the models, SQLite runs in WAL, bad URLs are refused clearly."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from modconsole.domain.store import Store
from modconsole.errors import InvalidInput, Unavailable


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_upgrade_twice_is_harmless(sqlite: Store) -> None:
    sqlite.upgrade()
    sqlite.upgrade()
    assert sqlite.is_initialized()


def test_sqlite_pragmas(sqlite: Store) -> None:
    path = sqlite.engine.url.database
    assert path
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with sqlite.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_write_rolls_back_on_error(sqlite: Store) -> None:
    from modconsole.domain.models import PolicySetting

    with pytest.raises(RuntimeError):
        with sqlite.write() as s:
            s.add(PolicySetting(key="x", value=1))
            s.flush()
            raise RuntimeError("boom")
    with sqlite.read() as s:
        assert s.get(PolicySetting, "x") is None


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "mysql://x@y/z", "not a url"])
def test_unsupported_urls(url: str) -> None:
    with pytest.raises(InvalidInput):
        Store(url)


def test_uninitialized_store_says_what_to_do(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(Unavailable, match="modconsole init --admin"):
        store.require_initialized()


def test_a_store_behind_the_code_says_to_upgrade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    store = Store(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = store.alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with pytest.raises(Unavailable, match="schema 0001.*modconsole init"):
        store.require_initialized()
    store.upgrade()
    store.require_initialized()


@pytest.mark.postgres
def test_pooled_connections_killed_by_the_server_are_replaced(pg_cluster, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A pooled connection whose server backend died (a restart, a failover, an idle timeout) is
    pinged when it has been idle and replaced, so the next request works (no pre-ping per use)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from modconsole.domain import store as store_mod

    from ..conftest import postgres_store

    st = postgres_store(pg_cluster, clock)
    try:
        with st.read_conn() as conn:
            before = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        killer = create_engine(st.url, poolclass=NullPool)  # not from the store's pool
        with killer.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": before}).scalar() is True
        killer.dispose()
        monkeypatch.setattr(store_mod, "IDLE_PING_S", 0.0)
        for _ in range(3):  # whichever pooled connection comes out, a dead one is never used
            with st.read_conn() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            assert pid != before
        with st.write_conn() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        st.dispose()
