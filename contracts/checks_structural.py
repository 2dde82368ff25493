"""Structural checks on table frames: schema (all of a report's frames in one pandera call), code format, duplicates, signs; and table presence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import pandera.api.checks
import pandera.errors

from contracts import declarations as decl
from contracts.check_rows import Cell, Findings
from contracts.check_rows import unit_label_of as _unit
from contracts.schemas import (
    MEASURE_OF_TABLE_CHECK, TABLE_OF_FRAME_CHECK, pandera_schema, stack_signature, stack_table_frames, stacked_row,
    stacked_tables_schema,
)

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
    """pandera validation of every table frame of a report, in as few pandera calls as possible.

    Frames of canonical tables with the declared columns in the usual dtypes are stacked and validated
    in one call (one per set of dtypes), their failure cases mapped back to their table; any other
    frame, or a stack whose failures cannot be tied to rows, is validated on its own. Either way each
    table gets the rows validating it alone would give.
    """
    outcomes: dict[str, SchemaOutcome] = {}
    stacks: dict[tuple, dict[str, pd.DataFrame]] = {}
    for name, frame in tables.items():
        signature = stack_signature(frame) if name in decl.tables() else None
        if signature is None:
            outcomes[name] = _validate_alone(name, frame)
        else:
            stacks.setdefault(signature, {})[name] = frame
    for frames in stacks.values():
        outcomes.update(_validate_stacked(frames))
    return {name: outcomes[name] for name in tables}


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


def _validate_stacked(frames: dict[str, pd.DataFrame]) -> dict[str, SchemaOutcome]:
    try:
        stacked_tables_schema().validate(stack_table_frames(frames), lazy=True)
    except pandera.errors.SchemaErrors as exc:
        by_table = _failures_by_table(exc.failure_cases, frames)
    except Exception:  # noqa: BLE001 - whatever it is, each frame alone reports it as before
        by_table = None
    else:
        return {name: _passed(name, frame) for name, frame in frames.items()}
    if by_table is None:
        return {name: _validate_alone(name, frame) for name, frame in frames.items()}
    return {name: _failed(name, frame, by_table[name][:MAX_SCHEMA_ROWS], len(by_table[name])) if by_table[name]
            else _passed(name, frame) for name, frame in frames.items()}


def _failures_by_table(cases: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> dict[str, list[dict]] | None:
    """The stacked failure cases per table, as validating each frame alone reports them (same order,
    the per-table check names, the row's index label in its own frame); None when a failure is not
    tied to a row (a check that raised, say)."""
    if cases["index"].isna().any():
        return None
    by_table: dict[str, list[dict]] = {name: [] for name in frames}
    for rec in cases.to_dict("records"):
        table, position = stacked_row(rec["index"])
        if rec["check"] in _STACKED_CHECKS:
            column = pandera_schema("table_cells", table=table).columns[rec["column"]]
            rec["check"] = _check_name(column.checks[rec["check_number"]])
        rec["index"] = frames[table].index[position]
        by_table[table].append(rec)
    return by_table


def _passed(table: str, frame: pd.DataFrame) -> SchemaOutcome:
    return SchemaOutcome(True, ((True, f"{table}: {len(frame)} cells match the table_cells schema"),))


def _failed(table: str, frame: pd.DataFrame, first_cases: list[dict], n_cases: int) -> SchemaOutcome:
    rows = [(False, f"{table}: column {rec.get('column')} fails {rec.get('check')}: "
                    f"{rec.get('failure_case')!r} (index {rec.get('index')})") for rec in first_cases]
    if n_cases > MAX_SCHEMA_ROWS:
        rows.append((False, f"{table}: {n_cases - MAX_SCHEMA_ROWS} more schema failures"))
    required = {c.name for c in decl.dataset("table_cells").file_columns}
    amounts_ok = "amount_yuan" in frame and str(frame["amount_yuan"].dtype) == "decimal128(20, 2)[pyarrow]"
    return SchemaOutcome(required <= set(frame.columns) and amounts_ok, tuple(rows))


_STACKED_CHECKS = (TABLE_OF_FRAME_CHECK, MEASURE_OF_TABLE_CHECK)


def _check_name(check: pandera.api.checks.Check) -> str:
    """How pandera names a check in its failure cases."""
    return check.error if check.error is not None else check.name if check.name is not None else str(check)


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
        findings.add("amount_non_negative", table, False, f"{c.where()}: negative amount {findings.in_unit(c.fen, findings.factor(table))} {_unit(findings.factor(table))}",
                     expected_fen=None, actual_fen=c.fen)
    if not negative:
        findings.add("amount_non_negative", table, True, f"{table}: no negative amount outside carry-overs/balances")
