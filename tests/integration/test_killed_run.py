"""A run killed between any two file operations leaves only whole files visible, and the next run completes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from contracts import warehouse as store
from flows.pipeline import PIPELINE_VERSION, process_report
from tests.builders import SEED_PDF


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the pipeline catches it."""


def _visible_files(warehouse: Path) -> list[Path]:
    return sorted(p for p in warehouse.rglob("*.parquet") if ".tmp" not in p.relative_to(warehouse).parts)


def _reference_files(tmp_path_factory) -> list[str]:
    clean = tmp_path_factory.mktemp("clean")
    process_report(SEED_PDF, clean)
    return [str(p.relative_to(clean)) for p in _visible_files(clean)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return _reference_files(tmp_path_factory)


FILES_PER_SEED_REPORT = 11  # nine tables, checks, reports


@pytest.mark.parametrize("kill_after", range(FILES_PER_SEED_REPORT))
def test_killed_while_writing_then_rerun(kill_after, reference, tmp_path, monkeypatch):
    assert len(reference) == FILES_PER_SEED_REPORT
    real_replace = os.replace
    done = []

    def dying_replace(src, dst):
        if len(done) == kill_after:
            raise Killed()
        real_replace(src, dst)
        done.append(dst)

    monkeypatch.setattr(store.os, "replace", dying_replace)
    with pytest.raises(Killed):
        process_report(SEED_PDF, tmp_path)
    monkeypatch.setattr(store.os, "replace", real_replace)

    for path in _visible_files(tmp_path):
        pq.read_table(path)  # every visible file is whole
    sha = hashlib.sha256(SEED_PDF.read_bytes()).hexdigest()
    assert store.find_by_sha(tmp_path, sha, PIPELINE_VERSION) is None  # not taken as stored

    outcome = process_report(SEED_PDF, tmp_path)
    assert not outcome.skipped and outcome.status == "warnings"
    assert [str(p.relative_to(tmp_path)) for p in _visible_files(tmp_path)] == reference
