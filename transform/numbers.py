"""Printed figures → exact numbers: amounts as Decimal, Chinese numerals, percent bounds (元/分: contracts.money).

Rules for `parse_amount` (what a figure may look like, everything else raises ValueError):

* width is folded first (`transform.text.fold_width`), so ``３，４６９．７３`` is ``3,469.73``;
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

from transform.text import fold_width

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


# ---------- Chinese numerals ----------

_CN = _VOCAB["cn_numerals"]
_DIGITS: dict[str, int] = _CN["digits"]
_SMALL_UNITS: dict[str, int] = _CN["small_units"]
_BIG_UNITS: dict[str, int] = _CN["big_units"]
_TEN = 10


def _not_a_numeral(text: object, why: str) -> ValueError:
    return ValueError(f"not a Chinese numeral: {text!r} ({why})")


def _parse_section(s: str, original: str, *, at_start: bool) -> int:
    """A run below 万: terms digit×unit with strictly decreasing units, 零 marking skipped places."""
    if s.isascii() and s.isdigit():
        if len(s) > 1 and s.startswith("0"):
            raise _not_a_numeral(original, "leading zero")
        return int(s)
    value, i, expected = 0, 0, None  # expected: the unit the next term must have without a 零
    while i < len(s):
        zero = s[i] in _DIGITS and _DIGITS[s[i]] == 0
        if zero:
            if expected is None:
                raise _not_a_numeral(original, "零 before any term")
            i += 1
            if i == len(s):
                raise _not_a_numeral(original, "ends with 零")
        ch = s[i]
        if ch in _DIGITS and _DIGITS[ch] != 0:
            multiplier, i = _DIGITS[ch], i + 1
        elif ch.isascii() and ch.isdigit() and ch != "0":
            multiplier, i = int(ch), i + 1
        elif ch in _SMALL_UNITS and _SMALL_UNITS[ch] == _TEN and at_start and i == 0:
            multiplier = 1  # 十九: a leading 十 stands for 一十
        else:
            raise _not_a_numeral(original, f"unexpected {ch!r}")
        unit = 1
        if i < len(s) and s[i] in _SMALL_UNITS:
            unit, i = _SMALL_UNITS[s[i]], i + 1
        if expected is None:
            pass
        elif zero and not unit < expected:
            raise _not_a_numeral(original, "零 where no place is skipped")
        elif not zero and unit != expected:
            raise _not_a_numeral(original, "places out of order or a skipped place without 零")
        value += multiplier * unit
        expected = unit // 10
        if unit == 1 and i < len(s):
            raise _not_a_numeral(original, "digit followed by digit")
    return value


def _parse_units(s: str, original: str, *, at_start: bool, below: int) -> int:
    """A numeral with units, closing sections at 亿 then 万; the result is < `below`."""
    for big_char, big in sorted(_BIG_UNITS.items(), key=lambda item: -item[1]):
        if big >= below or big_char not in s:
            continue
        head, _, tail = s.partition(big_char)
        if not head:
            raise _not_a_numeral(original, f"{big_char} without a count")
        high = _parse_units(head, original, at_start=at_start, below=min(big, 10000))
        if high == 0:
            raise _not_a_numeral(original, f"zero count of {big_char}")
        if not tail:
            return high * big
        if tail[0] in _DIGITS and _DIGITS[tail[0]] == 0:
            low = _parse_units(tail[1:], original, at_start=False, below=big)
            if not 0 < low < big // 10:
                raise _not_a_numeral(original, "零 where no place is skipped")
        else:
            low = _parse_units(tail, original, at_start=False, below=big)
            if low < big // 10:
                raise _not_a_numeral(original, f"skipped place after {big_char} without 零 (or abbreviated)")
        return high * big + low
    value = _parse_section(s, original, at_start=at_start)
    if value >= below:
        raise _not_a_numeral(original, "places out of order")
    return value


def parse_cn_int(text: str) -> int:
    """A whole number printed in Chinese (十九, 一百零五, 壹万贰仟叁佰, 〇), mixed (1万2千) or in digits.

    Formal spelling only: every skipped place is marked by one 零 (一千零五十), a bare 十 only
    opens the numeral (十九, 十万; not 一百十), and abbreviations such as 一百五 (=150) are refused.
    A run of digit glyphs without units is read digit by digit (二〇二四 → 2024).
    Spaces are ignored; width is folded. ValueError for anything else, naming the text.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_cn_int takes text, not {type(text).__name__}: {text!r}")
    s = _WHITESPACE.sub("", fold_width(text))
    if not s:
        raise _not_a_numeral(text, "empty")
    if s.isascii() and s.isdigit():
        return int(s)
    if all(ch in _DIGITS for ch in s):
        if len(s) > 1 and any(ch in "两兩" for ch in s):
            raise _not_a_numeral(text, "两 in a digit-by-digit numeral")
        if len(s) > 1 and _DIGITS[s[0]] == 0:
            raise _not_a_numeral(text, "leading zero")
        return int("".join(str(_DIGITS[ch]) for ch in s))
    if not all(ch in _DIGITS or ch in _SMALL_UNITS or ch in _BIG_UNITS or ch in "0123456789" for ch in s):
        raise _not_a_numeral(text, "contains characters that are not numerals")
    return _parse_units(s, text, at_start=True, below=10**16)


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
