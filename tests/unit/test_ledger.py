"""The skip ledger alone: which entries are trusted, and that reading one needs neither pandas nor pyarrow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contracts import ledger

SHA = "ab" * 32
RID = SHA[:16]
REPORTS_FILE = f"reports/department=某局/year=2024/{RID}.parquet"


def _stored(warehouse: Path, **changes) -> dict:
    """A reports file of 7 bytes and the entry write_report would write for it, with changes applied."""
    reports_file = warehouse / REPORTS_FILE
    reports_file.parent.mkdir(parents=True)
    reports_file.write_bytes(b"PAR1...")
    os.utime(reports_file, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    row = {"report_id": RID, "source_sha256": SHA, "pipeline_version": "1.0", "status": "warnings", "error": None,
           "department": "某局", "year": 2024}
    entry = ledger.make_entry(row, ["warning:expenditure/class_sum"], REPORTS_FILE, reports_file.stat())
    entry.update(changes)
    ledger.write_entry(warehouse, entry, warehouse / ".tmp")
    return entry


def test_an_entry_round_trips_and_is_trusted(tmp_path: Path) -> None:
    written = _stored(tmp_path)
    assert written == {
        "format": 1, "report_id": RID, "source_sha256": SHA, "pipeline_version": "1.0", "status": "warnings",
        "error": None, "department": "某局", "year": 2024, "failed_checks": ["warning:expenditure/class_sum"],
        "reports_file": REPORTS_FILE, "reports_size": 7, "reports_mtime_ns": 1_700_000_000_000_000_000,
    }
    assert ledger.trusted_entry(tmp_path, SHA, "1.0") == written
    assert list((tmp_path / ".tmp").iterdir()) == []  # the temp file was renamed into place


@pytest.mark.parametrize(
    "changes, sha256, version",
    [
        pytest.param({}, "cd" + SHA[2:], "1.0", id="other-bytes-same-report-id"),
        pytest.param({}, SHA, "1.1", id="other-pipeline-version"),
        pytest.param({"reports_size": 8}, SHA, "1.0", id="reports-file-size-changed"),
        pytest.param({"reports_mtime_ns": 1_700_000_000_000_000_001}, SHA, "1.0", id="reports-file-mtime-changed"),
        pytest.param({"reports_file": f"reports/department=某局/year=2023/{RID}.parquet"}, SHA, "1.0",
                     id="reports-file-gone"),
        pytest.param({"reports_file": f"checks/department=某局/year=2024/{RID}.parquet"}, SHA, "1.0",
                     id="not-a-reports-file"),
        pytest.param({"reports_file": f"reports/../{REPORTS_FILE}"}, SHA, "1.0", id="path-climbs-out"),
        pytest.param({"format": 2}, SHA, "1.0", id="other-format"),
        pytest.param({"year": True}, SHA, "1.0", id="bool-for-int"),
        pytest.param({"failed_checks": [1]}, SHA, "1.0", id="checks-not-strings"),
        pytest.param({"status": None}, SHA, "1.0", id="no-status"),
    ],
)
def test_an_entry_that_does_not_fit_is_not_trusted(tmp_path: Path, changes: dict, sha256: str, version: str) -> None:
    _stored(tmp_path, **changes)
    assert ledger.trusted_entry(tmp_path, sha256, version) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param('{"format": 1, "report_id": "abababab', id="cut-off"),
        pytest.param("[1, 2]", id="not-an-object"),
        pytest.param(json.dumps({"format": 1, "report_id": "ffffffffffffffff"}), id="other-report"),
    ],
)
def test_an_unreadable_entry_is_no_entry(tmp_path: Path, text: str) -> None:
    _stored(tmp_path)
    ledger.entry_path(tmp_path, RID).write_text(text, encoding="utf-8")
    assert ledger.read_entry(tmp_path, RID) is None
    assert ledger.trusted_entry(tmp_path, SHA, "1.0") is None


def test_no_entry_and_no_warehouse(tmp_path: Path) -> None:
    assert ledger.trusted_entry(tmp_path / "nowhere", SHA, "1.0") is None
    assert ledger.remove_entry(tmp_path / "nowhere", RID) is None


def test_remove_entry(tmp_path: Path) -> None:
    _stored(tmp_path)
    assert ledger.remove_entry(tmp_path, RID) == tmp_path / ".ledger" / f"{RID}.json"
    assert ledger.remove_entry(tmp_path, RID) is None


def test_reading_the_ledger_imports_neither_pandas_nor_pyarrow(tmp_path: Path) -> None:
    _stored(tmp_path)
    script = (
        "import sys\n"
        "from contracts import ledger\n"
        f"entry = ledger.trusted_entry({str(tmp_path)!r}, {SHA!r}, '1.0')\n"
        "print(entry['status'], sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'pyarrow', 'numpy'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout == "warnings []\n"


@pytest.mark.parametrize(
    "marker, expected",
    [
        pytest.param({"format": 1, "partition": "department=某局/year=2024"}, "department=某局/year=2024", id="ok"),
        pytest.param({"format": 1, "partition": "../../elsewhere"}, None, id="outside-the-datasets"),
        pytest.param({"format": 1, "partition": "department=某局"}, None, id="not-a-partition"),
        pytest.param({"format": 1}, None, id="no-partition"),
        pytest.param(["department=某局/year=2024"], None, id="not-an-object"),
    ],
)
def test_pending_partitions_read_only_a_well_formed_marker(tmp_path: Path, marker, expected) -> None:
    path = ledger.pending_path(tmp_path, RID)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(marker, ensure_ascii=False), encoding="utf-8")
    assert ledger.pending_partitions(tmp_path, RID) == ({expected} if expected else set())


def test_a_pending_marker_is_written_read_and_cleared(tmp_path: Path) -> None:
    ledger.mark_pending(tmp_path, RID, "department=某局/year=2024", tmp_path / ".tmp")
    assert ledger.pending_partitions(tmp_path, RID) == {"department=某局/year=2024"}
    assert list((tmp_path / ".tmp").iterdir()) == []
    ledger.clear_pending(tmp_path, RID)
    assert ledger.pending_partitions(tmp_path, RID) == set()


def test_entry_partition_of_a_stored_report(tmp_path: Path) -> None:
    assert ledger.entry_partition(tmp_path, RID) is None
    _stored(tmp_path)
    assert ledger.entry_partition(tmp_path, RID) == "department=某局/year=2024"
