"""One contract suite over both backends: `local` (in process) and `remote` (a real
`modconsole serve` subprocess on a free loopback port, over the same SQLite file)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from modconsole.backend.local import LocalBackend
from modconsole.backend.remote import RemoteBackend
from modconsole.domain import tokens
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from ..conftest import STAFF, make_services
from ..pg import free_port


class Server:
    def __init__(self, db_url: str, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"MODCONSOLE_DB": db_url}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "modconsole", "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so kill() reaches every worker
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"modconsole serve exited: {self.proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("modconsole serve did not answer within 30 s")

    def kill(self) -> None:
        """kill -9 of the server and all its workers, as a crash or the OOM killer would."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(params=["local", "remote"])
def kind(request) -> str:  # type: ignore[no-untyped-def]
    return str(request.param)


@pytest.fixture
def setup(kind: str, store: Store) -> Iterator[tuple[Services, Callable[[str], Any]]]:
    """(services, backend factory by staff name) on SQLite and on PostgreSQL, local and remote."""
    svc = make_services(store)
    if kind == "local":
        yield svc, lambda name: LocalBackend(Services(store), name)
        return
    issuer = Services(Store(store.url))  # the real clock, as the server's: tokens valid now
    issued = {name: tokens.issue(issuer, issuer.actor("root"), name) for name, _ in STAFF}
    server = Server(store.url)
    made: list[RemoteBackend] = []

    def make(name: str) -> RemoteBackend:
        backend = RemoteBackend(server.url, issued[name])
        made.append(backend)
        return backend

    try:
        yield svc, make
    finally:
        for b in made:
            b.close()
        server.stop()
