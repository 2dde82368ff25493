"""Printed text → clean text: spacing and line breaks from extraction, Chinese numerals, ordinal prefixes.

Characters are folded by contracts.names.fold_width (full-width ASCII, odd spaces, format characters,
compatibility ideographs; its docstring says what changes and what does not), the one folding
used everywhere.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from contracts.names import compact, fold_width

# An ASCII letter or digit on both sides of a break keeps one space; any other break is dropped.
_BREAK = re.compile(r"\s+")
_LATIN = re.compile(r"[A-Za-z0-9]")


def _join_breaks(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        left = text[start - 1] if start > 0 else ""
        right = text[end] if end < len(text) else ""
        if left and right and _LATIN.fullmatch(left) and _LATIN.fullmatch(right):
            return " "
        return ""

    return _BREAK.sub(replace, text)


# ---------- Chinese numerals ----------

_CN = tomllib.loads((Path(__file__).parent / "vocab" / "numbers.toml").read_text(encoding="utf-8"))["cn_numerals"]
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
    s = compact(text)
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


# Ordinal prefixes: 一、 二十三、 (一) 1. 1、 (1). Width is folded first, so （一） is (一) here.
_NUMERAL_CHARS = "0-9零〇○一二三四五六七八九十百千壹贰貳两兩叁叄肆伍陆陸柒捌玖拾佰仟"
_ORDINAL = re.compile(
    rf"""^\s*(?:
        \(\s*(?P<paren>[{_NUMERAL_CHARS}]+)\s*\)      # (一)  (1)
      | (?P<mark>[{_NUMERAL_CHARS}]+)\s*(?:、|\.(?![0-9]))  # 一、 1、 1.   (not 1.5)
    )\s*""",
    re.VERBOSE,
)


def split_ordinal(text: str) -> tuple[int | None, str]:
    """Split an ordinal prefix off a label: "二十三、其他支出" → (23, "其他支出"); no prefix → (None, text).

    The text is width-folded first, so "（一）" and "(一)" are the same prefix.
    A prefix whose numeral does not parse (e.g. "十百、") is not an ordinal: the text is returned whole.
    """
    folded = fold_width(text)
    match = _ORDINAL.match(folded)
    if match is None:
        return None, folded
    numeral = match.group("paren") or match.group("mark")
    try:
        number = parse_cn_int(numeral)
    except ValueError:
        return None, folded
    return number, folded[match.end():]


def strip_ordinal(text: str) -> str:
    """The label without its ordinal prefix ("（一）办公室" → "办公室"); width is folded."""
    return split_ordinal(text)[1]


def clean_label(text: str) -> str:
    """A label as printed, cleaned: width folded, extraction spaces and line breaks joined, no ordinal prefix.

    "公 务 用 车 运 行 维 护\\n费" → "公务用车运行维护费"; "一、本年收入合\\n计" → "本年收入合计";
    a break between two ASCII letters/digits keeps one space ("Office\\n365" → "Office 365").
    Words are otherwise untouched.
    """
    folded = fold_width(text).strip()
    # The ordinal is looked for before spaces are joined, so "1. 2024年…" keeps its year,
    # then after, so a spaced ordinal ("二 十 三、") is found too.
    number, rest = split_ordinal(folded)
    if number is None:
        rest = strip_ordinal(_join_breaks(folded))
    return _join_breaks(rest).strip()
