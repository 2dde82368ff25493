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
    pytest.param("武汉市财政局/../../../../../子文件夹", id="parent-dirs"),
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
    # (quarantined where the variant's prose headings still name the seed's department: tables kept there)
    expenditure = warehouse / ("quarantine/tables" if outcomes[0].status == "quarantined" else "tables") / "expenditure"
    assert duckdb.sql(f"SELECT DISTINCT department, year FROM read_parquet('{expenditure}/**/*.parquet', "
                      "hive_partitioning = true)").fetchall() == [(department, 2024)]
    assert pl.read_parquet(f"{expenditure}/**/*.parquet", hive_partitioning=True).select(
        "department", "year").unique().rows() == [(department, 2024)]


def test_a_300_character_department_is_a_finding_not_a_broken_run(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    seed_variant_pdf(tmp_path / "in" / "report.pdf", department="武汉市" + "很长的名字" * 60)
    (tmp_path / "in" / "z_other.pdf").write_bytes(seed_variant_pdf(tmp_path / "other.pdf").read_bytes())
    warehouse = tmp_path / "warehouse"

    outcomes = {o.source_file: o for o in process_paths([tmp_path / "in"], warehouse)}

    assert (outcomes["report.pdf"].department, outcomes["report.pdf"].status) == ("_unknown", "quarantined")
    assert "department_name" in outcomes["report.pdf"].error and "characters" in outcomes["report.pdf"].error
    assert outcomes["z_other.pdf"].status == "warnings"
    assert not list((warehouse / ".ledger").glob("*.pending"))
    assert all(len(p.name.encode()) <= 255 for p in warehouse.rglob("*"))


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


# ---------- metadata that is not a name or a plausible year (department_name, report_year) ----------


def _without_department_lines(text: str) -> str:
    """The department lines over the tables print the money unit instead (the renderer keeps its layout)."""
    return text.replace("单位：武汉市硚口区司法局本级", "单位：万元")


def _checks_of(warehouse: Path, check: str) -> list[tuple[bool, str]]:
    checks = read_dataset(warehouse, "checks")
    rows = checks[checks["check"] == check]
    return list(zip(rows["passed"], rows["detail"]))


@pytest.mark.parametrize("cover, transform, department, year, status, check, phrase", [
    pytest.param("2024 年度部门决算公开", None, "武汉市硚口区司法局", 2024, "warnings", "department_name", "'度'",
                 id="cover-without-name-tables-name-it"),
    pytest.param("2024 年度部门决算公开", _without_department_lines, "_unknown", 2024, "quarantined",
                 "department_name", "'度'", id="cover-without-name-nothing-else"),
    pytest.param("1850 年度硚口区司法局部门决算公开", None, "武汉市硚口区司法局", 2024, "quarantined", "report_year",
                 "outside", id="cover-year-1850"),
    pytest.param("9999 年度硚口区司法局部门决算公开", None, "武汉市硚口区司法局", 2024, "quarantined", "report_year",
                 "outside", id="cover-year-9999"),
    pytest.param("2023 年度硚口区司法局部门决算公开", None, "武汉市硚口区司法局", 2024, "quarantined", "report_year",
                 "2023", id="cover-year-contradicted"),
])
def test_metadata_that_cannot_be_trusted_is_a_finding_and_the_report_lands(
        tmp_path: Path, cover, transform, department, year, status, check, phrase) -> None:
    (tmp_path / "in").mkdir()
    seed_variant_pdf(tmp_path / "in" / "report.pdf", cover=cover, transform=transform)
    warehouse = tmp_path / "warehouse"

    [outcome] = process_paths([tmp_path / "in"], warehouse)

    assert (outcome.department, outcome.year, outcome.status) == (department, year, status)
    reports = read_dataset(warehouse, "reports")
    assert list(zip(reports["department"], reports["year"], reports["status"])) == [(department, year, status)]
    [(passed, detail)] = _checks_of(warehouse, check)
    assert passed is (status == "warnings") and phrase in detail, detail
    tables_root = warehouse / ("tables" if status == "warnings" else "quarantine/tables")
    assert (tables_root / "expenditure").is_dir()
