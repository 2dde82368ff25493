"""Extraction end to end on the real 决算 PDFs and the seed sample, against the hand-read gold files."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from extract.errors import NotABudgetReport
from extract.locate import match_title
from extract.preflight import read_pdf_text
from extract.report import extract_report
from tests.goldfiles import gold_files, read_gold
from transform.report import ReportFrames, transform_report

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
FINAL = SHARED / "corpus" / "final_accounts"
SAMPLES = REPO / "data" / "samples"
NINE = {
    "income_expenditure_summary", "income", "expenditure", "appropriation_summary",
    "general_budget_expenditure", "basic_expenditure", "three_public", "gov_fund", "state_capital",
}
FUNCTIONAL_SUBJECT_TABLES = ("income", "expenditure", "general_budget_expenditure")

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not FINAL.is_dir(), reason="../shared/corpus is not beside the checkout"),
]


def _pdf_for(name: str) -> Path:
    for folder in (FINAL, SAMPLES):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(name)


@lru_cache(maxsize=None)
def frames_of(path: Path) -> ReportFrames:
    return transform_report(extract_report(read_pdf_text(path)))


GOLD_FILES = gold_files()


def _gold_cases():
    for gold in GOLD_FILES:
        meta, rows = read_gold(gold)
        for row in rows:
            yield pytest.param(meta["file"], *row, id=f"{gold.stem[:12]}-{row[0]}-{row[1]}-{row[2]}-{row[3]}")


@pytest.mark.parametrize("file,table,side,key,measure,value", list(_gold_cases()))
def test_gold_figure_is_extracted_exactly(file, table, side, key, measure, value):
    frames = frames_of(_pdf_for(file))
    frame = frames.tables[table]
    match = (frame["measure"] == measure) & ((frame["item_key"] == key) | (frame["subject_code"] == key))
    if side != "-":
        match &= frame["side"] == side
    hits = frame[match]
    assert len(hits) == 1, f"{table}/{side}/{key}/{measure}: {len(hits)} cells"
    amount = hits["amount_yuan"].iloc[0]
    if value == "null":
        assert amount is None or amount is __import__("pandas").NA
    else:
        assert amount == Decimal(value) * 10000  # the gold figures are printed in 万元


@pytest.mark.parametrize("gold", [pytest.param(g, id=g.stem[:16]) for g in GOLD_FILES])
def test_report_metadata_matches_gold(gold):
    meta, _ = read_gold(gold)
    frames = frames_of(_pdf_for(meta["file"]))
    got = {k: str(frames.meta[k]) for k in ("department", "year", "report_type", "scope", "unit_printed")}
    assert got == {k: meta[k] for k in got}


@pytest.mark.parametrize(
    "file",
    [
        pytest.param("上海市普陀区财政局2024年度部门决算.pdf", id="caizhengju"),
        pytest.param("中共上海市普陀区委社会工作部2024年度部门决算.pdf", id="shehuigongzuobu"),
        pytest.param("部门决算模板-上海2024.pdf", id="template"),
        pytest.param("武汉市硚口区司法局2024年度部门决算公开.pdf", id="seed"),
    ],
)
def test_all_nine_tables_are_found(file):
    assert set(frames_of(_pdf_for(file)).meta["tables_found"]) == NINE


def test_template_yields_nine_tables_and_no_amounts():
    frames = frames_of(FINAL / "部门决算模板-上海2024.pdf")
    assert set(frames.tables) == NINE
    assert frames.meta["department"] == "上海市XX局"
    for name, frame in frames.tables.items():
        assert frame["amount_yuan"].notna().sum() == 0, name
    # the template still prints its row labels: the class rows of the summary are there
    summary = frames.tables["income_expenditure_summary"]
    assert "201" in set(summary["subject_code"].dropna())


def test_altered_report_reports_what_is_printed():
    frames = frames_of(FINAL / "上海市普陀区财政局2024年度部门决算-篡改样例.pdf")
    assert set(frames.meta["tables_found"]) == NINE - {"expenditure"}
    assert frames.meta["department"] == "上海市普陀区财政局"  # the cover's name, not the altered table section's


def _printed_codes(pdf: Path, table: str) -> list[str]:
    """Subject codes at the start of the text lines between the table's title and the next title.

    An oracle independent of camelot: the PDF's own text layer, read line by line.
    """
    text = read_pdf_text(pdf)
    codes: list[str] = []
    inside = False
    for page_text in text.page_texts:
        if len({match_title(line) for line in page_text.splitlines()} - {None}) >= 3:
            continue  # table of contents
        for line in page_text.splitlines():
            titled = match_title(line)
            if titled is not None:
                inside = titled == table
                continue
            if not inside:
                continue
            match = re.match(r"^\s*(\d{3})(?:\s+(\d{2}))?(?:\s+(\d{2}))?(?=\s|$)|^\s*(\d{5}|\d{7})(?=\s|$)", line)
            if match:
                codes.append("".join(g for g in match.groups() if g))
    return codes


ROW_ORDER_CASES = [
    pytest.param(file, table, id=f"{short}-{table}")
    for file, short in (
        ("上海市普陀区财政局2024年度部门决算.pdf", "caizhengju"),
        ("中共上海市普陀区委社会工作部2024年度部门决算.pdf", "shehuigongzuobu"),
        ("武汉市硚口区司法局2024年度部门决算公开.pdf", "seed"),
    )
    for table in FUNCTIONAL_SUBJECT_TABLES
]


@pytest.mark.parametrize("file,table", ROW_ORDER_CASES)
def test_every_printed_subject_row_appears_once_in_order(file, table):
    pdf = _pdf_for(file)
    printed = _printed_codes(pdf, table)
    assert len(printed) >= 5, "the oracle found too few subject lines to compare"
    frame = frames_of(pdf).tables[table]
    rows = frame.dropna(subset=["subject_code"]).drop_duplicates("row_no").sort_values("row_no")
    extracted = list(rows["subject_code"])
    assert len(extracted) == len(printed)
    # restored codes extend the printed (cut) code
    assert all(full.startswith(cut) for full, cut in zip(extracted, printed)), list(zip(extracted, printed))
    assert rows["row_no"].is_unique


@pytest.mark.parametrize(
    "file,table,subject_rows",
    [
        # counted by hand in the PDFs: coded subject cells of the table, all pages and side-by-side
        # column groups together (财政局 基本支出: 19 rows x 2 groups on p16, 7 + 19 on p17)
        pytest.param("上海市普陀区财政局2024年度部门决算.pdf", "income", 19, id="caizhengju-income"),
        pytest.param("上海市普陀区财政局2024年度部门决算.pdf", "expenditure", 19, id="caizhengju-expenditure"),
        pytest.param("上海市普陀区财政局2024年度部门决算.pdf", "basic_expenditure", 64, id="caizhengju-basic"),
        pytest.param("武汉市硚口区司法局2024年度部门决算公开.pdf", "expenditure", 26, id="seed-expenditure"),
        pytest.param("武汉市硚口区司法局2024年度部门决算公开.pdf", "basic_expenditure", 62, id="seed-basic"),
    ],
)
def test_subject_row_counts(file, table, subject_rows):
    frame = frames_of(_pdf_for(file)).tables[table]
    coded = frame.dropna(subset=["subject_code"])
    keys = coded[["row_no", "side", "subject_code"]].astype(str).drop_duplicates()
    assert len(keys) == subject_rows


def test_seed_cut_codes_are_restored_and_recorded():
    frames = frames_of(SAMPLES / "武汉市硚口区司法局2024年度部门决算公开.pdf")
    restored = {(r["code_printed"], r["code_restored"]) for r in frames.restorations}
    assert ("20406", "2040601") in restored
    assert ("22102", "2210202") in restored
    assert all(r["table"] == "expenditure" for r in frames.restorations)
    assert len(frames.restorations) == 18  # 9 司法 + 3 养老 + 4 医疗 + 2 住房 项 rows print cut codes


def test_a_pdf_with_no_standard_table_is_not_a_budget_report(tmp_path, pdf_builders):
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf_builders.text_pdf(["Minutes of the gardening club", "tomatoes and beans"]))
    with pytest.raises(NotABudgetReport, match="none of the standard budget tables"):
        extract_report(read_pdf_text(path))


@pytest.mark.parametrize(
    "file",
    [
        pytest.param("上海市普陀区财政局2024年度部门决算.pdf", id="caizhengju"),
        pytest.param("武汉市硚口区司法局2024年度部门决算公开.pdf", id="seed"),
        pytest.param("部门决算模板-上海2024.pdf", id="template"),
    ],
)
def test_declared_key_identifies_every_cell(file):
    from contracts.declarations import dataset

    key = list(dataset("table_cells").key)
    for name, frame in frames_of(_pdf_for(file)).tables.items():
        assert not frame[key].astype(str).duplicated().any(), name



def test_a_pdf_naming_tables_without_printing_any_is_not_a_budget_report(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "memo.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(60, 780, "关于报送部门决算的通知")
    pdf.drawString(60, 750, "收入决算表")  # a title alone, no table under it
    pdf.drawString(60, 720, "请各单位于十月底前按统一格式报送本部门决算公开材料。")
    pdf.showPage()
    pdf.save()
    with pytest.raises(NotABudgetReport, match="no table could be read"):
        extract_report(read_pdf_text(path))
