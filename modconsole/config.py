"""Settings: where the store is, which backend, who acts. Read from options and MODCONSOLE_* variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "modconsole"


def default_data_dir() -> Path:
    """The user's data directory for modconsole (created on demand by the store)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_url() -> str:
    """A SQLite file in the user's data directory."""
    return f"sqlite:///{default_data_dir() / 'modconsole.db'}"


def demo_db_url() -> str:
    """The demo store lives beside the real one, never in it."""
    return f"sqlite:///{default_data_dir() / 'demo.db'}"


@dataclass(frozen=True)
class Settings:
    db: str
    api: str | None
    actor: str | None

    @classmethod
    def from_env(cls, db: str | None = None, api: str | None = None, actor: str | None = None) -> Settings:
        """Options win over MODCONSOLE_DB / MODCONSOLE_API / MODCONSOLE_AS, which win over defaults."""
        return cls(
            db=db or os.environ.get("MODCONSOLE_DB") or default_db_url(),
            api=api or os.environ.get("MODCONSOLE_API") or None,
            actor=actor or os.environ.get("MODCONSOLE_AS") or None,
        )
