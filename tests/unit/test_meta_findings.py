"""Report metadata that is not a name or a plausible year is a finding (department_name, report_year), never trusted."""

from __future__ import annotations

import pytest

from contracts.checks import decide_status, run_checks
from transform.meta import name_problem, report_meta, year_and_finding

TABLE_PAGE = "2024 年度收入支出决算总表\n公开 01 表\n单位：武汉市硚口区司法局本级\n单位：万元\n项目 金额"
TABLE_PAGE_NO_BODY = "2024 年度收入支出决算总表\n公开 01 表\n单位：万元\n项目 金额"
TABLE_PAGE_NO_YEAR = "收入支出决算总表\n公开 01 表\n单位：万元\n项目 金额"


@pytest.mark.parametrize("name, problem", [
    pytest.param("武汉市硚口区司法局", None, id="a-name"),
    pytest.param("西南大学", None, id="short-name"),
    pytest.param("上海市普陀区财政局(本级)", None, id="brackets"),
    pytest.param("度", "1 character", id="one-character"),
    pytest.param("目录第一部分部门概况", "heading", id="contents-heading"),
    pytest.param("区司法局概况……1", "heading", id="dotted-leader"),
    pytest.param("第二部分区司法局2024年度部门决算表", "heading", id="part-heading"),
    pytest.param("ESCAPED", "no Chinese character", id="latin-only"),
    pytest.param("局" * 61, "61 characters", id="too-long"),
    pytest.param("__HIVE_DEFAULT_PARTITION__", "no Chinese character", id="null-token"),
    pytest.param("2024", "no Chinese character", id="a-number"),
])
def test_name_problem(name: str, problem: str | None) -> None:
    found = name_problem(name)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("pages, department, passed, phrase", [
    pytest.param(("2024年度部门决算公开", TABLE_PAGE), "武汉市硚口区司法局", True, "'度'",
                 id="cover-without-name-tables-name-it"),
    pytest.param(("2024年度部门决算公开", TABLE_PAGE_NO_BODY), None, False, "'度'",
                 id="cover-without-name-nothing-else"),
    pytest.param(("目录\n第一部分 区司法局概况\n2024年度部门决算表", TABLE_PAGE_NO_BODY), None, False, "heading",
                 id="contents-text-as-department"),
    pytest.param(("2024年度硚口区司法局部门决算公开", TABLE_PAGE), "武汉市硚口区司法局", True, "武汉市硚口区司法局",
                 id="a-good-cover"),
    pytest.param(("第一部分 部门概况", TABLE_PAGE_NO_BODY), None, False, "no department name", id="no-name-at-all"),
])
def test_department_finding(pages, department, passed, phrase) -> None:
    meta = report_meta(pages, [2])
    assert meta.department == department
    finding = dict((check, (ok, detail)) for check, ok, detail in meta.findings)["department_name"]
    assert finding[0] is passed and phrase in finding[1], finding


@pytest.mark.parametrize("cover_year, title_years, year, passed, phrase", [
    pytest.param(2024, [2024, 2024], 2024, True, "2024", id="agree"),
    pytest.param(2024, [], 2024, True, "2024", id="titles-print-no-year"),
    pytest.param(1850, [2024], 2024, False, "outside", id="1850-tables-2024"),
    pytest.param(9999, [2024, 2024], 2024, False, "outside", id="9999-tables-2024"),
    pytest.param(9999, [], None, False, "year 0", id="9999-nothing-else"),
    pytest.param(2023, [2024], 2024, False, "the table titles say 2024", id="cover-contradicted"),
    pytest.param(None, [2018], 2018, True, "2018", id="titles-only"),
    pytest.param(None, [], None, False, "no fiscal year", id="no-year"),
])
def test_year_finding(cover_year, title_years, year, passed, phrase) -> None:
    got, (check, ok, detail) = year_and_finding(cover_year, title_years)
    assert (got, check, ok) == (year, "report_year", passed) and phrase in detail, detail


def test_cover_year_9999_in_a_report() -> None:
    meta = report_meta(("9999年度硚口区司法局部门决算公开", TABLE_PAGE), [2])
    assert meta.year == 2024
    assert ("report_year", False) in {(check, ok) for check, ok, _ in meta.findings}


def test_a_failed_metadata_finding_quarantines_the_report() -> None:
    checks = run_checks("r" * 16, {}, metadata_findings=[("department_name", False, "'度' is not a department name"),
                                                          ("report_year", True, "fiscal year 2024")])
    rows = checks[checks["check"].isin(["department_name", "report_year"])]
    assert sorted(zip(rows["check"], rows["passed"], rows["severity"])) == [
        ("department_name", False, "error"), ("report_year", True, "error")]
    status, error = decide_status(checks)
    assert status == "quarantined" and "department_name (report): '度'" in error
