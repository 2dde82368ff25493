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
from transform.report_frames import ReportFrames, transform_report

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
FINAL = SHARED / "corpus" / "final_accounts"
BUDGETS = SHARED / "corpus" / "budgets"
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
    for folder in (FINAL, BUDGETS, SAMPLES):
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


# A subject code as a budget's text layer prints it: 类 款 项 as 3 + 2 + 2 digits split by spaces, then its
# label; not part of a figure (no digit, comma or point before it). pdfium puts the rows of some
# continuation pages on one text line, so codes are looked for anywhere in a line, in order.
# A 类 printed short ("7 11 02": a print defect of one report) is kept as printed, to be compared apart.
_BUDGET_CODE = re.compile(r"(?<![\d,.])(\d{3}|\d{1,2}(?= \d{2}))(?: (\d{2}))?(?: (\d{2}))? (?=[\u4e00-\u9fff])")


def _printed_codes_anywhere(pdf: Path, table: str) -> list[str]:
    """Subject codes printed between the table's title and the next title, in text order. Independent of camelot."""
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
            if inside:
                codes += [" ".join(g for g in m.groups() if g) for m in _BUDGET_CODE.finditer(line)]
    return codes


def _same_code(extracted: str, printed: str) -> bool:
    """The extracted code is the printed one ("201 03 01" → 2010301); a 类 printed short is completed
    from the rows above (its 款 and 项 kept)."""
    segments = printed.split()
    if len(segments[0]) == 3:
        return extracted == "".join(segments)
    return len(extracted) == 3 + 2 * (len(segments) - 1) and extracted.endswith("".join(segments[1:]))


BUDGET_ROW_ORDER_CASES = [
    pytest.param(file, table, id=f"{short}-{table}")
    for file, short in (
        ("上海市普陀区人民政府办公室2025年单位预算.pdf", "bangongshi-unit"),
        ("上海市普陀区司法局2026年部门预算.pdf", "sifaju-dept"),
        ("上海市普陀区商务委员会2025年部门预算.pdf", "shangwu-dept"),
        ("上海市普陀区社会福利院2024年单位预算.pdf", "fuliyuan-unit"),
    )
    for table in (*FUNCTIONAL_SUBJECT_TABLES, "basic_expenditure")
]


@pytest.mark.skipif(not BUDGETS.is_dir(), reason="../shared/corpus/budgets is not beside the checkout")
@pytest.mark.parametrize("file,table", BUDGET_ROW_ORDER_CASES)
def test_every_printed_subject_row_of_a_budget_appears_once_in_order(file, table):
    pdf = _pdf_for(file)
    printed = _printed_codes_anywhere(pdf, table)
    assert len(printed) >= 5, "the oracle found too few subject lines to compare"
    frame = frames_of(pdf).tables[table]
    rows = frame.dropna(subset=["subject_code"]).drop_duplicates("row_no").sort_values("row_no")
    extracted = list(rows["subject_code"])
    assert len(extracted) == len(printed)
    assert all(_same_code(full, code) for full, code in zip(extracted, printed)), list(zip(extracted, printed))
    assert rows["row_no"].is_unique


@pytest.mark.skipif(not BUDGETS.is_dir(), reason="../shared/corpus/budgets is not beside the checkout")
def test_a_class_printed_short_is_completed_and_reported():
    # 福利院's 支出预算总表 and 一般公共预算支出功能分类预算表 print "7 11 02 事业单位医疗" under "210 11 行政事业单位医疗"
    frames = frames_of(_pdf_for("上海市普陀区社会福利院2024年单位预算.pdf"))
    notes = [r for r in frames.restorations if r["code_printed"] == "7 11 02"]
    assert {(r["table"], r["code_restored"]) for r in notes} == {
        ("expenditure", "2101102"), ("general_budget_expenditure", "2101102")}


@pytest.mark.skipif(not BUDGETS.is_dir(), reason="../shared/corpus/budgets is not beside the checkout")
@pytest.mark.parametrize(
    "file,table,side,subject_rows",
    [
        # counted by hand in the PDFs' text: coded rows over all pages of the table (收入/支出预算总表 and
        # 一般公共预算支出功能分类预算表 of 办公室: 201 with 5 below it, 208 with 5, 210 with 3, 221 with 3;
        # 基本支出经济分类预算表: 301 + 9 items, 302 + 13, 303 + 2, 310 + 1; 司法局: 301 + 8, 302 + 15, 303 + 1, 310 + 1)
        pytest.param("上海市普陀区人民政府办公室2025年单位预算.pdf", "income", None, 20, id="bangongshi-income"),
        pytest.param("上海市普陀区人民政府办公室2025年单位预算.pdf", "expenditure", None, 20, id="bangongshi-expenditure"),
        pytest.param("上海市普陀区人民政府办公室2025年单位预算.pdf", "general_budget_expenditure", None, 20, id="bangongshi-general"),
        pytest.param("上海市普陀区人民政府办公室2025年单位预算.pdf", "basic_expenditure", None, 29, id="bangongshi-basic"),
        pytest.param("上海市普陀区人民政府办公室2025年单位预算.pdf", "income_expenditure_summary", "expenditure", 4, id="bangongshi-summary"),
        pytest.param("上海市普陀区人民政府办公室2025年单位预算.pdf", "appropriation_summary", "expenditure", 4, id="bangongshi-appropriation"),
        pytest.param("上海市普陀区司法局2026年部门预算.pdf", "basic_expenditure", None, 29, id="sifaju-basic"),
        pytest.param("上海市普陀区司法局2026年部门预算.pdf", "income_expenditure_summary", "expenditure", 4, id="sifaju-summary"),
        # 福利院 prints 一般公共服务支出 with blank figures above its three classes with figures
        pytest.param("上海市普陀区社会福利院2024年单位预算.pdf", "income_expenditure_summary", "expenditure", 4, id="fuliyuan-summary"),
        pytest.param("上海市普陀区司法局2026年部门预算.pdf", "gov_fund", None, 0, id="sifaju-gov-fund-printed-empty"),
    ],
)
def test_budget_subject_row_counts(file, table, side, subject_rows):
    frame = frames_of(_pdf_for(file)).tables[table]
    if side is not None:
        frame = frame[frame["side"] == side]
    coded = frame.dropna(subset=["subject_code"])
    assert len(coded[["row_no", "subject_code"]].astype(str).drop_duplicates()) == subject_rows


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
