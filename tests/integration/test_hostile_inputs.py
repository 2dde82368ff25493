"""PDFs that print hostile text (issue 13): whatever a report prints stays data inside the warehouse.

The reports are the seed report rendered again with another department name or cover (tests/builders.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from tests.builders import read_dataset, seed_variant_pdf

from flows.pipeline import process_paths


def _files_outside(root: Path, warehouse: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and warehouse not in p.parents and p.suffix != ".pdf"]


@pytest.mark.parametrize("department", [
    pytest.param("武汉市财政局/year=1999", id="fake-year-level"),
    pytest.param("武汉市财政局/../../../../../子目录", id="parent-dirs"),
    pytest.param("武汉市a=b=c财政局", id="equals"),
    pytest.param("武汉市财政局/../../../reports/department=Y/year=2024/..", id="into-reports"),
])
def test_a_department_that_looks_like_a_path_is_stored_as_data(tmp_path: Path, department: str) -> None:
    root = tmp_path / "a" / "b" / "c"
    (root / "in").mkdir(parents=True)
    seed_variant_pdf(root / "in" / "report.pdf", department=department)
    warehouse = root / "warehouse"

    outcomes = process_paths([root / "in"], warehouse)
    again = process_paths([root / "in"], warehouse)  # a second run reads what the first wrote

    assert [o.department for o in outcomes] == [department]
    assert [(o.status, o.skipped) for o in again] == [(outcomes[0].status, True)]
    assert _files_outside(tmp_path, warehouse) == []
    reports = read_dataset(warehouse, "reports")
    assert list(zip(reports["department"], reports["year"])) == [(department, 2024)]
    expenditure = warehouse / "tables" / "expenditure"
    assert duckdb.sql(f"SELECT DISTINCT department, year FROM read_parquet('{expenditure}/**/*.parquet', "
                      "hive_partitioning = true)").fetchall() == [(department, 2024)]
    assert pl.read_parquet(f"{expenditure}/**/*.parquet", hive_partitioning=True).select(
        "department", "year").unique().rows() == [(department, 2024)]


def test_control_and_bidi_characters_never_reach_a_folder_or_a_log_line(tmp_path: Path, caplog) -> None:
    (tmp_path / "in").mkdir()
    seed_variant_pdf(tmp_path / "in" / "report\u202e.pdf", department="武汉市\u202e司法\u200f局\x1b")
    warehouse = tmp_path / "warehouse"

    with caplog.at_level("INFO", logger="budgetlake"):
        outcomes = process_paths([tmp_path / "in"], warehouse)

    assert outcomes[0].department == "武汉市司法局"
    folders = {p.name for p in warehouse.rglob("department=*")}
    assert folders == {"department=武汉市司法局"}
    line = outcomes[0].summary_line()
    assert "\u202e" not in line and "\x1b" not in line and "report.pdf" in line
    assert not any(ch in record.getMessage() for record in caplog.records for ch in "\u202e\u200f\x1b")
