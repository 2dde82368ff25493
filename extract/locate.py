"""Page triage from the text layer alone: which pages carry which standard table titles."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from contracts.names import compact

TITLES_FILE = Path(__file__).with_name("layout") / "titles.toml"

# Pages naming this many different tables are a table of contents, not tables.
TOC_MIN_TITLES = 3


@dataclass(frozen=True)
class TitleHit:
    table: str
    title: str  # the line as printed
    page: int  # 1-based
    line_index: int  # position of the line in the page text, for ordering titles on one page


@lru_cache(maxsize=1)
def _layout() -> dict:
    with TITLES_FILE.open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class _Rules:
    """The [recognise] section of titles.toml, compiled once."""

    qualifiers: tuple[re.Pattern, ...]
    prefixes: tuple[re.Pattern, ...]
    suffixes: tuple[re.Pattern, ...]
    body_kinds: tuple[str, ...]
    body_name: re.Pattern
    not_titles: tuple[re.Pattern, ...]
    toc_lines: tuple[re.Pattern, ...]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    spec = _layout()["recognise"]
    compiled = lambda key: tuple(re.compile(p) for p in spec[key])  # noqa: E731
    return _Rules(
        qualifiers=compiled("qualifiers"),
        prefixes=compiled("prefixes"),
        suffixes=compiled("suffixes"),
        body_kinds=tuple(sorted(spec["body_kinds"], key=len, reverse=True)),
        body_name=re.compile(spec["body_name"]),
        not_titles=compiled("not_titles"),
        toc_lines=compiled("toc_lines"),
    )


def _core(text: str) -> str:
    """Compact text (contracts.names.compact) without its qualifiers and quotes: the form core titles are compared in."""
    text = compact(text)
    for pattern in _rules().qualifiers:
        text = pattern.sub("", text)
    return text


def _strip(text: str, patterns: tuple[re.Pattern, ...]) -> str:
    """`text` with the patterns removed repeatedly (tags and ordinals may stand before or after a year)."""
    while True:
        before = text
        for pattern in patterns:
            text = pattern.sub("", text, count=1)
        if text == before:
            return text


@lru_cache(maxsize=1)
def title_aliases() -> dict[str, str]:
    """Core title (compact, no qualifiers or quotes) -> canonical table name."""
    aliases: dict[str, str] = {}
    for table, spec in _layout().items():
        if not isinstance(spec, dict):
            continue
        for key, values in spec.items():
            if key == "aliases" or key.endswith("_aliases"):
                for alias in values:
                    aliases[_core(alias)] = table
    return aliases


@lru_cache(maxsize=1)
def _aliases_longest_first() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(title_aliases().items(), key=lambda item: len(item[0]), reverse=True))


def _names_a_body(prefix: str) -> bool:
    """Whether what stands before a core title is the publishing body: its kind, its name, or both."""
    rules = _rules()
    prefix = _strip(prefix, rules.suffixes)
    for kind in rules.body_kinds:
        if prefix.endswith(kind):
            prefix = _strip(prefix[: -len(kind)], rules.suffixes)
            break
    return prefix == "" or bool(rules.body_name.match(prefix))


def match_title(line: str) -> str | None:
    """The canonical table a printed line titles, or None (CONTRACT v2 "Recognising a title").

    The line's tags, ordinals, years and qualifiers are dropped; what is left must be a
    core title, or end with one after the body's kind or name. Table-of-contents lines
    (dotted leaders, a page number after the title) and project performance tables are no title.
    """
    rules = _rules()
    raw = compact(line)
    if not raw or any(p.search(raw) for p in rules.toc_lines):
        return None
    text = _strip(_strip(_core(raw), rules.prefixes), rules.suffixes)
    if not text or any(p.search(text) for p in rules.not_titles):
        return None
    if (table := title_aliases().get(text)) is not None:
        return table
    for alias, table in _aliases_longest_first():
        if text.endswith(alias) and _names_a_body(text[: -len(alias)]):
            return table
    return None


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
    text = compact("".join(page_texts))
    found = set()
    for table, patterns in _layout()["no_funds"].items():
        if any(re.search(compact(p), text) for p in patterns):
            found.add(table)
    return frozenset(found)


def tables_named_in_contents(page_texts: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The standard tables a table of contents lists (lines of pages naming TOC_MIN_TITLES tables or more)."""
    named: set[str] = set()
    for text in page_texts:
        page = {table for line in text.splitlines() if (table := match_title(line)) is not None}
        if len(page) >= TOC_MIN_TITLES:
            named |= page
    return frozenset(named)


def narrative_only_error(page_texts: tuple[str, ...] | list[str]) -> str | None:
    """Why a report without any table is the narrative half of a publication, or None when it is not.

    Called only when no table was found: a report whose contents list standard tables, or
    whose text says the tables are published separately, is a narrative-only PDF.
    """
    spec = _layout()["narrative_only"]
    text = compact("".join(page_texts))
    if tables_named_in_contents(page_texts) or any(re.search(p, text) for p in spec["statements"]):
        return spec["error"]
    return None
