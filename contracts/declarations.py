"""Loads the TOML declarations (datasets, tables, checks) into small frozen records."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent

COLUMN_TYPES = ("string", "int", "bool", "decimal", "timestamp", "list<string>")
SEVERITIES = ("error", "warning")
REPORT_TYPES = ("final_accounts", "budget")


@dataclass(frozen=True)
class ColumnDecl:
    name: str
    type: str
    nullable: bool
    meaning: str
    allowed: tuple[str, ...] | None = None
    partition: bool = False


@dataclass(frozen=True)
class DatasetDecl:
    name: str
    description: str
    path: str
    key: tuple[str, ...]
    partition_columns: tuple[str, ...]
    columns: tuple[ColumnDecl, ...]

    @property
    def file_columns(self) -> tuple[ColumnDecl, ...]:
        """Columns stored inside the Parquet files (partition columns come from the path)."""
        return tuple(c for c in self.columns if not c.partition)


@dataclass(frozen=True)
class TableDecl:
    name: str
    title: str
    two_sided: bool
    subject_rows: bool
    measures: dict[str, tuple[str, ...]]  # side ("income"/"expenditure"/"all") -> measures
    budget_title: str | None = None  # the title a 预算 prints for the same table (CONTRACT v2)

    @property
    def all_measures(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for measures in self.measures.values():
            seen.update(dict.fromkeys(measures))
        return tuple(seen)


@dataclass(frozen=True)
class CheckDecl:
    id: str
    severity: str
    kind: str
    tolerance: str
    description: str
    report_types: tuple[str, ...] = REPORT_TYPES  # the report types it runs on (checks.toml report_types)

    def runs_on(self, report_type: str | None) -> bool:
        """Whether the check runs on a report of this type (a report of unknown type gets every check)."""
        return report_type is None or report_type in self.report_types


def _load(name: str) -> dict:
    with (_HERE / name).open("rb") as f:
        return tomllib.load(f)


@cache
def datasets() -> dict[str, DatasetDecl]:
    raw = _load("datasets.toml")["datasets"]
    out = {}
    for name, d in raw.items():
        cols = tuple(
            ColumnDecl(
                name=c["name"],
                type=c["type"],
                nullable=bool(c["nullable"]),
                meaning=c["meaning"],
                allowed=tuple(c["allowed"]) if "allowed" in c else None,
                partition=bool(c.get("partition", False)),
            )
            for c in d["columns"]
        )
        out[name] = DatasetDecl(
            name=name,
            description=d["description"],
            path=d["path"],
            key=tuple(d["key"]),
            partition_columns=tuple(d["partition_columns"]),
            columns=cols,
        )
    return out


def dataset(name: str) -> DatasetDecl:
    try:
        return datasets()[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; declared: {sorted(datasets())}") from None


@cache
def _tables_raw() -> dict:
    return _load("tables.toml")


@cache
def tables() -> dict[str, TableDecl]:
    return {
        t["name"]: TableDecl(
            name=t["name"],
            title=t["title"],
            two_sided=bool(t["two_sided"]),
            subject_rows=bool(t["subject_rows"]),
            measures={side: tuple(ms) for side, ms in t["measures"].items()},
            budget_title=t.get("budget_title"),
        )
        for t in _tables_raw()["tables"]
    }




def item_keys() -> dict[str, tuple[str, ...]]:
    return {group: tuple(keys) for group, keys in _tables_raw()["item_keys"].items()}


def basic_expenditure_classes() -> dict[str, tuple[str, ...]]:
    raw = _tables_raw()["basic_expenditure"]
    return {"personnel_total": tuple(raw["personnel_classes"]), "public_total": tuple(raw["public_classes"])}


def subject_code_digits() -> dict[str, int]:
    return dict(_tables_raw()["subject_levels"])


def negatives_allowed() -> tuple[frozenset[str], frozenset[str]]:
    """(measures, item_keys) whose cells may be negative."""
    raw = _tables_raw()["negatives"]
    return frozenset(raw["measures"]), frozenset(raw["item_keys"])


@cache
def checks() -> dict[str, CheckDecl]:
    raw = _load("checks.toml")
    return {
        c["id"]: CheckDecl(
            id=c["id"],
            severity=c["severity"],
            kind=c["kind"],
            tolerance=c.get("tolerance", "none"),
            description=c["description"],
            report_types=_report_types(c),
        )
        for c in raw["checks"]
    }


def _report_types(check: dict) -> tuple[str, ...]:
    types = tuple(check["report_types"])
    unknown = set(types) - set(REPORT_TYPES)
    if unknown or not types:
        raise ValueError(f"checks.toml: {check['id']} declares report_types {list(types)}; known: {list(REPORT_TYPES)}")
    return types


def rounding_policy() -> str:
    return _load("checks.toml")["policy"]["rounding"]


def severity_policy() -> str:
    return _load("checks.toml")["policy"]["severity"]


# Table traits transform reads (CONTRACT v2: a table's shape is declared, not coded).
ROW_SHAPES = ("subject_rows", "vertical_items", "single_totals_row")


def row_shapes(table: str) -> tuple[str, ...]:
    """The row shapes a table may be printed in, most usual first (default: subject rows)."""
    spec = next(t for t in _tables_raw()["tables"] if t["name"] == table)
    shapes = tuple(spec.get("row_shapes", ("subject_rows",)))
    unknown = set(shapes) - set(ROW_SHAPES)
    if unknown:
        raise ValueError(f"tables.toml: {table} declares unknown row_shapes {sorted(unknown)}")
    return shapes


def subject_classification(table: str) -> str:
    """`functional` (功能分类 codes) or `economic` (经济分类 codes) for a table's subject rows."""
    spec = next(t for t in _tables_raw()["tables"] if t["name"] == table)
    return spec.get("subject_classification", "functional")


def two_sided_tables() -> frozenset[str]:
    """Tables printed as two sides (income | expenditure)."""
    return frozenset(name for name, t in tables().items() if t.two_sided)


def every_template(table: str) -> bool:
    """Whether every template of the national family prints `table` (its absence is always an error)."""
    spec = next(t for t in _tables_raw()["tables"] if t["name"] == table)
    return bool(spec.get("every_template", False))


def required(table: str) -> bool:
    """Whether a report missing `table` lacks a standard table (the v2 tables only some templates print are not)."""
    spec = next(t for t in _tables_raw()["tables"] if t["name"] == table)
    return bool(spec.get("required", True))
