"""Files the program writes are readable by its own user only: directories 0700, files 0600,
whatever the umask. `looser_than_private` finds an existing store that is not."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Create `path` 0700 (missing parents as the umask says); an existing directory is left
    as it is."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        old = os.umask(0o077)
        try:
            path.mkdir(exist_ok=True, mode=0o700)
        finally:
            os.umask(old)
        os.chmod(path, 0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, the file 0600 from its first byte."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a file's creation or rename in `path` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_private(path: Path) -> None:
    """chmod 0600 a file the program has just made (a new SQLite store's -wal / -shm, which
    SQLite creates with the store file's mode: this only makes sure). A file that is not ours
    to chmod (another user's, in a shared group) is left as it is: the start-up warning names it."""
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


def looser_than_private(paths: list[Path]) -> list[Path]:
    """The paths among these that group or others may read or enter."""
    out = []
    for p in paths:
        try:
            mode = p.stat().st_mode
        except OSError:
            continue
        if stat.S_IMODE(mode) & 0o077:
            out.append(p)
    return out
