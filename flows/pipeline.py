"""The plain pipeline (no Prefect): find PDFs, and take one PDF from bytes to warehouse files with a status."""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Iterable

from extract.errors import ReportError
from extract.preflight import sha256_of_file

try:
    PIPELINE_VERSION = version("budgetlake")
except PackageNotFoundError:  # running from a checkout that was never installed
    PIPELINE_VERSION = "0+unknown"

UNKNOWN_DEPARTMENT = "_unknown"
UNKNOWN_YEAR = 0
STATUSES_OK = frozenset({"valid", "warnings"})
# A report that failed on a bug of ours (not on its own content) is retried on the next run, never skipped.
INTERNAL_ERROR_PREFIX = "internal error: "

log = logging.getLogger("budgetlake.pipeline")


@dataclass(frozen=True)
class ReportOutcome:
    """What happened to one input PDF: enough for a log line, the run artifact and the exit code."""

    report_id: str
    source_file: str
    status: str  # valid | warnings | quarantined | failed
    error: str | None = None
    department: str = UNKNOWN_DEPARTMENT
    year: int = UNKNOWN_YEAR
    failed_checks: list[str] = field(default_factory=list)
    skipped: bool = False  # already in the warehouse with the same bytes and pipeline version
    duplicate_of: str | None = None  # source file with the same bytes processed in this run instead

    @property
    def ok(self) -> bool:
        return self.status in STATUSES_OK

    def summary_line(self) -> str:
        """One human log line for this report."""
        where = f"{self.department}/{self.year}" if self.department != UNKNOWN_DEPARTMENT else "-"
        line = f"{self.status:<11} {self.report_id} {self.source_file} ({where})"
        if self.duplicate_of:
            line += f" same bytes as {self.duplicate_of}, processed once"
        elif self.skipped:
            line += " unchanged, skipped"
        if self.error:
            line += f": {self.error}"
        if self.failed_checks:
            line += f" [{', '.join(self.failed_checks)}]"
        return line


# ---------- discovery ----------


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """PDF files named directly or found (recursively) in folders; *.pdf case-insensitive, sorted, no repeats.

    A path that does not exist raises FileNotFoundError: a mistyped path breaks the run rather than
    silently ingesting nothing.
    """
    found: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
        elif path.is_file():
            found.add(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return sorted(found)


def group_duplicates(paths: list[Path]) -> tuple[list[Path], dict[Path, Path]]:
    """Split paths into the ones to process and a map duplicate -> first path with the same bytes."""
    first_by_sha: dict[str, Path] = {}
    duplicates: dict[Path, Path] = {}
    unique: list[Path] = []
    for path in paths:
        sha = sha256_of_file(path)
        if sha in first_by_sha:
            duplicates[path] = first_by_sha[sha]
        else:
            first_by_sha[sha] = path
            unique.append(path)
    return unique, duplicates


def duplicate_outcome(original: ReportOutcome, duplicate_path: Path) -> ReportOutcome:
    """The outcome noted for a second file carrying the same bytes as an already processed one."""
    return replace(original, source_file=duplicate_path.name, skipped=True, duplicate_of=original.source_file)


# ---------- one report ----------


def summarize_failed_checks(checks) -> list[str]:
    """`severity:table/check` for each failing check id (×n when it failed on several rows), in order."""
    if checks is None or len(checks) == 0:
        return []
    failing = checks[~checks["passed"].astype(bool)]
    labels = [f"{row.severity}:{row.table}/{row.check}" for row in failing.itertuples(index=False)]
    counts = Counter(labels)
    ordered = list(dict.fromkeys(labels))
    return [label if counts[label] == 1 else f"{label} ×{counts[label]}" for label in ordered]


def _empty_checks(report_id: str):
    """No check rows, typed exactly like the rows run_checks produces (for reports that failed before checks)."""
    from contracts.checks import run_checks

    return run_checks(report_id, {}, (), frozenset(), 1).iloc[0:0].reset_index(drop=True)


def _report_row(sha256: str, source_file: str, *, status: str, error: str | None, meta: dict, pages: int,
                pipeline_version: str) -> dict:
    return {
        "report_id": sha256[:16],
        "source_file": source_file,
        "source_sha256": sha256,
        "report_type": meta.get("report_type"),
        "scope": meta.get("scope"),
        "department": meta.get("department") or UNKNOWN_DEPARTMENT,
        "year": int(meta.get("year") or UNKNOWN_YEAR),
        "unit_printed": meta.get("unit_printed"),
        "pages": pages,
        "tables_found": list(meta.get("tables_found") or []),
        "status": status,
        "error": error,
        "processed_at": datetime.now(timezone.utc),
        "pipeline_version": pipeline_version,
    }


def _outcome_from_row(row: dict, failed_checks: list[str], *, skipped: bool = False) -> ReportOutcome:
    return ReportOutcome(
        report_id=row["report_id"],
        source_file=row["source_file"],
        status=row["status"],
        error=row.get("error"),
        department=row.get("department") or UNKNOWN_DEPARTMENT,
        year=int(row.get("year") or UNKNOWN_YEAR),
        failed_checks=failed_checks,
        skipped=skipped,
    )


def unchanged_outcome(path: Path, warehouse: Path, pipeline_version: str = PIPELINE_VERSION,
                      sha256: str | None = None, stored: dict[str, Path] | None = None) -> ReportOutcome | None:
    """The stored outcome when these exact bytes were already processed by this pipeline version, else None.

    Reads only the file's bytes (for the digest) and the warehouse: no PDF parsing. stored: a
    contracts.warehouse.stored_reports() snapshot shared by the lookups of one run.
    """
    from contracts import warehouse as store

    sha256 = sha256 or sha256_of_file(Path(path))

    row = store.find_by_sha(warehouse, sha256, pipeline_version, stored)
    if not row:
        return None
    row = dict(row)
    if str(row.get("error") or "").startswith(INTERNAL_ERROR_PREFIX):
        return None
    try:
        failed = summarize_failed_checks(store.read_checks(warehouse, row["report_id"], stored))
    except Exception:  # the reports row is what decides skipping; findings are only for display
        failed = []
    row["source_file"] = path.name
    return _outcome_from_row(row, failed, skipped=True)


def _schema_checks_passed(checks) -> bool:
    """Whether run_checks validated every table frame against its pandera schema (so the writer need not again)."""
    schema_rows = checks[checks["check"] == "schema_valid"]
    return len(schema_rows) > 0 and bool(schema_rows["passed"].all())


def process_report(path: Path, warehouse: Path, *, force: bool = False,
                   pipeline_version: str = PIPELINE_VERSION) -> ReportOutcome:
    """One PDF end to end: preflight → (skip if unchanged) → extract → transform → checks → status → write.

    Never raises for a bad report: a ReportError or any unexpected exception becomes a `failed` row.
    Only a failure to write the warehouse itself propagates (the run is broken then).
    """
    from contracts import checks as checking
    from contracts import warehouse as store
    from extract.preflight import read_pdf_text

    path = Path(path)
    warehouse = Path(warehouse)
    sha256 = sha256_of_file(path)
    if not force:
        skipped = unchanged_outcome(path, warehouse, pipeline_version, sha256=sha256)
        if skipped is not None:
            log.info("unchanged, skipped: %s (%s)", path.name, skipped.report_id)
            return skipped

    meta: dict = {}
    pages = 0
    tables: dict = {}
    checks = _empty_checks(sha256[:16])
    try:
        pdf = read_pdf_text(path)
        pages = pdf.page_count
        from extract.report import extract_report
        from transform.report import transform_report

        frames = transform_report(extract_report(pdf))
        meta = dict(frames.meta)
        tables = frames.tables
        checks = checking.run_checks(
            sha256[:16], frames.tables, frames.restorations, frames.declared_empty, meta["unit_factor_yuan"],
            unreadable_cells=[asdict(problem) for problem in frames.problems],
        )
        status, error = checking.decide_status(checks)
    except ReportError as problem:
        status, error, tables, checks = "failed", str(problem), {}, _empty_checks(sha256[:16])
    except Exception as problem:  # noqa: BLE001 - one broken report must not stop the run
        log.error("unexpected error on %s:\n%s", path.name, traceback.format_exc())
        status, tables, checks = "failed", {}, _empty_checks(sha256[:16])
        error = f"{INTERNAL_ERROR_PREFIX}{type(problem).__name__}: {problem}"

    row = _report_row(sha256, path.name, status=status, error=error, meta=meta, pages=pages,
                      pipeline_version=pipeline_version)
    try:
        store.write_report(warehouse, row, tables, checks, quarantined=(status == "quarantined"),
                           tables_validated=_schema_checks_passed(checks))
    except Exception as problem:  # noqa: BLE001 - e.g. frames the schema rejects: record the report as failed
        if status == "failed":
            raise  # not even a failed row can be written: the warehouse itself is broken
        log.error("could not store %s:\n%s", path.name, traceback.format_exc())
        error = f"{INTERNAL_ERROR_PREFIX}could not store the report: {type(problem).__name__}: {problem}"
        row = {**row, "status": "failed", "error": error}
        checks = _empty_checks(sha256[:16])
        store.write_report(warehouse, row, {}, checks, quarantined=False)
    outcome = _outcome_from_row(row, summarize_failed_checks(checks))
    log.info("%s", outcome.summary_line())
    return outcome


def process_paths(paths: Iterable[str | Path], warehouse: Path, *, force: bool = False,
                  pipeline_version: str = PIPELINE_VERSION, on_outcome=None) -> list[ReportOutcome]:
    """All PDFs under paths, one after another, duplicates noted (the sequential twin of the `ingest` flow)."""
    unique, duplicates = group_duplicates(discover(paths))
    outcomes: dict[Path, ReportOutcome] = {}
    for path in unique:
        outcomes[path] = process_report(path, warehouse, force=force, pipeline_version=pipeline_version)
        if on_outcome:
            on_outcome(outcomes[path])
    for duplicate, original in duplicates.items():
        outcomes[duplicate] = duplicate_outcome(outcomes[original], duplicate)
        log.info("%s", outcomes[duplicate].summary_line())
        if on_outcome:
            on_outcome(outcomes[duplicate])
    return [outcomes[path] for path in sorted(outcomes)]


def all_unchanged(paths: Iterable[str | Path], warehouse: Path,
                  pipeline_version: str = PIPELINE_VERSION) -> list[ReportOutcome] | None:
    """The outcomes of a run with nothing to do (every distinct PDF already stored unchanged), else None.

    Reads file bytes and the warehouse only; stops at the first report that needs work.
    """
    from contracts.warehouse import stored_reports

    unique, duplicates = group_duplicates(discover(paths))
    stored = stored_reports(warehouse)
    outcomes: dict[Path, ReportOutcome] = {}
    for path in unique:
        outcome = unchanged_outcome(path, warehouse, pipeline_version, stored=stored)
        if outcome is None:
            return None
        outcomes[path] = outcome
    for duplicate, original in duplicates.items():
        outcomes[duplicate] = duplicate_outcome(outcomes[original], duplicate)
    return [outcomes[path] for path in sorted(outcomes)]


def exit_code(outcomes: Iterable[ReportOutcome]) -> int:
    """0 when every report is valid or has warnings, 2 when some failed or were quarantined."""
    return 0 if all(outcome.ok for outcome in outcomes) else 2
