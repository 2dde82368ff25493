"""Per-report progress for the command line: a rich bar on a terminal, one log line per report otherwise."""

from __future__ import annotations

import sys
from typing import TextIO

from flows.pipeline import ReportOutcome

STATUS_STYLE = {"valid": "green", "warnings": "yellow", "quarantined": "magenta", "failed": "red"}


class Progress:
    """Silent default: flows call `start(total)` and `advance(outcome)`; the CLI installs a visible one."""

    started = False  # whether start() was called

    def start(self, total: int) -> None:
        self.started = True

    def advance(self, outcome: ReportOutcome) -> None:
        pass

    def close(self) -> None:
        pass


class LineProgress(Progress):
    """One plain line per finished report (logs, CI, pipes)."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        self.started = True
        self.total = total
        print(f"budgetlake: {total} PDF(s) to process", file=self.stream, flush=True)

    def advance(self, outcome: ReportOutcome) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {outcome.summary_line()}", file=self.stream, flush=True)


class RichProgress(Progress):
    """A rich progress bar over reports; each finished report is printed above the bar."""

    def __init__(self, stream: TextIO | None = None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

        self.console = Console(file=stream or sys.stderr)
        self.bar = Bar(TextColumn("reports"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=self.console, transient=True)
        self.task_id = None

    def start(self, total: int) -> None:
        self.started = True
        self.bar.start()
        self.task_id = self.bar.add_task("reports", total=total)

    def advance(self, outcome: ReportOutcome) -> None:
        style = STATUS_STYLE.get(outcome.status, "")
        self.console.print(outcome.summary_line(), style=style, markup=False, highlight=False)
        if self.task_id is not None:
            self.bar.advance(self.task_id)

    def close(self) -> None:
        self.bar.stop()


_current: Progress = Progress()


def current() -> Progress:
    return _current


def install(progress: Progress) -> Progress:
    """Make `progress` the one flows report to (same process only); returns the previous one."""
    global _current
    previous, _current = _current, progress
    return previous


def for_stream(stream: TextIO | None = None) -> Progress:
    stream = stream or sys.stderr
    return RichProgress(stream) if stream.isatty() else LineProgress(stream)
