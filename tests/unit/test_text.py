"""Label cleaning: width folding, extraction spaces and line breaks, ordinal prefixes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.names import fold_width
from transform.text import clean_label, split_ordinal, strip_ordinal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("３，４６９．７３", "3,469.73", id="full-width-figure"),
        pytest.param("因公出国（境）费", "因公出国(境)费", id="full-width-parentheses"),
        pytest.param("其中：", "其中:", id="full-width-colon"),
        pytest.param("ＡＢＣ１２３", "ABC123", id="full-width-latin"),
        pytest.param("一\u3000二", "一 二", id="ideographic-space"),
        pytest.param("一\u00a0二", "一 二", id="no-break-space"),
        pytest.param("合\u200b计", "合计", id="zero-width-space"),
        pytest.param("合\u200f计\u202e", "合计", id="bidi-marks-dropped-as-in-names"),
        pytest.param("费\u00ad用\ufeff", "费用", id="soft-hyphen-and-bom"),
        pytest.param("a\nb\tc", "a\nb\tc", id="line-breaks-and-tabs-kept"),
        pytest.param("\ue000", "\ue000", id="private-use-kept-unlike-names"),
        pytest.param("\u2f00般公共预算", "一般公共预算", id="kangxi-radical-one"),
        pytest.param("“三公”经费、《条例》。", "“三公”经费、《条例》。", id="cjk-punctuation-kept"),
        pytest.param("①", "①", id="circled-number-kept"),
        pytest.param("⑴", "⑴", id="parenthesised-number-kept"),
        pytest.param("", "", id="empty"),
    ],
)
def test_fold_width(text: str, expected: str) -> None:
    assert fold_width(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("一、一般公共预算财政拨款收入", (1, "一般公共预算财政拨款收入"), id="cn-dun"),
        pytest.param("二十三、其他支出", (23, "其他支出"), id="cn-twenty-three"),
        pytest.param("二十六、抗疫特别国债安排的支出", (26, "抗疫特别国债安排的支出"), id="cn-twenty-six"),
        pytest.param("（一）办公室", (1, "办公室"), id="full-width-parentheses"),
        pytest.param("(一)办公室", (1, "办公室"), id="ascii-parentheses"),
        pytest.param("（十）区委依法治区办秘书科", (10, "区委依法治区办秘书科"), id="paren-ten"),
        pytest.param("1.本表反映", (1, "本表反映"), id="digit-point"),
        pytest.param("2. 本套报表", (2, "本套报表"), id="digit-point-space"),
        pytest.param("1．本表", (1, "本表"), id="digit-full-width-point"),
        pytest.param("1、行政运行", (1, "行政运行"), id="digit-dun"),
        pytest.param("(1)公共安全支出", (1, "公共安全支出"), id="digit-parentheses"),
        pytest.param("（12）法治建设", (12, "法治建设"), id="digit-full-width-parentheses"),
        pytest.param(" 三、 国防支出", (3, "国防支出"), id="spaces-around"),
        pytest.param("一般公共服务支出", (None, "一般公共服务支出"), id="starts-with-numeral-word"),
        pytest.param("十百、x", (None, "十百、x"), id="not-a-numeral"),
        pytest.param("1.5万元以下", (None, "1.5万元以下"), id="decimal-not-ordinal"),
        pytest.param("因公出国（境）费", (None, "因公出国(境)费"), id="parenthesis-inside"),
        pytest.param("(境)费", (None, "(境)费"), id="parenthesised-word"),
        pytest.param("2024年度", (None, "2024年度"), id="year"),
        pytest.param("合计", (None, "合计"), id="no-prefix"),
    ],
)
def test_split_ordinal(text: str, expected: tuple[int | None, str]) -> None:
    assert split_ordinal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("四、公共安全支出", "公共安全支出", id="cn"),
        pytest.param("（二）行政复议应诉科", "行政复议应诉科", id="paren"),
        pytest.param("本年收入合计", "本年收入合计", id="none"),
    ],
)
def test_strip_ordinal(text: str, expected: str) -> None:
    assert strip_ordinal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("公 务 用 车 运 行 维 护\n费", "公务用车运行维护费", id="distributed-and-broken"),
        pytest.param("本年收入合\n计", "本年收入合计", id="broken-label"),
        pytest.param("一、本年收入合\n计", "本年收入合计", id="ordinal-and-broken"),
        pytest.param("机关事业单位基本养老 保险缴费", "机关事业单位基本养老保险缴费", id="wrapped-space"),
        pytest.param("财政拨款收 入", "财政拨款收入", id="header-wrap"),
        pytest.param("收 入", "收入", id="distributed-header"),
        pytest.param("因公出国（境）费", "因公出国(境)费", id="folded-parentheses"),
        pytest.param("因公出国(境)费", "因公出国(境)费", id="ascii-parentheses-same"),
        pytest.param("因公出国（境）\n费用", "因公出国(境)费用", id="break-after-parenthesis"),
        pytest.param("二 十 三、其 他 支 出", "其他支出", id="spaced-ordinal"),
        pytest.param("（一）\n办公室", "办公室", id="ordinal-on-own-line"),
        pytest.param("Office\n365", "Office 365", id="latin-digit-keeps-space"),
        pytest.param("PM2.5  monitoring", "PM2.5 monitoring", id="latin-spaces-collapse"),
        pytest.param("2024 年度", "2024年度", id="digit-cjk-joined"),
        pytest.param("使用非财政拨款结余（含专用结余）", "使用非财政拨款结余(含专用结余)", id="words-untouched"),
        pytest.param("  合计  ", "合计", id="trimmed"),
        pytest.param("", "", id="empty"),
        pytest.param("一、", "", id="ordinal-only"),
        pytest.param("1. 2024年度结转", "2024年度结转", id="ordinal-before-a-year"),
        pytest.param("1.5万元以下", "1.5万元以下", id="decimal-is-no-ordinal"),
    ],
)
def test_clean_label(text: str, expected: str) -> None:
    assert clean_label(text) == expected


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
breaks = st.sampled_from([" ", "  ", "\n", " \n ", "\u3000"])


@given(st.lists(cjk, min_size=1, max_size=12), st.lists(breaks, max_size=12))
def test_breaks_between_cjk_characters_vanish(chars: list[str], gaps: list[str]) -> None:
    printed = "".join(ch + (gaps[i] if i < len(gaps) else "") for i, ch in enumerate(chars))
    assert clean_label(printed) == "".join(chars)


@given(st.text(st.one_of(cjk, st.sampled_from("AbZ09 \n\u3000\t（）()、.一二十")), max_size=30))
def test_clean_label_leaves_no_break_and_no_space_beside_cjk(text: str) -> None:
    cleaned = clean_label(text)
    assert "\n" not in cleaned and cleaned == cleaned.strip()
    for position, ch in enumerate(cleaned):
        if ch.isspace():
            assert ch == " "
            assert cleaned[position - 1].isascii() and cleaned[position - 1].isalnum()
            assert cleaned[position + 1].isascii() and cleaned[position + 1].isalnum()
