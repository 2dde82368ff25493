"""Shared machinery of the checks: cells in exact 分, finding rows, and the rounding-aware comparison."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from contracts import declarations as decl
from contracts import money
from contracts.money import AMOUNT_DTYPE, fen, from_fen, unit_label_of

CHECK_COLUMNS = ["report_id", "report_type", "scope", "table", "check", "severity", "passed", "expected", "actual", "detail"]


@dataclass(frozen=True)
class Figure:
    """One amount cell of a table frame, with its amount in exact integer 分 (None = blank)."""

    table: str
    page: int | None
    row_no: int | None
    side: str | None
    code: str | None
    level: str | None
    item: str | None
    item_key: str | None
    measure: str
    fen: int | None

    @property
    def key(self) -> str | None:
        return self.item_key if self.item_key is not None else self.code

    def where(self) -> str:
        label = " ".join(x for x in (self.code, self.item_key, self.item) if x)
        side = f"{self.side} " if self.side else ""
        return f"{self.table} p.{self.page} row {self.row_no} {side}{label} [{self.measure}]"


def _opt(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def cells_of(table: str, frame: pd.DataFrame) -> list[Figure]:
    """The cells of a contract table frame; amounts converted to 分 exactly (raises if not decimal)."""
    if not len(frame):
        return []
    fen_values = fen(frame["amount_yuan"]).tolist()
    page, row_no, side, code, level, item, item_key = (_values(frame, name) for name in _CELL_COLUMNS)
    measure = _values(frame, "measure", required=True)
    out = []
    for pg, rn, sd, cd, lv, it, ik, ms, f in zip(page, row_no, side, code, level, item, item_key, measure, fen_values):
        pg, rn = _opt(pg), _opt(rn)
        out.append(
            Figure(table, int(pg) if pg is not None else None, int(rn) if rn is not None else None,
                 _opt(sd), _opt(cd), _opt(lv), _opt(it), _opt(ik), ms, None if f is None or pd.isna(f) else int(f))
        )
    return out


_CELL_COLUMNS = ("page", "row_no", "side", "subject_code", "subject_level", "item", "item_key")


def _values(frame: pd.DataFrame, name: str, required: bool = False) -> list:
    """A column's values as frame.to_dict("records") gives them (numpy scalars in object and extension
    columns boxed to Python ones; of duplicate columns the last); None for a missing optional column."""
    if name not in frame:
        if required:
            raise KeyError(name)
        return [None] * len(frame)
    column = frame[name]
    if isinstance(column, pd.DataFrame):  # duplicate column names
        column = column.iloc[:, -1]
    if column.dtype == np.dtype(object) or isinstance(column.dtype, ExtensionDtype):
        return [v.item() if isinstance(v, np.generic) else v for v in column]  # numpy scalars as Python ones
    return list(column)


@dataclass
class Findings:
    """Accumulates check rows for one report."""

    report_id: str
    unit_factor_yuan: int = 10000
    rows: list[dict] = field(default_factory=list)
    report_type: str | None = None  # final_accounts | budget; None: unknown (every check runs)
    scope: str | None = None
    # canonical table -> 元 per unit printed over it, where it differs from unit_factor_yuan
    table_unit_factors: dict[str, int] = field(default_factory=dict)
    # canonical table -> 分 in one unit of the last decimal place its figures are printed with, where
    # that is not 0.01 of the printed unit (a budget printed in whole 元: 100 分); see set_precision
    table_steps_fen: dict[str, int] = field(default_factory=dict)

    def set_precision(self, table: str, cells: list[Figure]) -> None:
        """Record that a table in 元 prints whole 元 when every figure it prints is one (its rounding step is then
        1 元, not 0.01: the tail differences of figures rounded to the 元 reach 1 元 per term). Tables in 万元
        print two decimals (0.01 万元 = 100 元 already covers a figure rounded to the 元)."""
        if self.factor(table) != 1:
            return
        whole_unit = 100
        figures = [c.fen for c in cells if c.fen is not None]
        if figures and all(f % whole_unit == 0 for f in figures):
            self.table_steps_fen[table] = whole_unit

    def step(self, table: str | None) -> int:
        """分 per unit of the last printed decimal place of `table`'s figures (0.01 printed unit by default)."""
        return self.table_steps_fen.get(table, self.factor(table)) if table else self.unit_factor_yuan
    # figures diagnosed as cut short in print -> the sum of their parts; later sums use these
    corrected_fen: dict[tuple, int] = field(default_factory=dict)

    def value(self, cell: Figure | None) -> int | None:
        """The cell's 分 amount, or the full figure when the printed one was found cut short."""
        if cell is None:
            return None
        return self.corrected_fen.get(_cell_id(cell), cell.fen)

    def factor(self, table: str | None) -> int:
        """元 per unit printed over `table` (the report's unit where the table's own is not known)."""
        return self.table_unit_factors.get(table, self.unit_factor_yuan) if table else self.unit_factor_yuan

    def applies(self, check: str) -> bool:
        """Whether `check` runs on this report's type (checks.toml report_types)."""
        return decl.checks()[check].runs_on(self.report_type)

    @property
    def unit_label(self) -> str:
        return unit_label_of(self.unit_factor_yuan)

    def in_unit(self, fen_amount: int, factor: int | None = None) -> str:
        """A 分 amount written in the printed unit (factor: 元 per unit; default the report's), e.g. 2171.27 (万元)."""
        return str(money.in_unit(fen_amount, factor or self.unit_factor_yuan))

    def add(self, check: str, table: str | None, passed: bool, detail: str,
            expected_fen: int | None = None, actual_fen: int | None = None) -> None:
        if not self.applies(check):
            return  # not run on this report type: no row
        self.rows.append(
            {
                "report_id": self.report_id,
                "report_type": self.report_type,
                "scope": self.scope,
                "table": table,
                "check": check,
                "severity": decl.checks()[check].severity,
                "passed": bool(passed),
                "expected": None if expected_fen is None else from_fen(int(expected_fen)),
                "actual": None if actual_fen is None else from_fen(int(actual_fen)),
                "detail": detail,
            }
        )

    def compare(self, check: str, target: Figure | None, terms: list[tuple[int, Figure | None]],
                *, what: str, table: str | None = None, where: str | None = None) -> None:
        """Printed figure `target` against Σ sign × term, with the declared rounding tolerance.

        Blank cells count as 0. Skipped when all terms are blank (for all_figures checks: when
        the target is blank too). A figure equal to the sum cut short to 0.1 or 1 printed unit is
        reported passed (explained) plus a figure_cut_short warning row.
        """
        if not self.applies(check):
            return
        tolerance_rule = decl.checks()[check].tolerance
        present = [(sign, self.value(c)) for sign, c in terms if self.value(c) is not None]
        printed = target.fen if target is not None else None
        if not present and (tolerance_rule != "all_figures" or printed is None):
            return
        expected = sum(sign * f for sign, f in present)
        actual = printed if printed is not None else 0
        n_figures = len(present) + (1 if tolerance_rule == "all_figures" and printed is not None else 0)
        table = table if table is not None else (target.table if target is not None else None)
        # each table's figures are printed in its own unit: the coarsest one involved sets the tolerance
        factor = max([self.factor(table)] + [self.factor(c.table) for _, c in terms if c is not None])
        step = max([self.step(table)] + [self.step(c.table) for _, c in terms if c is not None])
        tolerance = step * max(1, n_figures)  # one unit of the last printed digit per figure (0.01 unit = factor 分)
        diff = actual - expected
        where = where or (target.where() if target is not None else "(row missing)")
        u = unit_label_of(factor)
        text = f"{where}: printed {self.in_unit(actual, factor)} {u}" + (" (blank)" if printed is None else "") + \
               f" vs {what} {self.in_unit(expected, factor)} {u} ({len(present)} terms)"
        if diff == 0:
            self.add(check, table, True, text, expected, actual)
            return
        if printed is not None and _cut_short(actual, expected, factor):
            self.corrected_fen[_cell_id(target)] = expected
            self.add(check, table, True, f"{text}; explained: printed figure cut short (see figure_cut_short)", expected, actual)
            self.add("figure_cut_short", table, False, f"{where}: printed {self.in_unit(actual, factor)} {u} is "
                     f"{what} {self.in_unit(expected, factor)} {u} cut short in print", expected, actual)
            return
        within = abs(diff) <= tolerance
        verdict = "within" if within else "beyond"
        self.add(check, table, within,
                 f"{text}; difference {self.in_unit(diff, factor)} {u} {verdict} rounding tolerance "
                 f"{self.in_unit(tolerance, factor)} {u}",
                 expected, actual)

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=CHECK_COLUMNS)
        df["passed"] = df["passed"].astype(bool)
        for col in ("expected", "actual"):
            df[col] = pd.array(list(df[col]), dtype=AMOUNT_DTYPE)
        for col in ("report_id", "report_type", "scope", "table", "check", "severity", "detail"):
            column = df[col].astype(object)
            df[col] = column.where(column.notna(), None)  # a missing table is None, never NaN
        return df


def _cell_id(cell: Figure) -> tuple:
    return (cell.table, cell.side, cell.row_no, cell.key, cell.measure)


def _cut_short(actual: int, expected: int, unit_factor_yuan: int) -> bool:
    """actual is expected truncated (toward zero) to 0.1 or 1 printed unit, and differs from it."""
    if actual == expected:
        return False
    for step in (unit_factor_yuan * 10, unit_factor_yuan * 100):  # 0.1 and 1 printed unit in 分
        truncated = (abs(expected) // step) * step * (1 if expected >= 0 else -1)
        if actual % step == 0 and truncated == actual:
            return True
    return False
