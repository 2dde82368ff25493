"""The TOML declarations and what is derived from them: pandera and arrow schemas, docs."""

from decimal import Decimal

import pandas as pd
import pandera.errors
import pyarrow as pa
import pytest

from contracts import declarations as decl
from tests.frames import long_frame
from contracts.money import AMOUNT_DTYPE, amounts, fen, from_fen, in_unit, scaled, unit_label_of
from contracts.schemas import arrow_schema, column_docs_markdown, pandera_schema

DATASETS = ["reports", "checks", "table_cells"]


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_declared_column_is_in_both_schemas(dataset):
    d = decl.dataset(dataset)
    file_names = [c.name for c in d.file_columns]
    assert arrow_schema(dataset).names == file_names
    assert set(pandera_schema(dataset).columns) == set(file_names)
    all_names = [c.name for c in d.columns] + [p for p in d.partition_columns if p not in file_names]
    assert set(arrow_schema(dataset, with_partitions=True).names) == set(all_names) | set(d.partition_columns)
    assert set(d.key) <= {c.name for c in d.columns}


def test_declared_types_are_known_and_partitions_are_out_of_files():
    for d in decl.datasets().values():
        assert {c.type for c in d.columns} <= set(decl.COLUMN_TYPES)
        assert not {"department", "year"} & {c.name for c in d.file_columns}


@pytest.mark.parametrize(
    "dataset, column, arrow_type",
    [
        pytest.param("table_cells", "amount_yuan", pa.decimal128(20, 2), id="amount"),
        pytest.param("checks", "expected", pa.decimal128(20, 2), id="expected"),
        pytest.param("reports", "processed_at", pa.timestamp("us", tz="UTC"), id="processed_at"),
        pytest.param("reports", "tables_found", pa.list_(pa.string()), id="tables_found"),
        pytest.param("reports", "pages", pa.int64(), id="pages"),
        pytest.param("checks", "passed", pa.bool_(), id="passed"),
    ],
)
def test_arrow_types(dataset, column, arrow_type):
    assert arrow_schema(dataset).field(column).type == arrow_type


def test_year_partition_is_int():
    assert pa.types.is_integer(arrow_schema("reports", with_partitions=True).field("year").type)


def _checks_frame(**overrides):
    row = {"report_id": "r", "report_type": "budget", "scope": "unit", "table": "income", "check": "row_total", "severity": "error", "passed": True,
           "expected": Decimal("1.00"), "actual": Decimal("1.00"), "detail": "x"}
    row.update(overrides)
    df = pd.DataFrame([row])
    for col in ("expected", "actual"):
        df[col] = pd.array(list(df[col]), dtype=AMOUNT_DTYPE)
    return df


@pytest.mark.parametrize(
    "overrides, ok",
    [
        pytest.param({}, True, id="good"),
        pytest.param({"severity": "bogus"}, False, id="bad-severity"),
        pytest.param({"table": None}, True, id="report-level-null-table"),
        pytest.param({"check": None}, False, id="null-check"),
    ],
)
def test_checks_schema_enforces_allowed_values(overrides, ok):
    schema = pandera_schema("checks")
    if ok:
        schema.validate(_checks_frame(**overrides))
    else:
        with pytest.raises(pandera.errors.SchemaError):
            schema.validate(_checks_frame(**overrides))


def _reports_frame(status):
    return pd.DataFrame({
        "report_id": ["r"], "source_file": ["a.pdf"], "source_sha256": ["ab"], "report_type": ["budget"],
        "scope": ["unit"], "unit_printed": ["元"], "pages": pd.array([3], dtype="Int64"),
        "tables_found": pd.Series([["income"]], dtype=pd.ArrowDtype(pa.list_(pa.string()))),
        "read_by": ["ocr"], "ocr_pages": pd.array([3], dtype="Int64"),
        "status": [status], "error": [None],
        "processed_at": pd.Series([pd.Timestamp("2025-01-01", tz="UTC")]).astype(pd.ArrowDtype(pa.timestamp("us", "UTC"))),
        "pipeline_version": ["0.1.0"],
    })


@pytest.mark.parametrize("status, ok", [("valid", True), ("failed", True), ("bogus", False)])
def test_reports_status_allowed_values(status, ok):
    schema = pandera_schema("reports")
    if ok:
        schema.validate(_reports_frame(status))
    else:
        with pytest.raises(pandera.errors.SchemaError):
            schema.validate(_reports_frame(status))


@pytest.mark.parametrize(
    "mutate, ok",
    [
        pytest.param(lambda df: df, True, id="as-built"),
        pytest.param(lambda df: df.assign(side="left"), False, id="bad-side"),
        pytest.param(lambda df: df.assign(subject_level="kind"), False, id="bad-level"),
        pytest.param(lambda df: df.assign(measure="carryover_end"), False, id="measure-not-of-table"),  # v2 income has amount
        pytest.param(lambda df: df.assign(report_type="annual"), False, id="bad-report-type"),
        pytest.param(lambda df: df.assign(scope="bureau"), False, id="bad-scope"),
        pytest.param(lambda df: df.assign(report_type="budget", scope="unit"), True, id="budget-unit"),
        pytest.param(lambda df: df.assign(amount_yuan=[1.5]), False, id="float-amount"),
        pytest.param(lambda df: df.drop(columns=["line_no"]), False, id="missing-column"),
        pytest.param(lambda df: df.assign(department="x"), False, id="partition-column-in-frame"),
    ],
)
def test_table_cells_schema(mutate, ok):
    frame = mutate(long_frame("r", "income", [(None, "204", "total", "1.00")]))
    schema = pandera_schema("table_cells", table="income")
    if ok:
        schema.validate(frame)
    else:
        with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
            schema.validate(frame, lazy=True)


def test_docs_mention_every_column_table_and_check():
    docs = column_docs_markdown()
    for d in decl.datasets().values():
        for c in d.columns:
            assert f"| {c.name} |" in docs
    for t in decl.tables().values():
        assert t.title in docs and f"`{t.name}`" in docs
    for check_id in decl.checks():
        assert f"`{check_id}`" in docs


def test_v2_tables_and_their_measures():
    tables = decl.tables()
    assert len(tables) == 13  # the nine of v1 and the four CONTRACT v2 adds
    assert {"appropriation_expenditure", "appropriation_basic_expenditure", "operating_cost", "procurement"} <= set(tables)
    assert tables["appropriation_summary"].measures["expenditure"] == ("total", "general_budget", "gov_fund", "state_capital")
    # v1's twelve, then v2's meeting, training, operating cost and grand total for budget_ and actual_
    assert tables["three_public"].all_measures[0] == "budget_total" and len(tables["three_public"].all_measures) == 20
    assert "personnel_total" in decl.item_keys()["basic_expenditure"]


def test_checks_declared_with_known_severity_and_referenced_ids_exist():
    import tomllib
    from pathlib import Path
    checks = decl.checks()
    assert {c.severity for c in checks.values()} <= set(decl.SEVERITIES)
    layout = tomllib.loads((Path(decl.__file__).parent / "tables.toml").read_text())
    for rule in layout["row_sums"] + layout["cross"] + layout["cross_classes"]:
        assert rule["check"] in checks


@pytest.mark.parametrize(
    "values, expected",
    [
        pytest.param([Decimal("21712700.00")], [2171270000], id="wan-yuan-figure"),
        pytest.param([Decimal("0.01"), None], [1, None], id="one-fen-and-blank"),
        pytest.param([Decimal("-5.50")], [-550], id="negative"),
        pytest.param([Decimal("9999999999999999.99")], [999999999999999999], id="large-exact"),
    ],
)
def test_fen_is_exact(values, expected):
    got = fen(amounts(values))
    assert str(got.dtype) == "Int64"
    assert [None if pd.isna(v) else int(v) for v in got] == expected


@pytest.mark.parametrize("fen_amount, expected", [(2171270000, Decimal("21712700.00")), (1, Decimal("0.01")), (-550, Decimal("-5.50"))])
def test_from_fen_of_a_sum(fen_amount, expected):
    assert from_fen(fen_amount) == expected and str(from_fen(fen_amount)) == str(expected)


@pytest.mark.parametrize(
    "fen_amount, factor_yuan, expected",
    [
        pytest.param(3469730000, 10000, "3469.73", id="wanyuan-two-places"),
        pytest.param(2171200000, 10000, "2171.2", id="wanyuan-cut-short-stays-short"),
        pytest.param(1435, 1, "14.35", id="yuan"),
        pytest.param(0, 10000, "0", id="zero"),
        pytest.param(-100, 10000, "-0.0001", id="negative-one-yuan-in-wanyuan"),
    ],
)
def test_in_unit_writes_fen_in_a_printed_unit(fen_amount, factor_yuan, expected):
    assert str(in_unit(fen_amount, factor_yuan)) == expected


@pytest.mark.parametrize("factor_yuan, expected", [
    pytest.param(10000, "万元", id="wanyuan"),
    pytest.param(1, "元", id="yuan"),
    pytest.param(1000, "千元", id="qianyuan"),
    pytest.param(7, "×7元", id="no-such-unit"),
])
def test_unit_label_of_a_factor(factor_yuan, expected):
    assert unit_label_of(factor_yuan) == expected


@pytest.mark.parametrize(
    "amount, factor_yuan, expected",
    [
        pytest.param(Decimal("3469.73"), 10000, Decimal("34697300.00"), id="wanyuan"),
        pytest.param(Decimal("0.0001"), 10000, Decimal("1.0000"), id="smallest-wanyuan"),
        pytest.param(Decimal("12345678901234567.89"), 100000000, Decimal("1234567890123456789000000.00"), id="no-rounding-at-any-size"),
    ],
)
def test_scaled_is_exact(amount, factor_yuan, expected):
    assert scaled(amount, factor_yuan) == expected
