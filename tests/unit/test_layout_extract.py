"""Unit tests for title matching, header → column roles, rows → records, code restoration and metadata."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extract.grid import PageGrid, stitch
from extract.locate import declared_empty, find_titles, match_title
from extract.model import Cell, RawTable
from transform.codes import restore_cut_codes
from transform.columns import classify_columns, header_row_count
from transform.meta import canonical_department, department_name, report_meta, unit_of
from transform.rows import table_records


@pytest.mark.parametrize(
    "line,table",
    [
        pytest.param("收入支出决算总表", "income_expenditure_summary", id="plain"),
        pytest.param("2024 年度收入决算表", "income", id="year-prefix"),
        pytest.param("公开 09 表", None, id="tag-only"),
        pytest.param("财政拨款收入支出决算总表", "appropriation_summary", id="longer-title-is-its-own"),
        pytest.param("一、收入支出决算总体情况说明", None, id="narrative-heading"),
        pytest.param("2024 年度一般公共预算财政拨款基本支出决算明细表", "basic_expenditure", id="hubei-detail"),
        pytest.param("国有资本经营预算财政拨款支出决算表 公开08表", "state_capital", id="trailing-tag"),
        pytest.param("财政拨款“三公”经费支出决算表", "three_public", id="quotes"),
    ],
)
def test_match_title(line, table):
    assert match_title(line) == table


def test_table_of_contents_pages_are_not_table_pages():
    toc = "目 录\n一、收入支出决算总表\n二、收入决算表\n三、支出决算表"
    body = "说明\n收入决算表\n单位：万元"
    hits = find_titles([toc, body])
    assert [(h.table, h.page) for h in hits] == [("income", 2)]


def test_declared_empty_reads_the_no_funds_sentence():
    text = ["本部门 2024 年度无政府性基金预算财政拨款收入支出。", "注：无国有资本经营预算财政拨款支出，故本表无数据。"]
    assert declared_empty(text) == frozenset({"gov_fund", "state_capital"})


def C(text: str, page: int = 1, left: bool = False, up: bool = False) -> Cell:
    return Cell(text, page, joins_left=left, joins_up=up)


def test_stitch_drops_repeated_header_and_keeps_every_row():
    header = [C("项目"), C("金额")]
    first = PageGrid(1, 800, [10, 50], [header, [C("合计"), C("3.00")], [C("甲"), C("1.00")]], "lattice")
    cont = PageGrid(2, 800, [10, 50], [[C("项目", 2), C("金额", 2)], [C("乙", 2), C("2.00", 2)]], "lattice")
    rows = stitch(first, [cont])
    assert [[c.text for c in r] for r in rows] == [["项目", "金额"], ["合计", "3.00"], ["甲", "1.00"], ["乙", "2.00"]]
    assert rows[-1][1].page == 2


def test_stitch_aligns_a_continuation_with_other_columns_by_position():
    first = PageGrid(1, 800, [10, 50, 90], [[C("项目"), C("基本"), C("项目支出")], [C("甲"), C("1.00"), C("")]], "lattice")
    cont = PageGrid(2, 800, [11, 91], [[C("乙", 2), C("2.00", 2)]], "lattice")
    rows = stitch(first, [cont])
    assert [c.text for c in rows[-1]] == ["乙", "", "2.00"]


THREE_PUBLIC_SHANGHAI = [
    [C("合计"), C("", left=True), C("因公出国（境）费"), C("", left=True), C("公务用车购置及运行费"), C("", left=True),
     C("", left=True), C("", left=True), C("公务接待费"), C("", left=True)],
    [C("", up=True), C("", up=True, left=True), C("", up=True), C("", up=True, left=True), C("小计"),
     C("", left=True), C("公务用车购置费"), C("", left=True), C("", up=True), C("", up=True, left=True)],
    [C("预算数"), C("决算数")] * 5,
    [C("3.35"), C("3.35"), C(""), C(""), C("3.27"), C("3.27"), C(""), C(""), C("0.08"), C("0.08")],
]


def test_merged_header_cells_give_each_column_its_measure():
    assert header_row_count("three_public", THREE_PUBLIC_SHANGHAI) == 3
    columns = classify_columns("three_public", THREE_PUBLIC_SHANGHAI[:3], 10)
    assert [c.measure for c in columns] == [
        "budget_total", "actual_total", "budget_overseas", "actual_overseas", "budget_vehicle", "actual_vehicle",
        "budget_vehicle_purchase", "actual_vehicle_purchase", "budget_reception", "actual_reception",
    ]


def test_three_public_single_row_becomes_total_cells_in_yuan():
    raw = RawTable("three_public", "三公", (1,), THREE_PUBLIC_SHANGHAI)
    records, problems = table_records(raw, 10000)
    by_measure = {r["measure"]: r["amount_yuan"] for r in records}
    assert by_measure["budget_total"] == Decimal("33500.00")
    assert by_measure["actual_reception"] == Decimal("800.00")
    assert by_measure["budget_overseas"] is None
    assert {r["item_key"] for r in records} == {"total"} and problems == []


SUMMARY = [
    [C("收入"), C("", left=True), C("支出"), C("", left=True), C("", left=True)],
    [C("项目"), C("决算数"), C("项目"), C("合计"), C("一般公共预算财政拨款")],
    [C("一、一般公共预算财政拨款"), C("10.00"), C("一、一般公共服务支出"), C("8.00"), C("8.00")],
    [C("年初财政拨款结转和结余"), C("1.00"), C("年末财政拨款结转和结余"), C("3.00"), C("3.00")],
    [C("一般公共预算财政拨款"), C("1.00"), C("一般公共预算财政拨款"), C("3.00"), C("3.00")],
    [C("总计"), C("11.00"), C("总计"), C("11.00"), C("11.00")],
]


def test_summary_rows_get_sides_item_keys_and_class_codes():
    raw = RawTable("appropriation_summary", "财政拨款收入支出决算总表", (1,), SUMMARY)
    records, _ = table_records(raw, 10000)
    keys = {(r["side"], r["item_key"] or r["subject_code"], r["measure"]): r["amount_yuan"] for r in records}
    assert keys[("income", "general_budget_appropriation", "amount")] == Decimal("100000.00")
    assert keys[("income", "carryover_begin_general_budget", "amount")] == Decimal("10000.00")
    assert keys[("expenditure", "201", "general_budget")] == Decimal("80000.00")
    assert keys[("expenditure", "carryover_end_general_budget", "total")] == Decimal("30000.00")
    assert keys[("expenditure", "grand_total", "total")] == Decimal("110000.00")


def test_figure_printed_under_the_next_group_is_taken_by_its_label():
    rows = [
        [C("经济分类科目编码"), C("科目名称"), C("决算数"), C("经济分类科目编码"), C("科目名称"), C("决算数")],
        [C("301"), C("工资福利支出"), C("5.00"), C("302"), C("商品和服务支出"), C("")],
        # Hubei prints 公用经费合计 in the second group and its figure under the third group's column
        [C("人员经费合计"), C(""), C("5.00"), C("公用经费合计"), C(""), C("")],
    ]
    rows[0] += [C("经济分类科目编码"), C("科目名称"), C("决算数")]
    rows[1] += [C("310"), C("资本性支出"), C("2.00")]
    rows[2] += [C(""), C(""), C("2.00")]
    raw = RawTable("basic_expenditure", "基本支出", (1,), rows)
    records, _ = table_records(raw, 10000)
    got = {(r["item_key"] or r["subject_code"]): r["amount_yuan"] for r in records}
    assert got == {"301": Decimal("50000.00"), "302": None, "310": Decimal("20000.00"),
                   "personnel_total": Decimal("50000.00"), "public_total": Decimal("20000.00")}


def test_a_non_figure_under_a_figure_column_is_reported_not_zero():
    rows = [[C("科目编码"), C("科目名称"), C("合计")], [C("201"), C("一般公共服务支出"), C("12a")]]
    records, problems = table_records(RawTable("general_budget_expenditure", "t", (1,), rows), 10000)
    assert records[0]["amount_yuan"] is None
    assert [(p.measure, p.text) for p in problems] == [("total", "12a")]


def _record(table, row_no, code, item):
    return {"table": table, "page": 1, "row_no": row_no, "subject_code": code, "subject_level": None, "item": item}


def test_cut_codes_are_restored_by_name_from_other_tables():
    tables = {
        "income": [_record("income", 1, "20406", "司法"), _record("income", 2, "2040601", "行政运行")],
        "expenditure": [_record("expenditure", 1, "20406", "司法"), _record("expenditure", 2, "20406", "行政运行"),
                        _record("expenditure", 3, "20406", "无处可查")],
    }
    notes = restore_cut_codes(tables)
    assert tables["expenditure"][1]["subject_code"] == "2040601"
    assert tables["expenditure"][1]["subject_level"] == "item"
    assert tables["expenditure"][2]["subject_code"] == "20406"  # nothing to restore it from: left as printed
    assert [(n["code_printed"], n["code_restored"]) for n in notes] == [("20406", "2040601"), ("20406", None)]


@pytest.mark.parametrize(
    "printed,canonical",
    [
        pytest.param("武汉市硚口区司法局本级", "武汉市硚口区司法局", id="benji"),
        pytest.param("上海市 XX 局（本级）", "上海市XX局", id="fullwidth-benji"),
        pytest.param("上海市普陀区财政局", "上海市普陀区财政局", id="plain"),
    ],
)
def test_canonical_department(printed, canonical):
    assert canonical_department(printed) == canonical


def test_cover_name_is_completed_by_the_fuller_name_over_the_tables():
    assert department_name("硚口区司法局", ["单位：武汉市硚口区司法局本级\n单位：万元"]) == "武汉市硚口区司法局"
    assert department_name("上海市普陀区财政局", ["单位：上海市普陀区XX局"]) == "上海市普陀区财政局"


@pytest.mark.parametrize(
    "cover,expected",
    [
        pytest.param("上海市普陀区财政局\n2024 年度部门决算", ("上海市普陀区财政局", 2024, "final_accounts", "department"), id="shanghai"),
        pytest.param("2024 年度硚口区司法局部门决算公开", ("硚口区司法局", 2024, "final_accounts", "department"), id="hubei"),
        pytest.param("上海市普陀区社会福利院\n2024年单位预算", ("上海市普陀区社会福利院", 2024, "budget", "unit"), id="unit-budget"),
    ],
)
def test_report_meta_from_cover(cover, expected):
    meta = report_meta((cover, "收入决算表\n单位：万元"), [2])
    assert (meta.department, meta.year, meta.report_type, meta.scope) == expected
    assert meta.unit_printed == "万元"


def test_unit_line_printed_beside_the_body_line():
    assert unit_of("单位：武汉市硚口区司法局本级 单位：万元") == "万元"


def test_a_figure_finer_than_fen_is_reported_not_rounded():
    rows = [[C("科目编码"), C("科目名称"), C("合计")], [C("201"), C("一般公共服务支出"), C("12.345")]]
    records, problems = table_records(RawTable("general_budget_expenditure", "t", (1,), rows), 1)  # printed in 元
    assert records[0]["amount_yuan"] is None
    assert [(p.measure, p.text) for p in problems] == [("total", "12.345")]


def test_every_declared_table_has_title_aliases_and_column_rules():
    from contracts.declarations import tables
    from extract.locate import title_aliases
    from transform import layout

    declared = set(tables())
    assert set(title_aliases().values()) == declared
    columns = layout.load("columns")
    assert declared <= set(columns)
    for name, table in tables().items():
        sides = [s for s in columns[name]]
        ruled = {m for side in sides for m in columns[name][side]} | set(layout.outer_measures(name).values())
        assert ruled == set(table.all_measures), name  # every contract measure can be read, and nothing else
