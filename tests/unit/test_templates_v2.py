"""CONTRACT v2 templates: titles by meaning, the new row shapes, wrapped labels and metadata without a cover."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extract.locate import find_titles, match_title, narrative_only_error
from extract.model import Cell, RawTable
from transform.columns import classify_columns
from transform.meta import report_meta
from transform.rows import table_records


@pytest.mark.parametrize(
    "line,table",
    [
        # core titles of both columns of the CONTRACT v2 table list
        pytest.param("收支决算总表", "income_expenditure_summary", id="final-summary-short"),
        pytest.param("财务收支预算总表", "income_expenditure_summary", id="shanghai-budget-summary"),
        pytest.param("收入预算总表", "income", id="budget-income-total-table"),
        pytest.param("支出预算总表", "expenditure", id="budget-expenditure-total-table"),
        pytest.param("财政拨款收支预算总表", "appropriation_summary", id="budget-appropriation-summary"),
        pytest.param("财政拨款支出预算表", "appropriation_expenditure", id="v2-appropriation-expenditure"),
        pytest.param("财政拨款基本支出决算表", "appropriation_basic_expenditure", id="v2-appropriation-basic"),
        pytest.param("一般公共预算支出功能分类预算表", "general_budget_expenditure", id="shanghai-general-budget"),
        pytest.param("一般公共预算基本支出部门预算经济分类预算表", "basic_expenditure", id="shanghai-basic"),
        pytest.param("“三公”经费和机关运行经费预算表", "three_public", id="shanghai-three-public"),
        pytest.param("一般公共预算“三公”经费、会议费、培训费支出预算表", "three_public", id="jiangsu-three-public"),
        pytest.param("财政拨款政府性基金支出预算表", "gov_fund", id="jiangsu-gov-fund"),
        pytest.param("国有资本经营预算支出功能分类预算表", "state_capital", id="shanghai-state-capital"),
        pytest.param("一般公共预算机关运行经费支出预算表", "operating_cost", id="v2-operating-cost"),
        pytest.param("政府采购支出决算表", "procurement", id="v2-procurement-final"),
        # what may surround the core words
        pytest.param("2024年收支预算总表", "income_expenditure_summary", id="year"),
        pytest.param("2024 年度收入预算表", "income", id="year-spaced-du"),
        pytest.param("一、收支预算总表", "income_expenditure_summary", id="ordinal-cn"),
        pytest.param("1.收支预算总表", "income_expenditure_summary", id="ordinal-dot"),
        pytest.param("4．2024年预算单位财政拨款收支预算总表", "appropriation_summary", id="fullwidth-dot-year-body-kind"),
        pytest.param("公开01表", None, id="tag-alone"),
        pytest.param("公开01表 收支预算总表", "income_expenditure_summary", id="tag-before"),
        pytest.param("公开 05 表 财政拨款支出预算表", "appropriation_expenditure", id="spaced-tag"),
        pytest.param("表1：高等学校收支决算总表", "income_expenditure_summary", id="biao-colon-university"),
        pytest.param("表 4：高等学校财政拨款支出决算表", "appropriation_expenditure", id="spaced-biao"),
        pytest.param("附表1 收入决算表", "income", id="fubiao"),
        pytest.param("部门收入预算总表", "income", id="body-kind-bumen"),
        pytest.param("单位“三公”经费和机关运行经费预算表", "three_public", id="body-kind-danwei"),
        pytest.param("2025年预算单位收入预算总表", "income", id="body-kind-yusuandanwei"),
        pytest.param("西南大学收支预算总表", "income_expenditure_summary", id="body-name"),
        pytest.param("西南大学财政拨款支出预算表", "appropriation_expenditure", id="body-name-longest-core"),
        pytest.param("财政拨款支出预算表（功能科目）", "appropriation_expenditure", id="qualifier-function"),
        pytest.param("一般公共预算基本支出预算表（经济科目）", "basic_expenditure", id="qualifier-economic"),
        pytest.param("一般公共预算支出预算表(按功能分类)", "general_budget_expenditure", id="qualifier-by-function"),
        pytest.param("一般公共预算财政拨款基本支出决算明细表", "basic_expenditure", id="mingxi"),
        pytest.param("国有资本经营预算财政拨款收入支出决算表", "state_capital", id="bracketed-core-word-optional"),
        pytest.param("2018年政府采购预算表", "procurement", id="year-procurement"),
        pytest.param("收支预算总表 公开01表", "income_expenditure_summary", id="tag-after"),
        pytest.param("\u2f00般公共预算支出预算表", "general_budget_expenditure", id="kangxi-radical-one"),
        pytest.param("表１：高等学校收支决算总表", "income_expenditure_summary", id="full-width-tag"),
        pytest.param("收支预算\u200b总表", "income_expenditure_summary", id="zero-width-space"),
        # not titles
        pytest.param("表 1：高等学校收支决算总表............................................. 6", None, id="toc-leaders"),
        pytest.param("一、收支预算总表……………………3", None, id="toc-ellipsis"),
        pytest.param("一、收支预算总表…3", None, id="toc-one-ellipsis-is-three-dots"),
        pytest.param("三、支出预算总表 12", None, id="toc-page-number"),
        pytest.param("236 中央高校教育教学改革专项项目绩效目标表", None, id="performance-table"),
        pytest.param("236-中央高校改善基本办学条件专项-房屋修缮项目绩效目标表", None, id="performance-table-dashes"),
        pytest.param("（一）高等学校收支决算总表说明", None, id="narrative-heading"),
        pytest.param("数应与《收支预算总表》收入数一致。", None, id="prose-mention"),
        pytest.param("政府性基金财政拨款支出决算表说明", None, id="explanation"),
        pytest.param("详见收支预算总表", None, id="prefix-not-a-body"),
    ],
)
def test_title_by_meaning(line, table):
    assert match_title(line) == table


def test_contents_page_lines_are_no_titles_and_tables_are_found_after_it():
    toc = "目 录\n一、收支预算总表\n二、收入预算总表\n三、支出预算总表\n五、项目绩效目标表"
    table_page = "公开01表\n收支预算总表\n部门名称：江苏省高级人民法院 单位：万元"
    performance = "236 中央高校教育教学改革专项项目绩效目标表\n（2024 年度）"
    hits = find_titles([toc, table_page, performance])
    assert [(h.table, h.page) for h in hits] == [("income_expenditure_summary", 2)]


@pytest.mark.parametrize(
    "pages,narrative",
    [
        pytest.param(["目 录\n一、收支预算总表\n二、收入预算总表\n三、支出预算总表", "第一部分 部门概况"], True,
                     id="contents-list-the-tables"),
        pytest.param(["第二部分 2018 年度部门预算表\n2018 年度部门预算公开表附后。"], True, id="tables-attached-separately"),
        pytest.param(["某某公司 2024 年度审计报告", "资产负债表"], False, id="not-a-budget-at-all"),
    ],
)
def test_narrative_only_pdf_is_told_apart(pages, narrative):
    error = narrative_only_error(pages)
    assert (error is not None) == narrative
    if narrative:
        assert "published separately" in error


def C(text: str, left: bool = False, up: bool = False) -> Cell:
    return Cell(text, 1, joins_left=left, joins_up=up)


def _cells(records: list[dict]) -> list[tuple]:
    return [(r["item_key"], r["subject_code"], r["item"], r["measure"], r["amount_yuan"]) for r in records]


# Jiangsu 公开02表 收入预算总表: income sources as rows, a group label merged down its rows.
JIANGSU_INCOME = [
    [C("项目名称"), C(""), C("金额")],
    [C("收入总计"), C("", left=True), C("10,150.48")],
    [C("一般公共预算资金"), C("小计"), C("10,070.48")],
    [C("", up=True), C("公共财政拨款(补助)资金"), C("10,070.48")],
    [C("政府性基金"), C("小计"), C("")],
    [C("其他资金"), C("小计"), C("80.00")],
    [C("", up=True), C("事业收入"), C("")],
    [C("", up=True), C("其他收入"), C("80.00")],
    [C("上年结转和结余资金"), C("小计"), C("")],
    [C("", up=True), C("其中：动用上年结转和结余资金"), C("")],
]


def test_vertical_income_list_keys_its_groups_and_keeps_every_row():
    records, problems = table_records(RawTable("income", "收入预算总表", (2,), JIANGSU_INCOME), 10000)
    assert not problems
    assert _cells(records) == [
        ("grand_total", None, "收入总计", "amount", Decimal("101504800.00")),
        ("general_budget_appropriation", None, "一般公共预算资金小计", "amount", Decimal("100704800.00")),
        (None, None, "公共财政拨款(补助)资金", "amount", Decimal("100704800.00")),
        ("gov_fund_appropriation", None, "政府性基金小计", "amount", None),
        ("other_funds", None, "其他资金小计", "amount", Decimal("800000.00")),
        ("business_income", None, "事业收入", "amount", None),
        ("other_income", None, "其他收入", "amount", Decimal("800000.00")),
        ("carryover_begin", None, "上年结转和结余资金小计", "amount", None),
        (None, None, "其中:动用上年结转和结余资金", "amount", None),
    ]
    assert [r["row_no"] for r in records] == list(range(1, 10))


@pytest.mark.parametrize(
    "table,rows,expected",
    [
        pytest.param(
            "expenditure",
            [[C("合计"), C("基本支出"), C("项目支出"), C("单位预留机动经费"), C("结转下年资金")],
             [C("10,150.48"), C("5,678.17"), C("3,314.68"), C("1,157.63"), C("")]],
            [("total", "total", Decimal("101504800.00")), ("total", "basic", Decimal("56781700.00")),
             ("total", "project", Decimal("33146800.00")), ("total", "reserve", Decimal("11576300.00")),
             ("total", "carryover_next", None)],
            id="jiangsu-expenditure-totals-row",
        ),
        pytest.param(
            "income",
            [[C("本年收入合计"), C("财政拨款收入"), C("事业收入"), C("", left=True), C("其他收入")],
             [C("", up=True), C("", up=True), C("金额"), C("其中：教育收费"), C("", up=True)],
             [C("445,059.97"), C("244,675.66"), C("141,934.81"), C("86,701.51"), C("58,449.50")]],
            [("total", "total", Decimal("4450599700.00")), ("total", "fiscal_appropriation", Decimal("2446756600.00")),
             ("total", "business", Decimal("1419348100.00")),
             ("total", "business_education_fees", Decimal("867015100.00")),
             ("total", "other", Decimal("584495000.00"))],
            id="university-income-figures-row",
        ),
        pytest.param(
            "three_public",
            [[C("合计"), C("“三公”经费"), C("", left=True), C("", left=True), C("", left=True), C("", left=True),
              C("会议费"), C("培训费")],
             [C("", up=True), C("小计"), C("因公出国（境）费"), C("公务用车购置及运行维护费"), C("", left=True),
              C("公务接待费"), C("", up=True), C("", up=True)],
             [C("", up=True), C("", up=True), C("", up=True), C("小计"), C("公务用车运行维护费"), C("", up=True),
              C("", up=True), C("", up=True)],
             [C("1,656.86"), C("675.10"), C("106.00"), C("156.60"), C("156.60"), C("412.50"), C("884.16"), C("97.60")]],
            [("total", "budget_grand_total", Decimal("16568600.00")), ("total", "budget_total", Decimal("6751000.00")),
             ("total", "budget_overseas", Decimal("1060000.00")), ("total", "budget_vehicle", Decimal("1566000.00")),
             ("total", "budget_vehicle_operation", Decimal("1566000.00")),
             ("total", "budget_reception", Decimal("4125000.00")), ("total", "budget_meeting", Decimal("8841600.00")),
             ("total", "budget_training", Decimal("976000.00"))],
            id="three-public-total-is-the-sangong-subtotal",
        ),
    ],
)
def test_single_totals_row(table, rows, expected):
    records, _ = table_records(RawTable(table, "t", (1,), rows), 10000)
    assert [(r["item_key"], r["measure"], r["amount_yuan"]) for r in records] == expected


def test_summary_purposes_beside_classes_and_bottom_line_grand_total():
    rows = [
        [C("收入"), C("", left=True), C("支出"), C("", left=True), C("", left=True), C("", left=True)],
        [C("项目名称"), C("金额"), C("功能分类"), C("", left=True), C("支出用途"), C("", left=True)],
        [C("", up=True), C("", up=True), C("功能科目名称"), C("金额"), C("项目名称"), C("金额")],
        [C("一、财政拨款"), C("37,188.34"), C("四、公共安全支出"), C("27,488.23"), C("一、基本支出"), C("21,968.00")],
        [C("1.一般公共预算"), C("37,188.34"), C("十八、住房保障支出"), C("9,700.11"), C("二、项目支出"), C("10,208.94")],
        [C("三、其他资金"), C(""), C(""), C(""), C("三、单位预留机动经费"), C("5,011.40")],
        [C("当年收入小计"), C("37,188.34"), C("当年支出小计"), C("", left=True), C("", left=True), C("37,188.34")],
        [C("收入合计"), C("37,188.34"), C("支出合计"), C("", left=True), C("", left=True), C("37,188.34")],
    ]
    records, _ = table_records(RawTable("income_expenditure_summary", "收支预算总表", (8,), rows), 1)
    keyed = {(r["side"], r["item_key"] or r["subject_code"]): r["amount_yuan"] for r in records}
    assert keyed == {
        ("income", "fiscal_appropriation"): Decimal("37188.34"),
        ("income", "general_budget_appropriation"): Decimal("37188.34"),
        ("income", "other_funds"): None,
        ("income", "income_total"): Decimal("37188.34"),
        ("income", "grand_total"): Decimal("37188.34"),
        ("expenditure", "204"): Decimal("27488.23"),
        ("expenditure", "221"): Decimal("9700.11"),
        ("expenditure", "basic_expenditure"): Decimal("21968.00"),
        ("expenditure", "project_expenditure"): Decimal("10208.94"),
        ("expenditure", "reserve"): Decimal("5011.40"),
        ("expenditure", "expenditure_total"): Decimal("37188.34"),
        ("expenditure", "grand_total"): Decimal("37188.34"),
    }


@pytest.mark.parametrize(
    "rows,expected",
    [
        pytest.param(
            [[C("科目编码"), C("科目名称"), C("合计")],
             [C("20598"), C("超长期特别国债\n安排的支出"), C("21,778.00")],
             [C("2059802"), C("高等教育"), C("21,778.00")]],
            [("20598", "超长期特别国债安排的支出"), ("2059802", "高等教育")],
            id="wrapped-inside-the-cell",
        ),
        pytest.param(
            [[C("科目编码"), C("科目名称"), C("合计")],
             [C("2080505"), C("机关事业单位基本"), C("9,637.93")],
             [C(""), C("养老保险缴费支出"), C("")],
             [C(""), C("缴费支出"), C("")],
             [C("221"), C("住房保障支出"), C("16,151.67")],
             [C(""), C("合计"), C("25,789.60")]],
            [("2080505", "机关事业单位基本养老保险缴费支出缴费支出"), ("221", "住房保障支出"), (None, "合计")],
            id="wrapped-onto-rows-of-their-own-three-lines",
        ),
        pytest.param(
            [[C("科目编码"), C("科目名称"), C("合计")],
             [C("  205"), C("教育支出"), C("1.00")],
             [C("    20502"), C("普通教育"), C("1.00")],
             [C("      2050205"), C("高等教育"), C("1.00")]],
            [("205", "教育支出"), ("20502", "普通教育"), ("2050205", "高等教育")],
            id="codes-indented-by-level",
        ),
    ],
)
def test_wrapped_labels_and_indented_codes(rows, expected):
    records, _ = table_records(RawTable("expenditure", "t", (1,), rows), 10000)
    assert [(r["subject_code"], r["item"]) for r in records] == expected


@pytest.mark.parametrize(
    "pages,table_pages,expected",
    [
        pytest.param(
            ("1\n江苏省高级人民法院\n2019 年度部门预算公开", "公开 01 表\n收支预算总表\n部门名称：江苏省高级人民法院 单位:万元"),
            [2], ("江苏省高级人民法院", 2019, "budget", "department", "万元"), id="page-number-is-no-part-of-the-name",
        ),
        pytest.param(
            ("- 1 -\n江苏省政协办公厅 2018 年度\n部门预算公开", "收入预算总表\n部门：江苏省政协办公厅 单位：万元"),
            [2], ("江苏省政协办公厅", 2018, "budget", "department", "万元"), id="dashed-page-number",
        ),
        pytest.param(
            ("公开01表\n部门：江苏省政协办公厅 单位：万元\n收支预算总表",
             "公开12表\n部门：江苏省政协办公厅 单位：万元\n2018年政府采购预算表"),
            [1, 2], ("江苏省政协办公厅", 2018, "budget", "department", "万元"), id="tables-only-no-cover",
        ),
        pytest.param(
            ("上海市普陀区2025年区级单位预算\n预算单位：上海市普陀区商务委员会",
             "2025年预算单位财务收支预算总表\n编制单位：上海市普陀区商务委员会 单位：元"),
            [2], ("上海市普陀区商务委员会", 2025, "budget", "unit", "元"), id="shanghai-unit-cover-line",
        ),
        pytest.param(
            ("上海市普陀区2026年区级部门预算\n预算主管部门：上海市普陀区司法局",
             "2026年部门财务收支预算总表\n编制部门：上海市普陀区司法局 单位：元"),
            [2], ("上海市普陀区司法局", 2026, "budget", "department", "元"), id="shanghai-department-cover-line",
        ),
        pytest.param(
            ("2025年预算单位收入预算总表\n单位名称：某某中心 单位：万元",),
            [1], ("某某中心", 2025, "budget", "unit", "万元"), id="tables-of-a-single-budget-unit",
        ),
        pytest.param(
            ("西南大学 2024 年度部门决算\n2025 年 8 月", "表 1：高等学校收支决算总表\n单位名称：西南大学 单位：万元"),
            [2], ("西南大学", 2024, "final_accounts", "department", "万元"), id="university-final-accounts",
        ),
    ],
)
def test_report_metadata_v2(pages, table_pages, expected):
    meta = report_meta(pages, table_pages)
    assert (meta.department, meta.year, meta.report_type, meta.scope, meta.unit_printed) == expected


@pytest.mark.parametrize(
    "header,measures",
    [
        pytest.param(  # Shanghai budget: 人员经费 | 公用经费 are the columns' own headers
            [[C("项目"), C("", left=True), C("一般公共预算基本支出"), C("", left=True), C("", left=True)],
             [C("经济分类科目编码"), C("经济分类科目名称"), C("合计"), C("人员经费"), C("公用经费")]],
            [None, None, "amount", "personnel", "public"],
            id="own-headers-are-measures",
        ),
        pytest.param(  # Hubei 决算: 人员经费 titles a whole column group, its figures are 决算数
            [[C("人员经费"), C("", left=True), C("", left=True), C("公用经费"), C("", left=True), C("", left=True)],
             [C("经济分类科目编码"), C("科目名称"), C("决算数"), C("经济分类科目编码"), C("科目名称"), C("决算数")]],
            [None, None, "amount", None, None, "amount"],
            id="group-titles-are-not",
        ),
    ],
)
def test_personnel_and_public_only_as_a_columns_own_header(header, measures):
    columns = classify_columns("basic_expenditure", header, len(header[0]))
    assert [c.measure for c in columns] == measures
