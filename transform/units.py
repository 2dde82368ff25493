"""Money units printed over the tables (单位：万元): reading the unit line and converting to 元 exactly."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

from contracts.money import FACTOR_YUAN, scaled
from contracts.names import compact, fold_width

_VOCAB = tomllib.loads((Path(__file__).parent / "vocab" / "units.toml").read_text(encoding="utf-8"))


def _spaced(word: str) -> str:
    """A pattern for `word` with any spaces between its characters (distributed alignment)."""
    return r"\s*".join(map(re.escape, word))


def unit_factor(unit: str) -> int:
    """How many 元 one `unit` is ("万元" → 10000); spaces and width are ignored; ValueError for any other unit."""
    if not isinstance(unit, str):
        raise TypeError(f"unit_factor takes the unit text, not {type(unit).__name__}: {unit!r}")
    canonical = compact(unit)
    if canonical not in FACTOR_YUAN:
        raise ValueError(f"unknown money unit: {unit!r} (known: {', '.join(FACTOR_YUAN)})")
    return FACTOR_YUAN[canonical]


def to_yuan(amount: Decimal, unit: str) -> Decimal:
    """`amount` printed in `unit`, in 元, exactly: to_yuan(Decimal("3469.73"), "万元") == Decimal("34697300.00").

    The printed scale is kept (3469.73 万元 → 34697300.00 元). TypeError for anything but a Decimal
    (floats are never money here), ValueError for NaN/infinity or an unknown unit.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"to_yuan takes a Decimal, not {type(amount).__name__}: {amount!r}")
    if not amount.is_finite():
        raise ValueError(f"to_yuan: not a finite amount: {amount!r}")
    return scaled(amount, unit_factor(unit))


_LABELS: list[str] = sorted(_VOCAB["unit_line"]["labels"], key=len, reverse=True)
_MONEY_ONLY_LABELS = {compact(label) for label in _VOCAB["unit_line"]["money_only_labels"]}
_UNIT_LINE = re.compile(
    r"(?P<label>" + "|".join(map(_spaced, _LABELS)) + r")\s*:\s*(?P<value>[^\n]*)"
)
_CURRENCY = "|".join(map(_spaced, _VOCAB["unit_line"]["currency_words"]))
# A known unit at the start of the value, not followed by another ideograph (单位：元宝山区… is no unit).
_UNIT_VALUE = re.compile(
    rf"(?:(?:{_CURRENCY})\s*)?(?P<unit>"
    + "|".join(map(_spaced, sorted(FACTOR_YUAN, key=len, reverse=True)))
    + r")(?![\u3400-\u9fff])"
)


def find_unit(text: str) -> str | None:
    """The money unit named by the unit line in `text` ("单位：万元", "金额单位: 元", full-width or not), or None.

    Returns the canonical unit ("万元", "元", "千元", "亿元"). A "单位：" line that names an
    organisation ("单位：武汉市硚口区司法局本级") is not a unit line and is skipped.
    ValueError if a "金额单位：" line names an unknown unit, or if the text names two different units
    (pass the text over one table, not a page with tables in different units).
    """
    if not isinstance(text, str):
        raise TypeError(f"find_unit takes text, not {type(text).__name__}: {text!r}")
    found: list[str] = []
    for line in _UNIT_LINE.finditer(fold_width(text)):
        value = _UNIT_VALUE.match(line.group("value"))
        if value is not None:
            found.append(compact(value.group("unit")))
        elif compact(line.group("label")) in _MONEY_ONLY_LABELS:
            raise ValueError(f"unknown money unit in unit line: {line.group(0).strip()!r}")
    units = sorted(set(found), key=found.index)
    if len(units) > 1:
        raise ValueError(f"the text names different money units: {', '.join(units)}")
    return units[0] if units else None
