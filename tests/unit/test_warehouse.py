"""The Parquet warehouse: layout, replace-on-rerun, quarantine moves, hidden temp files, read-back, skip ledger."""

import json
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from contracts.checks import run_checks
from tests.frames import long_frame
from contracts.warehouse import find_by_sha, find_report, read_checks, record_in_ledger, remove_report, write_report

SHA = "ab" * 32
RID = SHA[:16]
DEPT = "武汉市硚口区司法局"


def _row(**kw):
    row = dict(report_id=RID, source_file="a.pdf", source_sha256=SHA, report_type="final_accounts", scope="department",
               department=DEPT, year=2024, unit_printed="万元", pages=12, tables_found=["expenditure"],
               status="valid", error=None, pipeline_version="0.1.0")
    row.update(kw)
    return row


def _tables():
    return {"expenditure": long_frame(RID, "expenditure", [(None, "total", "total", "3469.73"), (None, "204", "total", "2761.28")])}


def _write(w, quarantined=False, **kw):
    tables = _tables()
    write_report(w, _row(**kw), tables, run_checks(RID, tables), quarantined)


def _files(w: Path):
    """The dataset files (not the hidden .tmp/ and .ledger/ folders)."""
    return sorted(str(p.relative_to(w)) for p in w.rglob("*")
                  if p.is_file() and not {".tmp", ".ledger"} & set(p.relative_to(w).parts))


def _entry(w: Path) -> dict:
    return json.loads((w / ".ledger" / f"{RID}.json").read_text(encoding="utf-8"))


FAILED_CHECKS_OF_TABLES = [  # what run_checks finds in _tables(): the expenditure table alone (no contents list: the
    # summary and income tables every template prints are missing), its total row unsummed
    "error:income_expenditure_summary/table_present",
    "error:income/table_present",
    "error:expenditure/hierarchy_total",
]


def test_layout(tmp_path):
    _write(tmp_path)
    assert _files(tmp_path) == [
        f"checks/department={DEPT}/year=2024/{RID}.parquet",
        f"reports/department={DEPT}/year=2024/{RID}.parquet",
        f"tables/expenditure/department={DEPT}/year=2024/{RID}.parquet",
    ]
    assert sorted(p.name for p in (tmp_path / ".ledger").iterdir()) == [f"{RID}.json"]


def test_rerun_replaces_and_is_idempotent(tmp_path):
    _write(tmp_path)
    first = pd.read_parquet(tmp_path / "tables" / "expenditure")
    _write(tmp_path)
    assert len(_files(tmp_path)) == 3
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "tables" / "expenditure"), first)
    a = pd.read_parquet(tmp_path / "checks")
    assert len(a) == len(run_checks(RID, _tables()))


def test_rerun_moves_to_quarantine_and_new_partition(tmp_path):
    _write(tmp_path)
    _write(tmp_path, quarantined=True, year=2023, status="quarantined", error="row_total failed")
    assert _files(tmp_path) == [
        f"checks/department={DEPT}/year=2023/{RID}.parquet",
        f"quarantine/tables/expenditure/department={DEPT}/year=2023/{RID}.parquet",
        f"reports/department={DEPT}/year=2023/{RID}.parquet",
    ]
    assert find_report(tmp_path, RID)["status"] == "quarantined"


def test_other_reports_untouched(tmp_path):
    other = tmp_path / "tables" / "expenditure" / f"department={DEPT}" / "year=2024" / "ffffffffffffffff.parquet"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"x")
    _write(tmp_path)
    assert other.read_bytes() == b"x"


def test_failed_report_goes_to_unknown_partition(tmp_path):
    write_report(tmp_path, _row(department=None, year=None, status="failed", error="encrypted", report_type=None,
                                tables_found=[], pages=None), {}, run_checks(RID, {}).iloc[0:0], False)
    assert _files(tmp_path) == [
        f"checks/department=_unknown/year=0/{RID}.parquet",
        f"reports/department=_unknown/year=0/{RID}.parquet",
    ]
    row = find_report(tmp_path, RID)
    assert (row["department"], row["year"], row["status"], row["pages"], row["tables_found"]) == ("_unknown", 0, "failed", None, [])


def test_bad_frame_is_refused_before_anything_is_written(tmp_path):
    tables = _tables()
    tables["expenditure"]["side"] = "left"
    with pytest.raises(Exception):
        write_report(tmp_path, _row(), tables, run_checks(RID, _tables()), False)
    assert _files(tmp_path) == []


def _temp_folder_of_another_process(w: Path, token: str, hold_lock: bool):
    """A temp folder as another process leaves it (contracts/scratch.py): its lock file held while it lives."""
    import fcntl

    (w / ".tmp" / token).mkdir(parents=True)
    partial = w / ".tmp" / token / f"{RID}.table_cells.0123456789ab.tmp"
    partial.write_bytes(b"partial garbage")
    lock = open(w / ".tmp" / f"{token}.lock", "w")
    if hold_lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # another open file: conflicts as another process's would
        return partial, lock
    lock.close()
    return partial, None


def test_temp_files_are_invisible_and_cleaned(tmp_path):
    """Changed for issue 13: a write no longer deletes every .tmp/<report_id>.* (another live run's files among
    them); it removes the temp folders of processes that are gone, and never a live one's."""
    _write(tmp_path)
    leftover, _ = _temp_folder_of_another_process(tmp_path, "1-dead", hold_lock=False)  # a run killed mid-write
    in_progress, lock = _temp_folder_of_another_process(tmp_path, "2-alive", hold_lock=True)  # a run writing now
    assert len(pd.read_parquet(tmp_path / "tables" / "expenditure")) == 2
    assert len(duckdb.sql(f"select * from read_parquet('{tmp_path}/tables/expenditure/**/*.parquet', hive_partitioning=true)").fetchall()) == 2
    assert pl.read_parquet(tmp_path / "tables" / "expenditure", hive_partitioning=True).height == 2
    _write(tmp_path)
    assert not leftover.exists() and not (tmp_path / ".tmp" / "1-dead.lock").exists()
    assert in_progress.read_bytes() == b"partial garbage"
    lock.close()  # that run ends
    _write(tmp_path)
    assert not in_progress.exists()


def test_read_back_partitions_and_exact_decimals(tmp_path):
    _write(tmp_path)
    root = tmp_path / "tables" / "expenditure"
    df = pd.read_parquet(root)
    assert set(df["department"].astype(str)) == {DEPT}
    assert set(df["year"].astype(int)) == {2024}
    assert sorted(df["amount_yuan"]) == [Decimal("27612800.00"), Decimal("34697300.00")]
    con = duckdb.connect()
    rows = con.sql(f"select department, year, amount_yuan from read_parquet('{root}/**/*.parquet', hive_partitioning=true) order by amount_yuan").fetchall()
    assert rows == [(DEPT, 2024, Decimal("27612800.00")), (DEPT, 2024, Decimal("34697300.00"))]
    pl_df = pl.read_parquet(root, hive_partitioning=True).sort("amount_yuan")
    assert pl_df["department"].to_list() == [DEPT, DEPT]
    assert pl_df["year"].dtype.is_integer() and pl_df["year"].to_list() == [2024, 2024]
    assert pl_df["amount_yuan"].to_list() == [Decimal("27612800.00"), Decimal("34697300.00")]


def test_find_by_sha_and_read_checks(tmp_path):
    assert find_report(tmp_path, RID) is None
    _write(tmp_path)
    assert find_by_sha(tmp_path, SHA, "0.1.0")["report_id"] == RID
    assert find_by_sha(tmp_path, SHA, "0.2.0") is None
    assert find_by_sha(tmp_path, "cd" * 32, "0.1.0") is None
    checks = read_checks(tmp_path, RID)
    assert len(checks) == len(run_checks(RID, _tables())) and "department" not in checks
    assert read_checks(tmp_path, "0" * 16).empty


def test_writes_leave_no_temp_file(tmp_path):
    """(issue 13: besides the entry, only this process's lock file of its temp folder remains while it lives)"""
    _write(tmp_path)
    assert [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
            if p.is_file() and not p.name.endswith(".parquet")] == [f".ledger/{RID}.json",
                                                                     *[str(p.relative_to(tmp_path)) for p in
                                                                       (tmp_path / ".tmp").glob(f"{os.getpid()}-*.lock")]]
    assert [list(folder.iterdir()) for folder in (tmp_path / ".tmp").iterdir() if folder.is_dir()] == [[]]
    assert os.listdir(tmp_path)  # something was written


def test_lookups_against_one_snapshot_of_the_warehouse(tmp_path):
    from contracts.warehouse import stored_reports

    assert stored_reports(tmp_path) == {}
    _write(tmp_path)
    stored = stored_reports(tmp_path)
    assert stored == {RID: tmp_path / "reports" / f"department={DEPT}" / "year=2024" / f"{RID}.parquet"}
    assert find_by_sha(tmp_path, SHA, "0.1.0", stored)["report_id"] == RID
    assert find_by_sha(tmp_path, "cd" * 32, "0.1.0", stored) is None
    assert len(read_checks(tmp_path, RID, stored)) == len(run_checks(RID, _tables()))
    assert find_report(tmp_path, RID, {}) is None  # the snapshot is what is looked at


# ---------- skip ledger ----------


def test_ledger_entry_mirrors_the_reports_row_and_its_file(tmp_path):
    _write(tmp_path)
    reports_file = tmp_path / "reports" / f"department={DEPT}" / "year=2024" / f"{RID}.parquet"
    stat = reports_file.stat()
    assert _entry(tmp_path) == {
        "format": 1, "report_id": RID, "source_sha256": SHA, "pipeline_version": "0.1.0", "status": "valid",
        "error": None, "department": DEPT, "year": 2024, "failed_checks": FAILED_CHECKS_OF_TABLES,
        "reports_file": f"reports/department={DEPT}/year=2024/{RID}.parquet",
        "reports_size": stat.st_size, "reports_mtime_ns": stat.st_mtime_ns,
    }


def test_ledger_entry_of_a_failed_report_names_the_unknown_partition(tmp_path):
    write_report(tmp_path, _row(department=None, year=None, status="failed", error="encrypted", report_type=None,
                                tables_found=[], pages=None), {}, run_checks(RID, {}).iloc[0:0], False)
    entry = _entry(tmp_path)
    assert (entry["department"], entry["year"], entry["status"], entry["error"], entry["failed_checks"]) == (
        "_unknown", 0, "failed", "encrypted", [])
    assert entry["reports_file"] == f"reports/department=_unknown/year=0/{RID}.parquet"


def test_a_rewrite_deletes_the_entry_before_it_touches_any_file(tmp_path, monkeypatch):
    """(issue 13: a rewrite renames new files over the old ones instead of deleting them first; the first
    Parquet file it touches is refused here)"""
    import contracts.warehouse as store

    _write(tmp_path)
    before = _files(tmp_path)
    real_replace = os.replace

    def parquet_files_stuck(src, dst):
        if str(dst).endswith(".parquet"):
            raise PermissionError(f"cannot replace {Path(dst).name}")
        real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", parquet_files_stuck)
    with pytest.raises(PermissionError):
        _write(tmp_path, status="warnings")
    assert not (tmp_path / ".ledger" / f"{RID}.json").exists()
    assert _files(tmp_path) == before  # every file still there, none vouched for


def test_remove_report_removes_the_entry(tmp_path):
    _write(tmp_path)
    removed = remove_report(tmp_path, RID)
    assert tmp_path / ".ledger" / f"{RID}.json" in removed
    assert list((tmp_path / ".ledger").iterdir()) == []


def test_record_in_ledger_rebuilds_the_entry_write_report_wrote(tmp_path):
    _write(tmp_path, status="warnings", error=None)
    written = _entry(tmp_path)
    (tmp_path / ".ledger" / f"{RID}.json").unlink()
    assert record_in_ledger(tmp_path, RID) is True
    assert _entry(tmp_path) == written
    assert record_in_ledger(tmp_path, "0" * 16) is False  # not stored: nothing to record


# ---------- where a rewrite looks for the report's old files ----------

OLD_PARTITION = f"department={DEPT}/year=2023"


def _old_files(w: Path) -> list[str]:
    return [f for f in _files(w) if "/year=2023/" in f]


def _without_ledger(w: Path) -> None:
    for path in (w / ".ledger").iterdir():
        path.unlink()


@pytest.mark.parametrize(
    "previous, ledger_kept, old_left",
    [
        pytest.param(None, True, [], id="found-by-its-ledger-entry"),
        pytest.param(None, False, [], id="found-by-walking-reports"),
        pytest.param([OLD_PARTITION], False, [], id="named-by-the-caller"),
        pytest.param([], True, [], id="caller-knows-nothing-but-the-entry-does"),
        # the caller's snapshot is trusted: it said the report was not stored, and no entry says otherwise
        pytest.param([], False, [f"checks/{OLD_PARTITION}/{RID}.parquet", f"reports/{OLD_PARTITION}/{RID}.parquet",
                                 f"tables/expenditure/{OLD_PARTITION}/{RID}.parquet"], id="caller-says-not-stored"),
    ],
)
def test_a_rewrite_into_another_partition_removes_the_old_files(tmp_path, previous, ledger_kept, old_left):
    _write(tmp_path, year=2023)
    if not ledger_kept:
        _without_ledger(tmp_path)

    tables = _tables()
    write_report(tmp_path, _row(), tables, run_checks(RID, tables), False, previous_partitions=previous)

    assert _old_files(tmp_path) == old_left
    assert f"reports/department={DEPT}/year=2024/{RID}.parquet" in _files(tmp_path)


def test_a_write_killed_midway_is_cleaned_up_by_the_next_one_in_another_partition(tmp_path, monkeypatch):
    import contracts.warehouse as store
    from contracts import ledger

    real_replace, calls = os.replace, []

    def dying_replace(src, dst):  # the pending marker, then two files, then the process dies
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        _write(tmp_path, year=2023)
    monkeypatch.undo()
    assert len(_old_files(tmp_path)) == 2 and OLD_PARTITION in ledger.pending_partitions(tmp_path, RID)

    # say the next pipeline version reads another year: the marker tells where the killed write was
    tables = _tables()
    write_report(tmp_path, _row(), tables, run_checks(RID, tables), False, previous_partitions=[])

    assert _old_files(tmp_path) == []
    assert not ledger.pending_path(tmp_path, RID).exists()


def _narrative_frame(amount: str):
    from transform.report_frames import to_frame

    return to_frame(RID, [{"figure_no": 1, "page": 21, "section": "收入支出决算总体情况说明",
                           "sentence": f"某局2024年度收入支出总计{amount}万元。",
                           "quantity": "income_expenditure_summary.income.grand_total.amount",
                           "amount_yuan": Decimal(amount) * 10000, "unit_printed": "万元"}],
                    "final_accounts", "department", "narrative")


@pytest.mark.parametrize(
    "quarantined, folder",
    [pytest.param(False, "narrative", id="published"), pytest.param(True, "quarantine/narrative", id="quarantined")],
)
def test_narrative_is_written_beside_the_tables_and_replaced_on_rerun(tmp_path, quarantined, folder):
    tables = _tables()
    write_report(tmp_path, _row(), tables, run_checks(RID, tables), False, narrative=_narrative_frame("2995.39"))
    write_report(tmp_path, _row(year=2025), tables, run_checks(RID, tables), quarantined,
                 narrative=_narrative_frame("0.3"))
    assert [f for f in _files(tmp_path) if "narrative" in f] == [f"{folder}/department={DEPT}/year=2025/{RID}.parquet"]
    back = pd.read_parquet(tmp_path / folder)
    assert back[["department", "year", "page", "quantity", "amount_yuan"]].astype({"department": str}).to_dict("records") == [
        {"department": DEPT, "year": 2025, "page": 21, "quantity": "income_expenditure_summary.income.grand_total.amount",
         "amount_yuan": Decimal("3000.00")}]


def test_an_empty_narrative_still_gets_its_file(tmp_path):
    from transform.report_frames import to_frame

    tables = _tables()
    write_report(tmp_path, _row(), tables, run_checks(RID, tables), False,
                 narrative=to_frame(RID, [], "final_accounts", "department", "narrative"))
    assert len(pd.read_parquet(tmp_path / "narrative")) == 0
