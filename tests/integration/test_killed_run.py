"""A run killed between any two file operations leaves only whole files visible, and the next run completes.

The skip ledger (contracts/ledger.py) is only a cache of the reports row: killed between the row and
its entry, or with an entry that no longer fits, the next run still skips exactly when the row says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from contracts import ledger
from contracts import warehouse as store
from flows.pipeline import PIPELINE_VERSION, ledger_outcome, process_report, unchanged_outcome
from tests.builders import SEED_PDF


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the pipeline catches it."""


def _visible_files(warehouse: Path) -> list[Path]:
    return sorted(p for p in warehouse.rglob("*.parquet") if ".tmp" not in p.relative_to(warehouse).parts)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A warehouse holding the seed report, written without interruption, and the outcome of that write."""
    warehouse = tmp_path_factory.mktemp("clean")
    outcome = process_report(SEED_PDF, warehouse)
    return warehouse, outcome


@pytest.fixture(scope="module")
def reference(clean):
    warehouse, _ = clean
    return [str(p.relative_to(warehouse)) for p in _visible_files(warehouse)]


@pytest.fixture(scope="module")
def seed_sha() -> str:
    return hashlib.sha256(SEED_PDF.read_bytes()).hexdigest()


def _kill_at(monkeypatch, kill_after: int) -> None:
    """os.replace (every rename into place: Parquet files and ledger entries) dies after kill_after calls."""
    real_replace = os.replace
    done = []

    def dying_replace(src, dst):
        if len(done) == kill_after:
            raise Killed()
        real_replace(src, dst)
        done.append(dst)

    monkeypatch.setattr(store.os, "replace", dying_replace)


def _copy_of(clean, tmp_path: Path) -> Path:
    """The clean warehouse copied with its mtimes (shutil.copy2), so its ledger entry still fits."""
    warehouse = tmp_path / "wh"
    shutil.copytree(clean[0], warehouse)
    return warehouse


FILES_PER_SEED_REPORT = 12  # nine tables, narrative, checks, reports; then its ledger entry
MARKERS_BEFORE_FILES = 1  # the ledger's pending marker of the write (contracts/ledger.py)


@pytest.mark.parametrize("kill_after", range(MARKERS_BEFORE_FILES + FILES_PER_SEED_REPORT))
def test_killed_while_writing_then_rerun(kill_after, reference, seed_sha, tmp_path, monkeypatch):
    assert len(reference) == FILES_PER_SEED_REPORT
    _kill_at(monkeypatch, kill_after)
    with pytest.raises(Killed):
        process_report(SEED_PDF, tmp_path)
    monkeypatch.undo()

    for path in _visible_files(tmp_path):
        pq.read_table(path)  # every visible file is whole
    assert store.find_by_sha(tmp_path, seed_sha, PIPELINE_VERSION) is None  # not taken as stored
    assert ledger.read_entry(tmp_path, seed_sha[:16]) is None

    outcome = process_report(SEED_PDF, tmp_path)
    assert not outcome.skipped and outcome.status == "warnings"
    assert [str(p.relative_to(tmp_path)) for p in _visible_files(tmp_path)] == reference
    assert not ledger.pending_path(tmp_path, seed_sha[:16]).exists()


def test_killed_between_reports_row_and_ledger_entry(clean, reference, seed_sha, tmp_path, monkeypatch):
    _kill_at(monkeypatch, MARKERS_BEFORE_FILES + FILES_PER_SEED_REPORT)
    with pytest.raises(Killed):
        process_report(SEED_PDF, tmp_path)
    monkeypatch.undo()

    assert [str(p.relative_to(tmp_path)) for p in _visible_files(tmp_path)] == reference
    assert ledger.read_entry(tmp_path, seed_sha[:16]) is None
    assert ledger_outcome(SEED_PDF, tmp_path, PIPELINE_VERSION, seed_sha) is None

    # The reports row landed: the report is stored, and skipped; the lookup fills in the missing entry.
    expected = replace(clean[1], skipped=True)
    assert process_report(SEED_PDF, tmp_path) == expected
    assert ledger_outcome(SEED_PDF, tmp_path, PIPELINE_VERSION, seed_sha) == expected


def test_a_forced_rerun_killed_at_its_first_file_leaves_no_entry_behind(clean, seed_sha, tmp_path, monkeypatch):
    warehouse = _copy_of(clean, tmp_path)
    assert ledger_outcome(SEED_PDF, warehouse, PIPELINE_VERSION, seed_sha) is not None
    _kill_at(monkeypatch, MARKERS_BEFORE_FILES)
    with pytest.raises(Killed):
        process_report(SEED_PDF, warehouse, force=True)
    monkeypatch.undo()

    assert ledger.read_entry(warehouse, seed_sha[:16]) is None
    assert unchanged_outcome(SEED_PDF, warehouse) is None  # processed again


def test_a_forced_rerun_killed_at_its_marker_leaves_the_stored_report_as_it_was(clean, reference, seed_sha,
                                                                                tmp_path, monkeypatch):
    warehouse = _copy_of(clean, tmp_path)
    _kill_at(monkeypatch, 0)
    with pytest.raises(Killed):
        process_report(SEED_PDF, warehouse, force=True)
    monkeypatch.undo()

    assert [str(p.relative_to(warehouse)) for p in _visible_files(warehouse)] == reference
    assert unchanged_outcome(SEED_PDF, warehouse) == replace(clean[1], skipped=True)  # no file was touched


def _edit_entry(warehouse: Path, report_id: str, **changes) -> None:
    path = ledger.entry_path(warehouse, report_id)
    entry = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**entry, **changes}, ensure_ascii=False), encoding="utf-8")


def _rewrite_reports_row(warehouse: Path, report_id: str, **changes) -> None:
    """Rewrite the reports file in place as a writer that knows nothing of the ledger would."""
    (path,) = (warehouse / "reports").glob(f"*/*/{report_id}.parquet")
    table = pq.read_table(path)
    for name, value in changes.items():
        index = table.schema.get_field_index(name)
        table = table.set_column(index, table.schema.field(index), pa.array([value], table.schema.field(index).type))
    stat = path.stat()
    pq.write_table(table, path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # coarse clocks: make the edit visible


@pytest.mark.parametrize(
    "tamper, skipped",
    [
        pytest.param(lambda w, rid: None, True, id="untouched"),
        pytest.param(lambda w, rid: _edit_entry(w, rid, reports_size=1), True, id="entry-size-wrong"),
        pytest.param(lambda w, rid: _edit_entry(w, rid, reports_mtime_ns=1), True, id="entry-mtime-wrong"),
        pytest.param(lambda w, rid: _edit_entry(w, rid, pipeline_version="0+old"), True, id="entry-version-wrong"),
        pytest.param(lambda w, rid: ledger.entry_path(w, rid).write_text("{", encoding="utf-8"), True,
                     id="entry-garbled"),
        pytest.param(lambda w, rid: next((w / "reports").glob(f"*/*/{rid}.parquet")).unlink(), False,
                     id="reports-file-missing"),
        pytest.param(lambda w, rid: _rewrite_reports_row(w, rid, pipeline_version="0+old"), False,
                     id="row-rewritten-by-an-older-version"),
        pytest.param(lambda w, rid: _rewrite_reports_row(w, rid, source_sha256="cd" * 32), False,
                     id="row-rewritten-for-other-bytes"),
        pytest.param(lambda w, rid: _rewrite_reports_row(w, rid, error="internal error: KeyError: 'x'"), False,
                     id="row-rewritten-as-internal-error"),
    ],
)
def test_a_stale_or_edited_entry_defers_to_the_reports_row(tamper, skipped, clean, seed_sha, tmp_path):
    warehouse = _copy_of(clean, tmp_path)
    tamper(warehouse, seed_sha[:16])

    outcome = unchanged_outcome(SEED_PDF, warehouse)

    assert outcome == (replace(clean[1], skipped=True) if skipped else None)
    if skipped:  # the entry fits again: the next lookup needs no Parquet
        assert ledger_outcome(SEED_PDF, warehouse, PIPELINE_VERSION, seed_sha) == outcome
