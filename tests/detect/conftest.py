"""Shared fixture for the detection tests: one compiled detector for the whole session."""

from __future__ import annotations

import pytest

from modconsole.detect import Detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector()
