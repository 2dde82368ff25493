"""The hierarchy checks are linear in the rows (issue 13): a table continued over thousands of pages is checked
without comparing every row with every other. Work is counted (reads of a cell's code), never timed."""

from __future__ import annotations

import pytest

from contracts import checks_accounting as accounting
from contracts.check_rows import Figure, Findings


class CountedCell(Figure):
    """A Figure that counts how often any cell's subject code is read."""

    reads = 0

    def __getattribute__(self, name):
        if name == "code":
            type(self).reads += 1
        return super().__getattribute__(name)


def _table(classes: int, sections_per_class: int, items_per_section: int) -> list[Figure]:
    """A consistent expenditure table: every item 1.00 元 (100 分), sections, classes and 合计 their sums."""
    cells, row = [], 0

    def cell(code, level, fen, item_key=None):
        nonlocal row
        row += 1
        cells.append(CountedCell("expenditure", 1, row, None, code, level, None, item_key, "total", fen))

    cell(None, None, 100 * classes * sections_per_class * items_per_section, item_key="total")
    for k in range(classes):
        cls = f"{201 + k:03d}"
        cell(cls, "class", 100 * sections_per_class * items_per_section)
        for s in range(sections_per_class):
            sec = f"{cls}{s + 1:02d}"
            cell(sec, "section", 100 * items_per_section)
            for i in range(items_per_section):
                cell(f"{sec}{i + 1:02d}", "item", 100)
    return cells


@pytest.mark.parametrize("classes, sections, items", [
    pytest.param(2, 5, 10, id="small"),
    pytest.param(20, 50, 20, id="20k-rows"),
])
def test_hierarchy_work_grows_linearly_with_the_rows(classes: int, sections: int, items: int) -> None:
    cells = _table(classes, sections, items)
    findings = Findings("r" * 16, unit_factor_yuan=1)
    CountedCell.reads = 0

    accounting.check_hierarchy(findings, {"expenditure": cells})

    rows = [r for r in findings.rows if r["check"].startswith("hierarchy_")]
    assert len(rows) == 1 + classes + classes * sections  # the total, each class, each section
    assert all(r["passed"] for r in rows)
    assert CountedCell.reads <= 10 * len(cells), (CountedCell.reads, len(cells))  # quadratic: ~ rows² / 20


def test_economic_items_are_linear_too() -> None:
    cells = [CountedCell("basic_expenditure", 1, 1, None, None, None, None, "personnel_total", "amount", None)]
    for k in range(300):
        code = f"{301 + k:03d}"
        cells.append(CountedCell("basic_expenditure", 1, len(cells) + 1, None, code, "econ_class", None, None,
                                 "amount", 1000))
        cells += [CountedCell("basic_expenditure", 1, len(cells) + 1 + i, None, f"{code}{i + 1:02d}", "econ_item",
                              None, None, "amount", 100) for i in range(10)]
    findings = Findings("r" * 16, unit_factor_yuan=1)
    CountedCell.reads = 0

    accounting.check_basic_expenditure(findings, {"basic_expenditure": cells})

    rows = [r for r in findings.rows if r["check"] == "econ_class_items"]
    assert len(rows) == 300 and all(r["passed"] for r in rows)
    assert CountedCell.reads <= 10 * len(cells), (CountedCell.reads, len(cells))
