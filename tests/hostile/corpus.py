"""One corpus of hostile member text, and the checks every surface's output must pass.

Each `Hostile` string has a name (its pytest id), the text the platform sends, the text the
store keeps (`stored`: the same, but for a NUL, which ingest turns into U+FFFD so that
PostgreSQL can hold it, see `events.clean_text`) and the fragments a reader must still see
(`shown`), written by hand as they must appear on screen: a control character as its visible
escape (`\\x1b`, `\\u202e`), markup as its literal brackets. A fragment never spans a newline or
a tab, so it is found whatever the surface does with those.

What "no control byte" means for terminal output (`assert_terminal_safe`): no character of
Unicode category Cc (C0 controls, DEL, C1 controls) except newline and tab, which cannot hide,
overwrite or reorder what is shown (a tab only moves to the next tab stop); no Cf (format:
bidi embeddings, overrides and isolates, zero-width joiners and spaces, BOM, soft hyphen); no
Cs (a lone surrogate cannot even be written); no Zl/Zp (U+2028/2029, a line break to some
terminals). `--json` output is held to the same rule: JSON escapes all of them.

`ingest_lines()` gives the raw JSONL lines (bytes) of a file that puts the corpus everywhere
member text goes (handles, bodies, report and deletion notes, questions, appeals, unknown
fields), plus lines that must be rejected one by one (invalid UTF-8, JSON nested 100,000
deep, a lone surrogate, numbers too big), each with what its error must name.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hostile:
    name: str
    text: str
    shown: tuple[str, ...]  # fragments that must be visible, literally
    stored: str = ""  # what the store keeps (default: the text itself)
    json_ok: bool = True  # fits in an id-less text field of a JSON event

    @property
    def kept(self) -> str:
        return self.stored or self.text


MEGA = "x" * 1024 * 1024  # a 1 MiB line of member text

CORPUS: list[Hostile] = [
    Hostile("csi_clear_screen", "before\x1b[2Jafter", ("before\\x1b[2Jafter",)),
    Hostile("csi_colour", "\x1b[31mred\x1b[0m", ("\\x1b[31mred\\x1b[0m",)),
    Hostile("csi_cursor_moves", "\x1b[10;10H\x1b[Aup\x1b[2K\x1b[1G", ("\\x1b[10;10H\\x1b[Aup\\x1b[2K\\x1b[1G",)),
    Hostile("osc_title", "\x1b]0;pwned title\x07", ("\\x1b]0;pwned title\\x07",)),
    Hostile("osc52_clipboard", "\x1b]52;c;cm0gLXJmIH4=\x07", ("\\x1b]52;c;cm0gLXJmIH4=\\x07",)),
    Hostile("osc8_hyperlink", "\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\",
            ("\\x1b]8;;http://evil.example/\\x1b\\click me\\x1b]8;;\\x1b\\",)),
    Hostile("c1_csi", "\x9b31mc1-red", ("\\x9b31mc1-red",)),
    Hostile("c1_osc_st", "\x9d0;c1-title\x9c", ("\\x9d0;c1-title\\x9c",)),
    Hostile("c1_nel", "one\x85two", ("one\\x85two",)),
    Hostile("del", "ab\x7fcd", ("ab\\x7fcd",)),
    Hostile("nul", "nu\x00ll", ("nu\ufffdll",), stored="nu\ufffdll"),
    Hostile("bell_and_vt", "ding\x07\x0b\x0cdong", ("ding\\x07\\x0b\\x0cdong",)),
    Hostile("cr_overwrite", "innocent\rEVIL", ("innocent\\x0dEVIL",)),
    Hostile("backspace_overwrite", "good\x08\x08\x08\x08evil", ("good\\x08\\x08\\x08\\x08evil",)),
    Hostile("rich_markup", "[bold red]loud[/]", ("[bold red]loud[/]",)),
    Hostile("rich_link", "[link=http://evil.example]bait[/link]", ("[link=http://evil.example]bait[/link]",)),
    Hostile("rich_escaped_markup", "\\[bold]not bold\\", ("\\[bold]not bold\\",)),
    Hostile("textual_click_quit", "[@click=app.quit]quit[/]", ("[@click=app.quit]quit[/]",)),
    Hostile("textual_click_dismiss", "[@click=screen.dismiss]close[/]", ("[@click=screen.dismiss]close[/]",)),
    Hostile("textual_content_markup", "[$accent on red]themed[/] $text", ("[$accent on red]themed[/] $text",)),
    Hostile("bidi_override", "invoice\u202egnp.exe", ("invoice\\u202egnp.exe",)),
    Hostile("bidi_embed_pop", "\u202aLRE\u202bRLE\u202cPDF\u202dLRO", ("\\u202aLRE\\u202bRLE\\u202cPDF\\u202dLRO",)),
    Hostile("bidi_isolates", "\u2066lri\u2067rli\u2068fsi\u2069pdi", ("\\u2066lri\\u2067rli\\u2068fsi\\u2069pdi",)),
    Hostile("bidi_marks", "l\u200erm\u200fa\u061c", ("l\\u200erm\\u200fa\\u061c",)),
    Hostile("zero_width", "z\u200bw\u200cj\u200dn\u2060b\ufeffs\u00ad", ("z\\u200bw\\u200cj\\u200dn\\u2060b\\ufeffs\\xad",)),
    Hostile("line_separators", "ls\u2028ps\u2029end", ("ls\\u2028ps\\u2029end",)),
    Hostile("private_and_unassigned", "pua\ue000\U000f0000nc\uffff", ("pua\\ue000\\U000f0000nc\\uffff",)),
    Hostile("accents_and_emoji", "Élodie ça va ? 😀 中文", ("Élodie ça va ? 😀 中文",)),
    Hostile("rtl_script", "مرحبا بالعالم", ("مرحبا بالعالم",)),
    Hostile("combining_marks", "e\u0301\u0301\u0301z", ("e\u0301\u0301\u0301z",)),
    Hostile("newline_and_tab", "first line\nsecond\tline", ("first line", "second")),
    Hostile("mega_line", "start-" + MEGA + "-end", ("start-xxxx", "xxxx-end")),
]

BY_NAME = {h.name: h for h in CORPUS}
SMALL = [h for h in CORPUS if len(h.text) < 10_000]  # everything but the 1 MiB line
IDS = [h.name for h in CORPUS]
SEP = " | "


FIRST = ["textual_click_quit", "rich_markup", "bidi_override", "csi_clear_screen", "osc8_hyperlink", "c1_csi", "nul",
         "del", "cr_overwrite", "zero_width", "bidi_isolates", "textual_click_dismiss", "rich_link"]


def combined(limit: int | None = None) -> tuple[str, list[Hostile]]:
    """As many small corpus strings as fit in `limit` characters (the most hostile first),
    joined: (text, entries)."""
    taken: list[Hostile] = []
    for h in sorted(SMALL, key=lambda h: FIRST.index(h.name) if h.name in FIRST else len(FIRST)):
        if limit is None or len(SEP.join(x.text for x in [*taken, h])) <= limit:
            taken.append(h)
    return SEP.join(h.text for h in taken), taken


def kept(entries: list[Hostile]) -> str:
    return SEP.join(h.kept for h in entries)


# One member, "m-all", carries every small string at once (within each field's bound), so that
# a screen opened once shows them all; the console tests use it.
ALL_MEMBER, ALL_CONTENT = "m-all", "c-all"
ALL_TEXT, ALL_ENTRIES = combined()
HANDLE_TEXT, HANDLE_ENTRIES = combined(256)
EMAIL_TEXT, EMAIL_ENTRIES = combined(320)
NAME_TEXT, NAME_ENTRIES = combined(300)
PHONE_TEXT, PHONE_ENTRIES = combined(64)
STAFF_TEXT = SEP.join(h.kept for h in ALL_ENTRIES)  # the same, as staff quote it in notes and reasons
# ids are printable (events.py refuses controls in them), but may still look like markup
MARKUP_IDS = ["[@click=app.quit]id[/]", "[bold red]id[/]", "[link=http://evil]id", "id-é-中-مرحبا"]

# --- what terminal output may contain ------------------------------------------------------------

ALLOWED_CONTROLS = frozenset("\n\t")


def unsafe_chars(text: str) -> list[tuple[int, str]]:
    """(position, character) of every character terminal output must never carry raw."""
    found = []
    for i, ch in enumerate(text):
        if ch in ALLOWED_CONTROLS:
            continue
        if ch.isascii() and 0x20 <= ord(ch) < 0x7F:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            found.append((i, ch))
    return found


def assert_terminal_safe(output: str, *, where: str = "output") -> None:
    """No control, format, surrogate or line-separator character anywhere but \\n and \\t."""
    bad = unsafe_chars(output)
    if bad:
        i, ch = bad[0]
        context = output[max(0, i - 40): i + 40]
        raise AssertionError(f"{where}: {len(bad)} unsafe character(s), first {ch!r} at {i}: {context!r}")


def squash(text: str) -> str:
    """Text without any whitespace: what survives a surface's wrapping and indentation."""
    return "".join(text.split())


def assert_shows(output: str, hostile: Hostile, *, where: str = "output", squashed: str | None = None) -> None:
    """Every `shown` fragment of `hostile` is in `output` (compared without whitespace, so that
    a surface that wraps long lines passes), and the output is terminal-safe."""
    assert_terminal_safe(output, where=where)
    flat = squashed if squashed is not None else squash(output)
    for fragment in hostile.shown:
        assert squash(fragment) in flat, f"{where}: {hostile.name}: {fragment[:60]!r} not shown literally"


# --- events carrying the corpus --------------------------------------------------------------------

T = "2026-11-26T08:{:02d}:00Z"


def member_id(h: Hostile) -> str:
    return f"m-{h.name}"


def content_id(h: Hostile) -> str:
    return f"c-{h.name}"


def events() -> list[dict]:
    """Events putting each corpus string in a handle, a body (with a word the detector queues),
    a report note, a question, a deletion note, an appeal and unknown fields."""
    out: list[dict] = [
        {"type": "member", "id": ALL_MEMBER, "handle": HANDLE_TEXT, "email": EMAIL_TEXT, "real_name": NAME_TEXT,
         "phone": PHONE_TEXT, "created_at": T.format(0)},
        {"type": "content", "id": ALL_CONTENT, "kind": "post", "author": ALL_MEMBER, "body": f"je veux mourir {ALL_TEXT}",
         "created_at": T.format(1)},
        {"type": "report", "id": "r-all", "reporter": "secret-reporter", "content": ALL_CONTENT, "reason": "urgent_help",
         "note": ALL_TEXT, "created_at": T.format(2)},
        {"type": "ask_moderator", "id": "q-all", "member": ALL_MEMBER, "body": ALL_TEXT, "created_at": T.format(3)},
        {"type": "deletion_request", "id": "d-all", "member": ALL_MEMBER, "scope": "account", "note": ALL_TEXT,
         "created_at": T.format(4)},
    ]
    for i, mid in enumerate(MARKUP_IDS):
        out += [
            {"type": "member", "id": mid, "handle": f"h{i}", "created_at": T.format(0)},
            {"type": "content", "id": f"{mid}-c", "kind": "post", "author": mid, "body": "je veux mourir", "created_at": T.format(1)},
        ]
    for n, h in enumerate(CORPUS):
        mid, cid = member_id(h), content_id(h)
        handle = h.text if len(h.text) <= 256 else h.text[:256]  # handles are bounded (events.MAX_LENGTHS)
        out += [
            {"type": "member", "id": mid, "handle": handle, "created_at": T.format(0), "custom": h.text,
             h.text[:200] or "k": "unknown field named by the corpus"},
            {"type": "content", "id": cid, "kind": "post", "author": mid, "body": f"je veux mourir {h.text}",
             "created_at": T.format(1), "mood": {"nested": [h.text]}},
            {"type": "report", "id": f"r-{h.name}", "reporter": "secret-reporter", "content": cid, "reason": "urgent_help",
             "note": h.text, "created_at": T.format(2)},
            {"type": "ask_moderator", "id": f"q-{h.name}", "member": mid, "body": h.text, "created_at": T.format(3)},
            {"type": "deletion_request", "id": f"d-{h.name}", "member": mid, "scope": "account", "note": h.text,
             "created_at": T.format(4)},
            {"type": "appeal", "id": f"a-{h.name}", "member": mid, "case": f"case-{n}", "body": h.text,
             "created_at": T.format(5)},
        ]
    return out


# (what the line is, raw bytes, what the error must mention)
BAD_LINES: list[tuple[str, bytes, str]] = [
    ("invalid_utf8_in_body", b'{"type": "content", "id": "bad1", "kind": "post", "author": "mx", "body": "caf\xe9 \xff\xfe"}',
     "UTF-8"),
    ("invalid_utf8_overlong", b'{"type": "member", "id": "bad2", "handle": "\xc0\xaf"}', "UTF-8"),
    ("truncated_utf8", b'{"type": "member", "id": "bad3", "handle": "\xe2\x82"}', "UTF-8"),
    ("deep_array_in_field", b'{"type": "member", "id": "bad4", "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "nested too deeply"),
    ("deep_object_line", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
    ("deep_unclosed", b"[" * 100_000, "JSON"),
    ("lone_surrogate_body", b'{"type": "content", "id": "bad5", "kind": "post", "author": "mx", "body": "x\\ud800y"}',
     "surrogate"),
    ("lone_surrogate_handle", b'{"type": "member", "id": "bad6", "handle": "\\udfff"}', "surrogate"),
    ("huge_integer", b'{"type": "self_assessment", "id": "bad7", "member": "mx", "score": ' + b"9" * 5000 + b"}",
     "not accepted"),
    ("nan_score", b'{"type": "self_assessment", "id": "bad8", "member": "mx", "score": NaN}', "not accepted"),
    ("infinite_score", b'{"type": "self_assessment", "id": "bad9", "member": "mx", "score": 1e999}', "'score' is not a finite"),
    ("huge_integer_score", b'{"type": "self_assessment", "id": "bad9b", "member": "mx", "score": 1' + b"0" * 400 + b"}",
     "'score' is out of range"),
    ("infinite_unknown_field", b'{"type": "member", "id": "bad10", "x": {"y": [-1e400]}}', "out of range"),
    ("lone_surrogate_unknown_field", b'{"type": "member", "id": "bad11", "x": ["\\ud800"]}', "surrogate"),
    ("lone_surrogate_field_name", b'{"type": "member", "id": "bad12", "\\udc00": 1}', "surrogate"),
    ("control_in_id", b'{"type": "member", "id": "bad\\u001b[2J"}', "printable id"),
    ("bidi_in_id", b'{"type": "member", "id": "bad\\u202e"}', "printable id"),
    ("not_an_object", b'"\\u001b[2J"', "JSON object"),
    ("markup_type", b'{"type": "[@click=app.quit]x[/]"}', "type"),
]

BAD_IDS = [b[0] for b in BAD_LINES]


@dataclass
class JsonlFile:
    lines: list[bytes] = field(default_factory=list)
    bad: dict[int, tuple[str, str]] = field(default_factory=dict)  # line number -> (name, must mention)


def jsonl(include_good: bool = True) -> JsonlFile:
    """The good events with a bad line after every few, numbered from 1."""
    f = JsonlFile()
    good = [json.dumps(e, ensure_ascii=False).encode("utf-8", "surrogatepass") for e in events()] if include_good else []
    bad = list(BAD_LINES)
    while good or bad:
        f.lines += good[:12]
        good = good[12:]
        if bad:
            name, raw, mention = bad.pop(0)
            f.lines.append(raw)
            f.bad[len(f.lines)] = (name, mention)
    return f


def contains_text(value: object, text: str) -> bool:
    """Whether `text` is one of the strings anywhere inside a decoded JSON value."""
    if isinstance(value, str):
        return value == text or text in value
    if isinstance(value, dict):
        return any(contains_text(k, text) or contains_text(v, text) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_text(v, text) for v in value)
    return False
