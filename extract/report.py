"""One report's standard tables: titles located by text, grids read with camelot, continuations stitched."""

from __future__ import annotations

import dataclasses
import re

import pypdfium2 as pdfium

from contracts.names import compact
from extract.errors import NotABudgetReport
from extract.grid import PageGrid, read_grids, read_unruled, stitch
from extract.lines import positioned_lines
from extract.locate import (
    tables_named_in_contents,
    TOC_MIN_TITLES,
    TitleHit,
    declared_empty,
    find_titles,
    match_title,
    narrative_only_error,
    title_aliases,
)
from extract.model import PdfText, RawReport, RawTable

# Continuation pages searched after the last title page.
MAX_CONTINUATION_PAGES = 4
# A page after the last title continues its table when this many of its text lines read as table rows.
MIN_TABLE_LINES = 3
# Pages before the first title found in text order that may hold a title the text order split up.
SPLIT_TITLE_LOOKBACK = 3


def _holds_split_title(page_text: str) -> bool:
    """Whether the characters of some title stand in the page text in order (a title the text order broke up)."""
    text = compact(page_text)
    for alias in title_aliases():
        remaining = iter(text)
        if all(char in remaining for char in alias):
            return True
    return False


def _title_hits(pdf: PdfText) -> list[TitleHit]:
    """Titles from the text order, completed by lines rebuilt from positions on pages where text order splits them.

    Only pages near the found titles whose text holds a title's characters in order are
    rebuilt, so most reports need no second look at the PDF.
    """
    hits = find_titles(pdf.page_texts)
    found_pages = {h.page for h in hits}
    first = min(found_pages, default=1) - SPLIT_TITLE_LOOKBACK
    last = max(found_pages, default=pdf.page_count)
    suspects = [
        page_no
        for page_no in range(max(first, 1), last + 1)
        if page_no not in found_pages and _holds_split_title(pdf.page_texts[page_no - 1])
    ]
    suspects = [page_no for page_no in suspects if page_no not in pdf.ocr_pages]  # no positions beyond OCR's
    if suspects:
        document = pdfium.PdfDocument(str(pdf.path))
        try:
            for page_no in suspects:
                lines = positioned_lines(document[page_no - 1])
                page_hits = [
                    TitleHit(table, line, page_no, index)
                    for index, line in enumerate(lines)
                    if (table := match_title(line)) is not None
                ]
                if len({h.table for h in page_hits}) < TOC_MIN_TITLES:
                    hits.extend(page_hits)
        finally:
            document.close()
    hits.sort(key=lambda h: (h.page, h.line_index))
    first_seen: dict[str, TitleHit] = {}
    for hit in hits:
        first_seen.setdefault(hit.table, hit)  # a title printed again later (a note) does not move the table
    return sorted(first_seen.values(), key=lambda h: (h.page, h.line_index))


_TABLE_LINE = re.compile(r"^\s*\d{3}(\s+\d{2}){0,2}\s|\d[\d,]*\.\d{2}(?!\s*(万元|元|%|％))")
# A bare figure (not followed by a unit or percent sign), for pages whose text layer runs a table's
# rows together on one line (some landscape pages).
_BARE_FIGURE = re.compile(r"(?<![\d.,])\d[\d,]*\.\d{2}(?![\d%％])(?!\s*(万元|元|%|％))")


def _looks_tabular(page_text: str) -> bool:
    """Text-only triage for a page after the last title: table rows (codes, bare figures), not prose."""
    if sum(1 for line in page_text.splitlines() if _TABLE_LINE.search(line)) >= MIN_TABLE_LINES:
        return True
    lines = [line for line in page_text.splitlines() if line.strip()]
    return len(lines) < MIN_TABLE_LINES and len(_BARE_FIGURE.findall(page_text)) >= MIN_TABLE_LINES


def _candidate_pages(hits: list[TitleHit], pdf: PdfText, ocr_grids: dict[int, list[PageGrid]]) -> list[int]:
    """Pages camelot reads: every page from the first title to the last, and the pages after the last
    title while they look like table rows (a page read by OCR: while OCR found a ruled table on it)."""
    first, last = hits[0].page, max(h.page for h in hits)
    pages = list(range(first, last + 1))
    for page_no in range(last + 1, min(last + MAX_CONTINUATION_PAGES, pdf.page_count) + 1):
        tabular = bool(ocr_grids.get(page_no)) if page_no in pdf.ocr_pages else _looks_tabular(pdf.page_texts[page_no - 1])
        if not tabular:
            break
        pages.append(page_no)
    return pages


def _with_ocr(pdf: PdfText) -> tuple[PdfText, dict[int, list[PageGrid]]]:
    """The scanned pages recognised (extract.ocr): their text in place of the empty text layer, their grids."""
    if not pdf.scanned_pages:
        return pdf, {}
    from extract.ocr import recognise_pages

    read = recognise_pages(pdf.path, sorted(pdf.scanned_pages))
    texts = tuple(read[no].text if no in read else text for no, text in enumerate(pdf.page_texts, start=1))
    grids = {no: sorted(page.grids, key=lambda g: -g.top) for no, page in read.items()}
    return dataclasses.replace(pdf, page_texts=texts, ocr_pages=frozenset(read)), grids


def extract_report(pdf: PdfText) -> RawReport:
    """Find, read and stitch every standard table the report prints; raise NotABudgetReport if none.

    Pages without a usable text layer (pdf.scanned_pages) are recognised by OCR first; the
    report's pdf then carries their recognised text and names them in ocr_pages.
    """
    pdf, ocr_grids = _with_ocr(pdf)
    hits = _title_hits(pdf)
    read_by_ocr = " (pages read by OCR)" if pdf.ocr_pages else ""
    if not hits:
        if (reason := narrative_only_error(pdf.page_texts)) is not None:
            raise NotABudgetReport(f"{pdf.path.name}: {reason}{read_by_ocr}")
        raise NotABudgetReport(
            f"{pdf.path.name}: none of the standard budget tables (收入支出决算总表, 支出决算表, …) was found"
            f"{read_by_ocr}"
        )
    candidates = _candidate_pages(hits, pdf, ocr_grids)
    grids = read_grids(pdf.path, [p for p in candidates if p not in pdf.ocr_pages])
    grids.update({p: ocr_grids[p] for p in candidates if p in ocr_grids})
    titled_pages = {h.page for h in hits}
    hits_by_page: dict[int, list[TitleHit]] = {}
    for hit in hits:
        hits_by_page.setdefault(hit.page, []).append(hit)

    tables: dict[str, RawTable] = {}
    for page, page_hits in sorted(hits_by_page.items()):
        page_grids = grids.get(page) or []
        if not page_grids and page not in pdf.ocr_pages:
            page_grids = read_unruled(pdf.path, page)
        # A grid above the first title on the page belongs to the previous page's table.
        own = page_grids[len(page_grids) - len(page_hits):] if len(page_grids) > len(page_hits) else page_grids
        for index, hit in enumerate(page_hits):
            if index >= len(own):
                break
            first = own[index]
            continuations: list[PageGrid] = []
            if index == len(page_hits) - 1:  # only the last table of a page can run on
                next_page = page + 1
                while next_page <= pdf.page_count and next_page not in titled_pages:
                    following = grids.get(next_page) or []
                    if not following:
                        break
                    continuations.append(following[0])
                    next_page += 1
                if next_page in titled_pages and next_page in grids:
                    next_hits = len(hits_by_page[next_page])
                    if len(grids[next_page]) > next_hits:
                        continuations.append(grids[next_page][0])
            used = [first, *continuations]
            tables[hit.table] = RawTable(
                name=hit.table,
                title=hit.title,
                pages=tuple(g.page for g in used),
                rows=stitch(first, continuations),
                flavor=first.flavor,
            )
    if not tables:
        titles = ", ".join(sorted({h.title for h in hits}))
        raise NotABudgetReport(
            f"{pdf.path.name}: names standard tables ({titles}) but no table could be read under them"
        )
    return RawReport(pdf=pdf, tables=tables, declared_empty=declared_empty(pdf.page_texts),
                     listed=tables_named_in_contents(pdf.page_texts))
