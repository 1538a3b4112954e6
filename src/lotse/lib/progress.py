"""A one-line progress bar for management commands, redrawn in place with a carriage return."""

from __future__ import annotations

from django.core.management.base import OutputWrapper


class ProgressBar:
    """`label: [#######.......] done/total` on one line of a command's output stream.

    By default it is drawn only when the stream is a terminal: redrawn lines in a log file or a
    pipe are noise. `enabled=True` draws it anyway (a command whose output is its progress)."""

    width = 30

    def __init__(
        self, stream: OutputWrapper, label: str, total: int, *, enabled: bool | None = None
    ) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.enabled = stream.isatty() if enabled is None else enabled
        self._drawn: tuple[int, int] | None = None

    def update(self, done: int) -> None:
        """Show that `done` of `total` are done; redraws only when the picture changes."""
        if not self.enabled:
            return
        filled = self.width * done // max(self.total, 1)
        # On a terminal, a redraw per row of a large file would cost more than the row; the
        # count is redrawn once per per-cent (and at the end).
        step = (100 * done // max(self.total, 1), filled) if self.total > 100 else (done, filled)
        if step == self._drawn and done != self.total:
            return
        self._drawn = step
        bar = f"{'#' * filled}{'.' * (self.width - filled)}"
        self.stream.write(
            f"\r{self.label}: [{bar}] {done}/{self.total}", style_func=_plain, ending=""
        )
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line, so that what follows starts on a line of its own."""
        if self.enabled and self._drawn is not None:
            self.stream.write("", style_func=_plain)


def _plain(text: str) -> str:
    """No colour: Django paints everything on a terminal's stderr red, as if it were an error."""
    return text
