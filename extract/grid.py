"""camelot → cell grids: read the table pages, keep every cell's page and merge edges, stitch continuations."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import camelot

from contracts.names import squeeze
from extract.model import Cell

# camelot's render-free lattice engine: reads the ruling lines from the PDF's vector paths;
# split_text puts text that runs over several cells ("基本支出 项目支出") into each cell.
LATTICE_OPTIONS = {"flavor": "lattice", "engine": "vector", "split_text": True}
# pdfminer layout parameters for camelot's page layout. boxes_flow=None skips the hierarchical
# grouping of text boxes into reading order: camelot places text by its lines, not by box order,
# so the grids are the same (checked on the corpus and the seed) and a table page costs ~30% less.
LAYOUT_OPTIONS = {"boxes_flow": None}
# For pages whose tables have no ruling lines camelot's lattice can use, tried in order.
FALLBACK_FLAVORS = ("hybrid", "network", "stream")
# Text that a fallback flavor lays out in fewer rows or columns than this is prose, not a table.
MIN_ROWS = 2
MIN_COLUMNS = 2
# Header rows at the top of a continuation page that repeat the first page's header are dropped;
# at most this many leading rows are compared.
MAX_HEADER_ROWS = 8


@dataclass
class PageGrid:
    """One camelot table on one page."""

    page: int
    top: float  # PDF y of the table's top edge, larger is higher on the page
    column_centres: list[float]
    rows: list[list[Cell]]
    flavor: str


def _page_spec(pages: list[int]) -> str:
    return ",".join(str(p) for p in sorted(set(pages)))


def _grids(tables, flavor: str) -> list[PageGrid]:
    grids = []
    for table in tables:
        page = int(table.page)
        rows = []
        for row in table.cells:
            rows.append(
                [
                    Cell(
                        text=cell.text or "",
                        page=page,
                        joins_left=not cell.left if flavor == "lattice" else False,
                        joins_up=not cell.top if flavor == "lattice" else False,
                    )
                    for cell in row
                ]
            )
        x1, y1, x2, y2 = table._bbox
        centres = [(left + right) / 2 for left, right in table.cols]
        grids.append(PageGrid(page, max(y1, y2), centres, rows, flavor))
    return grids


def read_grids(path: Path, pages: list[int]) -> dict[int, list[PageGrid]]:
    """camelot tables of the given pages, per page, top to bottom; pages without rulings are re-read without."""
    by_page: dict[int, list[PageGrid]] = {p: [] for p in pages}
    if not pages:
        return by_page
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = camelot.read_pdf(str(path), pages=_page_spec(pages), layout_kwargs=LAYOUT_OPTIONS,
                                  **LATTICE_OPTIONS)
    for grid in _grids(tables, "lattice"):
        by_page[grid.page].append(grid)
    for grids in by_page.values():
        grids.sort(key=lambda g: -g.top)
    return by_page


def read_unruled(path: Path, page: int) -> list[PageGrid]:
    """Fallback for one page whose table has no ruling lines."""
    for flavor in FALLBACK_FLAVORS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                tables = camelot.read_pdf(str(path), pages=str(page), flavor=flavor, split_text=True,
                                          layout_kwargs=LAYOUT_OPTIONS)
            except Exception:  # camelot raises plain exceptions for pages it cannot segment
                continue
        grids = [g for g in _grids(tables, flavor) if len(g.rows) >= MIN_ROWS and len(g.column_centres) >= MIN_COLUMNS]
        if grids:
            return sorted(grids, key=lambda g: -g.top)
    return []


def _row_key(row: list[Cell]) -> tuple[str, ...]:
    return tuple(squeeze(c.text) for c in row)


def _is_blank(row: list[Cell]) -> bool:
    return all(not c.text.strip() for c in row)


def _align(grid: PageGrid, centres: list[float]) -> list[list[Cell]]:
    """Rows of a continuation grid laid on the first page's columns (by nearest column centre)."""
    if len(grid.column_centres) == len(centres):
        return grid.rows
    targets = [min(range(len(centres)), key=lambda i: abs(centres[i] - x)) for x in grid.column_centres]
    aligned = []
    for row in grid.rows:
        out = [Cell("", grid.page) for _ in centres]
        for cell, target in zip(row, targets):
            if cell.text.strip():
                merged = (out[target].text + " " + cell.text).strip() if out[target].text else cell.text
                out[target] = Cell(merged, grid.page, cell.joins_left, cell.joins_up)
        aligned.append(out)
    return aligned


def stitch(first: PageGrid, continuations: list[PageGrid]) -> list[list[Cell]]:
    """One table from its first grid and the grids continuing it on later pages.

    Leading rows of a continuation that repeat the first grid's header rows, and blank
    rows at the top of a continuation, are dropped; nothing else is lost or doubled.
    (Blank rows elsewhere are kept: a 三公 table's only figures row may be all blank.)
    """
    rows = list(first.rows)
    header_keys = {_row_key(r) for r in rows[:MAX_HEADER_ROWS] if not _is_blank(r)}
    for grid in continuations:
        cont = _align(grid, first.column_centres)
        while cont and (_is_blank(cont[0]) or _row_key(cont[0]) in header_keys):
            cont.pop(0)
        rows.extend(cont)
    return rows
