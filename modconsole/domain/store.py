"""The store: engines, sessions and migrations.

SQLite (the default) runs in WAL mode with a busy timeout; every write transaction starts with
`BEGIN IMMEDIATE`, so two writers queue instead of failing half-way on a lock upgrade.
PostgreSQL is reached by URL with psycopg 3 (`postgresql://…` is rewritten to
`postgresql+psycopg://…`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlmodel import Session, create_engine

from modconsole.errors import InvalidInput, StoreBusy, Unavailable

from . import audit_key
from .clock import Clock, SystemClock
from .files import looser_than_private, make_private, private_dir

STORE_KEY = "modconsole.store"  # = audit.STORE_KEY: audit.append finds the store (and its key) here

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite write waits for another writer to let go of the store (SQLite retries
the lock all that time) before the action fails with `Unavailable` and changes nothing.
`MODCONSOLE_SQLITE_BUSY_MS` overrides it."""


def _busy_timeout_ms() -> int:
    raw = os.environ.get("MODCONSOLE_SQLITE_BUSY_MS", "")
    try:
        return max(0, int(raw)) if raw else SQLITE_BUSY_TIMEOUT_MS
    except ValueError:
        raise InvalidInput(f"MODCONSOLE_SQLITE_BUSY_MS must be a number of milliseconds, not {raw!r}") from None


_NO_WAIT: ContextVar[bool] = ContextVar("modconsole_store_no_wait", default=False)

# PostgreSQL SQLSTATE classes that mean "the server is gone or going", not "your statement
# failed": 08 connection exception, 57P01-03 shutdown / crash / cannot connect now.
_PG_UNAVAILABLE = ("08", "57P01", "57P02", "57P03")


def normalize_url(url: str) -> str:
    """Accept the URL forms people type; psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_engine(url: str, immediate: bool, busy_ms: int | None = None) -> Engine:
    busy_ms = _busy_timeout_ms() if busy_ms is None else busy_ms
    # hide_parameters: an error's text (which may reach a log) never carries member data
    engine = create_engine(url, hide_parameters=True, connect_args={"check_same_thread": False, "timeout": busy_ms / 1000})
    database = make_url(url).database or ""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA secure_delete=ON")  # freed space is zeroed: erasure leaves no bytes behind
        cur.close()
        # SQLite gives -wal/-shm the store file's mode: made sure here all the same, for a
        # private store only (a looser one an operator set up is theirs: the warning names it).
        try:
            private = not (os.stat(database).st_mode & 0o077)
        except OSError:
            private = False
        if private:
            for suffix in ("-wal", "-shm"):
                make_private(Path(database + suffix))

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


IDLE_PING_S = 10.0


def _postgres_engine(url: str) -> Engine:
    """A pooled psycopg engine. A connection idle for more than IDLE_PING_S is pinged before
    use (one that died with a server restart is replaced, not handed out); a busy one is not:
    `pool_pre_ping` pinged on every checkout, a round trip that cost a fifth of an API claim."""
    engine = create_engine(url, hide_parameters=True, pool_size=10, max_overflow=20, connect_args={"prepare_threshold": None, "connect_timeout": 10})

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since > IDLE_PING_S:
            try:
                dbapi_conn.execute("SELECT 1")
                dbapi_conn.rollback()  # leave it idle, as the pool handed it in
            except Exception as exc:  # noqa: BLE001 - any failure: the pool reconnects and retries
                raise DisconnectionError(f"stale pooled connection: {exc}") from exc

    return engine


class Store:
    """Where the moderation data live. `read()` and `write()` give sessions in a transaction."""

    def __init__(self, url: str, clock: Clock | None = None) -> None:
        self.url = normalize_url(url)
        self.clock: Clock = clock or SystemClock()
        try:
            parsed = make_url(self.url)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds
            raise InvalidInput(f"not a database URL: {url!r} ({exc})") from exc
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:"):
                raise InvalidInput("an in-memory SQLite store is not supported: give a file path")
            path = Path(database).expanduser()
            private_dir(path.parent)
            if not path.exists():  # 0600 from its first byte, whatever the umask
                try:
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                except FileExistsError:
                    pass
            else:
                self._warn_if_loose(path)
            self.engine = _sqlite_engine(self.url, immediate=False)
            self._write_engine = _sqlite_engine(self.url, immediate=True)
            self._nowait_engine = _sqlite_engine(self.url, immediate=True, busy_ms=0)
        elif self.dialect == "postgresql":
            # No server-side prepared statements: ingest's IN-lists would get generic plans that
            # scan whole tables (measured: 1.2k events/s prepared, 5k+ without).
            self.engine = _postgres_engine(self.url)
            self._write_engine = self._nowait_engine = self.engine
        else:
            raise InvalidInput(f"unsupported database {self.dialect!r}: use sqlite:///PATH or postgresql://…")
        self._keys: audit_key.KeyRing | None = None

    @staticmethod
    def _warn_if_loose(path: Path) -> None:
        """One line on stderr for each part of an existing store that others may read."""
        parts = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]  # the files: a looser directory exposes nothing more
        for p in looser_than_private(parts):
            fix = "chmod 700" if p.is_dir() else "chmod 600"
            sys.stderr.write(f"modconsole: warning: {p} can be read by other users of this machine "
                             f"(it holds the registration vault): run `{fix} {p}`\n")

    # --- the audit key (domain/audit_key.py) ---------------------------------------------------

    def store_id(self) -> str:
        """The store's random id, which names its audit key file."""
        from .models import StoreMeta

        with self._reachable(), Session(self.engine) as s:
            row = s.get(StoreMeta, "store_id")
        if row is None:
            raise Unavailable(f"the store at {self.display_url()} has no id: run `modconsole init` to upgrade it",
                              title="Store needs an upgrade")
        return row.value

    def audit_keys(self, reload: bool = False) -> audit_key.KeyRing:
        """The audit key ring, loaded once per Store; `reload` reads the file again if it
        changed (another process rotated the key: `audit.append` asks when the chain names a
        key the ring lacks). Raises Unavailable when the key file is missing or damaged."""
        if self._keys is None:
            self._keys = audit_key.load(self.store_id())
        elif reload:
            self._keys = audit_key.reload_if_changed(self._keys)
        return self._keys

    def location(self) -> str:
        """Where the store is, as its key file records it: the SQLite file's absolute path, or
        the URL without its password."""
        if self.is_sqlite:
            return str(Path(make_url(self.url).database or "").expanduser().resolve())
        return self.display_url()

    def set_audit_keys(self, ring: audit_key.KeyRing) -> None:
        self._keys = ring

    def _ensure_audit_key(self) -> None:
        """After a migration: make the key of a store that has none, and key its log. A store
        whose log is already keyed but whose key file is missing fails: never a new key silently."""
        from sqlalchemy import func, select

        from .models import AuditEntry

        store_id = self.store_id()
        path = audit_key.key_path(store_id)
        if path.exists():
            return
        with Session(self.engine) as s:
            keyed = s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.key_id.is_not(None))).scalar()  # type: ignore[union-attr]
            entries = s.execute(select(func.count()).select_from(AuditEntry)).scalar()
        if keyed:
            audit_key.load(store_id)  # raises Unavailable naming the path
        location = self.location()
        claims = audit_key.key_claims(store_id, location) if entries else []
        if claims:
            raise Unavailable(
                f"the store at {self.display_url()} has {entries} audit entries and no audit key for its id {store_id}, "
                f"but {claims[0]} is the key of a store at this same place: the store's id was changed (its log may "
                "have been rewritten without the key), or this is another store put where an old one was. Restore the "
                "store from your backup; only if the old store is truly gone, move that key file away and run init again. "
                "No key was made", title="Audit key mismatch")
        self._keys = audit_key.create(store_id, location)
        if entries:
            from . import audit

            try:
                with self.write() as s:
                    self.lock_audit_chain(s)
                    audit.append(s, at=self.clock.now(), staff_id=None, staff_name="system", role="system",
                                 action=audit.KEYED_ACTION, detail={"legacy_entries": entries, "key_id": self._keys.current})
            except BaseException:  # the key would vouch for nothing: the next init makes it again
                path.unlink(missing_ok=True)
                self._keys = None
                raise

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    # Every way in translates "cannot reach the store" (a SQLite store locked past the busy
    # timeout, a PostgreSQL server gone or restarting) into Unavailable, which the CLI prints,
    # the server answers with 503 and the console shows: never a traceback or a 500. The
    # transaction was rolled back; a restarted PostgreSQL's dead pooled connections are
    # discarded by SQLAlchemy on that error, so the next action gets a fresh one.

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads; nothing it does is committed."""
        with self._reachable(), Session(self.engine, expire_on_commit=False, info={STORE_KEY: self}) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction: committed on success, rolled back on any error."""
        engine = self._nowait_engine if _NO_WAIT.get() else self._write_engine
        with self._reachable(), Session(engine, expire_on_commit=False, info={STORE_KEY: self}) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def write_conn(self) -> Iterator[Connection]:
        """A Core connection in one write transaction, for hot paths that need no ORM
        (a refused attempt's audit entry): committed on success, rolled back on any error."""
        engine = self._nowait_engine if _NO_WAIT.get() else self._write_engine
        with self._reachable(), engine.begin() as conn:
            conn.info[STORE_KEY] = self
            yield conn

    @contextmanager
    def read_conn(self) -> Iterator[Connection]:
        """A Core connection for reads (hot paths: token checks, the losing claim). On
        PostgreSQL it runs in autocommit: no BEGIN and ROLLBACK round trips around a statement."""
        with self._reachable():
            if self.dialect == "postgresql":
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    yield conn
            else:
                with self.engine.connect() as conn:
                    yield conn

    @contextmanager
    def no_wait(self) -> Iterator[None]:
        """Writes in this block do not wait for another writer's SQLite lock: they raise
        StoreBusy at once, before anything is done. For the server's event loop, which must never
        sit in a lock wait (it would stall every request, alerts included): a short action tries
        there and, when the store is busy, goes to a worker thread that waits. No-op on PostgreSQL."""
        token = _NO_WAIT.set(True)
        try:
            yield
        finally:
            _NO_WAIT.reset(token)

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            translated = self.unavailable(exc)
            if translated is None:
                raise
            raise translated from exc

    def unavailable(self, exc: BaseException) -> Unavailable | None:
        """The Unavailable a database error means, or None when it is about the statement, not
        about reaching the store (a constraint, a serialization conflict: callers handle those)."""
        if not isinstance(exc, DBAPIError):
            return None
        first_line = str(exc.orig).strip().splitlines()[0][:200] if str(exc.orig).strip() else type(exc.orig).__name__
        if self.is_sqlite:
            if isinstance(exc, OperationalError) and any(
                m in str(exc.orig) for m in ("database is locked", "database is busy", "database table is locked")
            ):
                return StoreBusy(
                    f"the store {self.display_url()} is locked by another program: waited "
                    f"{_busy_timeout_ms() / 1000:g} s for it, then gave up; nothing was changed. Try again, "
                    "or find what holds it (a backup, an sqlite3 shell, another modconsole writing)",
                    title="Store busy",
                )
            return None
        code = getattr(exc.orig, "sqlstate", None)
        if exc.connection_invalidated or (
            isinstance(exc, OperationalError) and (code is None or code.startswith(_PG_UNAVAILABLE))
        ):
            return Unavailable(
                f"lost the connection to PostgreSQL at {self.display_url()} ({first_line}): the transaction "
                "was rolled back unless the server had committed it; check before trying a change again",
                title="Database unavailable",
            )
        return None

    def lock_audit_chain(self, session: Session | Connection) -> None:
        """Serialize appends to the audit chain (SQLite's BEGIN IMMEDIATE already does)."""
        if self.dialect == "postgresql":
            conn = session if isinstance(session, Connection) else session.connection()
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")

    # --- schema -----------------------------------------------------------------------------

    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def upgrade(self) -> None:
        """Create the schema or bring it to the newest migration."""
        cfg = self.alembic_config()
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        self._ensure_audit_key()

    def is_initialized(self) -> bool:
        return inspect(self.engine).has_table("alembic_version") and inspect(self.engine).has_table("audit_entry")

    def require_initialized(self) -> None:
        """Raises Unavailable when there is no store, or its schema is behind this version."""
        if not self.is_initialized():
            raise Unavailable(
                f"no modconsole store at {self.display_url()}: run `modconsole init --admin NAME` first",
                title="Store not initialized",
            )
        from alembic.migration import MigrationContext
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self.alembic_config()).get_current_head()
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current != head:
            raise Unavailable(
                f"the store at {self.display_url()} has schema {current}, this modconsole needs {head}: "
                "run `modconsole init --admin NAME` (with an existing admin's name) to upgrade it",
                title="Store needs an upgrade",
            )
        self.audit_keys()  # a missing key stops every command here, reads too, not half-way through a change

    def display_url(self) -> str:
        """The URL without a password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_engine is not self.engine:
            self._write_engine.dispose()
            self._nowait_engine.dispose()
