"""What every command needs: settings from the global options, a backend, output helpers."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console

from modconsole.config import Settings
from modconsole.errors import ClaimHeld, InvalidInput, ModconsoleError, Unavailable
from modconsole.safetext import safe_json, visible

T = TypeVar("T")

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)


@dataclass
class State:
    settings: Settings
    insecure: bool = False  # --insecure / MODCONSOLE_INSECURE=1: a token may go over plain http

    def backend(self) -> Any:
        """The backend the options select: local on --db, or remote on --api (token from
        MODCONSOLE_TOKEN, else the system keyring where `modconsole login` put it). A token
        goes over plain http only to a loopback address, unless --insecure (`check_transport`)."""
        if self.settings.api:
            from modconsole.backend.remote import RemoteBackend

            check_transport(self.settings.api, self.insecure)
            return RemoteBackend(self.settings.api, api_token(self.settings.api))
        from modconsole.backend.local import LocalBackend

        return LocalBackend.open(self.settings.db, self.settings.actor)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def fail(exc: ModconsoleError) -> NoReturn:
    """Print an error the way every command does and exit non-zero. The message may quote what
    was typed or stored (a member id, a file name): its controls are made visible."""
    prefix = exc.title if exc.title else "Error"
    err.print(f"error: {prefix}: {visible(exc.message)}", markup=False)
    if isinstance(exc, ClaimHeld):
        raise typer.Exit(3)
    raise typer.Exit(1)


def emit_json(value: Any) -> None:
    sys.stdout.write(safe_json(to_jsonable(value)) + "\n")


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def parse_case_id(text: str) -> int:
    try:
        value = int(text.lstrip("#"))
    except ValueError:
        raise InvalidInput(f"not a case id: {text!r} (case ids are numbers, e.g. 42)") from None
    if value <= 0 or value > 2**63 - 1:
        raise InvalidInput(f"not a case id: {text!r}")
    return value


def call(ctx: typer.Context, action: Callable[[Any], T]) -> T:
    """Run `action(backend)`; any error is printed as a message (never a traceback) and ends
    the command non-zero: product errors as they are worded, a store that cannot be reached or
    read as Unavailable naming it, an argument that is not UTF-8 as InvalidInput."""
    from sqlalchemy.exc import SQLAlchemyError

    st = state(ctx)
    try:
        return action(st.backend())
    except ModconsoleError as exc:
        fail(exc)
    except UnicodeEncodeError:
        fail(InvalidInput("an argument is not valid UTF-8 text"))
    except (SQLAlchemyError, OSError) as exc:
        fail(Unavailable(f"the store at {_where(st)} cannot be used: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))


def _where(st: State) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(st.settings.db).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - the URL itself may be what is wrong
        return "(unreadable URL)"


KEYRING_SERVICE = "modconsole"


def api_token(url: str) -> str:
    """The token for `url`: MODCONSOLE_TOKEN, else the keyring; Unauthenticated naming both."""
    import os

    from modconsole.errors import Unauthenticated

    token = os.environ.get("MODCONSOLE_TOKEN")
    if token:
        return token
    try:
        import keyring

        token = keyring.get_password(KEYRING_SERVICE, url.rstrip("/"))
    except Exception:  # noqa: BLE001 - no keyring backend on this machine
        token = None
    if not token:
        raise Unauthenticated(
            f"no token for {url}: run `modconsole login {url}`, or set MODCONSOLE_TOKEN "
            "(where this machine has no keyring)"
        )
    return token


def insecure_from_env() -> bool:
    import os

    return os.environ.get("MODCONSOLE_INSECURE", "").strip().lower() in ("1", "true", "yes", "on")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (and ::ffff:127.x) or `localhost` itself — not a name that merely
    starts with it, nor one a resolver might map anywhere."""
    import ipaddress

    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def check_transport(url: str, insecure: bool) -> None:
    """InvalidInput unless a token may be sent to `url`: https, or http to a loopback host, or
    plain http anywhere when told `--insecure` (MODCONSOLE_INSECURE=1)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        raise InvalidInput(f"not a server URL: {url!r} (e.g. https://modconsole.example.org)") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise InvalidInput(f"not a server URL: {url!r} (e.g. https://modconsole.example.org)")
    if scheme == "http" and not is_loopback(host) and not insecure:
        raise InvalidInput(
            f"refusing to send a token over plain http to {host}, which is not this machine: "
            "use https, or pass --insecure (MODCONSOLE_INSECURE=1) on a network you trust"
        )


def parse_time_option(text: str, option: str) -> Any:
    """A CLI time option (ISO 8601; UTC without an offset) as aware UTC; InvalidInput naming
    the option when it is not a time, or not one the product accepts (`clock.checked_utc`)."""
    from modconsole.domain.clock import parse_time

    try:
        return parse_time(text)
    except ValueError as exc:
        raise InvalidInput(f"{option}: {exc}") from None
