"""Scanned copies of the gold 决算 reports (rendered by the tests themselves) read by OCR against the gold."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from extract import ocr
from flows.pipeline import process_report
from bench.scanned import scanned_copy_bytes
from tests.goldfiles import GOLD_DIR
from tests.ocrgold import CORPUS, GOLD_REPORTS, compare_with_gold

pytestmark = [pytest.mark.corpus, pytest.mark.skipif(not GOLD_DIR.is_dir(), reason="../shared is not beside the checkout")]

SOCIAL = GOLD_REPORTS[1]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """The 收入支出决算总表 page kept as text, the two 收入决算表 pages as 150-dpi pictures: one PDF, both kinds."""
    root = tmp_path_factory.mktemp("ocr")
    pdf = root / "mixed.pdf"
    pdf.write_bytes(scanned_copy_bytes(CORPUS / f"{SOCIAL}.pdf", 150, [5, 6, 7], keep_text=frozenset({5})))
    warehouse = root / "warehouse"
    process_report(pdf, warehouse)
    return warehouse, hashlib.sha256(pdf.read_bytes()).hexdigest()[:16]


def test_mixed_pdf_is_read_page_by_page(mixed):
    warehouse, report_id = mixed
    report = pd.read_parquet(warehouse / "reports").iloc[0]
    assert (report["read_by"], report["ocr_pages"]) == ("text_layer+ocr", 2)
    assert set(report["tables_found"]) == {"income_expenditure_summary", "income"}


def test_every_cell_says_how_it_was_read(mixed):
    warehouse, _ = mixed
    tables = {}
    for table in ("income_expenditure_summary", "income"):
        folders = [f for f in (warehouse / "tables" / table, warehouse / "quarantine" / "tables" / table) if f.is_dir()]
        tables[table] = pd.concat([pd.read_parquet(f) for f in folders])
    summary, income = tables["income_expenditure_summary"], tables["income"]
    assert set(summary["read_by"]) == {"text_layer"} and summary["ocr_confidence"].isna().all()
    assert set(income["read_by"]) == {"ocr"}
    figures = income[income["amount_yuan"].notna()]
    assert len(figures) > 0 and figures["ocr_confidence"].between(900, 1000).all()


def test_recognised_figures_match_the_gold(mixed):
    warehouse, report_id = mixed
    result = compare_with_gold(warehouse, report_id, SOCIAL, tables={"income", "income_expenditure_summary"})
    assert result.unflagged == []
    assert result.total > 0 and result.exact_share >= 0.95, (result.null_with_finding, result.flagged_wrong)


@pytest.mark.parametrize(("angle", "noise", "min_exact"), [
    pytest.param(0.4, 0.0, 0.9, id="turned-0.4-degrees"),
    # one pixel in a hundred a random grey: figures with a speck on a stroke read doubtful
    pytest.param(0.0, 0.01, 0.75, id="speckled-1-percent"),
])
def test_a_skewed_or_speckled_scan_lands_no_wrong_figure_unflagged(angle, noise, min_exact, tmp_path):
    """The 收入支出决算总表 and 收入决算表 pages scanned at 200 dpi, turned slightly or with dust: every gold
    figure is exact or flagged (null with a finding, or a quarantined report), and most are exact."""
    pdf = tmp_path / "skewed.pdf"
    pdf.write_bytes(scanned_copy_bytes(CORPUS / f"{SOCIAL}.pdf", 200, [5, 6, 7], angle=angle, noise=noise, seed=7))
    process_report(pdf, tmp_path / "warehouse")
    result = compare_with_gold(tmp_path / "warehouse", hashlib.sha256(pdf.read_bytes()).hexdigest()[:16], SOCIAL,
                               tables={"income", "income_expenditure_summary"})
    assert result.unflagged == []
    print(f"angle {angle}, noise {noise}: {len(result.exact)}/{result.total} exact, "
          f"{len(result.null_with_finding)} null with a finding, {len(result.flagged_wrong)} in a quarantined report")
    assert result.total > 0 and result.exact_share >= min_exact, (result.null_with_finding, result.flagged_wrong)


@pytest.fixture
def cores_restored():
    yield ocr.share_cores
    ocr.share_cores(None)


def test_pages_read_at_once_read_as_one_after_another(cores_restored, tmp_path, caplog):
    """A worker given two cores reads two pages at a time (a thread and an engine each): the same text and
    grids as one page after another, and a progress line for every page."""
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(scanned_copy_bytes(CORPUS / f"{SOCIAL}.pdf", 150, [5, 6, 7]))
    document_pages = [1, 2, 3]
    cores_restored(1)
    one_by_one = ocr.recognise_pages(pdf, document_pages)
    cores_restored(2)
    assert ocr.pages_at_once() == 2
    with caplog.at_level("INFO", logger="budgetlake.ocr"):
        caplog.clear()  # only the lines of this reading (the logger may be at INFO already from an earlier test)
        two_at_once = ocr.recognise_pages(pdf, document_pages)
    assert list(two_at_once) == document_pages
    assert two_at_once == one_by_one
    assert sum(len(page.grids) for page in two_at_once.values()) >= 2
    lines = [r.getMessage() for r in caplog.records if r.name == "budgetlake.ocr"]
    assert sorted(int(line.split(" page ")[1].split()[0]) for line in lines) == document_pages


accuracy = pytest.mark.skipif(os.environ.get("BUDGETLAKE_OCR_ACCURACY") != "1",
                              reason="whole scanned reports take minutes: set BUDGETLAKE_OCR_ACCURACY=1")


@pytest.mark.ocr_accuracy
@accuracy
@pytest.mark.parametrize("dpi", [300, 150])
@pytest.mark.parametrize("stem", [pytest.param(s, id=s[:8]) for s in GOLD_REPORTS])
def test_whole_scanned_report_against_gold(stem, dpi, tmp_path):
    pdf = tmp_path / f"{stem}.pdf"
    pdf.write_bytes(scanned_copy_bytes(CORPUS / f"{stem}.pdf", dpi))
    outcome = process_report(pdf, tmp_path / "warehouse")
    report = pd.read_parquet(tmp_path / "warehouse" / "reports").iloc[0]
    assert (report["read_by"], outcome.status != "failed") == ("ocr", True)
    result = compare_with_gold(tmp_path / "warehouse", hashlib.sha256(pdf.read_bytes()).hexdigest()[:16], stem)
    print(f"{stem} {dpi} dpi: {len(result.exact)}/{result.total} exact, {len(result.null_with_finding)} null with "
          f"a finding, {len(result.flagged_wrong)} wrong in a quarantined report; status {result.status}")
    assert result.unflagged == []
    assert result.exact_share >= 0.95
