"""Report metadata from the cover and table pages: canonical department, year, report type, scope, unit."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from transform import layout
from transform.text import fold_width
from transform.units import find_unit


@dataclass(frozen=True)
class ReportMeta:
    department: str | None
    year: int | None
    report_type: str | None
    scope: str | None
    unit_printed: str | None


def canonical_department(name: str) -> str:
    """Full-width folded, spaces removed, suffixes such as 本级 / （本级） dropped."""
    text = re.sub(r"\s+", "", fold_width(name))
    changed = True
    while changed:
        changed = False
        for suffix in layout.load("report_meta")["drop_suffixes"]:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text


def _cover_match(page_texts: tuple[str, ...]) -> re.Match | None:
    spec = layout.load("report_meta")
    texts = [t for t in page_texts if t.strip()][: spec["cover_pages"]]
    for text in texts:
        squeezed = re.sub(r"\s+", "", fold_width(text))
        for pattern in spec["cover_patterns"]:
            match = re.search(pattern, squeezed)
            if match:
                return match
    return None


def _bodies(texts: list[str]) -> list[str]:
    """Names printed on 单位： lines that are not a money unit."""
    pattern = re.compile(layout.load("report_meta")["body_line"])
    names = []
    for text in texts:
        for match in pattern.finditer(fold_width(text)):
            body = match.group("body").strip()
            if body and find_unit(match.group(0)) is None:
                names.append(canonical_department(body.split()[0]))
    return names


def department_name(cover_name: str | None, table_page_texts: list[str]) -> str | None:
    """The cover's name, completed by the fuller name over the tables when that ends with it (硚口区司法局 → 武汉市硚口区司法局)."""
    cover = canonical_department(cover_name) if cover_name else None
    bodies = Counter(_bodies(table_page_texts))
    if cover is None:
        return bodies.most_common(1)[0][0] if bodies else None
    fuller = [b for b in bodies if b != cover and b.endswith(cover)]
    return max(fuller, key=lambda b: (bodies[b], len(b))) if fuller else cover


def unit_of(page_text: str) -> str | None:
    """The money unit printed on a table page; each 单位： line is read on its own, even when printed side by side."""
    page_text = re.sub(r"(?<!金额)单位\s*[:：]", lambda m: "\n" + m.group(0), page_text)
    try:
        return find_unit(page_text)
    except ValueError:  # two units on one page: the first table's is the one above it
        for line in page_text.splitlines():
            try:
                unit = find_unit(line)
            except ValueError:
                continue
            if unit:
                return unit
        return None


def report_meta(page_texts: tuple[str, ...], table_pages: list[int]) -> ReportMeta:
    cover = _cover_match(page_texts)
    spec = layout.load("report_meta")
    table_texts = [page_texts[p - 1] for p in table_pages]
    units = Counter(u for u in (unit_of(t) for t in table_texts) if u)
    return ReportMeta(
        department=department_name(cover.group("dept") if cover else None, table_texts),
        year=int(cover.group("year")) if cover else None,
        report_type=spec["report_type"][cover.group("kind")] if cover else None,
        scope=spec["scope"][cover.group("scope")] if cover else None,
        unit_printed=units.most_common(1)[0][0] if units else None,
    )
