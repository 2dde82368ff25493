"""One report's standard tables: titles located by text, grids read with camelot, continuations stitched."""

from __future__ import annotations

import pypdfium2 as pdfium

from extract.errors import NotABudgetReport
from extract.grid import PageGrid, read_grids, read_unruled, stitch
from extract.lines import positioned_lines
from extract.locate import TitleHit, declared_empty, find_titles, match_title
from extract.model import PdfText, RawReport, RawTable

# Continuation pages searched after a title page.
MAX_CONTINUATION_PAGES = 4


def _title_hits(pdf: PdfText) -> list[TitleHit]:
    """Titles from the text order, completed by lines rebuilt from positions on pages where text order splits them."""
    hits = find_titles(pdf.page_texts)
    found_pages = {h.page for h in hits}
    document = pdfium.PdfDocument(str(pdf.path))
    try:
        for page_no in range(1, pdf.page_count + 1):
            if page_no in found_pages or not pdf.page_texts[page_no - 1].strip():
                continue
            lines = positioned_lines(document[page_no - 1])
            page_hits = [
                TitleHit(table, line, page_no, index)
                for index, line in enumerate(lines)
                if (table := match_title(line)) is not None
            ]
            if len({h.table for h in page_hits}) < 3:  # not a table of contents
                hits.extend(page_hits)
    finally:
        document.close()
    hits.sort(key=lambda h: (h.page, h.line_index))
    first_seen: dict[str, TitleHit] = {}
    for hit in hits:
        first_seen.setdefault(hit.table, hit)  # a title printed again later (a note) does not move the table
    return sorted(first_seen.values(), key=lambda h: (h.page, h.line_index))


def _candidate_pages(hits: list[TitleHit], page_count: int) -> list[int]:
    pages: set[int] = set()
    for hit in hits:
        pages.update(range(hit.page, min(hit.page + MAX_CONTINUATION_PAGES, page_count) + 1))
    return sorted(pages)


def extract_report(pdf: PdfText) -> RawReport:
    """Find, read and stitch every standard table the report prints; raise NotABudgetReport if none."""
    hits = _title_hits(pdf)
    if not hits:
        raise NotABudgetReport(
            f"{pdf.path.name}: none of the standard budget tables (收入支出决算总表, 支出决算表, …) was found"
        )
    grids = read_grids(pdf.path, _candidate_pages(hits, pdf.page_count))
    titled_pages = {h.page for h in hits}
    hits_by_page: dict[int, list[TitleHit]] = {}
    for hit in hits:
        hits_by_page.setdefault(hit.page, []).append(hit)

    tables: dict[str, RawTable] = {}
    for page, page_hits in sorted(hits_by_page.items()):
        page_grids = grids.get(page) or []
        if not page_grids:
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
    return RawReport(pdf=pdf, tables=tables, declared_empty=declared_empty(pdf.page_texts))
