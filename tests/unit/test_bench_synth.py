"""The scale benchmark's synthetic-report generator: figures scaled exactly, names and years replaced everywhere, blank rows added."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import synth

SEED_TEXT_PATH = Path(__file__).resolve().parents[2] / ".." / "shared" / "seed" / "武汉市硚口区司法局2024年度部门决算公开.txt"


def _report(number: int = 7, year: int = 2021, factor: int = 2, extra_rows: int = 0) -> synth.SyntheticReport:
    return synth.SyntheticReport(index=number - 1, department=f"武汉市江汉区第{number}局", district="江汉区",
                                 number=number, year=year, factor=factor, extra_rows=extra_rows)


@pytest.mark.parametrize(
    "printed, factor, expected",
    [
        pytest.param("3, 469. 73", 2, "6, 939. 46", id="spaced-style"),
        pytest.param("2,171.2", 3, "6,513.6", id="cut-short-keeps-one-decimal"),
        pytest.param("108. 98", 10, "1, 089. 80", id="spaced-gains-a-thousands-group"),
        pytest.param("840.80", 2, "1,681.60", id="compact-gains-a-comma"),
        pytest.param("8. 00", 5, "40. 00", id="spaced-zero-decimals"),
        pytest.param("0.08", 3, "0.24", id="below-one"),
        pytest.param("999.99", 1, "999.99", id="factor-one-unchanged"),
        pytest.param("3,469.73", 300, "1,040,919.00", id="two-thousands-groups"),
    ],
)
def test_scale_figure(printed, factor, expected):
    assert synth.scale_figure(printed, factor) == expected


@given(cents=st.integers(min_value=0, max_value=10**9), factor=st.integers(min_value=1, max_value=9),
       spaced=st.booleans())
def test_scale_figure_is_exact_in_either_style(cents, factor, spaced):
    whole, fraction = divmod(cents, 100)
    printed = f"{whole:,}.{fraction:02d}"
    if spaced:
        printed = printed.replace(",", ", ").replace(".", ". ")
    scaled = synth.scale_figure(printed, factor)
    assert int(re.sub(r"[^\d]", "", scaled)) == cents * factor
    assert synth.FIGURE_RE.match(scaled)
    assert ((". " in scaled) == spaced)


@pytest.mark.parametrize(
    "text, year, expected",
    [
        pytest.param("2024 年度收入决算表", 2021, "2021 年度收入决算表", id="report-year"),
        pytest.param("与 2023 年度相比", 2021, "与 2020 年度相比", id="previous-year"),
        pytest.param("2025 年 10 月 31 日", 2019, "2020 年 10 月 31 日", id="publication-date"),
        pytest.param("2024年度对硚口区2024年度两项", 2025, "2025年度对硚口区2025年度两项", id="twice-unspaced"),
        pytest.param("2040601\t行政运行\t2024.50", 2021, "2040601\t行政运行\t2024.50", id="codes-and-figures-untouched"),
    ],
)
def test_replace_years(text, year, expected):
    assert synth.replace_years(text, 2024, year) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("单位：武汉市硚口区司法局本级", "单位：武汉市江汉区第7局本级", id="unit-line"),
        pytest.param("2024 年度硚口区司法局部门决算公开", "2024 年度江汉区第7局部门决算公开", id="cover"),
        pytest.param("第一部分 区司法局概况", "第一部分 区第7局概况", id="short-form"),
        pytest.param("“硚口普法”微信公众号", "“江汉普法”微信公众号", id="district-alone"),
        pytest.param("主管部门\t\t硤口区司法局", "主管部门\t\t江汉区第7局", id="misprinted-district"),
        pytest.param("接待对象主要是成都市彭州市司法局", "接待对象主要是成都市彭州市司法局", id="other-department-kept"),
    ],
)
def test_replace_department(text, expected):
    assert synth.replace_department(text, _report(number=7)) == expected


def test_scale_table_figures_touches_only_table_rows():
    text = "\n".join([
        "收入 3,469.73 万元",
        "2024 年度收入决算表",
        "公开 02 表",
        "单位：武汉市硚口区司法局本级",
        "类\t款\t项\t栏次\t1",
        "\t\t\t合计\t3, 469. 73",
        "2040601\t\t行政运行\t\t1, 712. 45",
        "第三部分 说明 3469.73",
    ])
    expected = "\n".join([
        "收入 3,469.73 万元",
        "2024 年度收入决算表",
        "公开 02 表",
        "单位：武汉市硚口区司法局本级",
        "类\t款\t项\t栏次\t1",
        "\t\t\t合计\t6, 939. 46",
        "2040601\t\t行政运行\t\t3, 424. 90",
        "第三部分 说明 3469.73",
    ])
    assert synth.scale_table_figures(text, 2) == expected


TINY_TABLES = "\n".join([
    "公开 02 表",
    "2040602\t\t一般行政管理事务\t\t108. 98\t108. 98",
    "2040604\t\t基层司法业务\t\t201. 91\t201. 91",
    "公开 03 表",
    "20406\t\t\t一般行政管理事务\t108. 98\t\t108. 98",
    "20406\t\t\t基层司法业务\t201. 91\t\t201. 91",
    "公开 05 表",
    "2040602\t\t\t一般行政管理事务\t108. 98\t\t108. 98",
    "2040604\t\t\t基层司法业务\t201. 91\t\t201. 91",
    "第三部分",
])
TINY_CATALOGUE = {"extra_rows": [{"code": "2040603", "label": "机关服务", "after": "2040602"},
                                 {"code": "2040613", "label": "信息化建设", "after": "2040604"}]}


def test_add_blank_rows_after_their_anchor_in_each_table():
    expected = "\n".join([
        "公开 02 表",
        "2040602\t\t一般行政管理事务\t\t108. 98\t108. 98",
        "2040603\t\t机关服务\t\t\t",
        "2040604\t\t基层司法业务\t\t201. 91\t201. 91",
        "公开 03 表",
        "20406\t\t\t一般行政管理事务\t108. 98\t\t108. 98",
        "20406\t\t\t机关服务\t\t\t",  # 公开03 prints 项 rows with their 款 code: the new row too
        "20406\t\t\t基层司法业务\t201. 91\t\t201. 91",
        "公开 05 表",
        "2040602\t\t\t一般行政管理事务\t108. 98\t\t108. 98",
        "2040603\t\t\t机关服务\t\t\t",
        "2040604\t\t\t基层司法业务\t201. 91\t\t201. 91",
        "第三部分",
    ])
    assert synth.add_blank_rows(TINY_TABLES, 1, TINY_CATALOGUE) == expected


def test_add_no_blank_rows_leaves_text_alone():
    assert synth.add_blank_rows(TINY_TABLES, 0, TINY_CATALOGUE) == TINY_TABLES


@pytest.mark.parametrize(
    "index, department, year, factor, extra_rows",
    [
        pytest.param(0, "武汉市江汉区第1局", 2019, 1, 0, id="first"),
        pytest.param(8, "武汉市江汉区第9局", 2020, 5, 8, id="ninth"),
        pytest.param(999, "武汉市江汉区第1000局", 2024, 3, 9, id="thousandth"),
    ],
)
def test_report_for_cycles_years_factors_and_rows(index, department, year, factor, extra_rows):
    report = synth.report_for(index)
    assert (report.department, report.year, report.factor, report.extra_rows) == (department, year, factor, extra_rows)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_TEXT_PATH.read_text(encoding="utf-8")


def test_synthetic_text_from_the_seed(seed_text):
    text = synth.synthetic_text(seed_text, _report(number=7, year=2021, factor=2, extra_rows=9))
    assert "硚口" not in text and "硤口" not in text and "司法局本级" not in text
    assert text.count("单位：武汉市江汉区第7局本级") == 9  # one per 公开表
    assert text.startswith("\n\n2021 年度江汉区第7局部门决算公开\n\n2022 年 10 月 31 日")
    assert "本年收入合计\t27\t6,939.46\t本年支出合计\t57\t6,939.46" in text  # 公开01, compact style
    assert "\t\t\t合计\t6, 939. 46\t6, 939. 46" in text  # 公开02, spaced style
    assert "301\t工资福利支出\t4,342.4\t" in text  # the cut-short 2,171.2 doubled, still one decimal
    assert "与 2020 年度相比" in text
    assert "2040603\t\t机关服务\t\t\t\t\t\t\t\t" in text  # 公开02 blank 项 row
    assert text.count("机关服务") == 3  # once in each of 公开02/03/05
    assert "2024" not in text  # 2021 report: neither its previous nor its next year is 2024
