"""Unit tests of the prose reader: sentences, figures and their quantities, claims, and the narrative checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.check_rows import Findings, cells_of
from contracts.checks_narrative import check_narrative
from transform.narrative import narrative_payload, narrative_records, read_narrative
from transform.report_frames import to_frame
from transform.sentences import Sentence, is_heading, layout, read_prose, section_of, split_sentences

P = layout()


# ---------- sentences ----------


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("本年收入合计2946.25万元，其中：财政拨款收入2940.05万元，占99.79%；其他收入6.2万元，占0.21%；",
                     ["本年收入合计2946.25万元，其中：财政拨款收入2940.05万元，占99.79%；", "其他收入6.2万元，占0.21%；"],
                     id="semicolons-split"),
        pytest.param("主要原因：人员变化。。", ["主要原因：人员变化。。"], id="doubled-end-mark-kept"),
        pytest.param("。", [], id="only-an-end-mark"),
        pytest.param("决算数与预算数基本持平", ["决算数与预算数基本持平"], id="no-end-mark"),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text, P) == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        pytest.param("一、收入支出决算总体情况说明", True, id="chinese-ordinal"),
        pytest.param("（三）国有资产占有使用情况说明", True, id="bracketed-ordinal"),
        pytest.param("第三部分上海市普陀区财政局2024年度部门决算情况说明", True, id="part"),
        pytest.param("2024年部门预算编制说明", True, id="plain-budget-heading"),
        pytest.param("（二）支出预算总计37188.34万元。", False, id="states-a-figure"),
        pytest.param("一、收入支出决算总体情况说明..........3", False, id="contents-line"),
        pytest.param("（二）事业收入：指事业单位开展专业业务活动", False, id="glossary-entry"),
        pytest.param("1、一般公共服务支出（类）财政事务（款）行政运行（项）。", False, id="numbered-item"),
    ],
)
def test_is_heading(line, expected):
    assert is_heading(line, P) is expected


@pytest.mark.parametrize(
    "heading, expected",
    [
        pytest.param("一、收入支出决算总体情况说明", "收入支出决算总体情况说明", id="ordinal-dropped"),
        pytest.param("（一）“三公”经费财政拨款支出决算总体情况说明。", "“三公”经费财政拨款支出决算总体情况说明", id="end-mark-dropped"),
    ],
)
def test_section_of(heading, expected):
    assert section_of(heading, P) == expected


def test_read_prose_pages_sections_paragraphs_and_table_pages():
    pages = [
        "第三部分 某局2024年度部门决算情况\n说明\n一、收入支出决算总体情况说明\n本 年 收入 合 计 2946.25 万 元，其\n中：",
        "收入表\n一、一般公共预算财政拨款收入 2,940.05\n注：本表无数据。",  # a table page: no prose read
        "财政拨款收入2940.05万元。\n3\n二、支出决算情况说明\n1、一般公共服务支出（类）。年初预算为10.00万元",
    ]
    sentences, headings = read_prose(pages, frozenset({2}), P)
    assert sentences == [  # spaces gone, the page number line 3 dropped, the sentence over pages 1-3 on page 1
        Sentence(1, "收入支出决算总体情况说明", "本年收入合计2946.25万元，其中：财政拨款收入2940.05万元。", 2),
        Sentence(3, "支出决算情况说明", "1、一般公共服务支出（类）。", 4),
        Sentence(3, "支出决算情况说明", "年初预算为10.00万元", 4),
    ]
    # headings from every page; the wrapped part heading gets its tail 说明; a table row is no heading
    assert [(h.page, h.text) for h in headings] == [
        (1, "第三部分某局2024年度部门决算情况说明"), (1, "一、收入支出决算总体情况说明"), (3, "二、支出决算情况说明")]


# ---------- figures and quantities ----------

def _gbe_frame(rows):
    """A general_budget_expenditure frame: (subject_code, level, item, item_key, total in 万元)."""
    records = [{"table": "general_budget_expenditure", "page": 15, "row_no": i + 1, "side": None, "subject_code": code,
                "subject_level": level, "item": item, "item_key": key, "line_no": None, "measure": "total",
                "measure_label": "合计", "amount_yuan": None if wan is None else Decimal(wan) * 10000}
               for i, (code, level, item, key, wan) in enumerate(rows)]
    return to_frame("r1", records, "final_accounts", "department")


GBE = _gbe_frame([
    ("201", "class", "一般公共服务支出", None, "2106.66"),
    ("20106", "section", "财政事务", None, "2106.66"),
    ("2010601", "item", "行政运行", None, "1511.89"),
    ("2010602", "item", "一般行政管理事务", None, "10.00"),
    (None, None, "合计", "total", "2940.05"),
])
META = {"report_type": "final_accounts", "year": 2024, "department": "上海市普陀区财政局"}


def _narrative(texts, section="一般公共预算财政拨款支出决算具体情况", tables=None, meta=META):
    sentences = [Sentence(22, section, text, paragraph) for paragraph, text in texts]
    return read_narrative(sentences, [], {"general_budget_expenditure": GBE} if tables is None else tables, meta, P)


@pytest.mark.parametrize(
    "texts, section, expected",
    [
        pytest.param([(1, "1、一般公共服务支出（类）财政事务（款）行政运行（项）。"),
                      (1, "年初预算为1560.05万元，支出决算为1511.89万元。")], None,
                     [("年初预算为", "budget_initial", "budget", Decimal("15600500")),
                      ("支出决算为", "general_budget_expenditure.2010601.total", "actual", Decimal("15118900"))],
                     id="item-named-in-the-paragraph"),
        pytest.param([(1, "一般公共服务支出（类）2106.66万元，占71.73%；")], "一般公共预算财政拨款支出决算结构情况",
                     [("一般公共服务支出（类）", "general_budget_expenditure.201.total", "actual", Decimal("21066600"))],
                     id="class-in-the-label"),
        pytest.param([(1, "公共安全支出（204类）司法（06款）行政运行（01项）1434.89万元。")], None,
                     [("公共安全支出（204类）司法（06款）行政运行（01项）", None, None, Decimal("14348900"))],
                     id="printed-code-not-in-table-unknown"),
        pytest.param([(1, "上海市普陀区财政局2024年度收入支出总计2995.39万元。"),
                      (1, "与2023年度相比，收入支出总计减少56.95万元，下降1.87%。")], "收入支出决算总体情况说明",
                     [("上海市普陀区财政局2024年度收入支出总计", "income_expenditure_summary.income.grand_total.amount",
                       "actual", Decimal("29953900")),
                      ("收入支出总计减少", "change_vs_last_year", "change", Decimal("569500"))],
                     id="summary-total-and-change"),
        pytest.param([(1, "“三公”经费财政拨款支出年初预算为0.95万元，支出决算为0.00万元，完成预算的0%，"
                          "其中：因公出国（境）费决算为0.00万元，完成预算的0%；")],
                     "“三公”经费财政拨款支出决算总体情况说明",
                     [("经费财政拨款支出年初预算为", "three_public.total.budget_total", "budget", Decimal("9500")),
                      ("支出决算为", "three_public.total.actual_total", "actual", Decimal("0")),
                      ("因公出国（境）费决算为", "three_public.total.actual_overseas", "actual", Decimal("0"))],
                     id="three-public-total-and-item"),
        pytest.param([(1, "1.因公出国(境)费全年预算为0万元，支出决算为0万元。")], "“三公”经费财政拨款支出决算具体情况说明",
                     [("因公出国(境)费全年预算为", "budget_adjusted", "budget", Decimal("0")),
                      ("支出决算为", "three_public.total.actual_overseas", "actual", Decimal("0"))],
                     id="three-public-item-named-before"),
        pytest.param([(1, "单价100万元（含）以上设备（不含车辆）2台（套）。")], "国有资产占有使用情况说明",
                     [("单价", None, None, Decimal("1000000"))], id="unknown-figure"),
    ],
)
def test_figures_their_labels_and_quantities(texts, section, expected):
    narrative = _narrative(texts, section or "一般公共预算财政拨款支出决算具体情况")
    assert [(f.label, f.quantity, f.role, f.amount_yuan) for f in narrative.figures] == expected


def test_budget_report_wording_prior_year_and_arrangement():
    tables = {"general_budget_expenditure": _gbe_frame([("2010601", "item", "行政运行", None, "25.77")])}
    narrative = _narrative([(1, "1.“一般公共服务支出（类）财政事务（款）行政运行（项）”25.77万元，主要用于行政运行。"),
                            (1, "2023年当年预算执行数为60.13万元，2024年预算安排25.77万元，比2023年预算执行数减少57.14%。")],
                           "2024年部门预算编制说明", tables, {**META, "report_type": "budget"})
    assert [(f.label, f.quantity, f.role) for f in narrative.figures] == [
        ("一般公共服务支出（类）财政事务（款）行政运行（项）", "general_budget_expenditure.2010601.total", "actual"),
        ("2023年当年预算执行数为", "prior_year_actual", "prior"),
        ("2024年预算安排", "general_budget_expenditure.2010601.total", "actual"),
    ]
    change = [c for c in narrative.claims if c["kind"] == "change"]
    assert [(c["sign"], c["prior"].number, c["current"].number, c["pct"].number) for c in change] == [
        (-1, Decimal("60.13"), Decimal("25.77"), Decimal("57.14"))]


def test_narrative_records_are_exact_in_yuan():
    narrative = _narrative([(1, "其他收入6.2万元，占0.21%；")], "收入决算情况说明")
    assert narrative_records(narrative) == [{
        "figure_no": 1, "page": 22, "section": "收入决算情况说明", "sentence": "其他收入6.2万元，占0.21%；",
        "quantity": "income.total.other", "amount_yuan": Decimal("62000.00"), "unit_printed": "万元"}]


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("其他收入6.2万元。", {("万元", 10000)}, id="wan-yuan"),
        pytest.param("其他收入620元。", {("元", 1)}, id="yuan"),
        pytest.param("本年收入合计2946.25万元，其中：财政拨款收入2940.05万元，占99.79%；",
                     {("万元", 10000), ("%", None)}, id="a-percentage-has-none"),
    ],
)
def test_payload_figures_carry_the_factor_of_their_stated_unit(text, expected):
    payload = narrative_payload(_narrative([(1, text)], "收入决算情况说明"))
    figures = payload["figures"] + [value for claim in payload["claims"] for value in claim.values()
                                    if isinstance(value, dict)]
    assert {(f["unit"], f["factor_yuan"]) for f in figures} == expected


# ---------- claims ----------


@pytest.mark.parametrize(
    "texts, expected",
    [
        pytest.param([(1, "年初预算为1560.05万元，支出决算为1511.89万元。"), (1, "决算数大于预算数的主要原因：人员变化。")],
                     [("budget_actual", "gt", Decimal("1560.05"), Decimal("1511.89"))], id="bigger"),
        pytest.param([(1, "年初预算为10.00万元，支出决算为10.00万元。"), (1, "决算数与预算数基本持平。")],
                     [("budget_actual", "near", Decimal("10.00"), Decimal("10.00"))], id="about-equal"),
        pytest.param([(1, "年初预算为0万元，全年预算为52.00万元，支出决算为51.32万元。"), (1, "决算数小于全年预算数。")],
                     [("budget_actual", "lt", Decimal("52.00"), Decimal("51.32"))], id="last-budget-stated"),
        pytest.param([(1, "年初预算为10.00万元。"), (2, "支出决算为10.00万元。决算数等于预算数。")], [],
                     id="budget-in-another-paragraph"),
    ],
)
def test_budget_actual_claims(texts, expected):
    claims = [c for c in _narrative(texts).claims if c["kind"] == "budget_actual"]
    assert [(c["kind"], c["op"], c["budget"].number, c["actual"].number) for c in claims] == expected


def test_share_claims_take_the_figure_before_qizhong():
    claims = _narrative([(1, "本年收入合计2946.25万元，其中：财政拨款收入2940.05万元，占99.79%；"),
                         (1, "其他收入6.2万元，占0.21%；"), (1, "公务接待费86.95万元，占“三公”经费的16.93%。")],
                        "收入决算情况说明").claims
    assert [(c["figure"].number, c["base"].number, c["pct"].number) for c in claims if c["kind"] == "share"] == [
        (Decimal("2940.05"), Decimal("2946.25"), Decimal("99.79")), (Decimal("6.2"), Decimal("2946.25"), Decimal("0.21"))]


@pytest.mark.parametrize(
    "text, where, expected",
    [
        pytest.param("截至2023年12月31日，某局共有车辆0辆。", "sentence", [("year", 2023, 2024)], id="year-end-wrong"),
        pytest.param("与2023年度相比，收入支出总计减少56.95万元。", "sentence", [("year", 2023, 2023)], id="last-year"),
        pytest.param("第三部分上海市普陀区财政局2023年度部门决算情况说明", "heading",
                     [("year", 2023, 2024), ("department", "上海市普陀区财政局", "上海市普陀区财政局")], id="heading-year"),
        pytest.param("第二部分上海市普陀区XX局2024年度部门决算表", "heading",
                     [("year", 2024, 2024), ("department", "上海市普陀区XX局", "上海市普陀区财政局"),
                      ("placeholder", "XX", None)], id="placeholder-department"),
        pytest.param("上海市普陀区财政局2024年度无“三公”经费财政拨款支出。", "sentence",
                     [("year", 2024, 2024), ("empty_statement", "three_public", "actual_")], id="said-empty"),
    ],
)
def test_text_claims(text, where, expected):
    from transform.narrative import _text_claims

    claims = _text_claims(5, text, where, "final_accounts", META, P)
    got = [(c["kind"], c.get("printed", c.get("token", c.get("table"))), c.get("expected", c.get("measures_prefix")))
           for c in claims]
    assert got == expected


# ---------- the checks ----------


def _checks(texts, section, tables):
    narrative = _narrative(texts, section, tables)
    findings = Findings("r1", 10000, report_type="final_accounts", scope="department")
    cells = {name: cells_of(name, frame) for name, frame in tables.items()}
    check_narrative(findings, cells, narrative_payload(narrative))
    return [(r["check"], r["passed"], r["expected"], r["actual"]) for r in findings.rows], findings.rows


@pytest.mark.parametrize(
    "texts, section, expected",
    [
        pytest.param([(1, "1、一般公共服务支出（类）财政事务（款）行政运行（项）。"), (1, "支出决算为1511.89万元。")], None,
                     [("narrative_figure_matches_table", True, Decimal("15118900.00"), Decimal("15118900.00"))],
                     id="equal"),
        pytest.param([(1, "一般公共服务支出（类）2106.7万元。")], "一般公共预算财政拨款支出决算结构情况",
                     [("narrative_figure_matches_table", True, Decimal("21066600.00"), Decimal("21067000.00"))],
                     id="within-the-rounding-of-one-decimal"),
        pytest.param([(1, "一般公共预算财政拨款支出年初预算为2993.92万元，支出决算为0.3万元。")], "一般公共预算财政拨款支出决算具体情况",
                     [("narrative_figure_matches_table", False, Decimal("29400500.00"), Decimal("3000.00"))],
                     id="differs"),
    ],
)
def test_figure_checks(texts, section, expected):
    rows, _ = _checks(texts, section or "一般公共预算财政拨款支出决算具体情况", {"general_budget_expenditure": GBE})
    assert rows == expected


@pytest.mark.parametrize(
    "texts, expected",
    [
        pytest.param([(1, "年初预算为1560.05万元，支出决算为1511.89万元。"), (1, "决算数大于预算数。")], False, id="says-bigger-is-smaller"),
        pytest.param([(1, "年初预算为1560.05万元，支出决算为1511.89万元。"), (1, "决算数小于预算数。")], True, id="smaller"),
        pytest.param([(1, "年初预算为62.29万元，支出决算为60.99万元。"), (1, "决算数等于预算数。")], False, id="says-equal"),
        pytest.param([(1, "年初预算为100.00万元，支出决算为99.50万元。"), (1, "决算数与预算数基本持平。")], True,
                     id="about-equal-within-one-percent"),
        pytest.param([(1, "年初预算为100.00万元，支出决算为98.00万元。"), (1, "决算数与预算数基本持平。")], False,
                     id="not-about-equal"),
    ],
)
def test_budget_comparison_check(texts, expected):
    rows, _ = _checks(texts, "其他说明", {})
    assert [(check, passed) for check, passed, _, _ in rows] == [("narrative_budget_comparison", expected)]


@pytest.mark.parametrize(
    "texts, expected",
    [
        pytest.param([(1, "收入支出总计2995.39万元。"), (1, "与2023年度相比，收入支出总计减少56.95万元，下降1.87%。")], True,
                     id="decrease-consistent"),  # 56.95 / (2995.39 + 56.95) = 1.866 %
        pytest.param([(1, "收入支出总计0万元。"), (1, "与2023年度相比，收入支出总计减少56.95万元，下降1.87%。")], False,
                     id="total-changed-to-zero"),  # last year would be 56.95: a 100 % fall
        pytest.param([(1, "2023年当年预算执行数为348.52万元，2024年预算安排352.67万元，比2023年预算执行数增加0.53%。")],
                     False, id="prior-stated-percentage-wrong"),  # 4.15 / 348.52 = 1.19 %
        pytest.param([(1, "2023年当年预算执行数为10.00万元，2024年预算安排10.00万元，比2023年预算执行数持平。")], True,
                     id="flat"),
        pytest.param([(1, "2025年当年预算执行数为57.43万元，2026年预算安排57.8万元，比2025年预算执行数减少2.27%。")],
                     False, id="says-decrease-is-increase"),
        pytest.param([(1, "机关运行经费支出10.23万元，比2023年度增加10.23万元，增长100.00%。")], None,
                     id="from-zero-not-run"),
    ],
)
def test_change_check(texts, expected):
    rows, _ = _checks(texts, "机关运行经费支出情况", {})
    assert [(check, passed) for check, passed, _, _ in rows if check == "narrative_change"] == ([] if expected is None else [("narrative_change", expected)])


@pytest.mark.parametrize(
    "pct, expected",
    [
        pytest.param("71.73", False, id="real-error-of-the-putuo-report"),  # 2106.66 / 2940.05 = 71.654 %
        pytest.param("71.65", True, id="right"),
        pytest.param("71.66", True, id="one-unit-off-to-add-up-to-100"),
    ],
)
def test_share_check(pct, expected):
    rows, _ = _checks([(1, f"一般公共预算财政拨款支出2940.05万元，主要用于以下方面：一般公共服务支出（类）2106.66万元，占{pct}%；")],
                      "一般公共预算财政拨款支出决算结构情况", {})
    assert [(check, passed) for check, passed, _, _ in rows] == [("narrative_share", expected)]


def _three_public(budget_total):
    records = [{"table": "three_public", "page": 18, "row_no": 1, "side": None, "subject_code": None, "subject_level": None,
                "item": None, "item_key": "total", "line_no": None, "measure": measure, "measure_label": measure,
                "amount_yuan": value} for measure, value in (("budget_total", budget_total), ("actual_total", None))]
    return to_frame("r1", records, "final_accounts", "department")


@pytest.mark.parametrize(
    "budget_total, texts, expected",
    [
        pytest.param(Decimal("9500"), [(1, "“三公”经费财政拨款支出年初预算为0.95万元，支出决算为0.00万元。")],
                     [("narrative_figure_matches_table", True), ("narrative_table_account", True)], id="as-printed"),
        pytest.param(None, [(1, "“三公”经费财政拨款支出年初预算为0.95万元，支出决算为0.00万元。")],
                     [("narrative_table_account", False), ("narrative_table_account", True)], id="row-blanked"),
        pytest.param(Decimal("9500"), [(1, "本部门2024年度无“三公”经费财政拨款支出。")],
                     [("narrative_table_account", True)], id="said-empty-and-no-actual-figures"),
    ],
)
def test_table_account_check(budget_total, texts, expected):
    rows, details = _checks(texts, "“三公”经费财政拨款支出决算总体情况说明", {"three_public": _three_public(budget_total)})
    assert [(check, passed) for check, passed, _, _ in rows if check != "narrative_year"] == expected


def test_a_failed_detail_quotes_page_sentence_cell_both_figures_and_difference():
    _, rows = _checks([(1, "上海市普陀区财政局2024年度财政拨款收入支出总计0.3万元。")], "财政拨款收入支出决算总体情况说明",
                      {"appropriation_summary": to_frame("r1", [{
                          "table": "appropriation_summary", "page": 13, "row_no": 32, "side": "income", "subject_code": None,
                          "subject_level": None, "item": "总计", "item_key": "grand_total", "line_no": None,
                          "measure": "amount", "measure_label": "决算数", "amount_yuan": Decimal("29616800")}],
                          "final_accounts", "department")})
    failed = [r["detail"] for r in rows if not r["passed"]]
    assert failed == [
        "p.22 「上海市普陀区财政局2024年度财政拨款收入支出总计0.3万元。」 (财政拨款收入支出决算总体情况说明): states 0.3 万元 "
        "for appropriation_summary.income.grand_total.amount; table appropriation_summary p.13 row 32 income grand_total "
        "总计 [amount] prints 2961.68 万元; difference -2961.38 万元 beyond the rounding of the stated figure (0.05 万元)"]


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text(alphabet="收入合计万元0123456789.，：“”（）。；", max_size=60))
def test_split_sentences_loses_no_text_and_ends_each_sentence_at_its_mark(text):
    parts = split_sentences(text, P)
    ends = P["lines"]["sentence_end"]
    assert "".join(parts) == text.lstrip(ends)  # only end marks before the first words are dropped
    assert all(part.rstrip(ends) and ends.find(part.rstrip(ends)[-1]) == -1 for part in parts)
    assert all(not any(ch in ends for ch in part.rstrip(ends)) for part in parts)


def test_prose_under_the_last_table_of_a_page_is_read():
    pages = ["采购表\n物业管理服务 430.00\n第三部分 2019 年度部门预算情况说明\n一、收支预算总体情况说明\n某院收入预算总计37188.34万元。",
             "收支预算总表\n一、财政拨款 37,188.34"]
    sentences, _ = read_prose(pages, frozenset({1, 2}), P)
    assert sentences == [Sentence(1, "收支预算总体情况说明", "某院收入预算总计37188.34万元。", 2)]


def test_dashed_subject_names_of_shanghai_budgets():
    tables = {"general_budget_expenditure": _gbe_frame([
        ("201", "class", "一般公共服务支出", None, "5816.95"), ("20103", "section", "政府办公厅(室)及相关机构事务", None, "5816.95"),
        ("2010301", "item", "行政运行", None, "1202.95")])}
    narrative = _narrative([(1, "1.“一般公共服务支出-政府办公厅(室)及相关机构事务-行政运行”科目1,202.95万元，主要用于行政单位的基本支出。")],
                           "2025年部门预算编制说明", tables, {**META, "report_type": "budget"})
    assert [(f.label, f.quantity, f.amount_yuan) for f in narrative.figures] == [
        ("科目", "general_budget_expenditure.2010301.total", Decimal("12029500"))]
