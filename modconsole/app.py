"""The Textual App: wiring only. The backend comes in through the constructor."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding

from .screens.board import BoardScreen


class ModconsoleApp(App[None]):
    TITLE = "modconsole"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False), Binding("q", "quit", "Quit")]

    def __init__(self, backend: Any) -> None:
        super().__init__()
        self.backend = backend

    def on_mount(self) -> None:
        me = self.backend.whoami
        self.sub_title = f"{me.name} ({me.role})"
        self.push_screen(BoardScreen(self.backend))


def make_app(backend: Any) -> ModconsoleApp:
    """The factory the CLI and the tests use."""
    return ModconsoleApp(backend)
