"""Benchmark arithmetic and presentation: medians, ratios, the Markdown table, process roles, the copies corpus."""

from __future__ import annotations

import pandas as pd
import pytest

from bench import copies
from bench.measure import role_of
from bench.stats import CaseSummary, fmt, fmt_ratio, markdown_table, median, ratio


@pytest.mark.parametrize(
    "values, expected",
    [
        pytest.param([3.0, 1.0, 2.0], 2.0, id="odd"),
        pytest.param([4.0, 1.0, 3.0, 2.0], 2.5, id="even"),
        pytest.param([7.5], 7.5, id="one"),
        pytest.param([], None, id="none"),
    ],
)
def test_median(values, expected):
    assert median(values) == expected


@pytest.mark.parametrize(
    "numerator, denominator, expected",
    [
        pytest.param(30.0, 3.0, 10.0, id="plain"),
        pytest.param(1.0, 0.0, None, id="zero-denominator"),
        pytest.param(None, 2.0, None, id="missing"),
    ],
)
def test_ratio(numerator, denominator, expected):
    assert ratio(numerator, denominator) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        pytest.param(12.345, "×12.3", id="speed-up"),
        pytest.param(1.0, "×1.0", id="one"),
        pytest.param(0.046, "4.6%", id="share"),
        pytest.param(None, "–", id="missing"),
    ],
)
def test_fmt_ratio(value, expected):
    assert fmt_ratio(value) == expected


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        pytest.param(1234.5, 1, "1,234.5", id="thousands"),
        pytest.param(0.1234, 3, "0.123", id="small"),
        pytest.param(None, 2, "–", id="missing"),
    ],
)
def test_fmt(value, digits, expected):
    assert fmt(value, digits) == expected


def test_case_summary_throughput():
    summary = CaseSummary(case="cold", walls_s=[10.0, 12.0, 11.0], pages=98, reports=4)
    assert summary.median_s == 11.0
    assert summary.pages_per_s == pytest.approx(8.909, abs=0.001)
    assert summary.reports_per_min == pytest.approx(21.818, abs=0.001)
    assert summary.s_per_report == 2.75


def test_cpu_seconds_per_report_is_the_median_run_over_reports():
    summary = CaseSummary(case="copies", walls_s=[5.0, 6.0, 7.0], pages=40, reports=4, cpu_s=[8.0, 12.0, 9.0])
    assert summary.cpu_s_per_report == 2.25


def test_case_without_pdfs_has_no_throughput():
    summary = CaseSummary(case="import", walls_s=[1.24], pages=0, reports=0)
    assert (summary.pages_per_s, summary.reports_per_min, summary.s_per_report) == (None, None, None)


def test_markdown_table():
    summaries = [
        CaseSummary(case="cold", walls_s=[10.0, 12.0, 11.0], pages=98, reports=4, rss_main_mb=300.4,
                    rss_worker_mb=812.0, code="abc1234", cpu_s=[16.0, 20.0, 18.0]),
        CaseSummary(case="baseline", walls_s=[100.0], pages=98, reports=4, rss_main_mb=344.8),
    ]
    expected = "\n".join([
        "| case | code | runs | median s | min–max s | pages/s | reports/min | s/report | CPU s/report "
        "| peak RSS main MB | peak RSS worker MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        "| cold | abc1234 | 3 | 11.00 | 10.00–12.00 | 8.9 | 21.8 | 2.750 | 4.500 | 300 | 812 |",
        "| baseline | – | 1 | 100.00 | 100.00–100.00 | 1.0 | 2.4 | 25.000 | – | 345 | – |",
    ])
    assert markdown_table(summaries) == expected


FORKSERVER = ["python", "-c", "from multiprocessing.forkserver import main; main(6, 7, ['flows.preload'])"]


@pytest.mark.parametrize(
    "cmdline, is_root, parent, expected",
    [
        pytest.param([".venv/bin/budgetlake", "run"], True, None, "main", id="root"),
        pytest.param(FORKSERVER, False, [".venv/bin/budgetlake", "run"], "helper", id="fork-server"),
        pytest.param(FORKSERVER, False, FORKSERVER, "worker", id="fork-server-worker"),
        pytest.param(["python", "-c", "from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5)"],
                     False, None, "worker", id="pool-worker"),
        pytest.param(["python", "-c", "from multiprocessing.resource_tracker import main;main(4)"], False, None, "helper",
                     id="resource-tracker"),
        pytest.param(["python", "-m", "uvicorn", "--app-dir", "x", "prefect.server.api.server:create_app"], False,
                     None, "server", id="temporary-server"),
        pytest.param(["gs", "-q"], False, None, "helper", id="anything-else"),
    ],
)
def test_role_of(cmdline, is_root, parent, expected):
    assert role_of(cmdline, is_root, parent) == expected


@pytest.mark.parametrize(
    "n, expected",
    [
        pytest.param(2, [("a.pdf", 0), ("b.pdf", 0)], id="fewer-than-sources"),
        pytest.param(5, [("a.pdf", 0), ("b.pdf", 0), ("c.pdf", 0), ("a.pdf", 1), ("b.pdf", 1)], id="round-the-sources"),
    ],
)
def test_copies_go_round_the_sources(n, expected):
    from pathlib import Path

    pdfs = [Path("a.pdf"), Path("b.pdf"), Path("c.pdf")]
    assert [(p.name, k) for p, k in copies.plan(pdfs, n)] == expected


def test_copies_are_the_source_bytes_and_one_byte(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "x").mkdir(parents=True)
    (corpus / "x" / "a.pdf").write_bytes(b"%PDF-1.4 a %%EOF")
    (corpus / "b.pdf").write_bytes(b"%PDF-1.4 b %%EOF")

    folder, manifest = copies.build(corpus, 3, tmp_path / "cache")

    # sources in path order: corpus/b.pdf before corpus/x/a.pdf
    assert sorted(p.name for p in folder.glob("*.pdf")) == ["a-copy000.pdf", "b-copy000.pdf", "b-copy001.pdf"]
    assert (folder / "b-copy001.pdf").read_bytes() == b"%PDF-1.4 b %%EOF\x01"
    assert (folder / "a-copy000.pdf").read_bytes() == b"%PDF-1.4 a %%EOF\x00"
    assert [item["source"] for item in manifest["reports"]] == ["b.pdf", "a.pdf", "b.pdf"]


def test_copies_verification(tmp_path):
    folder = tmp_path / "reports" / "department=d" / "year=2024"
    folder.mkdir(parents=True)
    pd.DataFrame({"source_file": ["a-copy000.pdf", "a-copy001.pdf", "b-copy000.pdf"],
                  "status": ["valid", "quarantined", "valid"]}).to_parquet(folder / "r.parquet")
    manifest = {"reports": [{"file": "a-copy000.pdf", "source": "a.pdf"}, {"file": "a-copy001.pdf", "source": "a.pdf"},
                            {"file": "b-copy000.pdf", "source": "b.pdf"}, {"file": "c-copy000.pdf", "source": "c.pdf"}]}

    verdict = copies.verify(tmp_path, manifest)

    assert verdict["missing"] == 1 and verdict["first_missing"] == ["c-copy000.pdf"]
    assert verdict["sources_with_differing_status"] == {"a.pdf": ["quarantined", "valid"]}
    assert verdict["status_counts"] == {"quarantined": 1, "valid": 2}


@pytest.mark.parametrize("code, expected_returncode", [pytest.param("pass", 0, id="ok"),
                                                        pytest.param("raise SystemExit(3)", 3, id="exit-3")])
def test_run_measured_reports_the_exit_status_and_the_main_process(tmp_path, code, expected_returncode):
    import sys

    from bench.measure import run_measured

    measured = run_measured([sys.executable, "-c", code], log_dir=tmp_path)

    assert measured.returncode == expected_returncode
    assert measured.wall_s > 0
    assert set(measured.peak_rss_mb) <= {"main"} and measured.processes.get("main", 0) <= 1
