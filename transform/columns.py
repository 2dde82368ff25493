"""Header rows → column roles: where a table's header ends and what each column holds (code, label, 行次, measure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.declarations import row_shapes
from contracts.names import squeeze
from extract.model import Cell
from transform import layout
from transform.text import clean_label, split_ordinal

# Header pieces naming a summary side ("收入", "本年支出", "财政拨款收入": transform/layout/columns.toml [sides]).
SIDE_PIECES = {clean_label(word): side for side, words in layout.load("columns")["sides"].items() for word in words}
IGNORED_PIECES = {"栏次"}

_FIGURE = re.compile(r"^[-－(（△]?\d[\d,，]*[.．]\d+[)）]?$")
_CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")


@dataclass(frozen=True)
class Column:
    index: int
    role: str  # "code", "label", "line_no", "measure:<name>" or "unknown"
    side: str | None
    label: str  # the header as printed, cleaned: its pieces joined by "/"

    @property
    def measure(self) -> str | None:
        return self.role.split(":", 1)[1] if self.role.startswith("measure:") else None


def _is_data_row(table: str, row: list[Cell]) -> bool:
    texts = [squeeze(c.text) for c in row]
    if any(_FIGURE.match(t) or _CODE.match(t) for t in texts):
        return True
    labels = layout.row_labels(table)
    if not labels:
        return False
    printed = [c.text for c in row if c.text.strip()]
    first = printed[0] if printed else ""
    if "single_totals_row" in row_shapes(table) and sum(1 for t in printed[1:] if not re.search(r"\d", t)) >= 2:
        return False  # a one-row table's header line that starts with 合计 (合计 | 基本支出 | 项目支出 | …)
    ordinal, _ = split_ordinal(squeeze(first))
    return ordinal is not None or clean_label(first) in labels


def header_row_count(table: str, rows: list[list[Cell]]) -> int:
    """How many leading rows are header: up to the first row with a figure, a subject code or a row label."""
    for index, row in enumerate(rows):
        if _is_data_row(table, row):
            return index
    # No figure anywhere (a blank template, an empty 三公 table): the header ends after its last
    # printed word, and the blank rows under it are the data rows.
    printed = [i for i, row in enumerate(rows) if any(c.text.strip() for c in row)]
    return printed[-1] + 1 if printed else 0


def _filled_header(rows: list[list[Cell]]) -> list[list[str]]:
    """Header texts with merged cells spread over the columns they span (by the missing rulings)."""
    filled: list[list[str]] = []
    for r, row in enumerate(rows):
        out: list[str] = []
        for c, cell in enumerate(row):
            text = cell.text
            if not text.strip():
                if cell.joins_left and c > 0:
                    text = out[c - 1]
                elif cell.joins_up and r > 0:
                    text = filled[r - 1][c]
            out.append(text)
        filled.append(out)
    return filled


def _pieces(filled: list[list[str]], column: int) -> list[str]:
    pieces: list[str] = []
    for row in filled:
        piece = clean_label(row[column]) if column < len(row) else ""
        piece = squeeze(piece)
        if not piece or piece in IGNORED_PIECES or piece.isdigit() or (pieces and pieces[-1] == piece):
            continue
        pieces.append(piece)
    return pieces


def _token_matches(token: str, pieces: list[str]) -> bool:
    if token.startswith("!"):  # "!名称": no piece holds it
        return not any(token[1:] in piece for piece in pieces)
    if token.startswith("=") and len(token) > 1:  # "=运行费": the column's own (lowest) header is exactly that
        return bool(pieces) and pieces[-1] == token[1:]
    if len(token) == 1:
        return token in pieces
    return any(token in piece for piece in pieces)


def _role(table: str, side: str | None, pieces: list[str]) -> tuple[str, int]:
    """(role, tokens of the rule that matched): the first role with a matching rule."""
    for role, rules in layout.column_rules(table, side):
        matched = [len(rule) for rule in rules if all(_token_matches(token, pieces) for token in rule)]
        if matched:
            return role, max(matched)
    return "unknown", 0


def _resolve_repeated_measures(table: str, columns: list[Column], specificity: list[int]) -> list[Column]:
    """A measure matched by two columns stays with the longer rule's column; the other takes the
    measure's outer name where columns.toml declares one (a 合计 beside the “三公”经费 小计)."""
    outer = layout.outer_measures(table)
    out = list(columns)
    for measure, outer_measure in outer.items():
        same = [c for c in columns if c.measure == measure]
        if len(same) < 2:
            continue
        keeper = max(same, key=lambda c: (specificity[c.index], -c.index))
        for column in same:
            if column is not keeper:
                out[column.index] = Column(column.index, f"measure:{outer_measure}", column.side, column.label)
    return out


def classify_columns(table: str, header_rows: list[list[Cell]], width: int) -> list[Column]:
    """Each column's role, side and printed header, from the header rows."""
    filled = _filled_header(header_rows)
    two_sided = table in layout.SUMMARY_TABLES
    columns = []
    specificity = []
    side: str | None = None
    for index in range(width):
        pieces = _pieces(filled, index)
        if two_sided:
            sides = [SIDE_PIECES[p] for p in pieces if p in SIDE_PIECES]
            side = sides[0] if sides else side or "income"
            pieces = [p for p in pieces if p not in SIDE_PIECES]
        role, tokens = _role(table, side if two_sided else None, pieces)
        columns.append(Column(index, role, side if two_sided else None, "/".join(pieces)))
        specificity.append(tokens)
    return _resolve_repeated_measures(table, columns, specificity)


def column_groups(columns: list[Column]) -> list[list[Column]]:
    """Side-by-side column groups: a new group starts where a code, label or 行次 column follows a measure."""
    groups: list[list[Column]] = []
    previous_was_measure = True
    for column in columns:
        is_measure = column.measure is not None
        if not is_measure and previous_was_measure and column.role != "unknown":
            groups.append([])
        if not groups:
            groups.append([])
        groups[-1].append(column)
        if column.role != "unknown":
            previous_was_measure = is_measure
    return groups
