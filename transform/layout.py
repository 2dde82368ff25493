"""Loads the layout knowledge kept as data in transform/layout/*.toml (column roles, item keys, class names)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from contracts import declarations
from transform.text import clean_label

LAYOUT_DIR = Path(__file__).with_name("layout")


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    with (LAYOUT_DIR / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def _aliases(mapping: dict[str, list[str]]) -> dict[str, str]:
    """{key: [printed aliases]} → {cleaned alias: key}."""
    return {clean_label(alias): key for key, aliases in mapping.items() for alias in aliases}


@lru_cache(maxsize=None)
def summary_items(side: str) -> dict[str, str]:
    return _aliases(load("items")["summary"][side])


@lru_cache(maxsize=None)
def fund_rows() -> dict[str, str]:
    return _aliases(load("items")["summary"]["fund_rows"])


@lru_cache(maxsize=None)
def subject_items() -> dict[str, str]:
    return _aliases(load("items")["subject"])


@lru_cache(maxsize=None)
def basic_items() -> dict[str, str]:
    return _aliases(load("items")["basic_expenditure"])


@lru_cache(maxsize=None)
def income_sources() -> dict[str, str]:
    """Row labels of a vertical income-source list (Jiangsu 收入预算总表) → summary income item_key."""
    return _aliases(load("items")["income_sources"])


@lru_cache(maxsize=None)
def bottom_line(side: str) -> frozenset[str]:
    """Labels that are a summary side's grand_total when they are its last row (收入合计, 支出合计, 合计)."""
    return frozenset(clean_label(label) for label in load("items")["summary"]["bottom_line"][side])


@lru_cache(maxsize=None)
def class_codes() -> dict[str, str]:
    """Cleaned functional class name → 3-digit code."""
    return {clean_label(name): code for name, code in load("functional_classes")["classes"].items()}


SUMMARY_TABLES = declarations.two_sided_tables()


def is_economic(table: str) -> bool:
    """Whether a table's subject rows carry economic (经济分类) codes (declared in contracts/tables.toml)."""
    return declarations.subject_classification(table) == "economic"


@lru_cache(maxsize=None)
def row_labels(table: str) -> frozenset[str]:
    """The labels that mark a data row of `table` by themselves (used to find where its header ends)."""
    if table in SUMMARY_TABLES:
        labels = set(class_codes()) | set(fund_rows())
        for side in ("income", "expenditure"):
            labels |= set(summary_items(side))
        return frozenset(labels - {clean_label(w) for w in load("items").get("header_words", ())})
    shapes = declarations.row_shapes(table)
    if shapes == ("single_totals_row",):  # its only row is figures under a multi-level header
        return frozenset()
    labels = set(subject_items())
    if is_economic(table):
        labels |= set(basic_items())
    if "vertical_items" in shapes:
        labels |= set(income_sources())
    return frozenset(labels)


@lru_cache(maxsize=None)
def column_rules(table: str, side: str | None) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    """(role, rules) in the order they are tried for a column of `table` on `side` (cleaned once, then cached)."""
    columns = load("columns")
    common = columns["common"]
    measures = columns[table][side or "all"]
    ordered = [("code", common["code"])]
    ordered += [(f"measure:{name}", rules) for name, rules in measures.items()]
    ordered += [("line_no", common["line_no"]), ("label", columns.get("labels", {}).get(table, []) + common["label"])]
    return tuple((role, tuple(tuple(clean_label(t) for t in rule) for rule in rules)) for role, rules in ordered)


@lru_cache(maxsize=None)
def outer_measures(table: str) -> dict[str, str]:
    """measure → the measure a second column matching it becomes (columns.toml [outer.<table>])."""
    return dict(load("columns").get("outer", {}).get(table, {}))
