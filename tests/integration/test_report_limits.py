"""Limits on the work of one report (issue 13): a report over its memory or time limit ends `failed` naming
the limit, and the run goes on. Each test runs the `budgetlake` command as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.builders import SEED_PDF, UNRELATED_LINES, bomb_pdf_bytes, read_dataset, text_pdf_bytes

BUDGETLAKE = Path(sys.executable).with_name("budgetlake")
MEMORY_LIMIT = "memory limit (128 MB per report)"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return bomb_pdf_bytes(512)  # 1.6 KB that inflate to 512 MB: four times the limit below


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


def _budgetlake(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BUDGETLAKE), *args], capture_output=True, text=True, env=_env(tmp_path), timeout=600)


def test_a_decompression_bomb_fails_on_the_memory_limit_and_the_run_goes_on(tmp_path: Path, tmp_warehouse: Path,
                                                                             bomb: bytes) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bomb.pdf").write_bytes(bomb)
    (folder / "minutes.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))  # fails on its own content

    done = _budgetlake(tmp_path, "run", str(folder), "--warehouse", str(tmp_warehouse), "--no-prefect",
                       "--memory-limit-mb", "128")

    assert done.returncode == 2, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "2 PDF(s): 2 failed"
    reports = read_dataset(tmp_warehouse, "reports").set_index("source_file")
    assert MEMORY_LIMIT in reports.loc["bomb.pdf", "error"]
    assert "memory" not in reports.loc["minutes.pdf", "error"]  # failed for what it is, not for the bomb


def test_report_stops_a_decompression_bomb_at_the_memory_limit(tmp_path: Path, tmp_warehouse: Path,
                                                                bomb: bytes) -> None:
    pdf = tmp_path / "bomb.pdf"
    pdf.write_bytes(bomb)

    done = _budgetlake(tmp_path, "report", str(pdf), "--warehouse", str(tmp_warehouse), "--memory-limit-mb", "128")

    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith("failed") and MEMORY_LIMIT in done.stdout, done.stdout
    assert MEMORY_LIMIT in read_dataset(tmp_warehouse, "reports")["error"].iloc[0]


@pytest.mark.skipif(not SEED_PDF.is_file(), reason="seed sample PDF not rendered")
def test_a_report_over_its_time_limit_fails_naming_it(tmp_path: Path, tmp_warehouse: Path) -> None:
    # a microsecond: no report can be read in that time, so the limit always stops it
    done = _budgetlake(tmp_path, "report", str(SEED_PDF), "--warehouse", str(tmp_warehouse),
                       "--time-limit-s", "0.000001")

    assert done.returncode == 2, done.stderr
    assert "time limit (1e-06 s per report)" in done.stdout, done.stdout
    [stored] = read_dataset(tmp_warehouse, "reports").to_dict("records")
    assert stored["status"] == "failed" and "time limit" in stored["error"]


def test_the_flow_stops_a_decompression_bomb_at_the_memory_limit(prefect_harness, tmp_path: Path,
                                                                  tmp_warehouse: Path, bomb: bytes) -> None:
    from flows.ingest import ingest

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bomb.pdf").write_bytes(bomb)
    (folder / "minutes.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))

    outcomes = {o.source_file: o for o in ingest([str(folder)], str(tmp_warehouse), workers=2,
                                                 memory_limit_mb=128)}

    assert MEMORY_LIMIT in outcomes["bomb.pdf"].error
    assert outcomes["minutes.pdf"].status == "failed" and "memory" not in outcomes["minutes.pdf"].error
