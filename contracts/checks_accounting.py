"""Accounting checks: row sums, subject hierarchies, summary tables and cross-table agreement."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from contracts import declarations as decl
from contracts.check_rows import Figure, Findings

Tables = dict[str, list[Figure]]  # canonical table name -> its cells


@cache
def _layout() -> dict:
    with (Path(__file__).resolve().parent / "tables.toml").open("rb") as f:
        return tomllib.load(f)


def _rows(cells: list[Figure]) -> dict[int | None, dict[str, Figure]]:
    rows: dict[int | None, dict[str, Figure]] = {}
    for c in cells:
        rows.setdefault(c.row_no, {})[c.measure] = c
    return rows


def _find(cells: list[Figure], key: str, measure: str, side: str | None = None) -> Figure | None:
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
        if rule.get("when_printed"):
            printed = {c.measure for c in cells if rule["side"] == "all" or c.side == rule["side"]}
            if not {rule["total"], *(_signed(t)[1] for t in rule["terms"])} <= printed:
                continue  # the table does not print every column the rule names
        for row in _rows(cells).values():
            target = row.get(rule["total"])
            if target is None or (rule["side"] != "all" and target.side != rule["side"]):
                continue
            terms = [(sign, row.get(m)) for sign, m in map(_signed, rule["terms"])]
            f.compare(rule["check"], target, terms, what=" + ".join(rule["terms"]).replace("+ -", "- "))


class _Children:
    """Candidate child cells indexed by (code prefix, measure): a parent's children in one lookup.

    The same cells, in the same order, as scanning every candidate for `code.startswith(parent.code)`
    and the parent's measure, but each candidate is indexed once per distinct parent code length, so a
    hierarchy check is linear in the rows instead of comparing every row with every other.
    """

    def __init__(self, candidates: list[Figure]) -> None:
        self._candidates = [c for c in candidates if c.code is not None]
        self._by_length: dict[int, dict[tuple[str, str], list[Figure]]] = {}

    def of(self, parent: Figure) -> list[Figure]:
        if parent.code is None:
            return []
        length = len(parent.code)
        index = self._by_length.get(length)
        if index is None:
            index = self._by_length[length] = {}
            for c in self._candidates:
                if len(c.code) >= length:
                    index.setdefault((c.code[:length], c.measure), []).append(c)
        return index.get((parent.code, parent.measure), [])


def _by_measure(cells) -> dict[str, list[Figure]]:
    out: dict[str, list[Figure]] = {}
    for c in cells:
        out.setdefault(c.measure, []).append(c)
    return out


def check_hierarchy(f: Findings, tables: Tables) -> None:
    for name, t in decl.tables().items():
        cells = tables.get(name)
        if not cells or not _layout_table(name).get("functional_hierarchy"):
            continue
        by_level = {lvl: [c for c in cells if c.level == lvl] for lvl in ("class", "section", "item")}
        items, sections = _Children(by_level["item"]), _Children(by_level["section"])
        for sec in by_level["section"]:  # bottom-up, so a figure found cut short enters its parent in full
            f.compare("hierarchy_section", sec, [(1, k) for k in items.of(sec)], what="Σ items")
        for cls in by_level["class"]:
            kids = sections.of(cls) or items.of(cls)
            f.compare("hierarchy_class", cls, [(1, k) for k in kids], what="Σ sections")
        classes_by_measure = _by_measure(by_level["class"])
        for total in (c for c in cells if c.item_key == "total"):
            classes = classes_by_measure.get(total.measure, [])
            f.compare("hierarchy_total", total, [(1, c) for c in classes], what="Σ classes")
    for name in tables:
        if not tables[name] or not _layout_table(name).get("economic_hierarchy"):
            continue
        econ_by_measure = _by_measure(c for c in tables[name] if c.level == "econ_class")
        for total in (c for c in tables[name] if c.item_key == "total"):
            classes = econ_by_measure.get(total.measure, [])
            f.compare("hierarchy_total", total, [(1, c) for c in classes], what="Σ econ classes")


def _layout_table(name: str) -> dict:
    return next((t for t in _layout()["tables"] if t["name"] == name), {})


def check_basic_expenditure(f: Findings, tables: Tables) -> None:
    cells = tables.get("basic_expenditure")
    if not cells:
        return
    classes = [c for c in cells if c.level == "econ_class"]
    items = _Children([c for c in cells if c.level == "econ_item"])
    for cls in classes:
        f.compare("econ_class_items", cls, [(1, k) for k in items.of(cls)], what="Σ econ items")
    for key, class_codes in decl.basic_expenditure_classes().items():
        target = _find(cells, key, "amount")
        if target is None:
            continue
        parts = [c for c in classes if c.code in class_codes and c.measure == "amount"]
        f.compare("personnel_public_totals", target, [(1, c) for c in parts], what="Σ classes " + "+".join(class_codes))


def _printed(side_cells: list[Figure], key: str) -> bool:
    return any(c.key == key for c in side_cells)


def _expand(side_cells: list[Figure], key: str, measure: str) -> list[Figure | None]:
    """The cells standing for `key` on one summary side: its own cell where the row is printed, else the
    first alternative of its parts ([summary_parts]) of which some row is printed; [None] when neither."""
    if key == "@classes":
        return [c for c in side_cells if c.level == "class" and c.measure == measure]
    if _printed(side_cells, key):
        return [_find(side_cells, key, measure)]
    for alternative in _layout().get("summary_parts", {}).get(key, ()):
        terms = [t for part in alternative for t in _expand(side_cells, part, measure)]
        if any(t is not None for t in terms):
            return terms
    return [None]


def check_summaries(f: Findings, tables: Tables) -> None:
    balance_measure = _layout()["summary_balance_measure"]
    for name, t in decl.tables().items():
        cells = tables.get(name)
        if not t.two_sided or not cells:
            continue
        sides = {side: [c for c in cells if c.side == side] for side in ("income", "expenditure")}
        for rule in _layout()["summary_sums"]:
            side_cells = sides[rule["side"]]
            if not all(_printed(side_cells, key) for key in rule.get("when_printed", ())):
                continue
            for measure in t.measures.get(rule["side"], ()):
                total = _find(side_cells, rule["total"], measure)
                if total is None:
                    continue
                terms = [c for term in rule["terms"] for c in _expand(side_cells, term, measure)]
                f.compare(rule["check"], total, [(1, c) for c in terms], what=" + ".join(rule["terms"]).replace("@", ""))
        grand_in = _find(sides["income"], "grand_total", "amount")
        grand_out = _find(sides["expenditure"], "grand_total", balance_measure[name])
        if grand_in is not None or grand_out is not None:
            f.compare("summary_sides_balance", grand_in, [(1, grand_out)], what="expenditure grand_total", table=name,
                      where=f"{name} income grand_total" + (f" p.{grand_in.page} row {grand_in.row_no}" if grand_in else " (missing)"))


def _measures(spec: dict) -> tuple[str, ...]:
    return tuple(spec["measures"]) if "measures" in spec else (spec["measure"],)


def _pick(tables: Tables, spec: dict) -> list[Figure]:
    cells = tables.get(spec["table"]) or []
    measures = _measures(spec)
    return [c for c in cells if c.measure in measures and (spec.get("side") is None or c.side == spec["side"])]


def _keyed(tables: Tables, spec: dict, stand_ins: bool = True) -> list[Figure | None]:
    """The cells of spec's keys (in spec's measure); with stand_ins, on a summary side a key left out stands for its parts."""
    cells = tables.get(spec["table"]) or []
    if stand_ins and spec.get("side") is not None:
        side_cells = [c for c in cells if c.side == spec["side"]]
        return [c for k in spec["keys"] for c in _expand(side_cells, k, spec["measure"])]
    picked = _pick(tables, spec)
    return [c for k in spec["keys"] for c in picked if c.key == k]


def _funded_otherwise(f: Findings, tables: Tables, rule: dict) -> bool:
    """Whether the rule's unless_funded_otherwise cells (e.g. a summary's 上年结转) hold a figure other than 0."""
    spec = rule.get("unless_funded_otherwise")
    if not spec:
        return False
    return any(c is not None and f.value(c) for c in _keyed(tables, spec, stand_ins=False))


def check_cross(f: Findings, tables: Tables) -> None:
    for rule in _layout()["cross"]:
        left_spec, right_spec = rule["left"], rule["right"]
        if left_spec["table"] not in tables or right_spec["table"] not in tables:
            continue
        if _funded_otherwise(f, tables, rule):
            continue
        if not _pick(tables, left_spec) or not _pick(tables, right_spec):
            continue  # a table printed in a shape without that column (a vertical income list, a purpose side)
        # a row left out stands for its parts only where the other table prints what it is compared with
        left_as_printed = [c for c in _keyed(tables, left_spec, stand_ins=False) if c is not None]
        right_as_printed = [c for c in _keyed(tables, right_spec, stand_ins=False) if c is not None]
        left = [c for c in _keyed(tables, left_spec, stand_ins=bool(right_as_printed)) if c is not None]
        right = [c for c in _keyed(tables, right_spec, stand_ins=bool(left_as_printed)) if c is not None]
        if rule.get("when_printed") and not (left and right):
            continue  # a row the rule names is not printed on one side
        left_present = [c for c in left if c.fen is not None]
        printed = _sum_cell(f, left_present[0] if left_present else (left[0] if left else None), left)
        what = f"{right_spec['table']} " + "+".join(right_spec["keys"]) + f" [{right_spec['measure']}]"
        where = f"{left_spec['table']} " + "+".join(left_spec["keys"]) + f" [{left_spec['measure']}]"
        if left:
            where += f" p.{left[0].page} row {left[0].row_no}"
        f.compare(rule["check"], printed, [(1, c) for c in right], what=what, table=left_spec["table"], where=where)
    for rule in _layout()["cross_classes"]:
        left_spec, right_spec = rule["left"], rule["right"]
        if left_spec["table"] not in tables or right_spec["table"] not in tables or _funded_otherwise(f, tables, rule):
            continue
        left_cells, right_cells = _pick(tables, left_spec), _pick(tables, right_spec)
        if {c.measure for c in left_cells} != set(_measures(left_spec)) or \
                {c.measure for c in right_cells} != set(_measures(right_spec)):
            continue  # a column the rule compares is not printed (e.g. no 人员经费 column in a 决算's summary)
        left: dict[str, list[Figure]] = {}
        right: dict[str, list[Figure]] = {}
        for cells, by_code in ((left_cells, left), (right_cells, right)):
            for c in cells:
                if c.level == "class":
                    by_code.setdefault(c.code, []).append(c)
        if not left or not right:
            continue  # one table prints no class rows (a single totals row, purposes instead of classes)
        for code in sorted(set(left) | set(right)):
            lcs, rcs = left.get(code, []), right.get(code, [])
            lc = lcs[0] if len(lcs) == 1 else _sum_cell(f, next((c for c in lcs if c.fen is not None), lcs[0] if lcs else None), lcs)
            where = lc.where() if lc else f"{left_spec['table']} class {code} (row missing)"
            measures = "+".join(_measures(right_spec))
            f.compare(rule["check"], lc, [(1, c) for c in rcs] or [(1, None)],
                      what=f"{right_spec['table']} class {code} [{measures}]", table=left_spec["table"], where=where)


def _sum_cell(f: Findings, first: Figure | None, cells: list[Figure]) -> Figure | None:
    """One cell standing for the sum of several printed cells (None when there are none)."""
    if first is None:
        return None
    present = [f.value(c) for c in cells if f.value(c) is not None]
    return Figure(first.table, first.page, first.row_no, first.side, first.code, first.level, first.item,
                first.item_key, first.measure, sum(present) if present else None)
