"""Member text made safe for a terminal: shown literally, never interpreted.

Rich would read `[bold]` or `[link=…]` as markup and pass ESC through to the terminal; bidi
overrides reorder what is shown. `visible()` turns every control, format and bidi-control
character into a visible escape (`\\x1b`, `\\u202e`), keeping newlines and tabs only when asked;
`as_text()` wraps the result in a Rich `Text`, which is never parsed as markup.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from rich.text import Text

# C0 and C1 controls, DEL, and the Unicode format characters that can reorder or hide text.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_UNSAFE_WITH_NL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str | None, *, keep_newlines: bool = True) -> str:
    """The text with every unsafe character replaced by a visible escape."""
    if not text:
        return ""
    pattern = _UNSAFE if keep_newlines else _UNSAFE_WITH_NL
    out = pattern.sub(_escape, text)
    if not out.isascii():
        out = "".join(_escape_other(c) for c in out)
    return out


def _escape_other(ch: str) -> str:
    if ord(ch) < 0x80:
        return ch
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Cs", "Co", "Cn") or cat in ("Zl", "Zp"):
        return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
    return ch


def as_text(text: str | None, style: str = "", *, keep_newlines: bool = True) -> Text:
    """A Rich Text of the member's text: literal, never markup, controls made visible."""
    return Text(visible(text, keep_newlines=keep_newlines), style=style)


def safe_json(obj: Any, indent: int | None = 2) -> str:
    """JSON for a terminal: readable accents, but no raw control or bidi character anywhere.

    json.dumps escapes C0 controls itself; DEL (which JSON allows raw) and every non-ASCII
    control, format or separator character are escaped here."""
    raw = json.dumps(obj, ensure_ascii=False, indent=indent, default=str)
    return "".join(c if c.isascii() and c != "\x7f" else _escape_json(c) for c in raw)


def _escape_json(ch: str) -> str:
    cat = unicodedata.category(ch)
    if cat.startswith("C") or cat in ("Zl", "Zp"):
        code = ord(ch)
        if code > 0xFFFF:  # JSON escapes astral characters as a surrogate pair
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"
    return ch
