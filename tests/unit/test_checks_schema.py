"""schema_valid per table: each table frame validated on its own, its findings on its own rows."""

import re

import pandas as pd
import pandera.errors
import pytest

from contracts.checks import run_checks
from contracts.checks_structural import validate_tables
from contracts.declarations import tables
from contracts.schemas import validate_table_frames
from tests.frames import long_frame

R = "r000000000000001"
# the income measures of CONTRACT v2 (v1's seven, the 财政拨款 split by fund, further income sources, a lone amount column)
INCOME_MEASURES = ("['total', 'fiscal_appropriation', 'superior_subsidy', 'business', 'operating', 'subordinate_remit', 'other', "
                   "'general_budget', 'gov_fund', 'state_capital', 'fiscal_special_account', 'business_education_fees', "
                   "'carryover', 'use_of_balance', 'amount']")


def _frame(name, rows, index=None, **columns):
    frame = long_frame(R, name, rows)
    for column, values in columns.items():
        frame[column] = pd.Series(values, dtype=object)
    if index is not None:
        frame.index = index
    return frame


def _schema_rows(checks):
    rows = checks[checks["check"] == "schema_valid"]
    return [(r["table"], bool(r["passed"]), r["detail"]) for r in rows.to_dict("records")]


THREE_PUBLIC_OK = _frame("three_public", [(None, "total", "actual_total", "1")])


@pytest.mark.parametrize(
    "tables, expected",
    [
        pytest.param(
            {"income": _frame("income", [(None, "total", "total", "3"), (None, "total", "carryover_end", "1")], index=[10, 11]),
             "expenditure": _frame("expenditure", [(None, "204", "total", "2")], item=[5]),
             "three_public": THREE_PUBLIC_OK},
            [("income", False, f"income: column measure fails isin({INCOME_MEASURES}): 'carryover_end' (index 11)"),
             ("expenditure", False, "expenditure: column item fails str_or_null: 5 (index 0)"),
             ("three_public", True, "three_public: 1 cells match the table_cells schema")],
            id="measure-of-another-table-and-wrong-type-each-on-its-own-table",
        ),
        pytest.param(
            {"three_public": THREE_PUBLIC_OK,
             "income": _frame("income", [(None, "total", "total", "3"), (None, "204", "total", "3")], table=["income", "expenditure"])},
            [("three_public", True, "three_public: 1 cells match the table_cells schema"),
             ("income", False, "income: column table fails isin(['income']): 'expenditure' (index 1)")],
            id="row-naming-another-table",
        ),
        pytest.param(
            {"gov_fund": _frame("gov_fund", [(None, "total", "total", "1")], index=["a"], report_id=[None]),
             "income": _frame("income", [(None, "total", "total", "3")], index=["b"], side=["left"])},
            [("gov_fund", False, "gov_fund: column report_id fails not_nullable: None (index a)"),
             ("income", False, "income: column side fails isin(['income', 'expenditure']): 'left' (index b)")],
            id="null-and-disallowed-value-with-labelled-indexes",
        ),
        pytest.param(
            {"income": _frame("income", [(None, "total", "total", "3")]).drop(columns=["amount_yuan"]),
             "three_public": THREE_PUBLIC_OK},
            [("income", False, "income: column table_cells:income fails column_in_dataframe: 'amount_yuan' (index None)"),
             ("three_public", True, "three_public: 1 cells match the table_cells schema")],
            id="frame-missing-a-column-validated-alone",
        ),
        pytest.param(
            {"bogus": THREE_PUBLIC_OK, "three_public": THREE_PUBLIC_OK},
            [("bogus", False, "bogus: not a canonical table name"),
             ("three_public", True, "three_public: 1 cells match the table_cells schema")],
            id="not-a-canonical-table",
        ),
    ],
)
def test_schema_findings_stay_per_table(tables, expected):
    assert _schema_rows(run_checks(R, tables)) == expected


def test_failures_are_capped_per_table():
    tables = {"income": _frame("income", [(None, f"k{i}", "bogus", "1") for i in range(23)]),
              "gov_fund": _frame("gov_fund", [(None, "total", "bogus", "1")])}
    rows = _schema_rows(run_checks(R, tables))
    assert [table for table, _, _ in rows] == ["income"] * 21 + ["gov_fund"]
    assert rows[19] == ("income", False, f"income: column measure fails isin({INCOME_MEASURES}): 'bogus' (index 19)")
    assert rows[20] == ("income", False, "income: 3 more schema failures")
    assert rows[21][2].startswith("gov_fund: column measure fails isin(['carryover_begin', ") and rows[21][2].endswith("'bogus' (index 0)")


@pytest.mark.parametrize(
    "tables, usable_checks",
    [
        pytest.param({"income": _frame("income", [(None, "total", "bogus", "3")])},
                     ["table_present", "schema_valid", "subject_code_format", "no_duplicate_cells", "amount_non_negative"],
                     id="bad-values-still-checked"),
        pytest.param({"income": _frame("income", [(None, "total", "total", "3")]).drop(columns=["amount_yuan"])},
                     ["table_present", "schema_valid"], id="missing-amounts-skipped"),
    ],
)
def test_unusable_frame_skips_the_other_checks(tables, usable_checks):
    checks = run_checks(R, tables)
    assert list(checks[checks["table"] == "income"]["check"]) == usable_checks


def test_a_cell_that_is_no_string_fails_both_column_checks():
    income = _frame("income", [(None, "total", "total", "3")])
    income.at[0, "measure"] = ["total"]  # unhashable: not a string, and no isin answer
    outcomes = validate_tables({"income": income, "three_public": THREE_PUBLIC_OK})
    assert outcomes["income"].rows == (
        (False, "income: column measure fails str_or_null: ['total'] (index 0)"),
        (False, f"income: column measure fails isin({INCOME_MEASURES}): ['total'] (index 0)"),
    )
    assert outcomes["three_public"].rows == ((True, "three_public: 1 cells match the table_cells schema"),)


@pytest.mark.parametrize(
    "bad, message",
    [
        pytest.param(_frame("income", [(None, "total", "basic", "3")]), f"isin({INCOME_MEASURES}) failure cases: basic",
                     id="measure"),
        pytest.param(_frame("income", [(None, "total", "total", "3")], table=["expenditure"]), "isin(['income']) failure cases: expenditure",
                     id="table"),
    ],
)
def test_writer_validation_raises_the_bad_frames_own_error(bad, message):
    with pytest.raises(pandera.errors.SchemaError, match=re.escape(message)):
        validate_table_frames({"three_public": THREE_PUBLIC_OK, "income": bad})


def test_writer_validation_passes_good_frames():
    validate_table_frames({"three_public": THREE_PUBLIC_OK, "income": _frame("income", [(None, "total", "total", "3")])})
