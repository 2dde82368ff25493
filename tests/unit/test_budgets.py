"""Budgets (预算, CONTRACT v2) on tiny inline inputs: Shanghai titles and headers, report_type/scope, units per table, budget checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.checks import run_checks
from extract.locate import match_title
from extract.model import Cell, RawTable
from tests.frames import long_frame
from transform.report_frames import to_frame
from transform.rows import table_records

R = "b000000000000001"


def C(text: str, left: bool = False, up: bool = False) -> Cell:
    return Cell(text, 1, joins_left=left, joins_up=up)


@pytest.mark.parametrize(
    "line,table",
    [
        pytest.param("2025年部门财务收支预算总表", "income_expenditure_summary", id="summary-department"),
        pytest.param("2025年预算单位收入预算总表", "income", id="income-unit"),
        pytest.param("2026年部门支出预算总表", "expenditure", id="expenditure"),
        pytest.param("2025年预算单位财政拨款收支预算总表", "appropriation_summary", id="appropriation"),
        pytest.param("2025年部门一般公共预算支出功能分类预算表", "general_budget_expenditure", id="general"),
        pytest.param("2025年预算单位政府性基金预算支出功能分类预算表", "gov_fund", id="gov-fund"),
        pytest.param("2025年部门国有资本经营预算支出功能分类预算表", "state_capital", id="state-capital"),
        pytest.param("2025年部门一般公共预算基本支出部门预算经济分类预算表", "basic_expenditure", id="basic"),
        pytest.param("2025年单位“三公”经费和机关运行经费预算表", "three_public", id="three-public-unit"),
        pytest.param("部门“三公”经费和机关运行经费预算表", "three_public", id="three-public-no-year"),
    ],
)
def test_shanghai_budget_titles(line, table):
    assert match_title(line) == table


# 财务收支预算总表 as camelot reads it (Shanghai, 元): 合计 | 基本支出 (人员经费, 公用经费) | 项目支出 per class
SUMMARY = [
    [C("本年收入"), C("", left=True), C("本年支出"), C("", left=True), C("", left=True), C("", left=True), C("", left=True)],
    [C("项目"), C("预算数"), C("项目"), C("预算数"), C("", left=True), C("", left=True), C("", left=True)],
    [C("", up=True), C("", up=True), C("", up=True), C("合计"), C("基本支出"), C("", left=True), C("项目支出")],
    [C("", up=True), C("", up=True), C("", up=True), C("", up=True), C("人员经费"), C("公用经费"), C("", up=True)],
    [C("一、财政拨款收入"), C("91,016,775.35"), C("一、一般公共服务支出"), C("82,096,797.42"), C("13,819,399.88"), C("1,867,397.54"), C("66,410,000.00")],
    [C("1、一般公共预算资金"), C("91,016,775.35"), C("二、社会保障和就业支出"), C("8,919,977.93"), C("8,654,597.93"), C("265,380.00"), C("")],
    [C("2、政府性基金"), C(""), C(""), C(""), C(""), C(""), C("")],
    [C("三、事业单位经营收入"), C(""), C(""), C(""), C(""), C(""), C("")],
    [C("收入总计"), C("91,016,775.35"), C("支出总计"), C("91,016,775.35"), C("22,473,997.81"), C("2,132,777.54"), C("66,410,000.00")],
]


def test_summary_of_a_budget_reads_sides_purpose_columns_and_income_rows():
    records, problems = table_records(RawTable("income_expenditure_summary", "财务收支预算总表", (1,), SUMMARY), 1)
    got = {(r["side"], r["item_key"] or r["subject_code"], r["measure"]): r["amount_yuan"] for r in records}
    assert problems == []
    assert got[("income", "fiscal_appropriation", "amount")] == Decimal("91016775.35")
    assert got[("income", "general_budget_appropriation", "amount")] == Decimal("91016775.35")
    assert got[("income", "gov_fund_appropriation", "amount")] is None
    assert got[("income", "operating_income", "amount")] is None
    assert got[("expenditure", "201", "personnel")] == Decimal("13819399.88")
    assert got[("expenditure", "201", "public")] == Decimal("1867397.54")
    assert got[("expenditure", "201", "project")] == Decimal("66410000.00")
    assert got[("expenditure", "208", "amount")] == Decimal("8919977.93")
    assert got[("expenditure", "grand_total", "personnel")] == Decimal("22473997.81")


# 三公 and 机关运行经费 (Shanghai budget, 万元): 小计 | 购置费 | 运行费 under 公务用车购置及运行费
THREE_PUBLIC = [
    [C("“三公”经费预算数"), C("", left=True), C("", left=True), C("", left=True), C("", left=True), C("", left=True), C("机关运行经费预算数")],
    [C("合计"), C("因公出国(境)费"), C("公务接待费"), C("公务用车购置及运行费"), C("", left=True), C("", left=True), C("", up=True)],
    [C("", up=True), C("", up=True), C("", up=True), C("小计"), C("购置费"), C("运行费"), C("", up=True)],
    [C("10.81"), C("0"), C("0.83"), C("9.98"), C("0"), C("9.98"), C("217.83")],
]


def test_three_public_budget_columns_incl_operating_cost():
    records, _ = table_records(RawTable("three_public", "三公", (1,), THREE_PUBLIC), 10000)
    got = {r["measure"]: r["amount_yuan"] for r in records}
    assert got == {
        "budget_total": Decimal("108100.00"), "budget_overseas": Decimal("0.00"), "budget_reception": Decimal("8300.00"),
        "budget_vehicle": Decimal("99800.00"), "budget_vehicle_purchase": Decimal("0.00"),
        "budget_vehicle_operation": Decimal("99800.00"), "budget_operating_cost": Decimal("2178300.00"),
    }


BASIC = [
    [C("项目"), C("", left=True), C("", left=True), C("一般公共预算基本支出"), C("", left=True), C("", left=True)],
    [C("经济分类科目编码"), C("", left=True), C("经济分类科目名称"), C("合计"), C("人员经费"), C("公用经费")],
    [C("类"), C("款"), C("", up=True), C("", up=True), C("", up=True), C("", up=True)],
    [C("301"), C(""), C("工资福利支出"), C("10.00"), C("10.00"), C("")],
    [C("301"), C("2"), C("津贴补贴"), C("10.00"), C("10.00"), C("")],
    [C("合计"), C(""), C(""), C("10.00"), C("10.00"), C("")],
]


def test_basic_expenditure_budget_columns_total_row_and_a_section_printed_without_its_zero():
    records, _ = table_records(RawTable("basic_expenditure", "基本支出", (1,), BASIC), 1)
    got = {(r["item_key"] or r["subject_code"], r["measure"]): r["amount_yuan"] for r in records}
    assert got[("30102", "personnel")] == Decimal("10.00")  # "301 | 2": the 款 column's "02" printed "2"
    assert got[("total", "amount")] == Decimal("10.00") and got[("total", "public")] is None


def test_a_split_code_with_its_class_printed_short_is_completed_from_the_row_above():
    rows = [
        [C("类"), C("款"), C("项"), C("科目名称"), C("合计")],
        [C("210"), C(""), C(""), C("卫生健康支出"), C("5.00")],
        [C("210"), C("11"), C(""), C("行政事业单位医疗"), C("5.00")],
        [C("7"), C("11"), C("02"), C("事业单位医疗"), C("5.00")],
    ]
    records, _ = table_records(RawTable("expenditure", "支出", (1,), rows), 1)
    assert [r["subject_code"] for r in records if r["measure"] == "total"] == ["210", "21011", "2101102"]
    assert records[-1]["_code_printed"] == ("7 11 02", True)


def test_to_frame_puts_the_reports_type_and_scope_on_every_row():
    frame = to_frame(R, [{"table": "income", "page": 1, "row_no": 1, "measure": "total", "amount_yuan": None}],
                     "budget", "unit")
    assert list(frame["report_type"]) == ["budget"] and list(frame["scope"]) == ["unit"]


def _budget(tables_rows, unit_factor_yuan=1, **kw):
    tables = {name: long_frame(R, name, rows, unit_factor_yuan=unit_factor_yuan, report_type="budget", scope="unit")
              for name, rows in tables_rows.items()}
    return run_checks(R, tables, unit_factor_yuan=unit_factor_yuan, **kw)


def _passed(checks, check_id):
    return list(checks[checks["check"] == check_id]["passed"])


@pytest.mark.parametrize(
    "tables_rows, check_id, expected",
    [
        pytest.param({"income_expenditure_summary": [("expenditure", "201", "amount", "10.00"), ("expenditure", "201", "personnel", "6.00"),
                                                     ("expenditure", "201", "public", "1.00"), ("expenditure", "201", "project", "3.00")]},
                     "row_total", [True], id="summary-amount-is-personnel-public-project"),
        pytest.param({"income_expenditure_summary": [("expenditure", "201", "amount", "10.10"), ("expenditure", "201", "personnel", "6.00"),
                                                     ("expenditure", "201", "public", "1.00"), ("expenditure", "201", "project", "3.00")]},
                     "row_total", [False], id="summary-amount-off"),
        pytest.param({"basic_expenditure": [(None, "301", "amount", "5.00"), (None, "301", "personnel", "5.00"), (None, "301", "public", None)]},
                     "row_total", [True], id="basic-amount-is-personnel-public"),
        pytest.param({"income_expenditure_summary": [("income", "fiscal_appropriation", "amount", "9.05"),
                                                     ("income", "general_budget_appropriation", "amount", "9.00")]},
                     "summary_fiscal_appropriation", [False], id="fiscal-appropriation-off"),
        pytest.param({"income_expenditure_summary": [("income", "fiscal_appropriation", "amount", "9.00"),
                                                     ("income", "gov_fund_appropriation", "amount", "2.00")]},
                     "summary_fiscal_appropriation", [], id="fiscal-appropriation-with-a-lone-qizhong-part-not-run"),
        pytest.param({"income_expenditure_summary": [("income", "fiscal_appropriation", "amount", "9.00")],
                      "income": [(None, "total", "fiscal_appropriation", "9.00")]},
                     "cross_income", [True], id="cross-income-fiscal-row-without-fund-rows"),
        pytest.param({"income_expenditure_summary": [("income", "fiscal_appropriation", "amount", "9.00")],
                      "income": [(None, "total", "fiscal_appropriation", "5.00")]},
                     "cross_income", [False], id="cross-income-fiscal-row-off"),
        pytest.param({"income_expenditure_summary": [("income", "fiscal_appropriation", "amount", "9.00"), ("income", "business_income", "amount", "1.00"),
                                                     ("income", "grand_total", "amount", "10.00")]},
                     "summary_grand_total", [True], id="grand-total-without-income-total-row"),
        pytest.param({"income_expenditure_summary": [("expenditure", "201", "amount", "4.50"), ("expenditure", "208", "amount", "5.00"),
                                                     ("expenditure", "grand_total", "amount", "9.60")]},
                     "summary_grand_total", [False], id="grand-total-is-sum-of-classes-off"),
        pytest.param({"income_expenditure_summary": [("expenditure", "201", "personnel", "6.00"), ("expenditure", "201", "public", "1.00")],
                      "expenditure": [(None, "201", "basic", "7.00")]},
                     "cross_summary_purpose_classes", [True], id="summary-personnel-public-is-basic"),
        pytest.param({"income": [(None, "201", "total", "7.25"), (None, "total", "total", "7.25")],
                      "expenditure": [(None, "201", "total", "7.25"), (None, "total", "total", "7.35")]},
                     "cross_income_expenditure_classes", [False, True], id="income-and-expenditure-totals-differ"),
        pytest.param({"income": [(None, "201", "total", "7.25"), (None, "total", "total", "7.25")],
                      "expenditure": [(None, "201", "total", "8.25"), (None, "total", "total", "8.25")],
                      "income_expenditure_summary": [("income", "carryover_begin", "amount", "1.00")]},
                     "cross_income_expenditure_classes", [], id="spending-funded-by-carryover-too-not-compared"),
        pytest.param({"income": [(None, "total", "total", "7.25")], "expenditure": [(None, "total", "total", "7.35")],
                      "income_expenditure_summary": [("income", "carryover_begin", "amount", "0.00")]},
                     "cross_income_expenditure_classes", [False], id="a-zero-carryover-still-compared"),
        pytest.param({"appropriation_summary": [("income", "general_budget_appropriation", "amount", "7.00")],
                      "income_expenditure_summary": [("income", "general_budget_appropriation", "amount", "7.00")]},
                     "cross_appropriation_income", [True], id="appropriation-rows-agree"),
        pytest.param({"general_budget_expenditure": [(None, "total", "basic", "7.12")],
                      "basic_expenditure": [(None, "total", "amount", "7.17")]},
                     "cross_basic_expenditure", [False], id="basic-total-off-by-5-fen"),
        pytest.param({"appropriation_summary": [("expenditure", "201", "gov_fund", None)], "gov_fund": [(None, "total", "total", None)]},
                     "cross_fund_classes", [], id="fund-table-printed-empty-is-no-error"),
        pytest.param({"basic_expenditure": [(None, "301", "amount", "5.00"), (None, "302", "amount", "2.00"), (None, "total", "amount", "7.00")]},
                     "hierarchy_total", [True], id="basic-total-is-sum-of-econ-classes"),
    ],
)
def test_budget_checks(tables_rows, check_id, expected):
    assert _passed(_budget(tables_rows), check_id) == expected


def test_checks_of_final_accounts_only_do_not_run_on_a_budget():
    rows = [(None, "total", "carryover_begin", "1.50"), (None, "total", "income", "5"), (None, "total", "total", "4"), (None, "total", "carryover_end", "3")]
    assert _passed(_budget({"gov_fund": rows}), "carryover_balance") == []
    assert _passed(_budget({"gov_fund": rows}, report_type="final_accounts"), "carryover_balance") == [False]


def test_check_rows_carry_the_reports_type_and_scope():
    checks = _budget({"income": [(None, "total", "total", "1.00")]})
    assert set(checks["report_type"]) == {"budget"} and set(checks["scope"]) == {"unit"}


def test_each_table_is_judged_in_its_own_unit():
    # 元 over the tables, 万元 over three_public: 867.50 = 839.00 + 28.49 is within 0.01 万元 per term there
    three = [(None, "total", "budget_total", "867.50"), (None, "total", "budget_overseas", "839.00"), (None, "total", "budget_reception", "28.49")]
    tables = {"three_public": long_frame(R, "three_public", three, unit_factor_yuan=10000, report_type="budget")}
    in_wan = run_checks(R, tables, unit_factor_yuan=1, table_unit_factors={"three_public": 10000})
    in_yuan = run_checks(R, tables, unit_factor_yuan=1)
    assert _passed(in_wan, "three_public_total") == [True]
    assert _passed(in_yuan, "three_public_total") == [False]


@pytest.mark.parametrize(
    "total, parts, passed",
    [
        pytest.param("94995790", ("17887739", "77108050"), True, id="whole-yuan-table-allows-a-yuan-per-term"),
        pytest.param("94995790.00", ("17887739.00", "77108050.97"), False, id="fen-table-allows-a-fen-per-term"),
    ],
)
def test_rounding_step_follows_the_printed_precision(total, parts, passed):
    rows = [(None, "21201", "total", total), (None, "21201", "basic", parts[0]), (None, "21201", "project", parts[1])]
    checks = _budget({"general_budget_expenditure": rows})
    assert _passed(checks, "row_total") == [passed]
