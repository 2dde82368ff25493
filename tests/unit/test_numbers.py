"""Printed figures, Chinese numerals and bounds: hand-written cases and round-trip properties."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.money import from_fen, to_fen
from transform.numbers import Bound, parse_amount, parse_bound
from transform.text import parse_cn_int

# ---------- parse_amount: hand-written cases ----------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("3,469.73", Decimal("3469.73"), id="grouped"),
        pytest.param("3, 469. 73", Decimal("3469.73"), id="spaced"),
        pytest.param("3 ,469 .73", Decimal("3469.73"), id="spaced-before-marks"),
        pytest.param("3 469.73", Decimal("3469.73"), id="space-as-group-separator"),
        pytest.param("1 234 567.89", Decimal("1234567.89"), id="spaces-between-groups"),
        pytest.param("3469.73", Decimal("3469.73"), id="plain"),
        pytest.param("  3469.73 ", Decimal("3469.73"), id="padded"),
        pytest.param("３，４６９．７３", Decimal("3469.73"), id="full-width"),
        pytest.param("1,23\n4.56", Decimal("1234.56"), id="broken-inside-group"),
        pytest.param("3, 469.\n73", Decimal("3469.73"), id="broken-after-point"),
        pytest.param("3,\n469.73", Decimal("3469.73"), id="broken-after-comma"),
        pytest.param("12\r\n3.4", Decimal("123.4"), id="broken-crlf"),
        pytest.param("-12.30", Decimal("-12.30"), id="minus"),
        pytest.param("－12.30", Decimal("-12.30"), id="full-width-minus"),
        pytest.param("−12.30", Decimal("-12.30"), id="unicode-minus"),
        pytest.param("(12.30)", Decimal("-12.30"), id="parenthesised"),
        pytest.param("（12.30）", Decimal("-12.30"), id="full-width-parenthesised"),
        pytest.param("( 1, 234. 50 )", Decimal("-1234.50"), id="parenthesised-spaced"),
        pytest.param("△12.30", Decimal("-12.30"), id="triangle"),
        pytest.param("△ 1,000", Decimal("-1000"), id="triangle-spaced"),
        pytest.param("+5.00", Decimal("5.00"), id="plus"),
        pytest.param("2,171.2", Decimal("2171.2"), id="cut-short-one-decimal"),
        pytest.param("8.00", Decimal("8.00"), id="trailing-zeros"),
        pytest.param("0", Decimal("0"), id="zero"),
        pytest.param("0.00", Decimal("0.00"), id="zero-two-places"),
        pytest.param("1,000,000", Decimal("1000000"), id="integer-grouped"),
        pytest.param("12.345", Decimal("12.345"), id="three-decimals-as-printed"),
        pytest.param("\u3000228. 93\u3000", Decimal("228.93"), id="ideographic-spaces"),
    ],
)
def test_parse_amount_reads_printed_figures(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "exponent"),
    [
        pytest.param("8.00", -2, id="two-places"),
        pytest.param("2,171.2", -1, id="one-place"),
        pytest.param("3, 469. 73", -2, id="spaced"),
        pytest.param("1,000", 0, id="integer"),
    ],
)
def test_parse_amount_keeps_printed_scale(text: str, exponent: int) -> None:
    amount = parse_amount(text)
    assert amount is not None
    assert amount.as_tuple().exponent == exponent


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="spaces"),
        pytest.param("\n", id="newline"),
        pytest.param("\u3000", id="ideographic-space"),
        pytest.param("-", id="hyphen"),
        pytest.param("—", id="em-dash"),
        pytest.param("－", id="full-width-minus"),
        pytest.param("——", id="double-em-dash"),
        pytest.param(" - ", id="hyphen-padded"),
        pytest.param("/", id="slash"),
        pytest.param("／", id="full-width-slash"),
        pytest.param("-/", id="only-blank-marks"),
        pytest.param(None, id="none"),
    ],
)
def test_parse_amount_blank_cells_are_none(text: str | None) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("合计", id="label"),
        pytest.param("2,171.2.3", id="two-points"),
        pytest.param("12a", id="trailing-letter"),
        pytest.param("a12", id="leading-letter"),
        pytest.param("1,2,3", id="wrong-grouping"),
        pytest.param("1,23,456", id="indian-grouping"),
        pytest.param("1234,567", id="first-group-too-long"),
        pytest.param("1,0002,000", id="two-figures-run-together"),
        pytest.param("1.00\n2.00", id="two-figures-stacked"),
        pytest.param("1.234,56", id="european"),
        pytest.param("12.", id="bare-point"),
        pytest.param(".5", id="no-integer-part"),
        pytest.param("012", id="leading-zero"),
        pytest.param("100 2", id="space-not-at-group"),
        pytest.param("469.7 3", id="space-inside-fraction"),
        pytest.param("12.30%", id="percent"),
        pytest.param("3,469.73万元", id="with-unit"),
        pytest.param("--12", id="double-minus"),
        pytest.param("-(12.30)", id="minus-and-parentheses"),
        pytest.param("(12.30", id="unbalanced-parenthesis"),
        pytest.param("12.30-", id="trailing-minus"),
        pytest.param("¥12.30", id="currency-sign"),
        pytest.param("①", id="circled-one"),
        pytest.param("一百", id="chinese-numeral"),
        pytest.param("12。30", id="ideographic-full-stop"),
        pytest.param("٣٤", id="arabic-indic-digits"),
    ],
)
def test_parse_amount_rejects_non_figures_naming_the_text(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_amount(text)
    assert repr(text) in str(raised.value)


def test_parse_amount_refuses_non_text() -> None:
    with pytest.raises(TypeError):
        parse_amount(12.3)  # type: ignore[arg-type]


# ---------- parse_amount: round trip of every printed style ----------

amounts = st.decimals(
    min_value=Decimal(-(10**12)), max_value=Decimal(10**12), places=2, allow_nan=False, allow_infinity=False
)


def print_plain(amount: Decimal) -> str:
    return f"{amount:f}"


def print_grouped(amount: Decimal) -> str:
    return ("-" if amount < 0 else "") + f"{abs(amount):,.2f}"


def print_full_width(printed: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in printed)


def print_with_extraction_spaces(printed: str, draw_spaces) -> str:
    """Spaces around each comma and the point, some commas replaced by spaces (between digit groups)."""
    out = []
    for ch in printed:
        if ch == ",":
            style = draw_spaces(st.sampled_from(["after", "before", "both", "instead"]))
            width = " " * draw_spaces(st.integers(1, 2))
            out.append({"after": "," + width, "before": width + ",", "both": width + "," + width, "instead": width}[style])
        elif ch == ".":
            out.append(" " * draw_spaces(st.integers(0, 2)) + "." + " " * draw_spaces(st.integers(0, 2)))
        else:
            out.append(ch)
    return "".join(out)


def break_line(printed: str, position: int) -> str:
    position = 1 + position % (len(printed) - 1)
    return printed[:position] + "\n" + printed[position:]


@given(amounts)
def test_plain_round_trips(amount: Decimal) -> None:
    parsed = parse_amount(print_plain(amount))
    assert parsed == amount
    assert parsed is not None and parsed.as_tuple().exponent == -2


@given(amounts)
def test_grouped_round_trips(amount: Decimal) -> None:
    assert parse_amount(print_grouped(amount)) == amount


@given(amounts, st.data())
def test_grouped_with_extraction_spaces_round_trips(amount: Decimal, data: st.DataObject) -> None:
    printed = print_with_extraction_spaces(print_grouped(amount), data.draw)
    assert parse_amount(printed) == amount, printed


@given(amounts)
def test_full_width_round_trips(amount: Decimal) -> None:
    assert parse_amount(print_full_width(print_grouped(amount))) == amount


@given(amounts.filter(lambda amount: amount < 0), st.booleans())
def test_parenthesised_negative_round_trips(amount: Decimal, full_width: bool) -> None:
    printed = f"({abs(amount):,.2f})"
    assert parse_amount(print_full_width(printed) if full_width else printed) == amount


@given(amounts.filter(lambda amount: amount < 0))
def test_triangle_negative_round_trips(amount: Decimal) -> None:
    assert parse_amount(f"△{abs(amount):,.2f}") == amount


@given(amounts, st.sampled_from([print_plain, print_grouped]), st.integers(min_value=0))
def test_broken_across_a_line_round_trips(amount: Decimal, style, position: int) -> None:
    printed = break_line(style(amount), position)
    assert parse_amount(printed) == amount, printed


# ---------- parse_amount: labels never parse ----------

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
letters = st.sampled_from(string.ascii_letters)
label_chars = st.one_of(cjk, letters)


@given(st.text(label_chars, min_size=1, max_size=20))
def test_label_text_never_parses(label: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(label)


@given(amounts, label_chars, st.integers(min_value=0))
def test_figure_with_a_label_character_never_parses(amount: Decimal, intruder: str, position: int) -> None:
    printed = print_grouped(amount)
    position %= len(printed) + 1
    with pytest.raises(ValueError):
        parse_amount(printed[:position] + intruder + printed[position:])


# ---------- to_fen / from_fen ----------


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        pytest.param(Decimal("34697300.00"), 3469730000, id="yuan-two-places"),
        pytest.param(Decimal("0.01"), 1, id="one-fen"),
        pytest.param(Decimal("-12.30"), -1230, id="negative"),
        pytest.param(Decimal("21712000.0"), 2171200000, id="one-place"),
        pytest.param(Decimal("5"), 500, id="integer"),
        pytest.param(Decimal("1.230"), 123, id="trailing-zero-below-fen"),
        pytest.param(Decimal("0"), 0, id="zero"),
        pytest.param(Decimal("1E+3"), 100000, id="exponent-form"),
    ],
)
def test_to_fen_is_exact(amount: Decimal, fen: int) -> None:
    assert to_fen(amount) == fen


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(Decimal("1.234"), id="three-decimals"),
        pytest.param(Decimal("0.001"), id="tenth-of-fen"),
        pytest.param(Decimal("NaN"), id="nan"),
        pytest.param(Decimal("Infinity"), id="infinity"),
    ],
)
def test_to_fen_refuses_amounts_below_fen(amount: Decimal) -> None:
    with pytest.raises(ValueError):
        to_fen(amount)


def test_to_fen_refuses_float() -> None:
    with pytest.raises(TypeError):
        to_fen(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fen", "amount_text"),
    [
        pytest.param(123456, "1234.56", id="plain"),
        pytest.param(0, "0.00", id="zero"),
        pytest.param(-5, "-0.05", id="negative"),
    ],
)
def test_from_fen_has_two_places(fen: int, amount_text: str) -> None:
    assert str(from_fen(fen)) == amount_text


@given(amounts)
def test_fen_round_trips(amount: Decimal) -> None:
    assert from_fen(to_fen(amount)) == amount


# ---------- parse_cn_int ----------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("十九", 19, id="teen"),
        pytest.param("十", 10, id="ten"),
        pytest.param("二十三", 23, id="twenty-three"),
        pytest.param("二十", 20, id="twenty"),
        pytest.param("一百零五", 105, id="zero-marks-skipped-ten"),
        pytest.param("一百一十", 110, id="one-ten-inside"),
        pytest.param("一千零五", 1005, id="one-zero-for-two-places"),
        pytest.param("一千零五十", 1050, id="zero-then-tens"),
        pytest.param("〇", 0, id="ling-circle"),
        pytest.param("零", 0, id="ling"),
        pytest.param("五", 5, id="digit"),
        pytest.param("两", 2, id="liang"),
        pytest.param("两千", 2000, id="liang-thousand"),
        pytest.param("壹万贰仟叁佰", 12300, id="financial"),
        pytest.param("贰拾叁", 23, id="financial-tens"),
        pytest.param("1万2千", 12000, id="mixed"),
        pytest.param("12万", 120000, id="mixed-multi-digit"),
        pytest.param("一万", 10000, id="wan"),
        pytest.param("一万零五", 10005, id="wan-zero"),
        pytest.param("一万零五百", 10500, id="wan-zero-hundreds"),
        pytest.param("十万", 100000, id="ten-wan"),
        pytest.param("二十三万四千", 234000, id="wan-section"),
        pytest.param("一亿零五万", 100050000, id="yi-zero-wan"),
        pytest.param("一亿五千万", 150000000, id="yi-wan"),
        pytest.param("二〇二四", 2024, id="year-digit-by-digit"),
        pytest.param("23", 23, id="ascii"),
        pytest.param("２３", 23, id="full-width-digits"),
        pytest.param(" 二 十 三 ", 23, id="spaced"),
    ],
)
def test_parse_cn_int_reads_numerals(text: str, expected: int) -> None:
    assert parse_cn_int(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("  ", id="blank"),
        pytest.param("合计", id="label"),
        pytest.param("第三", id="with-di"),
        pytest.param("一百五", id="abbreviated-150"),
        pytest.param("一千五十", id="skipped-place-without-zero"),
        pytest.param("一百零零五", id="double-zero"),
        pytest.param("一百零", id="trailing-zero"),
        pytest.param("零五", id="leading-zero"),
        pytest.param("一百十", id="bare-ten-inside"),
        pytest.param("百", id="bare-hundred"),
        pytest.param("十百", id="units-out-of-order"),
        pytest.param("一十百", id="units-increasing"),
        pytest.param("一百零五十", id="zero-without-gap"),
        pytest.param("万", id="bare-wan"),
        pytest.param("一万二", id="abbreviated-wan"),
        pytest.param("一万万", id="wan-twice"),
        pytest.param("12千", id="multi-digit-before-small-unit"),
        pytest.param("一两", id="liang-digit-by-digit"),
        pytest.param("三a", id="letter"),
        pytest.param("1.5", id="decimal"),
    ],
)
def test_parse_cn_int_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_cn_int(text)
    assert repr(text) in str(raised.value)


CN_DIGITS = "零一二三四五六七八九"
FINANCIAL = str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟")


def print_cn(number: int) -> str:
    """Formal Chinese spelling of 0..99999, written here independently of the code under test."""
    if number == 0:
        return "零"

    def section(value: int, opening: bool) -> str:
        out, started, zero_pending = "", False, False
        for place, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = value // place % 10
            if digit == 0:
                zero_pending = zero_pending or started
                continue
            if zero_pending:
                out, zero_pending = out + "零", False
            if place == 10 and digit == 1 and opening and not started:
                out += "十"
            else:
                out += CN_DIGITS[digit] + name
            started = True
        return out

    high, low = divmod(number, 10000)
    if high == 0:
        return section(low, opening=True)
    spelled = section(high, opening=True) + "万"
    if low == 0:
        return spelled
    return spelled + ("零" if low < 1000 else "") + section(low, opening=False)


@pytest.mark.parametrize(
    ("number", "spelled"),
    [
        pytest.param(10, "十", id="10"),
        pytest.param(105, "一百零五", id="105"),
        pytest.param(110, "一百一十", id="110"),
        pytest.param(1005, "一千零五", id="1005"),
        pytest.param(10010, "一万零一十", id="10010"),
        pytest.param(12300, "一万二千三百", id="12300"),
    ],
)
def test_the_test_formatter_itself(number: int, spelled: str) -> None:
    assert print_cn(number) == spelled


@given(st.integers(min_value=0, max_value=99999))
def test_cn_int_round_trips(number: int) -> None:
    assert parse_cn_int(print_cn(number)) == number


@given(st.integers(min_value=1, max_value=99999))
def test_financial_cn_int_round_trips(number: int) -> None:
    assert parse_cn_int(print_cn(number).translate(FINANCIAL)) == number


def test_cn_int_covers_every_number_below_100000() -> None:
    assert all(parse_cn_int(print_cn(number)) == number for number in range(100000))


# ---------- parse_bound ----------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("12.2%", Bound("=", Decimal("12.2"), True), id="percent"),
        pytest.param("100.78%", Bound("=", Decimal("100.78"), True), id="above-hundred"),
        pytest.param("<2%", Bound("<", Decimal("2"), True), id="less"),
        pytest.param("< 2%", Bound("<", Decimal("2"), True), id="less-spaced"),
        pytest.param("≥90%", Bound(">=", Decimal("90"), True), id="geq-sign"),
        pytest.param(">=90%", Bound(">=", Decimal("90"), True), id="geq-ascii"),
        pytest.param("≤5", Bound("<=", Decimal("5"), False), id="leq-no-percent"),
        pytest.param("<=0.5", Bound("<=", Decimal("0.5"), False), id="leq-ascii"),
        pytest.param("＜1%", Bound("<", Decimal("1"), True), id="full-width-less"),
        pytest.param("＞99％", Bound(">", Decimal("99"), True), id="full-width-greater-percent"),
        pytest.param("≧95%", Bound(">=", Decimal("95"), True), id="geq-variant"),
        pytest.param("$<1\\%$", Bound("<", Decimal("1"), True), id="markup-residue"),
        pytest.param("$\\geq 90\\%$", Bound(">=", Decimal("90"), True), id="markup-geq"),
        pytest.param("不低于95%", Bound(">=", Decimal("95"), True), id="words-at-least"),
        pytest.param("=100%", Bound("=", Decimal("100"), True), id="explicit-equal"),
        pytest.param("1,696", Bound("=", Decimal("1696"), False), id="count"),
        pytest.param("-5%", Bound("=", Decimal("-5"), True), id="negative"),
    ],
)
def test_parse_bound_reads_bounds(text: str, expected: Bound) -> None:
    assert parse_bound(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("%", id="percent-only"),
        pytest.param("<", id="comparator-only"),
        pytest.param("<<2", id="two-comparators"),
        pytest.param("2%%", id="two-percents"),
        pytest.param("2%<", id="trailing-comparator"),
        pytest.param("满意", id="word"),
        pytest.param("90分", id="with-unit"),
        pytest.param("(5)%", id="parenthesised"),
        pytest.param("1,2%", id="bad-grouping"),
        pytest.param("-", id="dash"),
    ],
)
def test_parse_bound_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_bound(text)


def test_bound_is_frozen() -> None:
    bound = parse_bound("<2%")
    with pytest.raises(AttributeError):
        bound.value = Decimal("3")  # type: ignore[misc]


# ---------- the shared seed text and gold figures ----------

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def test_every_gold_figure_parses_to_its_decimal() -> None:
    values = [
        line.split("\t")[4]
        for gold in sorted((SHARED / "gold").glob("*.tsv"))
        for line in gold.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    figures = [value for value in values if value != "null"]
    assert len(figures) > 100
    assert [parse_amount(value) for value in figures] == [Decimal(value) for value in figures]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("3, 469. 73", Decimal("3469.73"), id="summary-total"),
        pytest.param("2,171.2", Decimal("2171.2"), id="cut-short"),
        pytest.param("1, 001. 88", Decimal("1001.88"), id="project"),
    ],
)
def test_seed_cells_as_printed(cell: str, expected: Decimal) -> None:
    seed = (SHARED / "seed" / "武汉市硚口区司法局2024年度部门决算公开.txt").read_text(encoding="utf-8")
    assert cell in seed.split("\t")  # the case is copied from the seed, not invented
    assert parse_amount(cell) == expected


def test_every_figure_cell_of_the_seed_is_an_amount_or_a_bound() -> None:
    seed = (SHARED / "seed" / "武汉市硚口区司法局2024年度部门决算公开.txt").read_text(encoding="utf-8")
    cells = {
        cell
        for line in seed.splitlines()
        for cell in line.split("\t")
        if re.search(r"[0-9]", cell) and not re.search(r"[\u4e00-\u9fff]", cell)
    }
    unread = []
    for cell in cells:
        try:
            parse_amount(cell)
        except ValueError:
            try:
                parse_bound(cell)
            except ValueError:
                unread.append(cell)
    assert len(cells) > 100
    assert unread == []
