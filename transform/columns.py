"""Header rows → column roles: where a table's header ends and what each column holds (code, label, 行次, measure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.model import Cell
from transform import layout
from transform.text import clean_label, split_ordinal

TWO_SIDED = {"income_expenditure_summary", "appropriation_summary"}
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


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_data_row(table: str, row: list[Cell]) -> bool:
    texts = [_squeezed(c.text) for c in row]
    if any(_FIGURE.match(t) or _CODE.match(t) for t in texts):
        return True
    labels = layout.row_labels(table)
    if not labels:
        return False
    first = next((c.text for c in row if c.text.strip()), "")
    ordinal, _ = split_ordinal(re.sub(r"\s+", "", first))
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
        piece = re.sub(r"\s+", "", piece)
        if not piece or piece in IGNORED_PIECES or piece.isdigit() or (pieces and pieces[-1] == piece):
            continue
        pieces.append(piece)
    return pieces


def _token_matches(token: str, pieces: list[str]) -> bool:
    if token.startswith("!"):  # "!名称": no piece holds it
        return not any(token[1:] in piece for piece in pieces)
    if token.startswith("="):  # "=运行费": exactly that piece
        return token[1:] in pieces
    if len(token) == 1:
        return token in pieces
    return any(token in piece for piece in pieces)


def _role(table: str, side: str | None, pieces: list[str]) -> str:
    for role, rules in layout.column_rules(table, side):
        if any(all(_token_matches(token, pieces) for token in rule) for rule in rules):
            return role
    return "unknown"


def classify_columns(table: str, header_rows: list[list[Cell]], width: int) -> list[Column]:
    """Each column's role, side and printed header, from the header rows."""
    filled = _filled_header(header_rows)
    columns = []
    side: str | None = None
    for index in range(width):
        pieces = _pieces(filled, index)
        if table in TWO_SIDED:
            sides = [SIDE_PIECES[p] for p in pieces if p in SIDE_PIECES]
            side = sides[0] if sides else side or "income"
            pieces = [p for p in pieces if p not in SIDE_PIECES]
        role = _role(table, side if table in TWO_SIDED else None, pieces)
        columns.append(Column(index, role, side if table in TWO_SIDED else None, "/".join(pieces)))
    return columns


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
