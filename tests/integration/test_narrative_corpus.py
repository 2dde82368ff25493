"""The prose of every corpus report against its tables: each alteration of the tampered Putuo report is
found, the untampered original and the other reports give only their real disagreements."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from flows.cli import main
from flows.pipeline import process_report

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
SEED = REPO / "data" / "samples" / "武汉市硚口区司法局2024年度部门决算公开.pdf"
ORIGINAL = "上海市普陀区财政局2024年度部门决算.pdf"
TAMPERED = "上海市普陀区财政局2024年度部门决算-篡改样例.pdf"
TEMPLATE = "部门决算模板-上海2024.pdf"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout"),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("narrative")
    for pdf in sorted(CORPUS.rglob("*.pdf")) + [SEED]:
        process_report(pdf, root)
    return root


@pytest.fixture(scope="module")
def failed(warehouse) -> dict[str, list[tuple[str, str, str]]]:
    """source file -> [(check, severity, detail)] of its failed checks, in stored order."""
    reports = pd.read_parquet(warehouse / "reports")
    checks = pd.read_parquet(warehouse / "checks")
    names = dict(zip(reports["report_id"], reports["source_file"]))
    out: dict[str, list] = {name: [] for name in names.values()}
    for row in checks[~checks["passed"]].itertuples():
        out[names[row.report_id]].append((row.check, row.severity, row.detail))
    return out


def _matches(rows, expected):
    """Each expected (check, words) is found in exactly one failed row, and every failed row is expected."""
    unmatched = list(rows)
    missing = []
    for check, words in expected:
        hits = [r for r in unmatched if r[0] == check and all(w in r[2] for w in words)]
        if len(hits) != 1:
            missing.append((check, words, len(hits)))
            continue
        unmatched.remove(hits[0])
    return missing, unmatched


# How the alterations were found: the text layers of the two PDFs were read with pypdfium2
# (extract.preflight.read_pdf_text), whitespace removed, split at 。；，： and the pieces of each
# compared as multisets (the tampered PDF is a WPS re-rendering: its lines wrap differently and some
# paragraphs come in another order in its text layer, which is not an alteration); the tables were
# compared cell by cell as the pipeline reads them from both PDFs (transform_report(...).tables).
TAMPERED_FINDINGS = [
    # table removed: the original's 支出决算表 (its pp.10-11) is not in the tampered PDF at all
    ("table_present", ["expenditure (支出决算表) missing"]),
    # row dropped: the 三公 table's one figures row (预算数 0.95 | 0.95 of the original's p.18) is gone,
    # while the text still states 年初预算为0.95万元
    ("narrative_table_account", ["p.22", "0.95 万元 for three_public.total.budget_total", "is blank"]),
    # placeholder name: the part heading over the first table reads 上海市普陀区XX局 (original: 财政局)
    ("narrative_placeholder", ["p.7", "上海市普陀区XX局", "'XX'"]),
    ("narrative_department", ["p.7", "heading names '上海市普陀区XX局'"]),
    # figure changed: 收入支出总计2995.39万元 became 0万元 ...
    ("narrative_figure_matches_table", ["p.18", "收入支出总计0万元", "prints 2995.39 万元", "difference -2995.39 万元"]),
    # ... so its unchanged next sentence (减少56.95万元，下降1.87%) no longer fits it either
    ("narrative_change", ["p.18", "减少56.95万元", "from this year's 0 万元"]),
    # year changed in the heading of part three: 2024年度部门决算情况说明 became 2023年度
    ("narrative_year", ["p.18", "第三部分上海市普陀区财政局2023年度部门决算情况说明", "makes it 2024"]),
    # year changed: 截至2024年12月31日 became 截至2023年12月31日
    ("narrative_year", ["p.24", "截至2023年12月31日", "makes it 2024"]),
    # comparisons changed: 行政运行 (预算1560.05, 决算1511.89) 决算数小于预算数 became 大于
    ("narrative_budget_comparison", ["p.19", "大于", "budget 1560.05 万元", "决算 1511.89 万元"]),
    # 职业年金缴费支出 (80.81 / 80.38) 小于 became 大于
    ("narrative_budget_comparison", ["p.20", "大于", "budget 80.81 万元", "决算 80.38 万元"]),
    # 行政单位医疗 (62.29 / 60.99) 小于 became 等于
    ("narrative_budget_comparison", ["p.21", "等于", "budget 62.29 万元", "决算 60.99 万元"]),
    # not an alteration: the original's own error (71.73 % for 2106.66 of 2940.05 = 71.65 %) is in both
    ("narrative_share", ["71.73%", "it is 71.65%"]),
    # The one alteration that gives no finding: 财政拨款收入支出总计0.3万元，与2023年度相比…持平 became
    # 2961.68万元 … 减少63.14万元，下降2.09%: that repairs the original's error (2961.68 is the table's
    # figure) and 63.14 / (2961.68 + 63.14) = 2.09 %: nothing in the report contradicts it.
]


def test_each_alteration_of_the_tampered_report_is_found(failed):
    missing, unexpected = _matches(failed[TAMPERED], TAMPERED_FINDINGS)
    assert missing == [] and unexpected == []


def test_the_untampered_report_has_only_its_real_disagreements(failed):
    # Found by this checker and confirmed by hand against the tables:
    # p.21 says 财政拨款收入支出总计0.3万元 (and 与2023年度相比…持平) where its 财政拨款收入支出决算总表
    # prints 总计 2,961.68 (2,940.05 + 年初结转 21.63); and 一般公共服务支出（类）2106.66万元 is 71.65 %
    # of 2940.05, not the 71.73 % printed (the four shares printed add up to 100.07 %).
    missing, unexpected = _matches(failed[ORIGINAL], [
        ("narrative_figure_matches_table", ["p.21", "财政拨款收入支出总计0.3万元", "prints 2961.68 万元"]),
        ("narrative_share", ["p.21", "71.73%", "it is 71.65%"]),
    ])
    assert missing == [] and unexpected == []


# Real disagreements printed in the other reports' prose, each confirmed by hand in the PDF.
REAL_ELSEWHERE = {
    # item 31 住房公积金: the heading states 350.35万元 (the table's 3,503,499 元), the next sentence
    # 预算安排352.67万元; the 0.53 % printed fits 350.35 (350.35 / 348.52), not 352.67
    "上海市普陀区人民政府万里街道办事处2024年部门预算.pdf": [
        ("narrative_figure_matches_table", ["p.9", "预算安排352.67万元", "prints 350.3499 万元"]),
        ("narrative_change", ["p.9", "增加0.53%", "≠ 1.19%"]),
    ],
    # 行政单位离退休 heading 56.12万元 = table, 预算安排57.8万元 and 减少2.27% for a rise; 购房补贴 heading
    # 207万元 = table, 预算安排170.03万元 and 增加21.74% for a fall; 行政运行 1690.69 → 1434.89 is -15.13 %
    "上海市普陀区司法局2026年单位预算.pdf": [
        ("narrative_figure_matches_table", ["p.6", "预算安排57.8万元", "prints 56.124 万元"]),
        ("narrative_figure_matches_table", ["p.7", "预算安排170.03万元", "prints 207 万元"]),
        ("narrative_change", ["p.6", "减少1.10%", "≠ 15.13%"]),
        ("narrative_change", ["p.6", "减少2.27%", "≠ 0.64%"]),
        ("narrative_change", ["p.7", "增加21.74%", "≠ 29.67%"]),
    ],
    "上海市普陀区司法局2026年部门预算.pdf": [
        ("narrative_figure_matches_table", ["p.9", "预算安排201.50万元", "prints 208.7959 万元"]),
        ("narrative_change", ["p.9", "43269.3万元", "≠ 91.11%"]),
        ("narrative_change", ["p.9", "增加17.66%", "≠ 17.93%"]),
        ("narrative_change", ["p.9", "增加5.27%", "≠ 1.59%"]),
    ],
    # 社会福利事业单位 738.66万元 twice; the table prints 6,964,796 元 (financial appropriation 9,584,796 in all)
    "上海市普陀区社会福利院2024年单位预算.pdf": [
        ("narrative_figure_matches_table", ["p.6", "社会福利事业单位（项）”738.66万元", "prints 696.4796 万元"]),
        ("narrative_figure_matches_table", ["p.6", "预算安排738.66万元", "prints 696.4796 万元"]),
    ],
}


def test_no_false_narrative_findings_on_the_other_reports(failed):
    for name, rows in failed.items():
        if name in (ORIGINAL, TAMPERED, TEMPLATE):
            continue
        narrative = [r for r in rows if r[0].startswith("narrative_")]
        missing, unexpected = _matches(narrative, REAL_ELSEWHERE.get(name, []))
        assert (name, missing, unexpected) == (name, [], [])


def test_the_blank_template_is_all_placeholders(failed):
    narrative = [r for r in failed[TEMPLATE] if r[0].startswith("narrative_")]
    assert narrative and {check for check, _, _ in narrative} == {"narrative_placeholder"}
    assert any("第二部分上海市XX局2024年度部门决算表" in detail for _, _, detail in narrative)


def test_the_narrative_dataset_is_partitioned_like_the_others(warehouse):
    stated = pd.read_parquet(warehouse / "quarantine" / "narrative")
    assert {"department", "year"} <= set(stated.columns)
    original = stated[(stated["department"] == "上海市普陀区财政局") & (stated["sentence"].str.contains("0.3万元"))]
    assert original[["page", "section", "quantity", "amount_yuan", "unit_printed"]].to_dict("records") == [{
        "page": 21, "section": "财政拨款收入支出决算总体情况说明", "quantity": "appropriation_summary.income.grand_total.amount",
        "amount_yuan": Decimal("3000.00"), "unit_printed": "万元"}]
    published = pd.read_parquet(warehouse / "narrative")
    social = published[published["department"] == "中共上海市普陀区委社会工作部"]
    assert set(social["year"].astype(int)) == {2024}
    assert "three_public.total.actual_total" not in set(social["quantity"])  # it states no 三公 figure
    assert Decimal("3078200.00") in set(social.loc[social["quantity"] == "income_expenditure_summary.income.grand_total.amount",
                                                  "amount_yuan"])  # 收入支出总计307.82万元


def test_budgetlake_checks_prints_page_sentence_cell_figures_and_difference(warehouse, capsys):
    assert main(["checks", str(CORPUS / "final_accounts" / ORIGINAL), "--warehouse", str(warehouse)]) == 2
    lines = capsys.readouterr().out.splitlines()
    first = lines.index("  FAIL error   appropriation_summary/narrative_figure_matches_table")
    assert lines[first + 1:first + 6] == [
        "         p.21 「上海市普陀区财政局2024年度财政拨款收入支出总计0.3万元。」 (财政拨款收入支出决算总体情况说明)",
        "         states 0.3 万元 for appropriation_summary.income.grand_total.amount",
        "         table appropriation_summary p.13 row 32 income grand_total 总计 [amount] prints 2961.68 万元",
        "         difference -2961.38 万元 beyond the rounding of the stated figure (0.05 万元)",
        "         expected=29616800.00 元  actual=3000.00 元",
    ]


def test_every_template_has_figures_compared_with_its_tables(warehouse):
    """Both report types and every template of the corpus: some stated figures are found in their tables."""
    reports = pd.read_parquet(warehouse / "reports")
    checks = pd.read_parquet(warehouse / "checks")
    compared = checks[checks["check"] == "narrative_figure_matches_table"].groupby("report_id").size()
    with_prose = reports[(reports["status"] != "failed") & (reports["source_file"] != TEMPLATE)
                         & ~reports["source_file"].str.endswith("公开表.pdf")]  # a tables-only PDF has no prose
    counts = {row.source_file: int(compared.get(row.report_id, 0)) for row in with_prose.itertuples()}
    assert {name: n for name, n in counts.items() if n < 3} == {} and len(counts) == 16, counts
