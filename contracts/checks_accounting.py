"""Accounting checks: row sums, subject hierarchies, summary tables and cross-table agreement."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from contracts import declarations as decl
from contracts.check_rows import Cell, Findings

Tables = dict[str, list[Cell]]  # canonical table name -> its cells


@cache
def _layout() -> dict:
    with (Path(__file__).resolve().parent / "tables.toml").open("rb") as f:
        return tomllib.load(f)


def _rows(cells: list[Cell]) -> dict[int | None, dict[str, Cell]]:
    rows: dict[int | None, dict[str, Cell]] = {}
    for c in cells:
        rows.setdefault(c.row_no, {})[c.measure] = c
    return rows


def _find(cells: list[Cell], key: str, measure: str, side: str | None = None) -> Cell | None:
    for c in cells:
        if c.key == key and c.measure == measure and (side is None or c.side == side):
            return c
    return None


def _signed(term: str) -> tuple[int, str]:
    return (-1, term[1:]) if term.startswith("-") else (1, term)


def check_row_sums(f: Findings, tables: Tables) -> None:
    for rule in _layout()["row_sums"]:
        cells = tables.get(rule["table"])
        if not cells:
            continue
        for row in _rows(cells).values():
            target = row.get(rule["total"])
            if target is None or (rule["side"] != "all" and target.side != rule["side"]):
                continue
            terms = [(sign, row.get(m)) for sign, m in map(_signed, rule["terms"])]
            f.compare(rule["check"], target, terms, what=" + ".join(rule["terms"]).replace("+ -", "- "))


def _children(parent: Cell, candidates: list[Cell]) -> list[Cell]:
    return [c for c in candidates if c.code is not None and c.code.startswith(parent.code) and c.measure == parent.measure]


def check_hierarchy(f: Findings, tables: Tables) -> None:
    for name, t in decl.tables().items():
        cells = tables.get(name)
        if not cells or not _layout_table(name).get("functional_hierarchy"):
            continue
        by_level = {lvl: [c for c in cells if c.level == lvl] for lvl in ("class", "section", "item")}
        for sec in by_level["section"]:  # bottom-up, so a figure found cut short enters its parent in full
            f.compare("hierarchy_section", sec, [(1, k) for k in _children(sec, by_level["item"])], what="Σ items")
        for cls in by_level["class"]:
            kids = _children(cls, by_level["section"]) or _children(cls, by_level["item"])
            f.compare("hierarchy_class", cls, [(1, k) for k in kids], what="Σ sections")
        for total in (c for c in cells if c.item_key == "total"):
            classes = [c for c in by_level["class"] if c.measure == total.measure]
            f.compare("hierarchy_total", total, [(1, c) for c in classes], what="Σ classes")


def _layout_table(name: str) -> dict:
    return next(t for t in _layout()["tables"] if t["name"] == name)


def check_basic_expenditure(f: Findings, tables: Tables) -> None:
    cells = tables.get("basic_expenditure")
    if not cells:
        return
    classes = [c for c in cells if c.level == "econ_class"]
    items = [c for c in cells if c.level == "econ_item"]
    for cls in classes:
        f.compare("econ_class_items", cls, [(1, k) for k in _children(cls, items)], what="Σ econ items")
    for key, class_codes in decl.basic_expenditure_classes().items():
        target = _find(cells, key, "amount")
        if target is None:
            continue
        parts = [c for c in classes if c.code in class_codes and c.measure == "amount"]
        f.compare("personnel_public_totals", target, [(1, c) for c in parts], what="Σ classes " + "+".join(class_codes))


def check_summaries(f: Findings, tables: Tables) -> None:
    keys = decl.item_keys()
    balance_measure = _layout()["summary_balance_measure"]
    for name, t in decl.tables().items():
        cells = tables.get(name)
        if not t.two_sided or not cells:
            continue
        income = [c for c in cells if c.side == "income"]
        expenditure = [c for c in cells if c.side == "expenditure"]
        income_total = _find(income, "income_total", "amount")
        if income_total is not None:
            f.compare("summary_income_total", income_total,
                      [(1, _find(income, k, "amount")) for k in keys["income_items"]], what="Σ income items")
        grand_in = _find(income, "grand_total", "amount")
        if grand_in is not None:
            f.compare("summary_grand_total", grand_in,
                      [(1, _find(income, k, "amount")) for k in ("income_total", "use_of_balance", "carryover_begin")],
                      what="income_total + use_of_balance + carryover_begin")
        for measure in t.measures.get("expenditure", ()):
            total = _find(expenditure, "expenditure_total", measure)
            if total is not None:
                classes = [c for c in expenditure if c.level == "class" and c.measure == measure]
                f.compare("summary_expenditure_total", total, [(1, c) for c in classes], what="Σ classes")
            grand = _find(expenditure, "grand_total", measure)
            if grand is not None:
                f.compare("summary_grand_total", grand,
                          [(1, _find(expenditure, k, measure)) for k in ("expenditure_total", "balance_distribution", "carryover_end")],
                          what="expenditure_total + balance_distribution + carryover_end")
        grand_out = _find(expenditure, "grand_total", balance_measure[name])
        if grand_in is not None or grand_out is not None:
            f.compare("summary_sides_balance", grand_in, [(1, grand_out)], what="expenditure grand_total", table=name,
                      where=f"{name} income grand_total" + (f" p.{grand_in.page} row {grand_in.row_no}" if grand_in else " (missing)"))


def _pick(tables: Tables, spec: dict) -> list[Cell]:
    cells = tables.get(spec["table"]) or []
    return [c for c in cells if c.measure == spec["measure"] and (spec.get("side") is None or c.side == spec["side"])]


def check_cross(f: Findings, tables: Tables) -> None:
    for rule in _layout()["cross"]:
        left_spec, right_spec = rule["left"], rule["right"]
        if left_spec["table"] not in tables or right_spec["table"] not in tables:
            continue
        left_cells, right_cells = _pick(tables, left_spec), _pick(tables, right_spec)
        left = [c for k in left_spec["keys"] for c in left_cells if c.key == k]
        right = [c for k in right_spec["keys"] for c in right_cells if c.key == k]
        left_present = [c for c in left if c.fen is not None]
        printed = _sum_cell(f, left_present[0] if left_present else (left[0] if left else None), left)
        what = f"{right_spec['table']} " + "+".join(right_spec["keys"]) + f" [{right_spec['measure']}]"
        where = f"{left_spec['table']} " + "+".join(left_spec["keys"]) + f" [{left_spec['measure']}]"
        if left:
            where += f" p.{left[0].page} row {left[0].row_no}"
        f.compare(rule["check"], printed, [(1, c) for c in right], what=what, table=left_spec["table"], where=where)
    for rule in _layout()["cross_classes"]:
        left_spec, right_spec = rule["left"], rule["right"]
        if left_spec["table"] not in tables or right_spec["table"] not in tables:
            continue
        left = {c.code: c for c in _pick(tables, left_spec) if c.level == "class"}
        right = {c.code: c for c in _pick(tables, right_spec) if c.level == "class"}
        for code in sorted(set(left) | set(right)):
            lc, rc = left.get(code), right.get(code)
            where = lc.where() if lc else f"{left_spec['table']} class {code} (row missing)"
            f.compare(rule["check"], lc, [(1, rc)], what=f"{right_spec['table']} class {code} [{right_spec['measure']}]",
                      table=left_spec["table"], where=where)


def _sum_cell(f: Findings, first: Cell | None, cells: list[Cell]) -> Cell | None:
    """One cell standing for the sum of several printed cells (None when there are none)."""
    if first is None:
        return None
    present = [f.value(c) for c in cells if f.value(c) is not None]
    return Cell(first.table, first.page, first.row_no, first.side, first.code, first.level, first.item,
                first.item_key, first.measure, sum(present) if present else None)
