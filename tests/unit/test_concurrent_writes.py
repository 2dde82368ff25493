"""Two runs on one warehouse, and readers during a write (issue 13): races injected at fixed points, no timing.

A second writer is a real second process, run to completion at a chosen point of the first write
(between its temp file and the rename into place); a reader looks at the warehouse after every
file operation of a rewrite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.dataset as pads
import pytest

import contracts.warehouse as store
from contracts.checks import run_checks
from contracts.warehouse import write_report
from tests.frames import long_frame

SHA = "ef" * 32
RID = SHA[:16]
DEPT = "武汉市硚口区司法局"
REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    from contracts.checks import run_checks
    from contracts.warehouse import write_report
    from tests.unit.test_concurrent_writes import row, tables
    warehouse, year = sys.argv[1], int(sys.argv[2])
    write_report(warehouse, row(year=year), tables(), run_checks(row()["report_id"], tables()), False)
""")


def row(**kw) -> dict:
    values = dict(report_id=RID, source_file="a.pdf", source_sha256=SHA, report_type="final_accounts",
                  scope="department", department=DEPT, year=2024, unit_printed="万元", pages=1,
                  tables_found=["expenditure", "income"], status="valid", error=None, pipeline_version="0.1.0")
    values.update(kw)
    return values


def tables(names=("expenditure", "income")) -> dict:
    frames = {"expenditure": long_frame(RID, "expenditure", [(None, "total", "total", "3.00")]),
              "income": long_frame(RID, "income", [(None, "total", "total", "3.00")])}
    return {name: frames[name] for name in names}


def _write(warehouse: Path, quarantined: bool = False, names=("expenditure", "income"), **kw) -> None:
    frames = tables(names)
    write_report(warehouse, row(**kw), frames, run_checks(RID, frames), quarantined)


def _other_process_writes(warehouse: Path, year: int = 2024) -> None:
    """A second run writing the same report, start to end, in another process."""
    subprocess.run([sys.executable, "-c", WRITER, str(warehouse), str(year)], cwd=REPO, check=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)})


def _stored(warehouse: Path, dataset: str) -> list[tuple]:
    root = warehouse / dataset
    if not root.exists() or not any(root.rglob("*.parquet")):
        return []
    table = pads.dataset(root, format="parquet", partitioning="hive").to_table()
    return sorted(zip(table.column("report_id").to_pylist(), table.column("year").to_pylist()))


def test_another_run_writing_the_same_report_meanwhile_deletes_nothing_of_this_one(tmp_path, monkeypatch) -> None:
    _write(tmp_path)
    real_replace, interleaved = os.replace, []

    def replace_after_another_run(src, dst):
        if str(dst).endswith(".parquet") and not interleaved:  # our first temp file is written, not yet renamed
            interleaved.append(dst)
            _other_process_writes(tmp_path)
        real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", replace_after_another_run)
    _write(tmp_path)  # the --force rewrite of this run
    monkeypatch.undo()

    assert interleaved
    for dataset in ("reports", "checks", "tables/expenditure", "tables/income"):
        assert {r for r, _ in _stored(tmp_path, dataset)} == {RID}, dataset
    assert len(_stored(tmp_path, "reports")) == 1
    assert not store.ledger.pending_path(tmp_path, RID).exists()


@pytest.mark.parametrize("first, second", [
    pytest.param({}, {}, id="same-partition"),
    pytest.param({"year": 2023}, {}, id="into-another-partition"),
    pytest.param({}, {"quarantined": True, "status": "quarantined", "error": "x"}, id="into-quarantine"),
    pytest.param({}, {"names": ("expenditure",)}, id="one-table-less"),
])
def test_a_reader_never_sees_the_report_disappear_during_a_rewrite(tmp_path, monkeypatch, first, second) -> None:
    _write(tmp_path, **first)
    seen_missing: list[str] = []
    datasets = ["reports", "checks", "tables/expenditure"]

    def look() -> None:
        for dataset in datasets:
            quarantined = _stored(tmp_path, f"quarantine/{dataset}") if dataset.startswith("tables") else []
            if not any(r == RID for r, _ in _stored(tmp_path, dataset) + quarantined):
                seen_missing.append(dataset)

    real_replace, real_unlink = os.replace, Path.unlink

    def replace_then_look(src, dst):
        real_replace(src, dst)
        look()

    def unlink_then_look(path, missing_ok=False):
        real_unlink(path, missing_ok=missing_ok)
        look()

    monkeypatch.setattr(store.os, "replace", replace_then_look)
    monkeypatch.setattr(Path, "unlink", unlink_then_look)
    _write(tmp_path, **second)
    monkeypatch.undo()

    assert seen_missing == []
    year = second.get("year", 2024)
    assert _stored(tmp_path, "reports") == [(RID, year)]  # and no old file left once the write is done
    root = "quarantine/tables" if second.get("quarantined") else "tables"
    other = "tables" if second.get("quarantined") else "quarantine/tables"
    assert _stored(tmp_path, f"{root}/expenditure") == [(RID, year)]
    assert _stored(tmp_path, f"{other}/expenditure") == []
    assert _stored(tmp_path, f"{root}/income") == ([(RID, year)] if "names" not in second else [])
