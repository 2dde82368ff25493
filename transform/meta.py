"""Report metadata from the cover and table pages: canonical department, year, report type, scope, unit."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from contracts.names import (PartitionValueError, clean_name, compact, fold_width, partition_folder, printable,
                            squeeze)
from extract.locate import match_title
from transform import layout
from transform.units import find_unit


@dataclass(frozen=True)
class ReportMeta:
    department: str | None
    year: int | None
    report_type: str | None
    scope: str | None
    unit_printed: str | None
    # (check id, passed, detail) of the metadata checks department_name and report_year (checks.toml)
    findings: tuple[tuple[str, bool, str], ...] = ()


# How much of a rejected name a finding shows.
SHOWN_CHARS = 40


def shown(name: str) -> str:
    """A name read from a PDF as a finding shows it: cleaned, quoted, cut to SHOWN_CHARS."""
    text = printable(name)
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…")


def name_problem(name: str) -> str | None:
    """Why a (canonical) department name read from a PDF is not one, or None when it is (report_meta.toml
    [department_name]; it must also fit a partition folder name)."""
    spec = _spec()["department_name"]
    if len(name) < spec["min_chars"]:
        return f"{shown(name)} is not a department name ({len(name)} character(s), at least {spec['min_chars']})"
    if len(name) > spec["max_chars"]:
        return f"{shown(name)} is not a department name ({len(name)} characters, at most {spec['max_chars']})"
    if not re.search(spec["must_match"], name):
        return f"{shown(name)} is not a department name (no Chinese character)"
    for pattern in spec["not_names"]:
        if re.search(pattern, name):
            return f"{shown(name)} is not a department name (it reads as a heading, label or contents line)"
    try:
        partition_folder("department", name)
    except PartitionValueError as problem:
        return f"{shown(name)} cannot be stored as a partition value: {problem}"
    return None


def canonical_department(name: str) -> str:
    """Control and bidi characters dropped, full-width folded, spaces removed, suffixes such as 本级 / （本级） dropped."""
    text = compact(clean_name(name))
    changed = True
    while changed:
        changed = False
        for suffix in layout.load("report_meta")["drop_suffixes"]:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text


def _spec() -> dict:
    return layout.load("report_meta")


def _cover_texts(page_texts: tuple[str, ...]) -> list[str]:
    """The first non-blank pages, without their page-number lines (a page number is never part of a name)."""
    spec = _spec()
    number_line = re.compile(spec["page_number_line"])
    texts = [t for t in page_texts if t.strip()][: spec["cover_pages"]]
    return ["\n".join(line for line in fold_width(t).splitlines() if not number_line.match(line)) for t in texts]


def _cover_match(page_texts: tuple[str, ...]) -> re.Match | None:
    for text in _cover_texts(page_texts):
        squeezed = squeeze(text)
        for pattern in _spec()["cover_patterns"]:
            match = re.search(pattern, squeezed)
            if match:
                return match
    return None


def _is_body(name: str) -> bool:
    return bool(name) and not any(re.search(p, name) for p in _spec()["not_bodies"])


def _cover_body(page_texts: tuple[str, ...]) -> str | None:
    """A body named on a labelled cover line ("预算主管部门：上海市普陀区司法局"), or None."""
    patterns = [re.compile(p) for p in _spec()["cover_body_lines"]]
    for text in _cover_texts(page_texts):
        for line in text.splitlines():
            for pattern in patterns:
                match = pattern.match(line)
                if match and _is_body(match.group("body")) and find_unit(line) is None:
                    return match.group("body")
    return None


def _bodies(texts: list[str]) -> list[str]:
    """Names printed on the department lines over the tables (部门：, 单位名称：, 编制单位：, 单位：…), not money units."""
    pattern = re.compile(_spec()["body_line"])
    names = []
    for text in texts:
        # Side-by-side labels ("部门：X 单位：万元") are read one at a time.
        text = re.sub(r"(?<=\S)\s+(?=(?:编制|填报)?(?:部门|单位)(?:名称)?\s*[:：])", "\n", fold_width(text))
        for match in pattern.finditer(text):
            body = match.group("body").strip()
            if body and find_unit(match.group(0)) is None:
                name = canonical_department(body.split()[0])
                if _is_body(name) and name_problem(name) is None:
                    names.append(name)
    return names


def department_name(cover_name: str | None, table_page_texts: list[str]) -> str | None:
    """The cover's name, completed by the fuller name over the tables when that ends with it (硚口区司法局 → 武汉市硚口区司法局);
    without a cover, the name most table pages print on their department line."""
    return department_and_finding(cover_name, table_page_texts)[0]


def department_and_finding(cover_name: str | None, table_page_texts: list[str]) -> tuple[str | None, tuple]:
    """department_name, and its department_name finding (check, passed, detail).

    A cover name that is not a name (name_problem) is not used; the department lines over the
    tables may still name the department. None (stored as _unknown) when nothing read is a name.
    """
    cover = canonical_department(cover_name) if cover_name else None
    rejected = name_problem(cover) if cover else None
    if rejected:
        cover = None
    bodies = Counter(_bodies(table_page_texts))
    if cover is None:
        name = bodies.most_common(1)[0][0] if bodies else None
    else:
        fuller = [b for b in bodies if b != cover and b.endswith(cover)]
        name = max(fuller, key=lambda b: (bodies[b], len(b))) if fuller else cover
    if name is None:
        detail = (f"the cover names {rejected}; no department line over the tables names one: stored as _unknown"
                  if rejected else "no department name printed on the cover or over the tables: stored as _unknown")
        return None, ("department_name", False, detail)
    detail = (f"the cover names {rejected}; the department lines over the tables name {shown(name)}"
              if rejected else f"department {shown(name)}")
    return name, ("department_name", True, detail)


def year_and_finding(cover_year: int | None, title_years: list[int]) -> tuple[int | None, tuple]:
    """The fiscal year (None: stored as 0) and its report_year finding (check, passed, detail).

    The cover's year is trusted when it lies in year_range and the table titles print it (or print no year);
    otherwise the year most table titles print (in range), else None.
    """
    low, high = _spec()["year_range"]
    titles = Counter(y for y in title_years if low <= y <= high)
    title_year = titles.most_common(1)[0][0] if titles else None
    fallback = f"the table titles' {title_year} is used" if title_year else "stored as year 0"
    if cover_year is None:
        if title_year is None:
            return None, ("report_year", False, "no fiscal year printed on the cover or with the table titles: "
                                                "stored as year 0")
        return title_year, ("report_year", True, f"fiscal year {title_year} (table titles)")
    if not low <= cover_year <= high:
        return title_year, ("report_year", False,
                            f"the cover's year {cover_year} is outside {low}–{high}: {fallback}")
    if titles and cover_year not in titles:
        return title_year, ("report_year", False, f"the cover says {cover_year}, the table titles say "
                                                  f"{', '.join(map(str, sorted(titles)))}: {fallback}")
    return cover_year, ("report_year", True, f"fiscal year {cover_year}")


def _title_lines(table_texts: list[str]) -> list[str]:
    """The (compact) lines of the table pages that title a standard table."""
    return [compact(line) for text in table_texts for line in text.splitlines()
            if match_title(line) is not None]


def _kind_from_titles(titles: list[str]) -> str | None:
    kinds = Counter(kind for line in titles for kind in _spec()["report_type"] if kind in line)
    return _spec()["report_type"][kinds.most_common(1)[0][0]] if kinds else None


def _years_in_titles(titles: list[str]) -> list[int]:
    return [int(m.group("year")) for line in titles for m in re.finditer(_spec()["title_year"], line)]


def _scope_from_titles(titles: list[str]) -> str | None:
    for scope, patterns in _spec()["scope_from_titles"].items():
        if titles and all(any(re.search(p, line) for p in patterns) for line in titles):
            return scope
    return None


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
    """Department, year, type and scope from the cover, else from the tables' titles and department lines."""
    cover = _cover_match(page_texts)
    spec = _spec()
    table_texts = [page_texts[p - 1] for p in table_pages]
    titles = _title_lines(table_texts)
    units = Counter(u for u in (unit_of(t) for t in table_texts) if u)
    cover_name = _cover_body(page_texts) or (cover.group("dept") if cover else None)
    scope = spec["scope"][cover.group("scope")] if cover else None
    department, department_finding = department_and_finding(cover_name, table_texts)
    year, year_finding = year_and_finding(int(cover.group("year")) if cover else None, _years_in_titles(titles))
    return ReportMeta(
        department=department,
        year=year,
        report_type=spec["report_type"][cover.group("kind")] if cover else _kind_from_titles(titles),
        scope=scope or _scope_from_titles(titles) or ("department" if titles else None),
        unit_printed=units.most_common(1)[0][0] if units else None,
        findings=(department_finding, year_finding),
    )
