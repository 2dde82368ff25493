"""Every gold file in ../shared/gold and its sub-folders (v2 included): every figure exact, and the report metadata."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from extract.preflight import read_pdf_text
from extract.report import extract_report
from tests.goldfiles import GOLD_DIR, all_gold_files, read_gold_with_units
from transform.report_frames import ReportFrames, transform_report
from transform.units import unit_factor

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "data" / "samples"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not GOLD_DIR.is_dir() or not CORPUS.is_dir(), reason="../shared is not beside the checkout"),
]


def _pdf_for(name: str) -> Path:
    """The PDF a gold file names, wherever it sits under the corpus folders or the samples."""
    found = sorted(CORPUS.rglob(name)) + sorted(SAMPLES.glob(name))
    if not found:
        raise FileNotFoundError(f"{name}: not in {CORPUS} or {SAMPLES}")
    return found[0]


@lru_cache(maxsize=None)
def _frames(name: str) -> ReportFrames:
    return transform_report(extract_report(read_pdf_text(_pdf_for(name))))


GOLD = [pytest.param(path, id=str(path.relative_to(GOLD_DIR).with_suffix(""))) for path in all_gold_files()]


def test_the_gold_folders_are_followed():
    folders = {path.parent for path in all_gold_files()}
    assert GOLD_DIR in folders and GOLD_DIR / "v2" in folders


@pytest.mark.parametrize("gold", GOLD)
def test_every_gold_figure_is_exact(gold):
    meta, rows = read_gold_with_units(gold)
    frames = _frames(meta["file"])
    mismatches = []
    for table, side, key, measure, value, unit in rows:
        frame = frames.tables.get(table)
        if frame is None:
            mismatches.append((table, side, key, measure, value, "table not found"))
            continue
        match = (frame["measure"] == measure) & ((frame["item_key"] == key) | (frame["subject_code"] == key))
        if side != "-":
            match &= frame["side"] == side
        got = [None if pd.isna(a) else a for a in frame.loc[match, "amount_yuan"]]
        factor = unit_factor(unit or meta["unit_printed"])
        expected = None if value == "null" else Decimal(value) * factor
        if got != [expected]:
            mismatches.append((table, side, key, measure, value, got))
    assert mismatches == [], f"{len(mismatches)} of {len(rows)} figures differ"


@pytest.mark.parametrize("gold", GOLD)
def test_report_metadata_is_exact(gold):
    meta, _ = read_gold_with_units(gold)
    frames = _frames(meta["file"])
    keys = ("department", "year", "report_type", "scope", "unit_printed")
    assert {k: str(frames.meta[k]) for k in keys} == {k: meta[k] for k in keys}


@pytest.mark.parametrize("gold", GOLD)
def test_every_row_carries_the_reports_type_and_scope(gold):
    meta, _ = read_gold_with_units(gold)
    frames = _frames(meta["file"])
    for name, frame in frames.tables.items():
        assert set(frame["report_type"]) == {meta["report_type"]}, name
        assert set(frame["scope"]) == {meta["scope"]}, name
