"""Printed figures → exact numbers: amounts as Decimal, percent bounds (Chinese numerals: transform.text; 元/分: contracts.money).

Rules for `parse_amount` (what a figure may look like, everything else raises ValueError):

* width is folded first (`contracts.names.fold_width`), so ``３，４６９．７３`` is ``3,469.73``;
* a blank cell is "", whitespace, or only dash/slash marks (``-``, ``—``, ``－``, ``/``, ``——``) → None;
* a figure may be broken across lines anywhere (``1,23\\n4.56``, ``3, 469.\\n73``): the lines are
  joined without a separator, then the result must be a valid figure;
* spaces may stand around the comma and the point (``3, 469. 73``), and a run of spaces may stand
  between digit groups instead of a comma (``3 469.73``) — it then counts as a group separator;
  spaces inside the fraction (``469.7 3``) are refused;
* grouping is checked: with separators, the first group has 1–3 digits and every later group
  exactly 3 (``1,2,3`` and ``1,0002,000`` raise); a leading zero is refused (``012``);
* the fraction has one or more digits and keeps its printed scale (``8.00`` → ``Decimal("8.00")``,
  ``2,171.2`` → ``Decimal("2171.2")``); a bare point (``12.``, ``.5``) raises;
* negative: a leading ``-``, ``−``, ``–`` or ``△`` (``－`` folds to ``-``), or the whole figure in
  parentheses ``(12.30)`` / ``（12.30）``; a leading ``+`` is accepted; nothing else may surround it
  (no unit, no ``%``, no second sign).

Known limit: two figures stacked in one cell without grouping or decimals (``100\\n200``) cannot be
told from one figure broken across lines and read as ``100200``; stacked figures with decimals or
commas (``1.00\\n2.00``, ``1,000\\n2,000``) raise.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from contracts.names import fold_width

_VOCAB = tomllib.loads((Path(__file__).parent / "vocab" / "numbers.toml").read_text(encoding="utf-8"))

_BLANK_MARKS = frozenset(_VOCAB["amount"]["blank_marks"])
_NEGATIVE_MARKS = tuple(_VOCAB["amount"]["negative_marks"])
_POSITIVE_MARKS = tuple(_VOCAB["amount"]["positive_marks"])

_LINE_BREAK = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_WHITESPACE = re.compile(r"\s+")
# integer part: digit groups separated by a comma (spaces around it allowed) or by spaces alone
_FIGURE = re.compile(
    r"(?P<int>[0-9]+(?:(?:[ \t]*,[ \t]*|[ \t]+)[0-9]+)*)(?:[ \t]*\.[ \t]*(?P<frac>[0-9]+))?"
)
_GROUP_SEPARATOR = re.compile(r"[ \t]*,[ \t]*|[ \t]+")


def _not_an_amount(text: object, why: str) -> ValueError:
    return ValueError(f"not an amount: {text!r} ({why})")


def parse_amount(text: str | None) -> Decimal | None:
    """The figure printed in a cell, exactly, or None for a blank cell; ValueError naming the text otherwise."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"parse_amount takes the printed text, not {type(text).__name__}: {text!r}")
    folded = fold_width(text)
    compact = _WHITESPACE.sub("", folded)
    if not compact or set(compact) <= _BLANK_MARKS:
        return None
    body = "".join(line.strip() for line in _LINE_BREAK.split(folded)).strip()

    sign = ""
    if body.startswith("(") and body.endswith(")"):
        sign, body = "-", body[1:-1].strip()
    elif body.startswith(_NEGATIVE_MARKS):
        sign, body = "-", body[1:].lstrip()
    elif body.startswith(_POSITIVE_MARKS):
        body = body[1:].lstrip()

    match = _FIGURE.fullmatch(body)
    if match is None:
        raise _not_an_amount(text, "not digits with grouping commas and a decimal point")
    groups = _GROUP_SEPARATOR.split(match.group("int"))
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        raise _not_an_amount(text, "digit groups of a thousands separator must have 3 digits")
    integer = "".join(groups)
    if len(integer) > 1 and integer.startswith("0"):
        raise _not_an_amount(text, "leading zero")
    fraction = match.group("frac")
    return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")


# ---------- percent and bound forms ----------

Comparator = Literal["=", "<", "<=", ">", ">="]

_BOUND = _VOCAB["bound"]
_COMPARATORS: list[tuple[str, str]] = sorted(_BOUND["comparators"].items(), key=lambda item: -len(item[0]))
_MARKUP: list[tuple[str, str]] = sorted(_BOUND["markup"].items(), key=lambda item: -len(item[0]))
_BOUND_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Bound:
    """A target or result such as "≥90%": comparator, exact value, and whether the value is a percent."""

    comparator: Comparator
    value: Decimal
    percent: bool


def parse_bound(text: str) -> Bound:
    """"12.2%" → Bound("=", 12.2, True); "<2%", "≥90%", ">=90%", "≤5", "＜1%", "$<1\\%$", "不低于95%" likewise.

    The value keeps its printed scale; a percent is not divided by 100. ValueError for anything else.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_bound takes text, not {type(text).__name__}: {text!r}")
    s = fold_width(text)
    for residue, replacement in _MARKUP:
        s = s.replace(residue, replacement)
    s = _WHITESPACE.sub("", s)
    comparator = "="
    for spelling, canonical in _COMPARATORS:
        if s.startswith(spelling):
            comparator, s = canonical, s[len(spelling):]
            break
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    if not _BOUND_NUMBER.fullmatch(s):
        raise ValueError(f"not a bound: {text!r}")
    try:
        value = parse_amount(s)
    except ValueError as error:
        raise ValueError(f"not a bound: {text!r}") from error
    assert value is not None  # the pattern above has a digit
    return Bound(comparator, value, percent)  # type: ignore[arg-type]
