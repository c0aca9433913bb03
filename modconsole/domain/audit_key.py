"""The audit chain's key: HMAC-SHA-256 secrets kept outside the database.

Whoever can write the database cannot sign an entry without this key, so entries added or
rewritten behind the program's back — or written by the same program run with another key
against a copy of the store — fail `audit verify` as not authentic.

Where the key lives: one file per store, named by the store's id (a random id kept in the
`store_meta` table), in `MODCONSOLE_AUDIT_KEY_DIR` or else the user's config directory
(`platformdirs.user_config_dir("modconsole")/audit-keys/<store id>.key`); `MODCONSOLE_AUDIT_KEY_FILE`
names the file itself. The directory is 0700 and the file 0600, owned by the account that runs
`modconsole serve` (or the CLI on a local store). The file holds every key version, one
`KEY_ID HEX_SECRET` line each, the newest last: old entries still verify after a rotation. Its
first line, a comment, names the store's id and where the store is (its path, or its URL
without the password).

The store's id is in the database, which an attacker who can write it controls: they could
rewrite the log unkeyed and change the id, so that the key is "missing" and `init` makes a new
one over the forged log. So `init` makes a key for a store whose log already has entries only
when no key file in the key directory names the same place: otherwise it stops and says which
file (`key_claims`).

The key is made by `modconsole init` (Store.upgrade) when the store has none. Any other write
to a store whose key file is missing fails with Unavailable: a new key is never made silently
(it would make the whole history unverifiable). Back the file up with the store, but not in
the same place as the store's backups.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from modconsole.errors import Unavailable

from .files import fsync_dir, private_dir, write_private


def key_path(store_id: str) -> Path:
    """The key file of the store with this id (see the module docstring)."""
    explicit = os.environ.get("MODCONSOLE_AUDIT_KEY_FILE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("MODCONSOLE_AUDIT_KEY_DIR")
    folder = Path(base).expanduser() if base else Path(platformdirs.user_config_dir("modconsole", appauthor=False)) / "audit-keys"
    return folder / f"{store_id}.key"


@dataclass
class KeyRing:
    path: Path
    keys: dict[str, bytes]  # key id -> secret, in file order
    current: str
    stamp: tuple[int, int, int]  # inode, mtime, size: another process rewrote the file when it changes
    header: str = ""

    def sign(self, key_id: str, message: str) -> str:
        return hmac.new(self.keys[key_id], message.encode("utf-8"), hashlib.sha256).hexdigest()


def _parse(path: Path) -> KeyRing:
    try:
        text = path.read_text(encoding="ascii")
    except OSError as exc:
        raise Unavailable(
            f"the audit key of this store is missing or unreadable at {path} ({exc.strerror or exc}): restore it from "
            "your backup (README, 'Security notes'); nothing was changed", title="Audit key missing") from None
    keys: dict[str, bytes] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            kid, secret = line.split()
            keys[kid] = bytes.fromhex(secret)
        except ValueError:
            raise Unavailable(f"the audit key file {path} is damaged at line {n}: restore it from your backup",
                              title="Audit key damaged") from None
    if not keys:
        raise Unavailable(f"the audit key file {path} holds no key: restore it from your backup", title="Audit key damaged")
    return KeyRing(path, keys, list(keys)[-1], _stamp(path), _header(text))


def load(store_id: str) -> KeyRing:
    """The key ring of this store; raises Unavailable when the file is missing or damaged."""
    return _parse(key_path(store_id))


def _stamp(path: Path) -> tuple[int, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0, 0)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _header(text: str) -> str:
    first = text.split("\n", 1)[0]
    return first if first.startswith("#") else ""


def header_for(store_id: str, location: str) -> str:
    return f"# modconsole audit key of store {store_id} at {location}"


def reload_if_changed(ring: KeyRing) -> KeyRing:
    """The same ring, or the file read again when another process rotated the key."""
    if _stamp(ring.path) == ring.stamp:
        return ring
    return _parse(ring.path)


def key_claims(store_id: str, location: str) -> list[Path]:
    """Key files of other store ids, in this store's key directory, that name the same place."""
    if os.environ.get("MODCONSOLE_AUDIT_KEY_FILE"):
        return []  # one file, given by hand: it exists (and is this store's) or it does not
    folder = key_path(store_id).parent
    suffix = f" at {location}"
    found = []
    for p in sorted(folder.glob("*.key")) if folder.is_dir() else []:
        if p.stem == store_id:
            continue
        try:
            with p.open(encoding="ascii", errors="replace") as f:
                first = f.readline().rstrip("\n")
        except OSError:
            continue
        if first.startswith("#") and first.endswith(suffix):
            found.append(p)
    return found


def _line() -> tuple[str, str]:
    return secrets.token_hex(4), secrets.token_hex(32)


def create(store_id: str, location: str = "") -> KeyRing:
    """Make the first key of a store (0600, in a 0700 directory, on disk before it returns);
    an existing file is kept."""
    path = key_path(store_id)
    private_dir(path.parent)
    kid, secret = _line()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load(store_id)
    with os.fdopen(fd, "w", encoding="ascii", errors="replace") as f:
        f.write(f"{header_for(store_id, location)}\n{kid} {secret}\n")
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, 0o600)
    fsync_dir(path.parent)
    return load(store_id)


def rotate(ring: KeyRing) -> KeyRing:
    """Add a new key version and make it current (the old ones stay, to verify history)."""
    kid, secret = _line()
    lines = ([ring.header] if ring.header else []) + [f"{k} {v.hex()}" for k, v in ring.keys.items()] + [f"{kid} {secret}"]
    write_private(ring.path, "\n".join(lines) + "\n")
    return _parse(ring.path)
