"""Structural checks on one table frame: schema, code format, duplicates, signs; and table presence."""

from __future__ import annotations

import pandera.errors

import pandas as pd

from contracts import declarations as decl
from contracts.check_rows import Cell, Findings
from contracts.schemas import pandera_schema

MAX_SCHEMA_ROWS = 20  # failure cases reported per table before summarising


def check_presence(findings: Findings, tables: dict[str, pd.DataFrame], declared_empty: frozenset[str]) -> None:
    for name, t in decl.tables().items():
        if name in tables:
            findings.add("table_present", name, True, f"{name} ({t.title}) present")
        elif name in declared_empty:
            findings.add("table_declared_empty", name, False,
                         f"{name} ({t.title}) not printed; the report states it has no such funds")
        else:
            findings.add("table_present", name, False, f"{name} ({t.title}) missing from the report")


def check_schema(findings: Findings, table: str, frame: pd.DataFrame) -> bool:
    """pandera validation; True when the frame is usable by the other checks."""
    if table not in decl.tables():
        findings.add("schema_valid", table, False, f"{table}: not a canonical table name")
        return False
    try:
        pandera_schema("table_cells", table=table).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for rec in cases.head(MAX_SCHEMA_ROWS).to_dict("records"):
            findings.add("schema_valid", table, False,
                         f"{table}: column {rec.get('column')} fails {rec.get('check')}: "
                         f"{rec.get('failure_case')!r} (index {rec.get('index')})")
        if len(cases) > MAX_SCHEMA_ROWS:
            findings.add("schema_valid", table, False, f"{table}: {len(cases) - MAX_SCHEMA_ROWS} more schema failures")
        required = {c.name for c in decl.dataset("table_cells").file_columns}
        amounts_ok = "amount_yuan" in frame and str(frame["amount_yuan"].dtype) == "decimal128(20, 2)[pyarrow]"
        return required <= set(frame.columns) and amounts_ok
    findings.add("schema_valid", table, True, f"{table}: {len(frame)} cells match the table_cells schema")
    return True


def check_codes(findings: Findings, table: str, cells: list[Cell]) -> None:
    digits = decl.subject_code_digits()
    bad_rows: dict[int | None, str] = {}
    for c in cells:
        if c.code is None and c.level is None:
            continue
        if c.level is None or c.code is None:
            problem = f"code {c.code!r} without level" if c.level is None else f"level {c.level} without code"
        elif not (c.code.isascii() and c.code.isdigit() and len(c.code) == digits.get(c.level, -1)):
            problem = f"code {c.code!r} is not {digits.get(c.level)} digits for level {c.level}"
        else:
            continue
        bad_rows.setdefault(c.row_no, f"{c.where()}: {problem}")
    for detail in bad_rows.values():
        findings.add("subject_code_format", table, False, detail)
    if not bad_rows:
        findings.add("subject_code_format", table, True, f"{table}: every subject code has the digits of its level")


def check_duplicates(findings: Findings, table: str, cells: list[Cell]) -> None:
    seen: dict[tuple, Cell] = {}
    dup = False
    for c in cells:
        if c.key is None:
            continue
        k = (c.side, c.key, c.measure)
        if k in seen:
            dup = True
            findings.add("no_duplicate_cells", table, False,
                         f"{c.where()}: same (side, key, measure) as row {seen[k].row_no}")
        else:
            seen[k] = c
    if not dup:
        findings.add("no_duplicate_cells", table, True, f"{table}: no duplicate (side, key, measure) cells")


def check_signs(findings: Findings, table: str, cells: list[Cell]) -> None:
    measures_ok, keys_ok = decl.negatives_allowed()
    negative = [c for c in cells if c.fen is not None and c.fen < 0
                and c.measure not in measures_ok and c.item_key not in keys_ok]
    for c in negative:
        findings.add("amount_non_negative", table, False, f"{c.where()}: negative amount {findings.in_unit(c.fen)} {findings.unit_label}",
                     expected_fen=None, actual_fen=c.fen)
    if not negative:
        findings.add("amount_non_negative", table, True, f"{table}: no negative amount outside carry-overs/balances")
