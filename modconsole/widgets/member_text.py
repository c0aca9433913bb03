"""The one widget that shows member text: always literal, never markup, controls made visible."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from modconsole.safetext import as_text


def highlighted(body: str | None, spans: list[tuple[int, int]], *, style: str = "bold reverse") -> Text:
    """The body as literal Text with the matched spans (offsets into the original) highlighted."""
    text = Text()
    body = body or ""
    pos = 0
    for start, end in sorted(set(spans)):
        if start < pos or end > len(body) or start >= end:
            continue
        text.append_text(as_text(body[pos:start]))
        text.append_text(as_text(body[start:end], style=style))
        pos = end
    text.append_text(as_text(body[pos:]))
    return text


class MemberText(Static):
    """Member text in a Static, set only through `show()` so it is never parsed as markup."""

    DEFAULT_CSS = """
    MemberText { padding: 0 1; }
    """

    def __init__(self, body: str | None = None, spans: list[tuple[int, int]] | None = None, **kwargs: object) -> None:
        super().__init__(highlighted(body, spans or []), markup=False, **kwargs)  # type: ignore[arg-type]

    def show(self, body: str | None, spans: list[tuple[int, int]] | None = None) -> None:
        self.update(highlighted(body, spans or []))
