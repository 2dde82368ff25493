"""Page triage from the text layer alone: which pages carry which standard table titles."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TITLES_FILE = Path(__file__).with_name("layout") / "titles.toml"

_YEAR_PREFIX = re.compile(r"^\d{4}年度?")
_TAG = re.compile(r"(公开|附)?0?\d{1,2}表$|^(公开|附)?0?\d{1,2}表")
_ORDINAL = re.compile(r"^([一二三四五六七八九十]+|\d+)[、.．]")
# Pages naming this many different tables are a table of contents, not tables.
TOC_MIN_TITLES = 3


@dataclass(frozen=True)
class TitleHit:
    table: str
    title: str  # the line as printed
    page: int  # 1-based
    line_index: int  # position of the line in the page text, for ordering titles on one page


def squeeze(text: str) -> str:
    """NFKC-fold and drop all white space: the form titles and sentences are compared in."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1)
def _layout() -> dict:
    with TITLES_FILE.open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def title_aliases() -> dict[str, str]:
    """Squeezed alias -> canonical table name."""
    aliases: dict[str, str] = {}
    for table, spec in _layout().items():
        if table == "no_funds":
            continue
        for alias in spec["aliases"]:
            aliases[squeeze(alias)] = table
    return aliases


def match_title(line: str) -> str | None:
    """The canonical table a printed line titles, or None."""
    text = squeeze(line)
    for _ in range(2):  # tags and ordinals may stand before or after the year
        text = _TAG.sub("", text)
        text = _YEAR_PREFIX.sub("", text)
        text = _ORDINAL.sub("", text)
    return title_aliases().get(text)


def find_titles(page_texts: tuple[str, ...] | list[str]) -> list[TitleHit]:
    """Every title line on the table pages, in reading order; table-of-contents pages are skipped."""
    hits: list[TitleHit] = []
    for page_no, text in enumerate(page_texts, start=1):
        page_hits = []
        for index, line in enumerate(text.splitlines()):
            table = match_title(line)
            if table is not None:
                page_hits.append(TitleHit(table, line.strip(), page_no, index))
        if len({hit.table for hit in page_hits}) >= TOC_MIN_TITLES:
            continue
        hits.extend(page_hits)
    return hits


def declared_empty(page_texts: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Tables the report says it has no funds for (so their absence is no error)."""
    text = squeeze("".join(page_texts))
    found = set()
    for table, patterns in _layout()["no_funds"].items():
        if any(re.search(squeeze(p), text) for p in patterns):
            found.add(table)
    return frozenset(found)
