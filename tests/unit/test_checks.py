"""One passing and one failing case per check, on tiny hand-built frames (figures in 万元)."""

from decimal import Decimal

import pandas as pd
import pytest

from contracts.checks import decide_status, run_checks
from tests.frames import long_frame

R = "r000000000000001"
D = Decimal


def _run(tables_rows, **kw):
    tables = {name: long_frame(R, name, rows) for name, rows in tables_rows.items()}
    return run_checks(R, tables, **kw)


def _rows(checks, check_id):
    return checks[checks["check"] == check_id]


@pytest.mark.parametrize(
    "tables_rows, check_id, expected_passed",
    [
        pytest.param({"income": [(None, "total", "total", "3"), (None, "total", "fiscal_appropriation", "1"), (None, "total", "other", "2")]},
                     "row_total", [True], id="row_total-ok"),
        pytest.param({"income": [(None, "total", "total", "3.50"), (None, "total", "fiscal_appropriation", "1"), (None, "total", "other", "2")]},
                     "row_total", [False], id="row_total-off-by-0.50"),
        pytest.param({"income": [(None, "total", "total", "3.01"), (None, "total", "fiscal_appropriation", "1"), (None, "total", "other", "2")]},
                     "row_total", [True], id="row_total-0.01-within-2-terms"),
        pytest.param({"income": [(None, "total", "total", "3.03"), (None, "total", "fiscal_appropriation", "1"), (None, "total", "other", "2")]},
                     "row_total", [False], id="row_total-0.03-beyond-2-terms"),
        pytest.param({"income": [(None, "total", "total", "5"), (None, "total", "fiscal_appropriation", None)]},
                     "row_total", [], id="row_total-all-terms-blank-skipped"),
        pytest.param({"gov_fund": [(None, "total", "carryover_begin", "1"), (None, "total", "income", "5"), (None, "total", "total", "4"), (None, "total", "carryover_end", "2")]},
                     "carryover_balance", [True], id="carryover-ok"),
        pytest.param({"gov_fund": [(None, "total", "carryover_begin", "1"), (None, "total", "income", "5"), (None, "total", "total", "4"), (None, "total", "carryover_end", "3")]},
                     "carryover_balance", [False], id="carryover-off"),
        pytest.param({"three_public": [(None, "total", "actual_total", "3.35"), (None, "total", "actual_vehicle", "3.27"), (None, "total", "actual_reception", "0.08")]},
                     "three_public_total", [True], id="three_public_total-ok"),
        pytest.param({"three_public": [(None, "total", "budget_total", "4.35"), (None, "total", "budget_vehicle", "3.27"), (None, "total", "budget_reception", "0.08")]},
                     "three_public_total", [False], id="three_public_total-off"),
        pytest.param({"three_public": [(None, "total", "budget_vehicle", "3.27"), (None, "total", "budget_vehicle_operation", "3.00")]},
                     "three_public_vehicle", [False], id="three_public_vehicle-off"),
        pytest.param({"expenditure": [(None, "204", "total", "10"), (None, "20406", "total", "10"), (None, "2040601", "total", "4"), (None, "2040602", "total", "6")]},
                     "hierarchy_section", [True], id="section-ok"),
        pytest.param({"expenditure": [(None, "204", "total", "10"), (None, "20406", "total", "10"), (None, "2040601", "total", "4")]},
                     "hierarchy_section", [False], id="section-item-dropped"),
        pytest.param({"expenditure": [(None, "204", "total", "12"), (None, "20406", "total", "10")]},
                     "hierarchy_class", [False], id="class-off"),
        pytest.param({"expenditure": [(None, "total", "total", "15"), (None, "204", "total", "10"), (None, "208", "total", "5")]},
                     "hierarchy_total", [True], id="total-ok"),
        pytest.param({"expenditure": [(None, "total", "total", "15"), (None, "204", "total", "10")]},
                     "hierarchy_total", [False], id="total-class-dropped"),
        pytest.param({"basic_expenditure": [(None, "302", "amount", "3"), (None, "30201", "amount", "1"), (None, "30299", "amount", "2")]},
                     "econ_class_items", [True], id="econ-ok"),
        pytest.param({"basic_expenditure": [(None, "302", "amount", "4"), (None, "30201", "amount", "1"), (None, "30299", "amount", "2")]},
                     "econ_class_items", [False], id="econ-off"),
        pytest.param({"basic_expenditure": [(None, "301", "amount", "2"), (None, "303", "amount", "1"), (None, "302", "amount", "5"), (None, "310", "amount", "1"),
                                            (None, "personnel_total", "amount", "3"), (None, "public_total", "amount", "6")]},
                     "personnel_public_totals", [True, True], id="personnel-public-ok"),
        pytest.param({"basic_expenditure": [(None, "301", "amount", "2"), (None, "303", "amount", "1"), (None, "302", "amount", "5"),
                                            (None, "personnel_total", "amount", "2"), (None, "public_total", "amount", "5")]},
                     "personnel_public_totals", [False, True], id="personnel-missing-303"),
        pytest.param({"income_expenditure_summary": [("income", "general_budget_appropriation", "amount", "5"), ("income", "other_income", "amount", "1"), ("income", "income_total", "amount", "6")]},
                     "summary_income_total", [True], id="summary-income-ok"),
        pytest.param({"income_expenditure_summary": [("income", "general_budget_appropriation", "amount", "5"), ("income", "income_total", "amount", "6")]},
                     "summary_income_total", [False], id="summary-income-off"),
        pytest.param({"income_expenditure_summary": [("expenditure", "204", "amount", "5"), ("expenditure", "208", "amount", "1"), ("expenditure", "expenditure_total", "amount", "7")]},
                     "summary_expenditure_total", [False], id="summary-expenditure-off"),
        pytest.param({"income_expenditure_summary": [("income", "income_total", "amount", "6"), ("income", "carryover_begin", "amount", "1"), ("income", "grand_total", "amount", "7"),
                                                     ("expenditure", "expenditure_total", "amount", "6"), ("expenditure", "carryover_end", "amount", "2"), ("expenditure", "grand_total", "amount", "7")]},
                     "summary_grand_total", [True, False], id="grand-total-in-ok-out-off"),
        pytest.param({"income_expenditure_summary": [("income", "grand_total", "amount", "7"), ("expenditure", "grand_total", "amount", "8")]},
                     "summary_sides_balance", [False], id="sides-unbalanced"),
        pytest.param({"income_expenditure_summary": [("income", "general_budget_appropriation", "amount", "5"), ("income", "gov_fund_appropriation", "amount", "1")],
                      "income": [(None, "total", "fiscal_appropriation", "6")]},
                     "cross_income", [True], id="cross-income-ok"),
        pytest.param({"income_expenditure_summary": [("income", "other_income", "amount", "2")], "income": [(None, "total", "other", "1")]},
                     "cross_income", [False], id="cross-income-off"),
        pytest.param({"income_expenditure_summary": [("expenditure", "204", "amount", "5")], "expenditure": [(None, "204", "total", "5"), (None, "208", "total", "1")]},
                     "cross_expenditure_classes", [True, False], id="cross-classes-208-missing-in-summary"),
        pytest.param({"appropriation_summary": [("expenditure", "204", "general_budget", "5.03")], "general_budget_expenditure": [(None, "204", "total", "5")]},
                     "cross_general_budget_classes", [False], id="cross-gb-off-0.03"),
        pytest.param({"general_budget_expenditure": [(None, "total", "basic", "9")],
                      "basic_expenditure": [(None, "personnel_total", "amount", "6"), (None, "public_total", "amount", "3")]},
                     "cross_basic_expenditure", [True], id="cross-basic-ok"),
        pytest.param({"general_budget_expenditure": [(None, "total", "basic", "9")],
                      "basic_expenditure": [(None, "personnel_total", "amount", "6")]},
                     "cross_basic_expenditure", [False], id="cross-basic-public-dropped"),
        pytest.param({"income": [(None, "2040", "total", "1")]}, "subject_code_format", [False], id="code-4-digits"),
        pytest.param({"income": [(None, "204", "total", "1"), (None, "2040601", "total", "1")]}, "subject_code_format", [True], id="codes-ok"),
        pytest.param({"income": [(None, "204", "total", "1"), (None, "204", "total", "1")]}, "no_duplicate_cells", [False], id="duplicate"),
        pytest.param({"income": [(None, "204", "total", "1"), (None, "204", "other", "1")]}, "no_duplicate_cells", [True], id="no-duplicate"),
        pytest.param({"income": [(None, "204", "total", "-1")]}, "amount_non_negative", [False], id="negative-total"),
        pytest.param({"gov_fund": [(None, "total", "carryover_end", "-1")]}, "amount_non_negative", [True], id="negative-carryover-allowed"),
        pytest.param({"income": [(None, "204", "bogus_measure", "1")]}, "schema_valid", [False], id="schema-unknown-measure"),
    ],
)
def test_check_cases(tables_rows, check_id, expected_passed):
    assert list(_rows(_run(tables_rows), check_id)["passed"]) == expected_passed


def test_failed_accounting_row_reports_expected_actual_in_yuan_and_where():
    checks = _run({"income": [(None, "total", "total", "3.50"), (None, "total", "fiscal_appropriation", "1"), (None, "total", "other", "2")]})
    row = _rows(checks, "row_total").iloc[0]
    assert (row["severity"], row["expected"], row["actual"]) == ("error", D("30000.00"), D("35000.00"))
    assert row["detail"].startswith("income p.1 row 1 total total [total]: printed 3.5 万元")


@pytest.mark.parametrize(
    "printed, parts, cut",
    [
        pytest.param("2171.2", ["2171.07", "0.20"], True, id="cut-to-one-decimal"),
        pytest.param("2171", ["2171.07", "0.20"], True, id="cut-to-integer-beyond-tolerance"),
        pytest.param("2171.28", ["2171.07", "0.20"], False, id="rounded-up-not-cut"),
    ],
)
def test_figure_cut_short(printed, parts, cut):
    rows = [(None, "302", "amount", printed)] + [(None, f"302{i:02d}", "amount", v) for i, v in enumerate(parts, 1)]
    checks = _run({"basic_expenditure": rows})
    found = _rows(checks, "figure_cut_short")
    assert list(found["passed"]) == [not cut]
    assert list(_rows(checks, "econ_class_items")["passed"]) == [True]


def test_cut_short_in_unit_yuan():
    rows = [(None, "302", "amount", "10.0"), (None, "30201", "amount", "5.04"), (None, "30202", "amount", "5.00")]
    checks = run_checks(R, {"basic_expenditure": long_frame(R, "basic_expenditure", rows, unit_factor_yuan=1)}, unit_factor_yuan=1)
    assert list(_rows(checks, "figure_cut_short")["passed"]) == [False]


@pytest.mark.parametrize(
    "table, present, declared_empty, listed, expect",
    [
        pytest.param("gov_fund", {"income"}, frozenset(), frozenset({"gov_fund"}), ("table_present", "error", False),
                     id="listed-in-contents-missing-is-error"),
        pytest.param("gov_fund", {"income"}, frozenset(), frozenset(), None, id="not-listed-not-every-template-no-row"),
        pytest.param("expenditure", {"income"}, frozenset(), frozenset(), ("table_present", "error", False),
                     id="every-template-table-missing-is-error"),
        pytest.param("gov_fund", {"income"}, frozenset({"gov_fund"}), frozenset({"gov_fund"}),
                     ("table_declared_empty", "warning", False), id="declared-empty-is-warning"),
        pytest.param("operating_cost", {"income"}, frozenset(), frozenset({"operating_cost"}), None,
                     id="optional-v2-table-never-missing"),
    ],
)
def test_table_presence(table, present, declared_empty, listed, expect):
    checks = _run({name: [(None, "total", "total", None)] for name in present}, declared_empty=declared_empty,
                  listed_tables=listed)
    rows = checks[(checks["table"] == table) & checks["check"].str.startswith("table_")]
    if expect is None:
        assert rows.empty
    else:
        row = rows.iloc[0]
        assert (row["check"], row["severity"], bool(row["passed"])) == expect
    inc = checks[(checks["table"] == "income") & (checks["check"] == "table_present")].iloc[0]
    assert bool(inc["passed"])


def test_restorations_become_warning_rows():
    checks = _run({}, restorations=[{"table": "expenditure", "page": 3, "row_no": 4, "item": "行政运行", "code_printed": "20406", "code_restored": "2040601"}])
    row = _rows(checks, "subject_code_restored").iloc[0]
    assert (row["table"], row["severity"], bool(row["passed"])) == ("expenditure", "warning", False)
    assert "20406" in row["detail"] and "2040601" in row["detail"] and "p.3 row 4" in row["detail"]


def test_no_restorations_one_passed_row():
    assert list(_rows(_run({}), "subject_code_restored")["passed"]) == [True]


def _status_frame(rows):
    return pd.DataFrame(rows, columns=["report_id", "table", "check", "severity", "passed", "detail"])


@pytest.mark.parametrize(
    "rows, expected_status",
    [
        pytest.param([(R, "income", "row_total", "error", True, "ok")], "valid", id="all-passed"),
        pytest.param([(R, "income", "row_total", "error", True, "ok"), (R, None, "figure_cut_short", "warning", False, "x")], "warnings", id="warning-failed"),
        pytest.param([(R, "income", "row_total", "error", False, "income p.1 row 1"), (R, None, "figure_cut_short", "warning", False, "x")], "quarantined", id="error-failed"),
    ],
)
def test_decide_status(rows, expected_status):
    status, error = decide_status(_status_frame(rows))
    assert status == expected_status
    assert (error is not None) == (expected_status == "quarantined")
    if error:
        assert "row_total (income): income p.1 row 1" in error


def test_checks_frame_matches_checks_schema():
    from contracts.schemas import pandera_schema
    pandera_schema("checks").validate(_run({"income": [(None, "total", "total", "1")]}))


def test_unreadable_figure_cells_are_errors_that_quarantine():
    from contracts.checks import decide_status, run_checks

    checks = run_checks(
        "r1", {}, unreadable_cells=[{"table": "income", "page": 3, "row_no": 2, "measure": "total", "text": "12a"}]
    )
    row = checks[checks["check"] == "figure_readable"].iloc[0]
    assert (row["severity"], bool(row["passed"])) == ("error", False)
    assert "'12a'" in row["detail"] and "p.3" in row["detail"]
    assert decide_status(checks)[0] == "quarantined"


def test_no_unreadable_cells_gives_one_passed_row():
    from contracts.checks import run_checks

    rows = run_checks("r1", {})
    readable = rows[rows["check"] == "figure_readable"]
    assert list(readable["passed"]) == [True]


def test_cells_of_reads_each_row_as_a_record():
    import numpy as np

    from contracts.check_rows import Figure, cells_of

    frame = long_frame(R, "income", [(None, "204", "total", "1.5"), (None, "total", "other", None)]).drop(columns=["side"])
    frame["item"] = pd.Series([np.int64(7), "合计"], dtype=object)
    cells = cells_of("income", frame)
    assert cells == [Figure("income", 1, 1, None, "204", "class", 7, None, "total", 1500000),
                     Figure("income", 1, 2, None, None, None, "合计", "total", "other", None)]
    assert [type(c.item) for c in cells] == [int, str]  # numpy scalars come back as Python ones


@pytest.mark.parametrize(
    "report_type, title",
    [
        pytest.param("final_accounts", "支出决算表", id="final-accounts-title"),
        pytest.param("budget", "支出预算总表", id="budget-title"),
    ],
)
def test_a_missing_table_is_named_by_the_title_its_report_type_prints(report_type, title):
    checks = _run({"income": [(None, "total", "total", "1")]}, report_type=report_type)
    row = checks[(checks["table"] == "expenditure") & (checks["check"] == "table_present")].iloc[0]
    assert not row["passed"] and f"expenditure ({title}) missing" in row["detail"]
