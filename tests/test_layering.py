"""The layering of STYLE.md, checked in fresh interpreters (as harlequin does)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = [
    ("modconsole.detect", {"modconsole.domain", "modconsole.backend", "modconsole.cli", "sqlalchemy", "sqlmodel", "textual", "rich"}),
    ("modconsole.domain.ingest", {"textual", "typer", "httpx", "modconsole.cli", "modconsole.backend"}),
    ("modconsole.domain.cases", {"textual", "typer", "httpx", "modconsole.cli", "modconsole.backend"}),
    ("modconsole.backend.local", {"textual", "typer", "modconsole.cli"}),
]


@pytest.mark.parametrize(("module", "forbidden"), CASES)
def test_import_does_not_pull_in(module: str, forbidden: set[str]) -> None:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split())
    assert module in loaded
    assert not (loaded & forbidden), f"{module} imports {sorted(loaded & forbidden)}"
