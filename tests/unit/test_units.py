"""Money units: factors, exact conversion to 元, and reading the printed unit line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transform.units import find_unit, to_yuan, unit_factor


@pytest.mark.parametrize(
    ("unit", "factor"),
    [
        pytest.param("元", 1, id="yuan"),
        pytest.param("千元", 1000, id="qian-yuan"),
        pytest.param("万元", 10000, id="wan-yuan"),
        pytest.param("亿元", 100000000, id="yi-yuan"),
        pytest.param(" 万 元 ", 10000, id="spaced"),
    ],
)
def test_unit_factor(unit: str, factor: int) -> None:
    assert unit_factor(unit) == factor


@pytest.mark.parametrize(
    "unit",
    [
        pytest.param("", id="empty"),
        pytest.param("万", id="wan-without-yuan"),
        pytest.param("美元", id="dollars"),
        pytest.param("百万元", id="million-not-listed"),
        pytest.param("单位：万元", id="whole-line"),
        pytest.param("人", id="people"),
    ],
)
def test_unit_factor_rejects_unknown_units(unit: str) -> None:
    with pytest.raises(ValueError):
        unit_factor(unit)


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        pytest.param(Decimal("3469.73"), "万元", Decimal("34697300.00"), id="wan"),
        pytest.param(Decimal("2171.2"), "万元", Decimal("21712000.0"), id="wan-cut-short"),
        pytest.param(Decimal("8.00"), "万元", Decimal("80000.00"), id="wan-trailing-zeros"),
        pytest.param(Decimal("-12.30"), "万元", Decimal("-123000.00"), id="negative"),
        pytest.param(Decimal("3469.73"), "元", Decimal("3469.73"), id="yuan"),
        pytest.param(Decimal("1.5"), "千元", Decimal("1500.0"), id="qian"),
        pytest.param(Decimal("0.01"), "亿元", Decimal("1000000.00"), id="yi"),
        pytest.param(Decimal("999999999999.99"), "亿元", Decimal("99999999999999000000.00"), id="large-exact"),
    ],
)
def test_to_yuan_is_exact(amount: Decimal, unit: str, expected: Decimal) -> None:
    result = to_yuan(amount, unit)
    assert result == expected
    assert str(result) == str(expected)  # the printed scale is kept


def test_to_yuan_refuses_float() -> None:
    with pytest.raises(TypeError):
        to_yuan(3469.73, "万元")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "unit"),
    [
        pytest.param(Decimal("1"), "美元", id="unknown-unit"),
        pytest.param(Decimal("NaN"), "万元", id="nan"),
        pytest.param(Decimal("Infinity"), "元", id="infinity"),
    ],
)
def test_to_yuan_refuses_bad_input(amount: Decimal, unit: str) -> None:
    with pytest.raises(ValueError):
        to_yuan(amount, unit)


@given(
    st.decimals(min_value=Decimal(-(10**12)), max_value=Decimal(10**12), places=2, allow_nan=False),
    st.sampled_from([("元", 1), ("千元", 1000), ("万元", 10000), ("亿元", 100000000)]),
)
def test_to_yuan_divides_back_exactly(amount: Decimal, unit_and_factor: tuple[str, int]) -> None:
    unit, factor = unit_and_factor
    assert to_yuan(amount, unit) / factor == amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("单位：万元", "万元", id="full-width-colon"),
        pytest.param("单位: 元", "元", id="ascii-colon-space"),
        pytest.param("单位:元", "元", id="ascii-colon"),
        pytest.param("金额单位：万元", "万元", id="amount-unit"),
        pytest.param("金额单位 ： 千元", "千元", id="spaced-colon"),
        pytest.param("单 位 ： 万 元", "万元", id="distributed"),
        pytest.param("单位：亿元", "亿元", id="yi"),
        pytest.param("（单位：人民币万元）", "万元", id="renminbi-in-parentheses"),
        pytest.param("公开01表 单位：万元 ", "万元", id="on-a-line-with-other-text"),
        pytest.param("单位：武汉市硚口区司法局本级\n\n单位：万元", "万元", id="seed-organisation-line-then-unit"),
        pytest.param("单位：万元\n单位：万元", "万元", id="same-unit-twice"),
        pytest.param("单位：元（保留两位小数）", "元", id="unit-then-note"),
        pytest.param("单位：武汉市硚口区司法局本级", None, id="organisation-only"),
        pytest.param("单位：元宝山区财政局", None, id="place-name-starting-with-yuan"),
        pytest.param("从单位构成看，万元", None, id="no-colon"),
        pytest.param("金额（万元）", None, id="header-not-a-unit-line"),
        pytest.param("", None, id="empty"),
    ],
)
def test_find_unit(text: str, expected: str | None) -> None:
    assert find_unit(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("金额单位：美元", id="unknown-money-unit"),
        pytest.param("单位：万元\n单位：元", id="two-different-units"),
    ],
)
def test_find_unit_refuses_ambiguity(text: str) -> None:
    with pytest.raises(ValueError):
        find_unit(text)
