"""Stitched cell grid → long records: one per (row, column group, measure) with code, label, item key and exact amount."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from contracts.checks import OCR_DOUBTFUL
from contracts.declarations import row_shapes
from extract.model import Cell, RawTable
from transform import layout
from transform.columns import Column, classify_columns, column_groups, header_row_count
from contracts.money import from_fen, to_fen
from contracts.names import squeeze
from transform.numbers import parse_amount
from transform.ocr_figures import decimals, doubt, usual_decimals
from transform.text import clean_label, split_ordinal

FUNCTIONAL_LEVELS = {3: "class", 5: "section", 7: "item"}
ECONOMIC_LEVELS = {3: "econ_class", 5: "econ_item"}
CODE_MARKERS = frozenset({"类", "款", "项"})
# A vertical income-source list: the label printed beside a group's own figure.
SUBTOTAL_LABEL = "小计"
_WORD = re.compile(r"[\w\u3400-\u9fff]")


def _has_words(label: str | None) -> bool:
    return bool(label and _WORD.search(label))


@dataclass
class GroupRow:
    """What one column group of one printed row says."""

    side: str | None
    code: str | None
    label: str | None
    line_no: int | None
    cells: dict[str, tuple[Column, Cell]] = field(default_factory=dict)  # measure -> (column, cell)
    segments: tuple[str, ...] = ()  # the digits of each split code column (类, 款, 项) as printed
    item_key: str | None = None  # set where the row shape gives the key itself (a vertical income list)

    def has_amounts(self) -> bool:
        return any(cell.text.strip() for _, cell in self.cells.values())


@dataclass
class CellProblem:
    """A cell under a figure column that is not a figure: kept as null and reported, never read as 0."""

    table: str
    page: int
    row_no: int  # the printed data row (under the header, across pages), 1-based
    measure: str
    text: str
    reason: str = "not_a_figure"  # or contracts.checks.OCR_DOUBTFUL: a figure OCR read doubtfully
    why: str = ""  # for a doubtful OCR figure: what made it doubtful


def _read_group(group: list[Column], row: list[Cell]) -> GroupRow:
    digits, fallback_label, label, line_no = "", None, None, None
    segments: list[str] = []
    cells: dict[str, tuple[Column, Cell]] = {}
    for column in group:
        cell = row[column.index] if column.index < len(row) else Cell("", 0)
        text = squeeze(cell.text)
        if column.role == "code":
            if text.isdigit():
                # 款/项 columns of a split code hold two digits; a spreadsheet may print "02" as "2"
                digits += text.zfill(2) if digits else text
                segments.append(text)
            elif text and text not in CODE_MARKERS:
                fallback_label = fallback_label or cell.text
        elif column.role == "label":
            label = label or (cell.text if text else None)
        elif column.role == "line_no":
            line_no = int(text) if text.isdigit() else None
        elif column.measure is not None and column.measure not in cells:
            cells[column.measure] = (column, cell)
    printed = label or fallback_label
    return GroupRow(
        side=group[0].side,
        code=digits or None,
        segments=tuple(segments),
        label=clean_label(printed) if printed else None,
        line_no=line_no,
        cells=cells,
    )


def _borrow_spanning_amounts(groups: list[GroupRow]) -> None:
    """A label whose figure is printed under the next group's column ("公用经费合计 … 207.68") takes it over."""
    for current, following in zip(groups, groups[1:]):
        if current.label and not current.has_amounts() and not following.label and not following.code:
            if following.has_amounts():
                for measure, (column, cell) in following.cells.items():
                    if measure in current.cells and cell.text.strip():
                        current.cells[measure] = (column, cell)
                following.cells = {}


def _holds_headers(columns: list[Column], row: list[Cell]) -> bool:
    """Whether a first data row prints header words (text without digits) over figure columns."""
    for column in columns:
        if column.role == "unknown" or column.measure is not None:
            text = row[column.index].text if column.index < len(row) else ""
            if text.strip() and not re.search(r"\d", text):
                return True
    return False


def _subject_level(table: str, code: str | None) -> str | None:
    if code is None:
        return None
    levels = ECONOMIC_LEVELS if layout.is_economic(table) else FUNCTIONAL_LEVELS
    return levels.get(len(code))


class _SummaryKeys:
    """item_key / class code of summary-table rows; fund rows take the prefix of the carry-over above them."""

    def __init__(self) -> None:
        self.under: dict[str, str | None] = {"income": None, "expenditure": None}

    def key(self, side: str, label: str) -> tuple[str | None, str | None]:
        if side == "expenditure" and label in layout.class_codes():
            return None, layout.class_codes()[label]
        fund = layout.fund_rows().get(label)
        carry = self.under.get(side)
        if fund and carry:
            return f"{carry}_{fund}", None
        item_key = layout.summary_items(side).get(label)
        if item_key in {"carryover_begin", "carryover_end"}:
            self.under[side] = item_key
        return item_key, None


def row_shape(table: str, columns: list[Column]) -> str:
    """How this printing of `table` lays out its rows, among the shapes its declaration admits.

    A table printed without any code or label column is one row of totals; one with row
    labels but no codes and a single figure column is a vertical list of income sources;
    anything else has subject rows.
    """
    shapes = row_shapes(table)
    if len(shapes) == 1:
        return shapes[0]
    roles = {c.role for c in columns}
    measures = {c.measure for c in columns if c.measure}
    if "single_totals_row" in shapes and not roles & {"code", "label"}:
        return "single_totals_row"
    if "vertical_items" in shapes and "code" not in roles and "label" in roles and len(measures) == 1:
        return "vertical_items"
    return "subject_rows"


def _row_key(table: str, shape: str, group: GroupRow, summary: _SummaryKeys) -> tuple[str | None, str | None]:
    """(item_key, subject_code) for a group row."""
    if shape == "single_totals_row":  # its one figures row is the table's total
        return "total", None
    if table in layout.SUMMARY_TABLES:
        if not group.label:
            return None, None
        return summary.key(group.side or "income", group.label)
    labels = layout.subject_items()
    if layout.is_economic(table):
        labels = {**labels, **layout.basic_items()}
    if group.label in labels and not group.code:
        return labels[group.label], None
    return None, group.code


def _complete_class_segment(group: GroupRow, code: str | None,
                            last: dict[int, str]) -> tuple[str | None, tuple[str, bool] | None]:
    """(code, (code as printed, whether completed) where its 类 was short): a split code whose 类 column prints fewer than its
    3 digits ("7 11 02" under "210 11") takes the 类 of the row above it whose 款 it repeats; the
    completion is reported (subject_code_restored), never silent. Records each code read per length."""
    printed = None
    segments = group.segments
    if code and len(segments) >= 2 and len(segments[0]) < 3:
        parent = last.get(3 + 2 * (len(segments) - 2))  # the 类 (for a 款 row) or 款 (for a 项 row) above
        tail = "".join(seg.zfill(2) for seg in segments[1:])
        if parent and parent[3:] == tail[: len(parent) - 3]:
            printed, code = (" ".join(segments), True), parent[:3] + tail
        else:
            printed = (" ".join(segments), False)  # reported as left as printed
    if code:
        last[len(code)] = code
    return code, printed


def _vertical_rows(columns: list[Column], rows: list[list[Cell]]) -> list[GroupRow]:
    """Rows of a vertical income-source list: a group label (merged down its rows), the label under it, a figure.

    A group's 小计 row carries the group's key; the rows under a group carry their own key where
    the label has one (其他资金 › 其他收入 → other_income), none otherwise; nothing is dropped.
    """
    figure_columns = [c for c in columns if c.measure]
    first_figure = min(c.index for c in figure_columns)
    label_columns = [c.index for c in columns if c.measure is None and c.index < first_figure]
    sources = layout.income_sources()
    out: list[GroupRow] = []
    group_label: str | None = None
    for row in rows:
        texts = [clean_label(row[i].text) if i < len(row) else "" for i in label_columns]
        if texts and texts[0]:
            group_label = texts[0]
        inner = next((t for t in reversed(texts[1:]) if t), "")
        if inner and inner != SUBTOTAL_LABEL:
            label, key = inner, sources.get(inner)
        elif group_label:
            label = group_label + inner
            key = sources.get(group_label)
        else:
            label, key = None, None
        cells = {c.measure: (c, row[c.index] if c.index < len(row) else Cell("", 0)) for c in figure_columns}
        out.append(GroupRow(side=None, code=None, label=label, line_no=None, cells=cells, item_key=key))
    return out


def _join_wrapped_labels(table: str, read_rows: list[list[GroupRow]]) -> list[list[GroupRow]]:
    """A label a table wraps onto a printed row of its own (no code, no figure: "超长期特别国债" /
    "安排的支出") continues the coded row above it, instead of becoming a row.

    Template rows (合计, 人员经费合计), ordinal rows and summary tables are never joined.
    """
    if table in layout.SUMMARY_TABLES:
        return read_rows
    template_labels = set(layout.subject_items()) | set(layout.basic_items())
    out: list[list[GroupRow]] = []
    for read in read_rows:
        labelled = [(index, group) for index, group in enumerate(read) if _has_words(group.label)]
        wraps = bool(out) and bool(labelled) and all(not g.code and not g.has_amounts() for g in read) and all(
            out[-1][index].code and out[-1][index].label and group.label not in template_labels
            and split_ordinal(group.label)[0] is None
            for index, group in labelled
        )
        if wraps:
            for index, group in labelled:
                out[-1][index].label += group.label
            continue
        out.append(read)
    return out


def _bottom_lines(records: list[dict]) -> None:
    """A summary side whose last labelled row is 收入合计/支出合计/合计 has that row as its grand_total."""
    for side in ("income", "expenditure"):
        own = [r for r in records if r["side"] == side and r["item"]]
        if not own or any(r["item_key"] == "grand_total" for r in own):
            continue
        last = max(r["_order"][1] for r in own)  # the last printed row, whichever column group holds it
        bottom = [r for r in own if r["_order"][1] == last]
        if bottom[0]["item"] in layout.bottom_line(side):
            for record in bottom:
                record["item_key"] = "grand_total"


def table_records(raw: RawTable, unit_factor_yuan: int) -> tuple[list[dict], list[CellProblem]]:
    """Long records of one table (amounts exact in 元) and the cells that could not be read as figures."""
    rows = raw.rows
    if not rows:
        return [], []
    header_count = header_row_count(raw.name, rows)
    width = max(len(r) for r in rows)
    columns = classify_columns(raw.name, rows[:header_count], width)
    mixed_row = header_count < len(rows) and _holds_headers(columns, rows[header_count])
    if mixed_row:  # the last header line also carries the first row's label ("合计 … 合计 基本支出 项目支出")
        columns = classify_columns(raw.name, rows[: header_count + 1], width)
    groups = column_groups(columns)
    shape = row_shape(raw.name, columns)
    summary = _SummaryKeys()
    parents: dict[int, dict[int, str]] = {}  # per column group: the last code read of each length
    records: list[dict] = []
    problems: list[CellProblem] = []
    ocr_figures: list[tuple[dict, Cell, int, str]] = []  # figures read by OCR: (record, cell, printed row, measure)
    data_rows = rows[header_count:]
    if shape == "single_totals_row":
        data_rows = data_rows[:1]
    keep_blank_rows = shape == "single_totals_row"
    if shape == "vertical_items":
        read_rows = [[group] for group in _vertical_rows(columns, data_rows)]
    else:
        read_rows = []
        for row in data_rows:
            read = [_read_group(group, row) for group in groups]
            _borrow_spanning_amounts(read)
            read_rows.append(read)
        read_rows = _join_wrapped_labels(raw.name, read_rows)
    # The two sides of a summary share their printed row; a second column group on one side
    # (Jiangsu's purposes beside the functional classes) is read after the first, like 人员经费 | 公用经费.
    side_rank = [sum(1 for earlier in groups[:index] if earlier[0].side == group[0].side) for index, group in enumerate(groups)]
    for row_no, read in enumerate(read_rows, start=1):
        for group_index, group in enumerate(read):
            if not group.cells:
                continue
            if not keep_blank_rows and not group.code and not group.has_amounts() and not _has_words(group.label):
                continue  # a blank side of a two-sided row, or a template's "……" placeholder row
            if shape == "vertical_items":
                item_key, code = group.item_key, None
            else:
                item_key, code = _row_key(raw.name, shape, group, summary)
            code, code_printed = _complete_class_segment(group, code, parents.setdefault(group_index, {}))
            for measure, (column, cell) in group.cells.items():
                if mixed_row and row_no == 1 and not re.search(r"\d", cell.text):
                    cell = Cell("", cell.page)
                read_by_ocr = cell.confidence is not None
                try:
                    amount = parse_amount(cell.text)
                    amount_yuan = None if amount is None else from_fen(to_fen(amount * unit_factor_yuan))
                except ValueError:  # not a figure, or finer than 分 once in 元: never rounded, never 0
                    problems.append(CellProblem(raw.name, cell.page, row_no, measure, cell.text))
                    amount = amount_yuan = None
                if amount is not None and read_by_ocr and (why := doubt(cell.text, cell.confidence)):
                    problems.append(CellProblem(raw.name, cell.page, row_no, measure, cell.text, OCR_DOUBTFUL, why))
                    amount = amount_yuan = None
                records.append(
                    {
                        "_order": (side_rank[group_index] if raw.name in layout.SUMMARY_TABLES else group_index, row_no),
                        "table": raw.name,
                        "page": cell.page or raw.pages[0],
                        "row_no": row_no,
                        "side": group.side,
                        "subject_code": code,
                        "subject_level": _subject_level(raw.name, code),
                        "item": group.label,
                        "item_key": item_key,
                        "line_no": group.line_no,
                        "measure": measure,
                        "measure_label": column.label,
                        "amount_yuan": amount_yuan,
                        "ocr_confidence": int(cell.confidence * 1000) if read_by_ocr else None,
                        **({"_code_printed": code_printed} if code_printed else {}),
                    }
                )
                if amount is not None and read_by_ocr:
                    ocr_figures.append((records[-1], cell, row_no, measure))
    problems.extend(_odd_decimals(raw.name, ocr_figures))
    if raw.name in layout.SUMMARY_TABLES:
        _bottom_lines(records)
    return _number_rows(records), problems


def _odd_decimals(table: str, ocr_figures: list[tuple[dict, Cell, int, str]]) -> list[CellProblem]:
    """OCR figures printing another number of decimals than most figures of their table (a decimal point
    lost or invented) are nulled; their problems."""
    usual = usual_decimals([cell.text for _, cell, _, _ in ocr_figures])
    problems = []
    for record, cell, row_no, measure in ocr_figures:
        if decimals(cell.text) != usual:
            record["amount_yuan"] = None
            problems.append(CellProblem(table, cell.page, row_no, measure, cell.text, OCR_DOUBTFUL,
                                        f"{decimals(cell.text)} decimals where the table's figures print {usual}"))
    return problems


def _number_rows(records: list[dict]) -> list[dict]:
    """row_no in reading order, 1..n: side-by-side column groups (人员经费 | 公用经费) are read one after the other;
    the two sides of a summary table share their printed row."""
    ranks = {order: rank for rank, order in enumerate(sorted({r["_order"] for r in records}), start=1)}
    for record in records:
        record["row_no"] = ranks[record.pop("_order")]
    return sorted(records, key=lambda r: r["row_no"])
