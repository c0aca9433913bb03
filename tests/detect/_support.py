"""Helpers shared by the detection tests."""

from __future__ import annotations

from modconsole.detect import Hit


def matched(text: str, hits: list[Hit], category: str | None = None) -> list[str]:
    """Return the original substrings of ``hits`` (only those of ``category`` if given)."""
    return [text[h.start : h.end] for h in hits if category is None or h.category == category]


def obfuscations(phrase: str) -> dict[str, str]:
    """Return ``phrase`` disguised the ways members disguise words, keyed by a short name."""
    leet = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
    homoglyphs = {"a": "а", "e": "е", "o": "о", "c": "с", "i": "і", "s": "ѕ", "p": "р", "y": "у", "x": "х"}
    words = phrase.split(" ")
    return {
        "upper": phrase.upper(),
        "spaced": "   ".join(" ".join(w) for w in words),
        "dotted": " ".join(".".join(w) for w in words),
        "dashed": " ".join("-".join(w) for w in words),
        "leet": "".join(leet.get(c, c) for c in phrase),
        "repeats": "".join(c * 4 if c in "aeiouy" else c for c in phrase),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in phrase),
        "zero_width": "\u200b".join(phrase),
        "soft_hyphen": "\u00ad".join(phrase),
        "homoglyphs": "".join(homoglyphs.get(c, c) for c in phrase),
        "mixed_case": "".join(c.upper() if i % 2 else c for i, c in enumerate(phrase)),
        "decomposed": "".join(c + "\u0301" if c in "aeiou" else c for c in phrase),
    }
