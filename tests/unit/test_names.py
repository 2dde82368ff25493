"""Partition values as data: folder names that pandas, pyarrow, DuckDB and polars decode back; names cleaned."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as pads
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.checks import run_checks
from contracts.files import partition_dir
from contracts.names import (
    MAX_FOLDER_NAME_BYTES, PartitionValueError, clean_name, decode_partition_value, encode_partition_value, fold_width,
    printable,
)
from contracts.warehouse import find_report, write_report
from tests.frames import long_frame

HOSTILE = [
    pytest.param("x/../../../../ESCAPED", id="dot-dot-escape"),
    pytest.param("x/../../../reports/department=Y/year=2024/..", id="into-reports"),
    pytest.param("../../etc", id="parent-dirs"),
    pytest.param("财政局/子目录", id="slash"),
    pytest.param("财政局/year=1999", id="fake-year-level"),
    pytest.param("a=b=c", id="equals"),
    pytest.param("..", id="dot-dot"),
    pytest.param(".", id="dot"),
    pytest.param("财政局\\子目录", id="backslash"),
    pytest.param("50%财政局", id="percent"),
    pytest.param("财政 局+a", id="space-plus"),
    pytest.param("#?[]*{}", id="glob-characters"),
    pytest.param("上海市普陀区财政局", id="plain-chinese"),
]


@pytest.mark.parametrize("value, folder", [
    pytest.param("上海市普陀区财政局", "上海市普陀区财政局", id="chinese-kept"),
    pytest.param("a/b", "a%2Fb", id="slash"),
    pytest.param("..", "%2E%2E", id="dot-dot"),
    pytest.param("a=b", "a%3Db", id="equals"),
    pytest.param("5%", "5%25", id="percent"),
    pytest.param("财政局(本级)", "财政局(本级)", id="brackets-kept"),
    pytest.param("财 局", "财%20局", id="space"),
    pytest.param("_unknown", "_unknown", id="unknown-kept"),
])
def test_encoded_folder_names(value: str, folder: str) -> None:
    assert encode_partition_value(value) == folder
    assert decode_partition_value(folder) == value


@pytest.mark.parametrize("value", [pytest.param("", id="empty"), pytest.param("__HIVE_DEFAULT_PARTITION__", id="null-token")])
def test_values_readers_turn_into_null_are_refused(value: str) -> None:
    with pytest.raises(PartitionValueError):
        encode_partition_value(value)


def test_a_value_too_long_for_a_folder_name_is_refused() -> None:
    assert len(partition_dir("局" * 60, 2024).split("/")[0].encode()) <= MAX_FOLDER_NAME_BYTES
    with pytest.raises(PartitionValueError, match="too long"):
        partition_dir("局" * 300, 2024)


@given(st.text(min_size=1, max_size=40))
@settings(max_examples=300, deadline=None)
def test_encoding_round_trips_and_is_one_plain_folder_name(value: str) -> None:
    if value.upper() == "__HIVE_DEFAULT_PARTITION__":
        return
    folder = encode_partition_value(value)
    assert "/" not in folder and "\\" not in folder and "=" not in folder and "." not in folder
    assert folder.isprintable() and folder not in ("", ".", "..")
    assert decode_partition_value(folder) == value


@pytest.mark.parametrize("text, cleaned", [
    pytest.param("财政局\u202e局政财", "财政局局政财", id="right-to-left-override"),
    pytest.param("\u200f财政局\u200e", "财政局", id="rtl-ltr-marks"),
    pytest.param("财政\u200b局", "财政局", id="zero-width-space"),
    pytest.param("财政局\x1b[31m", "财政局 [31m", id="escape-sequence"),
    pytest.param("财政\n局\t", "财政 局 ", id="newline-tab"),
    pytest.param("bad\udcffname.pdf", "badname.pdf", id="surrogate-of-undecodable-byte"),
])
def test_clean_name_drops_control_and_bidi_characters(text: str, cleaned: str) -> None:
    assert clean_name(text) == cleaned


@pytest.mark.parametrize("char", [
    pytest.param("\u200b", id="zero-width-space"), pytest.param("\u200d", id="zero-width-joiner"),
    pytest.param("\u00ad", id="soft-hyphen"), pytest.param("\ufeff", id="byte-order-mark"),
    pytest.param("\u200f", id="rtl-mark"), pytest.param("\u202e", id="rtl-override"),
    pytest.param("\u2066", id="ltr-isolate"),
])
def test_names_and_folded_text_drop_the_same_invisible_characters(char: str) -> None:
    assert clean_name(f"财政{char}局") == fold_width(f"财政{char}局") == "财政局"


def test_printable_is_one_line() -> None:
    assert printable("a\n\x1b b\u202e") == "a   b"


# ---------- the four readers on a written warehouse ----------

SHA = "cd" * 32
RID = SHA[:16]


def _write(warehouse: Path, department: str, year: int = 2024) -> None:
    tables = {"expenditure": long_frame(RID, "expenditure", [(None, "total", "total", "1.00")])}
    row = dict(report_id=RID, source_file="a.pdf", source_sha256=SHA, report_type="final_accounts", scope="department",
               department=department, year=year, unit_printed="万元", pages=1, tables_found=["expenditure"],
               status="valid", error=None, pipeline_version="0.1.0")
    write_report(warehouse, row, tables, run_checks(RID, tables), quarantined=False)


def _inside(warehouse: Path) -> list[str]:
    """Every file under warehouse's parent, relative to warehouse (.. where it escaped)."""
    return sorted(str(p.relative_to(warehouse)) if warehouse in p.parents else f"OUTSIDE {p}"
                  for p in warehouse.parent.rglob("*") if p.is_file())


@pytest.mark.parametrize("department", HOSTILE)
def test_every_reader_gives_back_the_department_and_year(tmp_path: Path, department: str) -> None:
    warehouse = tmp_path / "a" / "b" / "c" / "warehouse"
    warehouse.mkdir(parents=True)
    _write(warehouse, department)

    files = _inside(warehouse)
    assert not [f for f in files if f.startswith("OUTSIDE")], files
    data_files = [f for f in files if not f.startswith((".ledger", ".tmp"))]
    assert len(data_files) == 3 and all(len(Path(f).parts) in (4, 5) for f in data_files), data_files
    for dataset in ("reports", "checks", "tables/expenditure"):
        root = warehouse / dataset
        frame = pd.read_parquet(root)
        assert set(zip(frame["department"].astype(str), frame["year"].astype(int))) == {(department, 2024)}, "pandas"
        table = pads.dataset(root, format="parquet", partitioning="hive").to_table()
        assert set(table.column("department").to_pylist()) == {department}, "pyarrow"
        assert set(table.column("year").to_pylist()) == {2024}, "pyarrow"
        rows = duckdb.sql(f"SELECT DISTINCT department, year FROM read_parquet('{root}/**/*.parquet', "
                          "hive_partitioning = true)").fetchall()
        assert rows == [(department, 2024)], "duckdb"
        polars_rows = pl.read_parquet(f"{root}/**/*.parquet", hive_partitioning=True).select(
            "department", "year").unique().rows()
        assert polars_rows == [(department, 2024)], "polars"
    assert find_report(warehouse, RID)["department"] == department
