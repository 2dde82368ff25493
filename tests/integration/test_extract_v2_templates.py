"""The CONTRACT v2 templates end to end: Jiangsu provincial budgets and a university's budget and 决算.

Row sequences and counts below were read by hand from the PDFs' text (../shared/corpus/v2);
the gold figures are checked by the generic gold test.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from contracts.declarations import dataset
from extract.errors import NotABudgetReport
from extract.preflight import read_pdf_text
from extract.report import extract_report
from transform.report_frames import ReportFrames, transform_report

REPO = Path(__file__).resolve().parents[2]
V2 = REPO.parent / "shared" / "corpus" / "v2"
COURT = V2 / "budgets" / "江苏省高级人民法院2019年度部门预算.pdf"
CPPCC_TABLES = V2 / "budgets" / "江苏省政协办公厅2018年度部门预算公开表.pdf"
CPPCC_NARRATIVE = V2 / "budgets" / "江苏省政协办公厅2018年度部门预算.pdf"
SWU_BUDGET = V2 / "budgets" / "西南大学2024年度部门预算.pdf"
SWU_FINAL = V2 / "final_accounts" / "西南大学2024年度部门决算.pdf"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not V2.is_dir(), reason="../shared/corpus/v2 is not beside the checkout"),
]

JIANGSU_TABLES = [
    "income_expenditure_summary", "income", "expenditure", "appropriation_summary", "appropriation_expenditure",
    "appropriation_basic_expenditure", "general_budget_expenditure", "basic_expenditure", "three_public", "gov_fund",
    "operating_cost", "procurement",
]
UNIVERSITY_TABLES = ["income_expenditure_summary", "income", "expenditure", "appropriation_expenditure"]


@lru_cache(maxsize=None)
def frames_of(path: Path) -> ReportFrames:
    return transform_report(extract_report(read_pdf_text(path)))


def _rows(frames: ReportFrames, table: str, side: str | None = None) -> list[str]:
    """One entry per printed row (per side), in row order: its subject code, else its item key, else its label."""
    frame = frames.tables[table]
    if side is not None:
        frame = frame[frame["side"] == side]
    rows = frame.drop_duplicates(["row_no", "side"]).sort_values("row_no")
    return [
        next(v for v in (code, key, item) if isinstance(v, str))
        for code, key, item in zip(rows["subject_code"], rows["item_key"], rows["item"])
    ]


@pytest.mark.parametrize(
    "path,tables",
    [
        pytest.param(COURT, JIANGSU_TABLES, id="court"),
        pytest.param(CPPCC_TABLES, JIANGSU_TABLES, id="cppcc-tables-only"),
        pytest.param(SWU_BUDGET, UNIVERSITY_TABLES, id="university-budget-then-performance-tables"),
        pytest.param(SWU_FINAL, UNIVERSITY_TABLES, id="university-final-accounts"),
    ],
)
def test_every_printed_standard_table_is_found_in_order(path, tables):
    assert frames_of(path).meta["tables_found"] == tables


def test_narrative_only_pdf_fails_saying_its_tables_are_published_separately():
    with pytest.raises(NotABudgetReport, match="published separately"):
        extract_report(read_pdf_text(CPPCC_NARRATIVE))


@pytest.mark.parametrize("path", [COURT, CPPCC_TABLES, SWU_BUDGET, SWU_FINAL], ids=lambda p: p.stem[:10])
def test_declared_key_identifies_every_cell(path):
    key = list(dataset("table_cells").key)
    for name, frame in frames_of(path).tables.items():
        assert not frame[key].astype(str).duplicated().any(), name


# Jiangsu 公开05/07表 (identical), 公开06/08表 (identical), 公开11表: codes as printed, 合计 first.
CPPCC_FUNCTIONAL = ["total", "201", "20102", "2010201", "2010202", "2010204", "2010205", "2010299", "208", "20805",
                    "2080504", "2080505", "2080506", "221", "22102", "2210201", "2210202"]
CPPCC_302 = ["302", "30201", "30205", "30206", "30207", "30211", "30213", "30215", "30216", "30217", "30228",
             "30231", "30239", "30299"]
CPPCC_ECONOMIC = ["total", "301", "30101", "30102", "30103", "30107", "30108", "30109", "30113", "30114", *CPPCC_302,
                  "303", "30301", "30302", "30309"]
COURT_FUNCTIONAL = ["total", "204", "20405", "2040501", "2040502", "2040503", "2040504", "2040505", "2040599", "208",
                    "20805", "2080504", "2080505", "2080506", "221", "22102", "2210201", "2210202"]
COURT_302 = ["302", "30201", "30205", "30206", "30207", "30211", "30213", "30215", "30216", "30217", "30218",
             "30228", "30229", "30231", "30239", "30299"]
COURT_ECONOMIC = ["total", "301", "30101", "30102", "30103", "30107", "30108", "30109", "30112", "30113", "30114",
                  "30199", *COURT_302, "303", "30301", "30302", "30305", "30307", "30309"]
# 收入预算总表: 15 printed rows, group 小计 rows keyed, the others as printed.
JIANGSU_INCOME = ["grand_total", "general_budget_appropriation", "公共财政拨款(补助)资金", "专项收入",
                  "gov_fund_appropriation", "fiscal_special_account", "专户管理教育收费", "其他非税收入", "other_funds",
                  "business_income", "operating_income", "other_income", "债务资金(银行贷款)", "carryover_begin",
                  "其中:动用上年结转和结余资金"]
JIANGSU_SUMMARY_INCOME = ["fiscal_appropriation", "general_budget_appropriation", "gov_fund_appropriation",
                          "fiscal_special_account", "other_funds", "income_total", "carryover_begin", "grand_total"]
# University subject tables: 27 codes (决算) / 25 codes (预算, no 20598 超长期特别国债), indented by level,
# labels wrapped over two lines; the 决算's 财政拨款支出决算表 prints 合计 first, the others last.
SWU_CODES_FINAL = ["205", "20502", "2050202", "2050204", "2050205", "20506", "2050602", "2050699", "20598", "2059802",
                   "20599", "2059999", "206", "20602", "2060201", "2060204", "208", "20805", "2080505", "2080506",
                   "221", "22102", "2210201", "2210203", "229", "22960", "2296004"]
SWU_CODES_BUDGET = [c for c in SWU_CODES_FINAL if not c.startswith("20598")]


@pytest.mark.parametrize(
    "path,table,side,expected",
    [
        pytest.param(CPPCC_TABLES, "appropriation_expenditure", None, CPPCC_FUNCTIONAL, id="cppcc-05"),
        pytest.param(CPPCC_TABLES, "appropriation_basic_expenditure", None, CPPCC_ECONOMIC, id="cppcc-06"),
        pytest.param(CPPCC_TABLES, "general_budget_expenditure", None, CPPCC_FUNCTIONAL, id="cppcc-07"),
        pytest.param(CPPCC_TABLES, "basic_expenditure", None, CPPCC_ECONOMIC, id="cppcc-08"),
        pytest.param(CPPCC_TABLES, "operating_cost", None, ["total", *CPPCC_302], id="cppcc-11"),
        pytest.param(CPPCC_TABLES, "income", None, JIANGSU_INCOME, id="cppcc-02-vertical"),
        pytest.param(CPPCC_TABLES, "expenditure", None, ["total"], id="cppcc-03-one-row"),
        pytest.param(CPPCC_TABLES, "three_public", None, ["total"], id="cppcc-09-one-row"),
        pytest.param(CPPCC_TABLES, "gov_fund", None, ["total"], id="cppcc-10-empty"),
        pytest.param(CPPCC_TABLES, "income_expenditure_summary", "income", JIANGSU_SUMMARY_INCOME, id="cppcc-01-income"),
        pytest.param(CPPCC_TABLES, "appropriation_summary", "expenditure",
                     ["basic_expenditure", "project_expenditure", "reserve", "grand_total"], id="cppcc-04-purposes"),
        pytest.param(COURT, "appropriation_expenditure", None, COURT_FUNCTIONAL, id="court-05"),
        pytest.param(COURT, "appropriation_basic_expenditure", None, COURT_ECONOMIC, id="court-06"),
        pytest.param(COURT, "general_budget_expenditure", None, COURT_FUNCTIONAL, id="court-07"),
        pytest.param(COURT, "basic_expenditure", None, COURT_ECONOMIC, id="court-08"),
        pytest.param(COURT, "operating_cost", None, ["total", *COURT_302], id="court-11"),
        pytest.param(COURT, "income", None, JIANGSU_INCOME, id="court-02-vertical"),
        pytest.param(COURT, "expenditure", None, ["total"], id="court-03-one-row"),
        pytest.param(COURT, "gov_fund", None, ["total"], id="court-10-total-only"),
        pytest.param(COURT, "income_expenditure_summary", "income", JIANGSU_SUMMARY_INCOME, id="court-01-income"),
        pytest.param(SWU_FINAL, "income", None, [*SWU_CODES_FINAL, "total"], id="swu-final-income"),
        pytest.param(SWU_FINAL, "expenditure", None, [*SWU_CODES_FINAL, "total"], id="swu-final-expenditure"),
        pytest.param(SWU_FINAL, "appropriation_expenditure", None, ["total", *SWU_CODES_FINAL], id="swu-final-approp"),
        pytest.param(SWU_BUDGET, "income", None, ["total"], id="swu-budget-income-one-row"),
        pytest.param(SWU_BUDGET, "expenditure", None, [*SWU_CODES_BUDGET, "total"], id="swu-budget-expenditure"),
        pytest.param(SWU_BUDGET, "appropriation_expenditure", None, [*SWU_CODES_BUDGET, "total"], id="swu-budget-approp"),
        pytest.param(SWU_BUDGET, "income_expenditure_summary", "income",
                     ["fiscal_appropriation", "business_income", "operating_income", "other_income", "income_total",
                      "use_of_balance", "carryover_begin", "grand_total"], id="swu-budget-summary-income"),
        pytest.param(SWU_BUDGET, "income_expenditure_summary", "expenditure",
                     ["205", "206", "208", "221", "229", "expenditure_total", "carryover_end", "grand_total"],
                     id="swu-budget-summary-expenditure"),
    ],
)
def test_rows_in_printed_order(path, table, side, expected):
    assert _rows(frames_of(path), table, side) == expected


@pytest.mark.parametrize(
    "path,classes,tail",
    [
        # functional classes printed on the expenditure side (Jiangsu: 20 in 2018, 21 in 2019), then purposes
        pytest.param(CPPCC_TABLES, 20, ["expenditure_total", "carryover_end", "grand_total",
                                        "basic_expenditure", "project_expenditure", "reserve"], id="cppcc-01"),
        pytest.param(COURT, 21, ["expenditure_total", "carryover_end", "grand_total",
                                 "basic_expenditure", "project_expenditure", "reserve"], id="court-01"),
        pytest.param(SWU_FINAL, 26, ["expenditure_total", "balance_distribution", "carryover_end", "grand_total"],
                     id="swu-final-summary"),
    ],
)
def test_summary_expenditure_side(path, classes, tail):
    rows = _rows(frames_of(path), "income_expenditure_summary", "expenditure")
    assert rows[classes:] == tail
    assert all(code.isdigit() and len(code) == 3 for code in rows[:classes]), rows[:classes]


@pytest.mark.parametrize(
    "path,printed_rows,categories",
    [
        # 公开12表: 合计, 货物A / 服务C (no 工程B printed) and their project and item rows (p.12)
        pytest.param(CPPCC_TABLES, 29, ("货物A", "服务C"), id="cppcc"),
        # 公开12表 over pp.16-17: 61 printed rows with a figure
        pytest.param(COURT, 61, ("货物A", "工程B", "服务C"), id="court"),
    ],
)
def test_procurement_rows_as_printed_and_categories_add_up(path, printed_rows, categories):
    frame = frames_of(path).tables["procurement"]
    assert frame["row_no"].nunique() == printed_rows
    assert frame["amount_yuan"].notna().sum() == printed_rows
    total = frame.loc[frame["item_key"] == "total", "amount_yuan"].sum()
    assert frame.loc[frame["item"].isin(categories), "amount_yuan"].sum() == total
    assert set(frame["page"]) == ({12} if path == CPPCC_TABLES else {16, 17})


def test_university_performance_tables_are_neither_read_nor_missing():
    frames = frames_of(SWU_BUDGET)
    pages = {int(p) for frame in frames.tables.values() for p in frame["page"]}
    assert pages == {8, 9, 10, 11}  # the four tables; pp.18-44 are 项目绩效目标表
