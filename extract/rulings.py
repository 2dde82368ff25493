"""Ruling lines of a page image (OpenCV): the tables they frame, as lattices of rows, columns and merged cells."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Segment:
    """One ruling: horizontal (at y, from start to end in x) or vertical (at x, from start to end in y), pixels."""

    at: float
    start: float
    end: float

    def covers(self, position: float, tolerance: float) -> bool:
        return self.start - tolerance <= position <= self.end + tolerance


@dataclass(frozen=True)
class Lattice:
    """One ruled table: its row and column edges (pixels, top to bottom, left to right) and its rulings."""

    ys: tuple[float, ...]
    xs: tuple[float, ...]
    horizontal: tuple[Segment, ...]
    vertical: tuple[Segment, ...]
    tolerance: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def ruled(self, segments: tuple[Segment, ...], at: float, position: float) -> bool:
        """Whether one of segments (self.horizontal or self.vertical) lies at `at` and covers `position`."""
        return any(abs(s.at - at) <= self.tolerance and s.covers(position, self.tolerance) for s in segments)

    def joins_left(self, row: int, column: int) -> bool:
        """No ruling on the left edge of cell (row, column): part of a cell merged across columns."""
        middle = (self.ys[row] + self.ys[row + 1]) / 2
        return column > 0 and not self.ruled(self.vertical, self.xs[column], middle)

    def joins_up(self, row: int, column: int) -> bool:
        """No ruling on the top edge of cell (row, column): part of a cell merged across rows."""
        middle = (self.xs[column] + self.xs[column + 1]) / 2
        return row > 0 and not self.ruled(self.horizontal, self.ys[row], middle)

    def cell_of(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the cell holding the point, None outside the table."""
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return None
        row = max(i for i in range(len(self.ys) - 1) if self.ys[i] <= y)
        column = max(i for i in range(len(self.xs) - 1) if self.xs[i] <= x)
        return row, column

    def span_origin(self, row: int, column: int) -> tuple[int, int]:
        """The top-left cell of the merged cell holding (row, column), where its text is kept (as camelot does)."""
        while True:
            if self.joins_left(row, column):
                column -= 1
            elif self.joins_up(row, column):
                row -= 1
            else:
                return row, column


def _segments(mask: np.ndarray, horizontal: bool) -> list[Segment]:
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segments = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label][:4])
        if horizontal:
            segments.append(Segment(y + h / 2, x, x + w - 1))
        else:
            segments.append(Segment(x + w / 2, y, y + h - 1))
    return segments


def _cluster(values: list[float], tolerance: float) -> list[float]:
    """Positions closer than tolerance merged (their mean), sorted."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def find_lattices(gray: np.ndarray, dpi: float, *, min_length_fraction: float, merge_tolerance_pt: float,
                  min_table_width_pt: float, min_table_height_pt: float) -> list[Lattice]:
    """The ruled tables of a grayscale page image (dark ink on light paper), top to bottom."""
    height, width = gray.shape
    ink = cv2.adaptiveThreshold(255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    h_kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(int(width * min_length_fraction), 10), 1))
    v_kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(int(height * min_length_fraction), 10)))
    # a slight tilt or a broken ruling: close small gaps along the line before keeping long runs only
    h_mask = cv2.morphologyEx(cv2.dilate(ink, np.ones((3, 1), np.uint8)), cv2.MORPH_OPEN, h_kernel)
    v_mask = cv2.morphologyEx(cv2.dilate(ink, np.ones((1, 3), np.uint8)), cv2.MORPH_OPEN, v_kernel)
    px = dpi / 72
    tolerance = merge_tolerance_pt * px
    horizontal, vertical = _segments(h_mask, True), _segments(v_mask, False)
    frame = cv2.dilate(cv2.bitwise_or(h_mask, v_mask), np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(frame, connectivity=8)
    lattices = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label][:4])
        if w < min_table_width_pt * px or h < min_table_height_pt * px:
            continue
        inside = lambda s, hor: (x - tolerance <= (s.start + s.end) / 2 <= x + w + tolerance  # noqa: E731
                                 and y - tolerance <= s.at <= y + h + tolerance) if hor else \
            (y - tolerance <= (s.start + s.end) / 2 <= y + h + tolerance and x - tolerance <= s.at <= x + w + tolerance)
        own_h = tuple(s for s in horizontal if inside(s, True))
        own_v = tuple(s for s in vertical if inside(s, False))
        ys = _cluster([s.at for s in own_h], tolerance)
        xs = _cluster([s.at for s in own_v], tolerance)
        # tables printed without outer side (top) rulings: the rulings' ends are the table's edges
        if xs and x < xs[0] - 2 * tolerance:
            xs.insert(0, float(x))
        if xs and x + w - 1 > xs[-1] + 2 * tolerance:
            xs.append(float(x + w - 1))
        if ys and y < ys[0] - 2 * tolerance:
            ys.insert(0, float(y))
        if ys and y + h - 1 > ys[-1] + 2 * tolerance:
            ys.append(float(y + h - 1))
        if len(ys) < 3 or len(xs) < 3:
            continue
        # the virtual edges are rulings too (a cell against them is closed there)
        edges_h = (Segment(ys[0], xs[0], xs[-1]), Segment(ys[-1], xs[0], xs[-1]))
        edges_v = (Segment(xs[0], ys[0], ys[-1]), Segment(xs[-1], ys[0], ys[-1]))
        lattices.append(Lattice(tuple(ys), tuple(xs), own_h + edges_h, own_v + edges_v, tolerance))
    return sorted(lattices, key=lambda lattice: lattice.ys[0])
