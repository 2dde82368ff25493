"""Plain pipeline logic without PDFs or Prefect: discovery, duplicates, check summaries, exit codes, version."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from flows.pipeline import (
    ReportOutcome,
    discover,
    duplicate_outcome,
    exit_code,
    group_duplicates,
    summarize_failed_checks,
)


def _touch(root: Path, relative: str, data: bytes = b"x") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_discover_folders_and_files_sorted_case_insensitive(tmp_path: Path) -> None:
    _touch(tmp_path, "a/b.PDF")
    _touch(tmp_path, "a/a.pdf")
    _touch(tmp_path, "a/notes.txt")
    _touch(tmp_path, "a/sub/c.Pdf")
    single = _touch(tmp_path, "z.pdf")

    found = discover([tmp_path / "a", single, tmp_path / "a" / "a.pdf"])

    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/a.pdf", "a/b.PDF", "a/sub/c.Pdf", "z.pdf"]


def test_discover_is_deterministic_regardless_of_argument_order(tmp_path: Path) -> None:
    one, two = _touch(tmp_path, "x/1.pdf"), _touch(tmp_path, "y/2.pdf")
    assert discover([two, one]) == discover([one, two]) == [one, two]


def test_discover_missing_path_breaks_the_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        discover([tmp_path / "nope"])


def test_group_duplicates_keeps_the_first_name_of_each_content(tmp_path: Path) -> None:
    first = _touch(tmp_path, "a.pdf", b"same bytes")
    other = _touch(tmp_path, "b.pdf", b"other bytes")
    second = _touch(tmp_path, "c.pdf", b"same bytes")

    unique, duplicates = group_duplicates([first, other, second])

    assert unique == [first, other]
    assert duplicates == {second: first}


def test_duplicate_outcome_names_the_original() -> None:
    original = ReportOutcome(report_id="0123456789abcdef", source_file="a.pdf", status="warnings",
                             department="武汉市硚口区司法局", year=2024, failed_checks=["warning:x/y"])

    noted = duplicate_outcome(original, Path("/in/copy.pdf"))

    assert (noted.source_file, noted.duplicate_of, noted.skipped) == ("copy.pdf", "a.pdf", True)
    assert (noted.report_id, noted.status, noted.department, noted.year) == (
        "0123456789abcdef", "warnings", "武汉市硚口区司法局", 2024)
    assert "same bytes as a.pdf" in noted.summary_line()


def test_summarize_failed_checks_counts_repeats_and_ignores_passes() -> None:
    checks = pd.DataFrame(
        {
            "table": ["expenditure", "expenditure", "expenditure", "basic_expenditure", "income"],
            "check": ["row_total", "row_total", "class_sum", "personnel_total", "row_total"],
            "severity": ["error", "error", "warning", "warning", "error"],
            "passed": [False, False, False, False, True],
        }
    )
    assert summarize_failed_checks(checks) == [
        "error:expenditure/row_total ×2",
        "warning:expenditure/class_sum",
        "warning:basic_expenditure/personnel_total",
    ]


def test_summarize_failed_checks_of_nothing() -> None:
    assert summarize_failed_checks(None) == []


@pytest.mark.parametrize(
    "statuses, expected",
    [
        pytest.param(["valid", "warnings"], 0, id="all-landed"),
        pytest.param([], 0, id="nothing-to-do"),
        pytest.param(["valid", "failed"], 2, id="one-failed"),
        pytest.param(["warnings", "quarantined"], 2, id="one-quarantined"),
    ],
)
def test_exit_code(statuses: list[str], expected: int) -> None:
    outcomes = [ReportOutcome(report_id=str(i), source_file=f"{i}.pdf", status=s) for i, s in enumerate(statuses)]
    assert exit_code(outcomes) == expected


def test_summary_line_of_a_failed_report_carries_its_error() -> None:
    outcome = ReportOutcome(report_id="ab" * 8, source_file="scan.pdf", status="failed",
                            error="the PDF has no text layer: needs OCR")
    assert outcome.summary_line() == "failed      abababababababab scan.pdf (-): the PDF has no text layer: needs OCR"


