"""Render the seed report text (../shared/seed) into a sample 决算 PDF typeset the way such reports are: ruled tables, STSong-Light."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_NAME = "武汉市硚口区司法局2024年度部门决算公开"
SEED_TEXT_PATH = REPO_ROOT / ".." / "shared" / "seed" / f"{SEED_NAME}.txt"
DEFAULT_PDF_PATH = REPO_ROOT / "data" / "samples" / f"{SEED_NAME}.pdf"

FONT = "STSong-Light"
TABLE_FONT_PT = 8.0
APPENDIX_FONT_PT = 7.5
CELL_PAD_PT = 5.0  # wide enough that a right-aligned figure and the next cell's text stay separate text lines
RULE_WIDTH_PT = 0.6
FIGURE_GAP_PT = 2.0  # extra advance where the seed prints a space inside a figure ("3, 469. 73")
LETTER_GAP_EM = 0.5  # letter-spacing of labels printed "收 入": a word gap for extractors, not a line break
MARGIN_PT = 36.0
HEADER_CELL_MAX_CHARS = 7  # header labels wider than this wrap inside their cell

TABLE_LABEL_RE = re.compile(r"^公开 (\d{2}) 表$")
FIGURE_RE = re.compile(r"^\d{1,3}(?:, ?\d{3})*\. ?\d+$")
LETTER_SPACED_RE = re.compile(r"^\S(?: \S)+$")
PART_HEADING_RE = re.compile(r"^第[一二三四五六七八九十]+部分")
SECTION_HEADING_RE = re.compile(r"^[一二三四五六七八九十]+、")


# ---------- table layouts: how the seed's tab-separated rows sit on a ruled grid ----------


@dataclass(frozen=True)
class Cell:
    """One printed cell: grid column, spans, and which seed fields (joined) give its text (None: next non-empty header field)."""

    col: int
    colspan: int = 1
    rowspan: int = 1
    src: tuple[int, ...] | None = None


@dataclass(frozen=True)
class TableLayout:
    """Grid of one 公开表: header rows (cells in seed reading order), body row layout, page orientation."""

    ncols: int
    header: tuple[tuple[Cell, ...], ...]
    body: tuple[Cell, ...] | None = None  # None: seed field i in grid column i
    special_rows: dict[str, tuple[Cell, ...]] = field(default_factory=dict)  # keyed by the row's first field
    landscape: bool = False


def _cols(*cols: int, rowspan: int = 1) -> tuple[Cell, ...]:
    return tuple(Cell(c, rowspan=rowspan) for c in cols)


def _code_body(first_figure_col: int, ncols: int) -> tuple[Cell, ...]:
    """Subject-code tables: code across 类/款/项, name in 科目名称, figures after."""
    return (
        Cell(0, colspan=3, src=(0,)),
        Cell(3, src=(1, 2, 3)),
        *(Cell(c, src=(c,)) for c in range(first_figure_col, ncols)),
    )


# 公开05 and 公开08 print the same header: 项目 | 本年支出 (合计/小计, 基本支出, 项目支出) over split codes.
THREE_MEASURE_SUBJECT_TABLE = TableLayout(
    ncols=7,
    header=(
        (Cell(0, colspan=4), Cell(4, colspan=3)),
        (Cell(0, colspan=3), *_cols(3, 4, 5, 6)),
        _cols(*range(7)),
    ),
    body=_code_body(4, 7),
)

LAYOUTS: dict[str, TableLayout] = {
    "01": TableLayout(
        ncols=6,
        header=(
            (Cell(0, colspan=3), Cell(3, colspan=3)),
            _cols(0, 1, 2, 3, 4, 5),
            _cols(0, 2, 3, 5),
        ),
    ),
    "02": TableLayout(
        ncols=11,
        header=(
            (Cell(0, colspan=4), *_cols(*range(4, 11), rowspan=2)),
            (Cell(0, colspan=3), Cell(3)),
            _cols(*range(11)),
        ),
        body=_code_body(4, 11),
        landscape=True,
    ),
    "03": TableLayout(
        ncols=10,
        header=(
            (Cell(0, colspan=4), *_cols(*range(4, 10), rowspan=2)),
            (Cell(0, colspan=3), Cell(3)),
            _cols(*range(10)),
        ),
        body=_code_body(4, 10),
        landscape=True,
    ),
    "04": TableLayout(
        ncols=9,
        header=(
            (Cell(0, colspan=3), Cell(3, colspan=6)),
            (*_cols(0, 1, 2, 3, 4, rowspan=2), Cell(5, colspan=4)),
            _cols(5, 6, 7, 8),
            _cols(0, 2, 3, 5, 6, 7, 8),
        ),
        landscape=True,
    ),
    "05": THREE_MEASURE_SUBJECT_TABLE,
    "06": TableLayout(
        ncols=9,
        header=(
            (Cell(0, colspan=3), Cell(3, colspan=6)),
            _cols(*range(9)),
        ),
        special_rows={
            "人员经费合计": (Cell(0, colspan=2, src=(0,)), Cell(2, src=(2,)), Cell(3, colspan=5, src=(3,)), Cell(8, src=(8,))),
        },
        landscape=True,
    ),
    "07": TableLayout(
        ncols=8,
        header=(
            (Cell(0, colspan=2), Cell(2, rowspan=2), Cell(3, rowspan=2), Cell(4, colspan=3), Cell(7, rowspan=2)),
            _cols(0, 1, 4, 5, 6),
            _cols(*range(8)),
        ),
        body=(Cell(0, src=(0,)), Cell(1, src=(1, 2)), *(Cell(c, src=(c + 1,)) for c in range(2, 8))),
        landscape=True,
    ),
    "08": THREE_MEASURE_SUBJECT_TABLE,
    "09": TableLayout(
        ncols=12,
        header=(
            (Cell(0, colspan=6), Cell(6, colspan=6)),
            (
                *_cols(0, 1, rowspan=2),
                Cell(2, colspan=3),
                *_cols(5, 6, 7, rowspan=2),
                Cell(8, colspan=3),
                Cell(11, rowspan=2),
            ),
            _cols(2, 3, 4, 8, 9, 10),
            _cols(*range(12)),
        ),
        landscape=True,
    ),
}


# ---------- parsing the seed text ----------


@dataclass
class SeedTable:
    """One 公开表 as printed in the seed: title, label, unit lines, tab-split rows, and the lines printed under it."""

    number: str
    title: str
    label: str
    unit_left: str
    unit_right: str
    rows: list[list[str]]
    trailer: list[str]


@dataclass
class SeedDocument:
    """The seed split into front matter lines, the nine tables, and back matter lines."""

    front: list[str]
    tables: list[SeedTable]
    back: list[str]


def _is_blank(line: str) -> bool:
    return not line.strip()


def _next_nonblank(lines: list[str], start: int) -> int:
    index = start
    while _is_blank(lines[index]):
        index += 1
    return index


def _prev_nonblank(lines: list[str], start: int) -> int:
    index = start
    while _is_blank(lines[index]):
        index -= 1
    return index


def parse_seed(text: str) -> SeedDocument:
    """Split the seed text into front matter, the nine 公开表 and the back matter, keeping every line as printed."""
    lines = text.split("\n")
    label_indexes = [i for i, line in enumerate(lines) if TABLE_LABEL_RE.match(line.strip())]
    title_indexes = [_prev_nonblank(lines, i - 1) for i in label_indexes]
    back_start = next(i for i in range(label_indexes[-1], len(lines)) if lines[i].startswith("第三部分"))
    ends = title_indexes[1:] + [back_start]
    tables = []
    for label_index, title_index, end in zip(label_indexes, title_indexes, ends):
        unit_left_index = _next_nonblank(lines, label_index + 1)
        unit_right_index = _next_nonblank(lines, unit_left_index + 1)
        row_index = _next_nonblank(lines, unit_right_index + 1)
        rows = []
        while "\t" in lines[row_index]:
            rows.append(lines[row_index].split("\t"))
            row_index += 1
        tables.append(
            SeedTable(
                number=TABLE_LABEL_RE.match(lines[label_index].strip()).group(1),
                title=lines[title_index].strip(),
                label=lines[label_index].strip(),
                unit_left=lines[unit_left_index].strip(),
                unit_right=lines[unit_right_index].strip(),
                rows=rows,
                trailer=[line.strip() for line in lines[row_index:end] if not _is_blank(line)],
            )
        )
    return SeedDocument(front=lines[: title_indexes[0]], tables=tables, back=lines[back_start:])


# ---------- drawing ----------


class GappedText(Flowable):
    """One line drawn in runs: each space of the seed text becomes extra spacing between glyphs, not a space character."""

    def __init__(self, text: str, font_pt: float, gap_pt: float, align: str) -> None:
        super().__init__()
        self.runs = text.split(" ")
        self.font_pt = font_pt
        self.gap_pt = gap_pt
        self.align = align

    def natural_width(self) -> float:
        return sum(pdfmetrics.stringWidth(run, FONT, self.font_pt) for run in self.runs) + self.gap_pt * (len(self.runs) - 1)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, self.font_pt * 1.2
        return self.width, self.height

    def draw(self) -> None:
        slack = self.width - self.natural_width()
        x = {"LEFT": 0.0, "CENTER": slack / 2, "RIGHT": slack}[self.align]
        self.canv.setFont(FONT, self.font_pt)
        for run in self.runs:
            self.canv.drawString(x, self.font_pt * 0.25, run)
            x += pdfmetrics.stringWidth(run, FONT, self.font_pt) + self.gap_pt


class LeftRightLine(Flowable):
    """The unit line above a table: one text flush left, one flush right."""

    def __init__(self, left: str, right: str, font_pt: float) -> None:
        super().__init__()
        self.left, self.right, self.font_pt = left, right, font_pt

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, self.font_pt * 1.6
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setFont(FONT, self.font_pt)
        self.canv.drawString(0, self.font_pt * 0.4, self.left)
        self.canv.drawRightString(self.width, self.font_pt * 0.4, self.right)


def _style(name: str, size: float, align: int = TA_LEFT, indent: float = 0.0, space_after: float = 0.0) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT,
        fontSize=size,
        leading=size * 1.25,
        alignment=align,
        firstLineIndent=indent,
        spaceAfter=space_after,
        wordWrap="CJK",
    )


STYLES = {
    "cover_title": _style("cover_title", 24, TA_CENTER, space_after=30),
    "cover_date": _style("cover_date", 16, TA_CENTER),
    "toc_title": _style("toc_title", 18, TA_CENTER, space_after=14),
    "toc_entry": _style("toc_entry", 11, space_after=4),
    "part": _style("part", 15, TA_CENTER, space_after=10),
    "section": _style("section", 12, space_after=6),
    "body": _style("body", 10.5, indent=21, space_after=5),
    "table_title": _style("table_title", 15, TA_CENTER, space_after=4),
    "table_label": _style("table_label", 9, TA_RIGHT),
    "note": _style("note", 9, space_after=2),
    "cell_left": _style("cell_left", TABLE_FONT_PT),
    "cell_center": _style("cell_center", TABLE_FONT_PT, TA_CENTER),
    "appendix_cell": _style("appendix_cell", APPENDIX_FONT_PT),
}


def _wrapped_paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A cell paragraph where each space of the seed text is the line break the original printed there."""
    return Paragraph("<br/>".join(escape(part) for part in text.split(" ")), style)


def _line_widths(text: str) -> list[float]:
    return [pdfmetrics.stringWidth(part, FONT, TABLE_FONT_PT) for part in text.split(" ")]


def _cell_flowable(text: str, is_header: bool) -> tuple[Flowable | str, float]:
    """The flowable for one table cell and the width it would like (padding included)."""
    if not text:
        return "", 0.0
    if FIGURE_RE.match(text):
        flowable = GappedText(text, TABLE_FONT_PT, FIGURE_GAP_PT, "RIGHT")
        return flowable, flowable.natural_width() + 2 * CELL_PAD_PT
    if LETTER_SPACED_RE.match(text):
        flowable = GappedText(text, TABLE_FONT_PT, TABLE_FONT_PT * LETTER_GAP_EM, "CENTER")
        return flowable, flowable.natural_width() + 2 * CELL_PAD_PT
    centered = is_header or (text.isdigit() and len(text) <= 2)
    widest = max(_line_widths(text))
    if is_header:
        widest = min(widest, HEADER_CELL_MAX_CHARS * TABLE_FONT_PT)
    style = STYLES["cell_center" if centered else "cell_left"]
    return _wrapped_paragraph(text, style), widest + 2 * CELL_PAD_PT


def _body_cells(layout: TableLayout, fields: list[str]) -> list[tuple[Cell, str]]:
    """Pair each printed cell of a body row with its text, joined from the seed fields the layout names."""
    default = tuple(Cell(c, src=(c,)) for c in range(layout.ncols))
    cells = layout.special_rows.get(fields[0].strip()) or layout.body or default
    padded = fields + [""] * (max(max(cell.src) for cell in cells) + 1 - len(fields))
    return [(cell, " ".join(padded[i].strip() for i in cell.src if padded[i].strip())) for cell in cells]


def _header_cells(layout: TableLayout, row_index: int, fields: list[str]) -> list[tuple[Cell, str]]:
    """Pair the header row's cells, in reading order, with the row's non-empty seed fields."""
    texts = [f.strip() for f in fields if f.strip()]
    return list(zip(layout.header[row_index], texts, strict=True))


def _column_widths(wanted: list[list[tuple[Cell, float]]], ncols: int, avail_pt: float) -> list[float]:
    """Column widths that give every unspanned cell what it wants, widen spans that are short, then fill the frame width."""
    widths = [2 * CELL_PAD_PT + TABLE_FONT_PT] * ncols
    for row in wanted:
        for cell, want in row:
            if cell.colspan == 1:
                widths[cell.col] = max(widths[cell.col], want)
    for row in wanted:
        for cell, want in row:
            if cell.colspan > 1:
                span = range(cell.col, cell.col + cell.colspan)
                deficit = want - sum(widths[c] for c in span)
                for c in span:
                    widths[c] += max(deficit, 0.0) / cell.colspan
    scale = avail_pt / sum(widths)
    return [w * scale for w in widths]


def build_table(table: SeedTable, avail_width_pt: float) -> Table:
    """The ruled grid of one 公开表: merged header cells, repeated header rows, figures right-aligned."""
    layout = LAYOUTS[table.number]
    n_header = len(layout.header)
    grid: list[list[Flowable | str]] = []
    wanted: list[list[tuple[Cell, float]]] = []
    spans: list[tuple[Cell, int]] = []
    for row_index, fields in enumerate(table.rows):
        is_header = row_index < n_header
        pairs = _header_cells(layout, row_index, fields) if is_header else _body_cells(layout, fields)
        row: list[Flowable | str] = [""] * layout.ncols
        row_wanted = []
        for cell, text in pairs:
            flowable, want = _cell_flowable(text, is_header)
            row[cell.col] = flowable
            row_wanted.append((cell, want))
            if cell.colspan > 1 or cell.rowspan > 1:
                spans.append((cell, row_index))
        grid.append(row)
        wanted.append(row_wanted)
    style = [
        ("GRID", (0, 0), (-1, -1), RULE_WIDTH_PT, "black"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_PT),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_PT),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("FONT", (0, 0), (-1, -1), FONT, TABLE_FONT_PT),
    ]
    for cell, row_index in spans:
        style.append(("SPAN", (cell.col, row_index), (cell.col + cell.colspan - 1, row_index + cell.rowspan - 1)))
    return Table(
        grid,
        colWidths=_column_widths(wanted, layout.ncols, avail_width_pt),
        repeatRows=n_header,
        style=TableStyle(style),
        hAlign="CENTER",
    )


def build_appendix_table(rows: list[list[str]], avail_width_pt: float) -> Table:
    """A tab-separated block of the narrative (work plan, self-evaluation forms) as a plain ruled grid."""
    ncols = max(len(row) for row in rows)
    longest = [max((len(row[c].strip()) if c < len(row) else 0) for row in rows) for c in range(ncols)]
    weights = [min(n, 40) + 3 for n in longest]
    widths = [avail_width_pt * w / sum(weights) for w in weights]
    grid = [
        [Paragraph(escape(row[c].strip()), STYLES["appendix_cell"]) if c < len(row) and row[c].strip() else "" for c in range(ncols)]
        for row in rows
    ]
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), RULE_WIDTH_PT, "black"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            ("FONT", (0, 0), (-1, -1), FONT, APPENDIX_FONT_PT),
        ]
    )
    return Table(grid, colWidths=widths, style=style, splitInRow=1, hAlign="CENTER")


def _paragraph_style_for(line: str) -> ParagraphStyle:
    if PART_HEADING_RE.match(line):
        return STYLES["part"]
    if SECTION_HEADING_RE.match(line) and len(line) < 40:
        return STYLES["section"]
    return STYLES["body"]


def narrative_story(lines: list[str], avail_width_pt: float) -> list[Flowable]:
    """Narrative lines as paragraphs (each 第X部分 on a new page), tab-separated blocks as ruled grids."""
    story: list[Flowable] = []
    block: list[list[str]] = []
    for line in lines + ["<end>"]:
        if "\t" in line:
            block.append(line.split("\t"))
            continue
        if _is_blank(line):
            continue
        if block:
            story += [build_appendix_table(block, avail_width_pt), Spacer(1, 8)]
            block = []
        if line == "<end>":
            break
        text = line.strip()
        if PART_HEADING_RE.match(text) and story:
            story.append(PageBreak())
        story.append(Paragraph(escape(text), _paragraph_style_for(text)))
    return story


def front_story(lines: list[str], avail_width_pt: float) -> list[Flowable]:
    """Cover (title, date), the 目录 page, then the 第一部分 narrative."""
    text_lines = [line.strip() for line in lines if not _is_blank(line)]
    title, date = text_lines[0], text_lines[1]
    toc_end = next(i for i in range(3, len(text_lines)) if text_lines[i] == text_lines[3] and i > 3)
    story: list[Flowable] = [
        Spacer(1, 220),
        Paragraph(escape(title), STYLES["cover_title"]),
        Paragraph(escape(date), STYLES["cover_date"]),
        PageBreak(),
        Paragraph(escape(text_lines[2]), STYLES["toc_title"]),
    ]
    story += [Paragraph(escape(line), STYLES["toc_entry"]) for line in text_lines[3:toc_end]]
    story.append(PageBreak())
    story += narrative_story(text_lines[toc_end:], avail_width_pt)
    return story


def table_story(table: SeedTable, avail_width_pt: float) -> list[Flowable]:
    """Title, 公开 0N 表 right, unit line, the ruled table, the lines printed under it."""
    return [
        Paragraph(escape(table.title), STYLES["table_title"]),
        Paragraph(escape(table.label), STYLES["table_label"]),
        LeftRightLine(table.unit_left, table.unit_right, 9),
        build_table(table, avail_width_pt),
        Spacer(1, 6),
        *(Paragraph(escape(line), STYLES["note"]) for line in table.trailer),
    ]


def _page_number(canvas, doc) -> None:
    """Footer "- N -", drawn last so page text reads title first."""
    canvas.saveState()
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(doc.pageTemplate.pagesize[0] / 2, 20, f"- {doc.page} -")
    canvas.restoreState()


def render(seed_text: str, out_path: Path) -> None:
    """Typeset the whole seed document into out_path, byte-for-byte reproducibly."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    document = parse_seed(seed_text)
    portrait_size, landscape_size = A4, landscape(A4)
    templates = [
        PageTemplate(
            id=name,
            pagesize=size,
            frames=[Frame(MARGIN_PT, MARGIN_PT, size[0] - 2 * MARGIN_PT, size[1] - 2 * MARGIN_PT, id=f"{name}_frame")],
            onPageEnd=_page_number,
        )
        for name, size in (("portrait", portrait_size), ("landscape", landscape_size))
    ]
    doc = BaseDocTemplate(
        str(out_path),
        pagesize=portrait_size,
        pageTemplates=templates,
        invariant=1,
        title=SEED_NAME,
        author="budgetlake sample renderer",
        creator="budgetlake data/samples/render_seed.py",
        subject="",
        keywords="",
    )
    width_of = {"portrait": portrait_size[0] - 2 * MARGIN_PT, "landscape": landscape_size[0] - 2 * MARGIN_PT}
    story = front_story(document.front, width_of["portrait"])
    for table in document.tables:
        orientation = "landscape" if LAYOUTS[table.number].landscape else "portrait"
        story += [NextPageTemplate(orientation), PageBreak(), *table_story(table, width_of[orientation])]
    story += [NextPageTemplate("portrait"), PageBreak(), *narrative_story(document.back, width_of["portrait"])]
    doc.build(story)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_PDF_PATH, help="where to write the PDF")
    args = parser.parse_args()
    render(SEED_TEXT_PATH.read_text(encoding="utf-8"), args.out)
    print(args.out)


if __name__ == "__main__":
    main()
