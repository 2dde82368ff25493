"""Derives the pandera and pyarrow schemas and the column docs from contracts/datasets.toml.

A string column (Python objects, or pandas' own `str` dtype where a frame was read from Arrow) is checked
by one element check, `str_or_null` (each value a str, or null), with no dtype check, rather than by
pandera's `str` dtype: pandera 0.35 checks `str` element by element and builds a failure-case frame for
every column even when all values pass, which made schema validation the costliest step of a report
(measured in the README's Performance section).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd
import pandera.pandas as pa
import pyarrow

from contracts import declarations as decl
from contracts.money import AMOUNT_DTYPE, AMOUNT_TYPE

_ARROW_TYPES = {
    "string": pyarrow.string(),
    "int": pyarrow.int64(),
    "bool": pyarrow.bool_(),
    "decimal": AMOUNT_TYPE,
    "timestamp": pyarrow.timestamp("us", tz="UTC"),
    "list<string>": pyarrow.list_(pyarrow.string()),
}

# In-memory dtypes the pandera schemas check; coerce only where lossless (ints, bools).
_PANDAS_DTYPES = {
    "string": (None, False),  # object or pandas' str dtype, each value a str or null: TEXT_CHECK below
    "int": ("Int64", True),
    "bool": ("boolean", True),
    "decimal": (AMOUNT_DTYPE, False),
    "timestamp": (pd.ArrowDtype(pyarrow.timestamp("us", tz="UTC")), False),
    "list<string>": (pd.ArrowDtype(pyarrow.list_(pyarrow.string())), False),
}


def arrow_schema(dataset: str, *, with_partitions: bool = False) -> pyarrow.Schema:
    """The Parquet file schema of a dataset (partition columns only with with_partitions=True)."""
    d = decl.dataset(dataset)
    cols = d.columns if with_partitions else d.file_columns
    fields = [pyarrow.field(c.name, _ARROW_TYPES[c.type], nullable=c.nullable) for c in cols]
    if with_partitions:
        names = {c.name for c in cols}
        fields += [partition_field(p) for p in d.partition_columns if p not in names]
    return pyarrow.schema(fields)


def partition_field(name: str) -> pyarrow.Field:
    """The type of a hive partition column as declared (reports.department / reports.year)."""
    col = next(c for c in decl.dataset("reports").columns if c.name == name)
    return pyarrow.field(name, _ARROW_TYPES[col.type], nullable=False)


@lru_cache(maxsize=None)
def pandera_schema(dataset: str, *, table: str | None = None, with_partitions: bool = False) -> pa.DataFrameSchema:
    """pandera schema (pandas backend) of a dataset's in-memory frame.

    Partition columns are excluded unless with_partitions=True. For table_cells, table=<name>
    also restricts `table` to that name and `measure` to the measures declared for it.
    """
    extra = {}
    if table is not None:
        extra = {"table": pa.Check.isin([table]), "measure": pa.Check.isin(list(decl.tables()[table].all_measures))}
    return pa.DataFrameSchema(_columns(dataset, with_partitions, extra), strict=True, ordered=False,
                              name=dataset if table is None else f"{dataset}:{table}")


def _is_text(values: pd.Series) -> pd.Series:
    return values.map(lambda value: isinstance(value, str)).astype(bool) | values.isna()


# A string column's values: each a str, or null (whether null is allowed is the column's `nullable`).
TEXT_CHECK = pa.Check(_is_text, name="str_or_null")


def _columns(dataset: str, with_partitions: bool, extra_checks: dict[str, pa.Check]) -> dict[str, pa.Column]:
    """The declared columns as pandera columns, each with one more check where extra_checks names it."""
    d = decl.dataset(dataset)
    columns = {}
    for c in d.columns if with_partitions else d.file_columns:
        dtype, coerce = _PANDAS_DTYPES[c.type]
        checks = [TEXT_CHECK] if c.type == "string" else []
        checks += [pa.Check.isin(list(c.allowed))] if c.allowed else []
        if c.name in extra_checks:
            checks.append(extra_checks[c.name])
        columns[c.name] = pa.Column(dtype, checks=checks, nullable=c.nullable, coerce=coerce, required=True)
    return columns


def validate_table_frames(tables: Mapping[str, pd.DataFrame]) -> None:
    """Raise what pandera_schema("table_cells", table=name).validate(frame) raises for the first bad frame."""
    for name, frame in tables.items():
        pandera_schema("table_cells", table=name).validate(frame)


def column_docs_markdown() -> str:
    """Markdown section documenting every dataset's columns (generated from datasets.toml)."""
    lines = ["## Datasets and columns", "", "Generated from `contracts/datasets.toml`.", ""]
    for d in decl.datasets().values():
        lines += [f"### `{d.name}` (`{d.path}/department=<d>/year=<y>/<report_id>.parquet`)", "", d.description, ""]
        lines.append(f"Key: {', '.join(f'`{k}`' for k in d.key)}. Partition columns (from the path, not stored in the files): "
                     + ", ".join(f"`{p}`" for p in d.partition_columns) + ".")
        lines += ["", "| column | type | nullable | meaning |", "|---|---|---|---|"]
        for c in d.columns:
            meaning = c.meaning
            if c.allowed:
                meaning += " Allowed: " + ", ".join(f"`{v}`" for v in c.allowed) + "."
            if c.partition:
                meaning += " (hive partition column)"
            lines.append(f"| {c.name} | {c.type} | {'yes' if c.nullable else 'no'} | {meaning} |")
        lines.append("")
    lines += ["### Standard tables", "", "| table | printed title (决算) | printed title (预算) | measures |", "|---|---|---|---|"]
    for t in decl.tables().values():
        ms = "; ".join(f"{side}: " + ", ".join(f"`{m}`" for m in measures) if side != "all" else ", ".join(f"`{m}`" for m in measures)
                       for side, measures in t.measures.items())
        lines.append(f"| `{t.name}` | {t.title} | {t.budget_title or ''} | {ms} |")
    lines += ["", "### Checks", "",
              "Runs on: the report types a check runs on (`final_accounts` 决算, `budget` 预算); every check row "
              "carries its report's `report_type` and `scope`.", "",
              "| check | severity | runs on | description |", "|---|---|---|---|"]
    for c in decl.checks().values():
        runs_on = ", ".join(f"`{t}`" for t in c.report_types)
        lines.append(f"| `{c.id}` | {c.severity} | {runs_on} | {c.description} |")
    lines += ["", "Rounding: " + " ".join(decl.rounding_policy().split()), "", "Severity: " + " ".join(decl.severity_policy().split()), ""]
    return "\n".join(lines)


if __name__ == "__main__":  # regenerate docs/columns.md: python -m contracts.schemas > docs/columns.md
    print(column_docs_markdown(), end="")
