"""Printed labels → clean labels: width folding, spacing and line breaks from extraction, ordinal prefixes.

The one folding used everywhere (labels, measure headers, department names, figures):

* full-width ASCII variants U+FF01–U+FF5E become their ASCII twins, so ``（`` → ``(``,
  ``：`` → ``:``, ``３`` → ``3``; ``因公出国（境）费`` and ``因公出国(境)费`` both become
  ``因公出国(境)费``. The CONTRACT asks for full-width characters folded in department
  names; labels follow the same rule so the same row reads the same in every report.
* the ideographic space U+3000 and no-break spaces become an ordinary space;
  zero-width characters are dropped;
* Kangxi radicals and CJK compatibility ideographs that some PDFs' text layers
  produce instead of the ordinary ideograph (``⼀`` U+2F00 for ``一``) become that
  ideograph (their NFKC form).

Nothing else changes: CJK punctuation (``、``, ``。``, ``“”``, ``《》``) and
circled numbers stay as printed. Full NFKC is deliberately not used: it would
turn ``①`` into ``1`` and ``⑴`` into ``(1)``, which then reads as a figure.
"""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = dict.fromkeys(map(ord, "\u3000\u00a0\u2007\u202f"), " ")


def _compat_to_ideograph(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


def _build_width_table() -> dict[int, str]:
    table: dict[int, str] = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
    table.update(_SPACES)
    table.update(_ZERO_WIDTH)
    for start, end in ((0x2F00, 0x2FD5), (0xF900, 0xFAFF), (0x2E80, 0x2EFF)):
        for code in range(start, end + 1):
            folded = _compat_to_ideograph(chr(code))
            if folded != chr(code) and len(folded) == 1:
                table[code] = folded
    return table


_WIDTH_TABLE = _build_width_table()


def fold_width(text: str) -> str:
    """Fold full-width ASCII variants to ASCII, odd spaces to " ", compatibility ideographs to ideographs."""
    return text.translate(_WIDTH_TABLE)


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
    from transform.numbers import parse_cn_int  # numbers imports fold_width from here

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
