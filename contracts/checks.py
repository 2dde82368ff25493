"""Runs every declared check on one report's table frames and decides its status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from contracts import checks_accounting as accounting
from contracts import checks_narrative as narrative_checks
from contracts import checks_structural as structural
from contracts import declarations as decl
from contracts.check_rows import Figure, Findings, cells_of

__all__ = ["run_checks", "decide_status", "CHECK_IDS"]

CHECK_IDS = tuple(decl.checks())
# The reason an unreadable cell carries when OCR read it doubtfully (transform.rows.CellProblem.reason).
OCR_DOUBTFUL = "ocr_doubtful"
MAX_ERRORS_IN_TEXT = 5


def run_checks(
    report_id: str,
    tables: Mapping[str, pd.DataFrame],
    restorations: Iterable[Mapping] = (),
    declared_empty: frozenset[str] = frozenset(),
    unit_factor_yuan: int = 10000,
    unreadable_cells: Iterable[Mapping] = (),
    *,
    report_type: str | None = None,
    scope: str | None = None,
    table_unit_factors: Mapping[str, int] | None = None,
    listed_tables: frozenset[str] = frozenset(),
    narrative: Mapping | None = None,
    metadata_findings: Iterable[tuple[str, bool, str]] = (),
) -> pd.DataFrame:
    """The `checks` dataset rows of one report: every check run, passed or not (see checks.toml).

    unreadable_cells: cells under a figure column whose text is no figure (table, page, row_no,
    measure, text), kept as null in the tables and reported here as errors; those with reason
    OCR_DOUBTFUL (a figure OCR read doubtfully, `why` says how) as ocr_figure_doubtful warnings.
    report_type, scope: the report's (on every row; a check runs only on the report types its
    declaration lists); by default those the table frames carry.
    table_unit_factors: 元 per unit printed over each table where tables differ (a Shanghai budget's
    三公 table in 万元 beside tables in 元); the rounding tolerance of a figure is 0.01 of its own unit.
    listed_tables: the standard tables the report's table of contents lists (their absence is an error).
    narrative: the figures and claims of the report's prose (transform.narrative.narrative_payload),
    checked against the tables (checks_narrative); None: no narrative checks.
    metadata_findings: (check, passed, detail) of the report-level metadata checks (department_name,
    report_year) as transform.meta read them; one row each.
    """
    report_type = report_type if report_type is not None else _report_value(tables, "report_type")
    scope = scope if scope is not None else _report_value(tables, "scope")
    findings = Findings(report_id, unit_factor_yuan, report_type=report_type, scope=scope,
                        table_unit_factors=dict(table_unit_factors or {}))
    for check, passed, detail in metadata_findings:
        findings.add(check, None, passed, detail)
    structural.check_presence(findings, dict(tables), frozenset(declared_empty), frozenset(listed_tables),
                               report_type)
    cells: dict[str, list[Figure]] = {}
    schema = structural.validate_tables(tables)
    for name, frame in tables.items():
        if not structural.check_schema(findings, name, frame, schema[name]):
            continue  # unusable frame: the schema rows say why
        table_cells = cells[name] = cells_of(name, frame)
        findings.set_precision(name, table_cells)
        structural.check_codes(findings, name, table_cells)
        structural.check_duplicates(findings, name, table_cells)
        structural.check_signs(findings, name, table_cells)
    accounting.check_row_sums(findings, cells)
    accounting.check_hierarchy(findings, cells)
    accounting.check_basic_expenditure(findings, cells)
    accounting.check_summaries(findings, cells)
    accounting.check_cross(findings, cells)
    narrative_checks.check_narrative(findings, cells, narrative)
    if not any(r["check"] == "figure_cut_short" for r in findings.rows):
        findings.add("figure_cut_short", None, True, "no figure cut short in print")
    unreadable = 0
    doubtful = 0
    for c in unreadable_cells:
        where = f"{c.get('table')} p.{c.get('page')} printed row {c.get('row_no')} {c.get('measure')}"
        if c.get("reason") == OCR_DOUBTFUL:
            doubtful += 1
            findings.add("ocr_figure_doubtful", c.get("table"), False,
                         f"{where}: OCR read {c.get('text')!r} ({c.get('why')}): stored as null")
            continue
        unreadable += 1
        findings.add("figure_readable", c.get("table"), False, f"{where}: {c.get('text')!r} is not a figure (stored as null)")
    if not unreadable:
        findings.add("figure_readable", None, True, "every cell under a figure column reads as a figure or blank")
    if not doubtful:
        findings.add("ocr_figure_doubtful", None, True, "no figure read by OCR is doubtful (or no page was read by OCR)")
    restored = 0
    for r in restorations:
        restored += 1
        outcome = (f"restored to {r.get('code_restored')}" if r.get("code_restored")
                   else "left as printed: no full code for that name elsewhere in the report")
        findings.add("subject_code_restored", r.get("table"), False,
                     f"{r.get('table')} p.{r.get('page')} row {r.get('row_no')} {r.get('item')}: "
                     f"code printed {r.get('code_printed')} {outcome}")
    if not restored:
        findings.add("subject_code_restored", None, True, "no subject code restored")
    return findings.frame()


def _report_value(tables: Mapping[str, pd.DataFrame], column: str) -> str | None:
    """The one value of a per-report column (report_type, scope) the table frames carry, else None."""
    values = set()
    for frame in tables.values():
        if isinstance(frame, pd.DataFrame) and column in frame:
            values.update(v for v in frame[column].dropna().unique() if isinstance(v, str))
    return values.pop() if len(values) == 1 else None


def decide_status(checks: pd.DataFrame) -> tuple[str, str | None]:
    """('valid', None) | ('warnings', None) | ('quarantined', text for a person) from a checks frame."""
    failed = checks[~checks["passed"].astype(bool)]
    errors = failed[failed["severity"] == "error"]
    if len(errors):
        lines = [f"{r['check']} ({r['table'] if isinstance(r['table'], str) else 'report'}): {r['detail']}"
                 for r in errors.head(MAX_ERRORS_IN_TEXT).to_dict("records")]
        more = len(errors) - MAX_ERRORS_IN_TEXT
        text = f"{len(errors)} error check(s) failed: " + "; ".join(lines) + (f"; and {more} more" if more > 0 else "")
        return "quarantined", text
    if len(failed):
        return "warnings", None
    return "valid", None
