"""The Textual App: wiring only. The backend comes in through the constructor."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .screens.board import BoardScreen


class ModconsoleApp(App[None]):
    TITLE = "modconsole"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False), Binding("q", "quit", "Quit")]

    def __init__(self, backend: Any, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.backend = backend
        self._clock = clock or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        """The time the SLA clocks count against (injected in tests and snapshots)."""
        return self._clock()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from .commands import screen_commands

        yield from screen_commands(screen)
        yield from super().get_system_commands(screen)

    def on_mount(self) -> None:
        me = self.backend.whoami
        self.sub_title = f"{me.name} ({me.role})"
        self.push_screen(BoardScreen(self.backend))


def make_app(backend: Any, clock: Callable[[], datetime] | None = None) -> ModconsoleApp:
    """The factory the CLI, the tests and the benchmarks use."""
    return ModconsoleApp(backend, clock)
