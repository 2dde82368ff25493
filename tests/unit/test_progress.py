"""Progress display choice: a rich bar on a terminal, one plain line per report otherwise."""

from __future__ import annotations

import io

from flows.pipeline import ReportOutcome
from flows.progress import LineProgress, RichProgress, for_stream


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_a_bar_and_a_pipe_gets_lines() -> None:
    assert isinstance(for_stream(_Terminal()), RichProgress)
    assert isinstance(for_stream(io.StringIO()), LineProgress)


def test_line_progress_numbers_each_report() -> None:
    stream = io.StringIO()
    lines = LineProgress(stream)
    lines.start(2)
    lines.advance(ReportOutcome(report_id="0" * 16, source_file="a.pdf", status="failed", error="the file is empty"))

    assert stream.getvalue().splitlines() == [
        "budgetlake: 2 PDF(s) to process",
        "[1/2] failed      0000000000000000 a.pdf (-): the file is empty",
    ]


def test_rich_progress_prints_each_report_above_the_bar() -> None:
    stream = _Terminal()
    bar = RichProgress(stream)
    bar.start(1)
    bar.advance(ReportOutcome(report_id="1" * 16, source_file="b.pdf", status="valid", department="某局", year=2024))
    bar.close()

    assert "valid       1111111111111111 b.pdf (某局/2024)" in stream.getvalue()
