"""Structural checks on table frames: schema (pandera, per table), code format, duplicates, signs; and table presence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import pandera.errors

from contracts import declarations as decl
from contracts.check_rows import Figure, Findings
from contracts.money import AMOUNT_DTYPE, unit_label_of
from contracts.schemas import pandera_schema

MAX_SCHEMA_ROWS = 20  # failure cases reported per table before summarising


def check_presence(findings: Findings, tables: dict[str, pd.DataFrame], declared_empty: frozenset[str],
                   listed: frozenset[str] = frozenset(), report_type: str | None = None) -> None:
    """Each table present; a missing one is an error when every template prints it or the report's own
    table of contents lists it (listed), a warning row when the report says it has no such funds.
    Details name a table by the title its report type prints (a budget's where one is declared)."""
    for name, t in decl.tables().items():
        title = t.budget_title if report_type == "budget" and t.budget_title else t.title
        if name in tables:
            findings.add("table_present", name, True, f"{name} ({title}) present")
        elif name in declared_empty:
            findings.add("table_declared_empty", name, False,
                         f"{name} ({title}) not printed; the report states it has no such funds")
        elif decl.required(name) and (decl.every_template(name) or name in listed):
            findings.add("table_present", name, False, f"{name} ({title}) missing from the report")


@dataclass(frozen=True)
class SchemaOutcome:
    """What validating one table frame found: its schema_valid rows, and whether the other checks can read it."""

    usable: bool
    rows: tuple[tuple[bool, str], ...]  # (passed, detail)


def validate_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, SchemaOutcome]:
    """pandera validation of every table frame of a report, one frame at a time (lazy: every failure case)."""
    return {name: _validate_alone(name, frame) for name, frame in tables.items()}


def check_schema(findings: Findings, table: str, frame: pd.DataFrame, outcome: SchemaOutcome | None = None) -> bool:
    """schema_valid rows of one table frame (outcome: from validate_tables); True when the frame is usable by the other checks."""
    if outcome is None:
        outcome = validate_tables({table: frame})[table]
    for passed, detail in outcome.rows:
        findings.add("schema_valid", table, passed, detail)
    return outcome.usable


def _validate_alone(table: str, frame: pd.DataFrame) -> SchemaOutcome:
    if table not in decl.tables():
        return SchemaOutcome(False, ((False, f"{table}: not a canonical table name"),))
    try:
        pandera_schema("table_cells", table=table).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return _failed(table, frame, cases.head(MAX_SCHEMA_ROWS).to_dict("records"), len(cases))
    return _passed(table, frame)


def _passed(table: str, frame: pd.DataFrame) -> SchemaOutcome:
    return SchemaOutcome(True, ((True, f"{table}: {len(frame)} cells match the table_cells schema"),))


def _failed(table: str, frame: pd.DataFrame, first_cases: list[dict], n_cases: int) -> SchemaOutcome:
    rows = [(False, f"{table}: column {rec.get('column')} fails {rec.get('check')}: "
                    f"{rec.get('failure_case')!r} (index {rec.get('index')})") for rec in first_cases]
    if n_cases > MAX_SCHEMA_ROWS:
        rows.append((False, f"{table}: {n_cases - MAX_SCHEMA_ROWS} more schema failures"))
    required = {c.name for c in decl.dataset("table_cells").file_columns}
    amounts_ok = "amount_yuan" in frame and frame["amount_yuan"].dtype == AMOUNT_DTYPE
    return SchemaOutcome(required <= set(frame.columns) and amounts_ok, tuple(rows))


def check_codes(findings: Findings, table: str, cells: list[Figure]) -> None:
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


def check_duplicates(findings: Findings, table: str, cells: list[Figure]) -> None:
    seen: dict[tuple, Figure] = {}
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


def check_signs(findings: Findings, table: str, cells: list[Figure]) -> None:
    measures_ok, keys_ok = decl.negatives_allowed()
    negative = [c for c in cells if c.fen is not None and c.fen < 0
                and c.measure not in measures_ok and c.item_key not in keys_ok]
    for c in negative:
        findings.add("amount_non_negative", table, False, f"{c.where()}: negative amount {findings.in_unit(c.fen, findings.factor(table))} {unit_label_of(findings.factor(table))}",
                     expected_fen=None, actual_fen=c.fen)
    if not negative:
        findings.add("amount_non_negative", table, True, f"{table}: no negative amount outside carry-overs/balances")
