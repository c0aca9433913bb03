"""Pure text analysis for moderation: risk and offensive lexicons, personal details.

This package imports nothing else from :mod:`modconsole` (only the standard library,
``ahocorasick`` and ``phonenumbers``)::

    from modconsole.detect import Detector
    hits = Detector().scan("je veux me s.u.i.c.i.d.e.r")

The folding itself is :func:`modconsole.detect.normalize.normalize`.
"""

from __future__ import annotations

from .detector import Detector
from .lexicon import load_default_exceptions, load_default_terms
from .model import PII_KINDS, TERM_CATEGORIES, Hit, Term
from .pii import find_pii

__all__ = [
    "PII_KINDS",
    "TERM_CATEGORIES",
    "Detector",
    "Hit",
    "Term",
    "find_pii",
    "load_default_exceptions",
    "load_default_terms",
]
