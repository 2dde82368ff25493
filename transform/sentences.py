"""A report's prose from its pages' text layer: headings, paragraphs and sentences, each with its page and section."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path


LAYOUT = Path(__file__).parent / "layout" / "sentences.toml"


@dataclass(frozen=True)
class Sentence:
    page: int  # 1-based page where the sentence starts
    section: str | None  # the heading it stands under, without its ordinal (e.g. 收入决算情况说明)
    text: str  # as printed, whitespace and line breaks removed
    paragraph: int  # paragraphs are numbered in reading order; context does not cross them


@dataclass(frozen=True)
class Heading:
    page: int
    text: str  # as printed, whitespace removed, ordinal kept (第三部分…, 一、…)


@cache
def layout() -> dict:
    """The sentence patterns of transform/layout/sentences.toml."""
    return tomllib.loads(LAYOUT.read_text(encoding="utf-8"))


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def clean_line(line: str) -> str:
    """A printed line without whitespace (the text layer spaces CJK characters apart: 本 年 收入 合 计)."""
    return "".join(line.split())


def _has_money(text: str, params: dict) -> bool:
    units = set(params["figures"]["money_units"]) | {"%"}
    return any(m.group("unit") in units for m in _compiled(params["figures"]["figure"]).finditer(text))


def is_heading(line: str, params: dict) -> bool:
    """Whether a cleaned line is a heading: an enumerated opening, short, no figure, not a contents line."""
    rules = params["lines"]
    if _compiled(rules["contents_line"]).search(line) or _compiled(r"[0-9]$").search(line):
        return False
    if _compiled(rules["heading_plain"]).match(line):
        return True
    return (bool(_compiled(rules["heading"]).match(line)) and len(line) <= rules["heading_max_chars"]
            and not _has_money(line, params) and not _compiled(rules["heading_not"]).search(line))


def section_of(heading: str, params: dict) -> str:
    """A heading's text without its ordinal or part number and its end mark (the `section` column)."""
    return _compiled(params["lines"]["heading"]).sub("", heading, count=1).rstrip("。.：:") or heading


def split_sentences(text: str, params: dict) -> list[str]:
    """Sentences of a paragraph's text, each ending at (and keeping) its end mark; empty bits dropped."""
    ends = re.escape(params["lines"]["sentence_end"])
    parts = re.findall(rf"[^{ends}]+[{ends}]*|[{ends}]+", text)
    return [p for p in (part.strip() for part in parts) if p.strip(params["lines"]["sentence_end"])]


def read_prose(page_texts: tuple[str, ...] | list[str], skip_pages: frozenset[int] = frozenset(),
               params: dict | None = None) -> tuple[list[Sentence], list[Heading]]:
    """(sentences, headings) of the pages not in skip_pages (1-based: the table pages), in reading order.

    Headings are collected from every page (a table page prints the part heading over its table);
    sentences only from the prose pages, and from a table page below a part heading that opens prose
    (sentences.toml prose_resumes). A sentence continued over a page break (or over table pages
    printed inside the prose) keeps its first page.
    """
    params = params or layout()
    rules = params["lines"]
    sentences: list[Sentence] = []
    headings: list[Heading] = []
    section: str | None = None
    paragraph = 0
    buffer: list[tuple[int, str]] = []  # (page, cleaned line) of the open paragraph

    def flush() -> None:
        nonlocal buffer
        if not buffer:
            return
        text = "".join(line for _, line in buffer)
        # page of each character of the paragraph, to give each sentence its first page
        pages = [page for page, line in buffer for _ in line]
        at = 0
        for sentence in split_sentences(text, params):
            start = text.find(sentence, at)
            at = start + len(sentence)
            sentences.append(Sentence(pages[start] if 0 <= start < len(pages) else buffer[0][0], section,
                                      sentence, paragraph))
        buffer = []

    for index, raw in enumerate(page_texts):
        page = index + 1
        lines = [clean_line(fold_line(line)) for line in raw.splitlines()]
        lines = [line for line in lines if line and not _compiled(rules["page_number"]).match(line)]
        prose = page not in skip_pages
        i = 0
        while i < len(lines):
            line = lines[i]
            if is_heading(line, params):
                # a heading wrapped over lines: short tails that open nothing belong to it
                while (i + 1 < len(lines) and len(lines[i + 1]) <= rules["heading_tail_max_chars"]
                       and not _compiled(rules["paragraph_start"]).match(lines[i + 1])
                       and not line.endswith(tuple(rules["sentence_end"])) and not _has_money(lines[i + 1], params)):
                    i += 1
                    line += lines[i]
                headings.append(Heading(page, line))
                if not prose and _compiled(rules["prose_resumes"]).match(line):
                    prose = True  # the prose begins under the last table of this page
                if prose:
                    flush()
                    paragraph += 1
                    section = section_of(line, params)
                i += 1
                continue
            if prose:
                if _compiled(rules["paragraph_start"]).match(line):
                    flush()
                    paragraph += 1
                buffer.append((page, line))
            i += 1
    flush()
    return sentences, headings


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_FULL_DIGITS = {ord("０") + d: str(d) for d in range(10)} | {ord("．"): ".", ord("，"): "，", ord("％"): "%"}


def fold_line(line: str) -> str:
    """The line with invisible characters dropped and full-width digits, point and percent as ASCII; CJK
    brackets and punctuation as printed (the sentence column keeps them)."""
    return line.translate(_INVISIBLE).translate(_FULL_DIGITS)
