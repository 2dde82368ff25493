"""The plain pipeline (no Prefect): find PDFs, and take one PDF from bytes to warehouse files with a status."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import traceback
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from contracts import ledger
from contracts.files import partition_of, stored_reports
from contracts.ledger import summarize_failed_checks  # noqa: F401 - part of this module's interface
from contracts.names import printable
from extract.errors import ReportError
from extract.fingerprint import sha256_of_file
from extract.source import DEFAULT_MAX_INPUT_BYTES, readable_size
from flows.version import pipeline_version


PIPELINE_VERSION = pipeline_version()  # the skip key's version: package version + code fingerprint

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
        """One human log line for this report (names from file names and PDF text cleaned of control and bidi
        characters: they never reach the terminal raw)."""
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
        return printable(line)


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


def input_digest(path: Path, max_input_bytes: int | None = None) -> str | None:
    """sha256_of_file of a file process_report can read (a regular file, no symbolic link, within the input
    limit); None for any other, or one that vanished: process_report then records why in its failed row."""
    if not readable_size(path, max_input_bytes or DEFAULT_MAX_INPUT_BYTES):
        return None
    try:
        return sha256_of_file(path)
    except OSError:
        return None


def group_duplicates(paths: list[Path], max_input_bytes: int | None = None) -> tuple[list[Path], dict[Path, Path]]:
    """Split paths into the ones to process and a map duplicate -> first path with the same bytes.

    A file that cannot be hashed (see input_digest) is processed on its own (to get its failed row).
    """
    first_by_sha: dict[str, Path] = {}
    duplicates: dict[Path, Path] = {}
    unique: list[Path] = []
    for path in paths:
        sha = input_digest(path, max_input_bytes)
        if sha is None:
            unique.append(path)
        elif sha in first_by_sha:
            duplicates[path] = first_by_sha[sha]
        else:
            first_by_sha[sha] = path
            unique.append(path)
    return unique, duplicates


def duplicate_outcome(original: ReportOutcome, duplicate_path: Path) -> ReportOutcome:
    """The outcome noted for a second file carrying the same bytes as an already processed one."""
    return replace(original, source_file=duplicate_path.name, skipped=True, duplicate_of=original.source_file)


# ---------- one report ----------


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
        "read_by": meta.get("read_by"),
        "ocr_pages": meta.get("ocr_pages"),
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

    Reads only the file's bytes (for the digest) and the warehouse: no PDF parsing. The skip ledger
    answers when it holds a trusted entry (no pandas needed); otherwise the reports row decides, and a
    stored report found there without an entry gets one. stored: a
    contracts.files.stored_reports() snapshot shared by the Parquet lookups of one run.
    """
    sha256 = sha256 or sha256_of_file(Path(path))
    entry = ledger.trusted_entry(warehouse, sha256, pipeline_version)
    if entry is not None:  # it vouches for the reports row as written: no need to read that
        return None if _retried(entry) else _outcome_from_entry(path, entry)
    outcome = warehouse_outcome(path, warehouse, pipeline_version, sha256, stored)
    if outcome is not None:
        try:
            from contracts import warehouse as store

            store.record_in_ledger(warehouse, outcome.report_id, stored)
        except Exception:  # noqa: BLE001 - the ledger is a cache: a read-only warehouse still answers
            log.debug("could not record %s in the skip ledger:\n%s", outcome.report_id, traceback.format_exc())
    return outcome


def ledger_outcome(path: Path, warehouse: Path, pipeline_version: str, sha256: str) -> ReportOutcome | None:
    """unchanged_outcome from the skip ledger alone: None when it holds no trusted entry for these bytes."""
    entry = ledger.trusted_entry(warehouse, sha256, pipeline_version)
    return None if entry is None or _retried(entry) else _outcome_from_entry(path, entry)


def _outcome_from_entry(path: Path, entry: dict) -> ReportOutcome:
    return _outcome_from_row({**entry, "source_file": Path(path).name}, list(entry["failed_checks"]), skipped=True)


def warehouse_outcome(path: Path, warehouse: Path, pipeline_version: str, sha256: str,
                      stored: dict[str, Path] | None = None) -> ReportOutcome | None:
    """unchanged_outcome from the Parquet files alone (the reports row decides, the checks give the findings).

    With the report's pending marker there (a write of it was killed, or is running), the row counts only
    when that write wrote it (contracts.warehouse.settle_pending); an older row may sit beside files of
    the unfinished write: the report is processed again.
    """
    if stored is not None and sha256[:16] not in stored:
        return None  # no reports row to read: a new report costs no pandas import
    from contracts import warehouse as store

    row = store.find_by_sha(warehouse, sha256, pipeline_version, stored)
    if not row or _retried(row):
        return None
    if ledger.pending_path(warehouse, sha256[:16]).exists() and not store.settle_pending(warehouse, sha256[:16], row):
        return None
    row = dict(row)
    try:
        failed = summarize_failed_checks(store.read_checks(warehouse, row["report_id"], stored))
    except Exception:  # the reports row is what decides skipping; findings are only for display
        failed = []
    row["source_file"] = Path(path).name
    return _outcome_from_row(row, failed, skipped=True)


def _retried(row: dict) -> bool:
    """A report that failed on a bug of ours is processed again, never skipped."""
    return str(row.get("error") or "").startswith(INTERNAL_ERROR_PREFIX)


def _schema_checks_passed(checks) -> bool:
    """Whether run_checks validated every table frame against its pandera schema (so the writer need not again)."""
    schema_rows = checks[checks["check"] == "schema_valid"]
    return len(schema_rows) > 0 and bool(schema_rows["passed"].all())


def process_report(path: Path, warehouse: Path, *, force: bool = False,
                   pipeline_version: str = PIPELINE_VERSION,
                   previous_partitions: list[str] | None = None,
                   max_input_bytes: int | None = None) -> ReportOutcome:
    """One PDF end to end: read once → (skip if unchanged) → extract → transform → checks → status → write.

    The file is read once (extract.source.read_input: no symbolic link followed, at most
    max_input_bytes, default DEFAULT_MAX_INPUT_BYTES); its digest, text layer and camelot's grids all
    come from those bytes (camelot reads a private snapshot of them), so a file replaced during the
    run cannot be stored under one version's id with another's content.
    Never raises for a bad report: a file that cannot be read, a ReportError or any unexpected
    exception becomes a `failed` row. Only a failure to write the warehouse itself propagates (the
    run is broken then). previous_partitions: where the run's snapshot of reports/ found this report
    stored (see contracts.warehouse.write_report; None: looked up here).
    """
    from contracts import checks as checking
    from contracts import warehouse as store
    from extract.preflight import read_pdf_text
    from extract.source import DEFAULT_MAX_INPUT_BYTES, UnreadInput, read_input, snapshot, unread_sha256

    path = Path(path)
    warehouse = Path(warehouse)
    if not force and (digest := input_digest(path, max_input_bytes)) is not None:
        # the digest of this file version (cached from the run's listing): an unchanged report is not read again
        skipped = unchanged_outcome(path, warehouse, pipeline_version, sha256=digest)
        if skipped is not None:
            log.info("unchanged, skipped: %s (%s)", printable(path.name), skipped.report_id)
            return skipped
    meta: dict = {}
    pages = 0
    tables: dict = {}
    narrative = None
    try:
        data = read_input(path, max_input_bytes or DEFAULT_MAX_INPUT_BYTES)
    except UnreadInput as problem:
        data, sha256 = None, unread_sha256(path)
        status, error, checks = "failed", str(problem), _empty_checks(sha256[:16])
        previous_partitions = None  # an id of its path: look its old row up (a rerun replaces it)
    else:
        sha256 = hashlib.sha256(data).hexdigest()  # the id of the bytes parsed below, whatever the listing saw
    if data is not None:
        try:
            with snapshot(data, path.name) as private_copy:
                pdf = read_pdf_text(private_copy, data)
                pages = pdf.page_count
                from extract.report import extract_report
                from transform.report_frames import transform_report

                frames = transform_report(extract_report(pdf))
            meta = dict(frames.meta)
            tables = frames.tables
            narrative = frames.narrative
            checks = checking.run_checks(
                sha256[:16], frames.tables, frames.restorations, frames.declared_empty, meta["unit_factor_yuan"],
                unreadable_cells=[asdict(problem) for problem in frames.problems],
                report_type=meta["report_type"], scope=meta["scope"], table_unit_factors=meta["table_unit_factors"],
                listed_tables=frames.listed, metadata_findings=meta.get("findings", ()),
                narrative=frames.narrative_claims,
            )
            status, error = checking.decide_status(checks)
        except ReportError as problem:
            status, error, tables, checks = "failed", str(problem), {}, _empty_checks(sha256[:16])
        except Exception as problem:  # noqa: BLE001 - one broken report must not stop the run
            log.error("unexpected error on %s:\n%s", printable(path.name), printable(traceback.format_exc()))
            status, tables, checks = "failed", {}, _empty_checks(sha256[:16])
            error = f"{INTERNAL_ERROR_PREFIX}{type(problem).__name__}: {problem}"

    row = _report_row(sha256, source_name(path), status=status, error=error, meta=meta, pages=pages,
                      pipeline_version=pipeline_version)
    try:
        store.write_report(warehouse, row, tables, checks, quarantined=(status == "quarantined"),
                           tables_validated=_schema_checks_passed(checks), previous_partitions=previous_partitions,
                           narrative=narrative if status != "failed" else None)
    except Exception as problem:  # noqa: BLE001 - e.g. frames the schema rejects: record the report as failed
        if status == "failed":
            raise  # not even a failed row can be written: the warehouse itself is broken
        log.error("could not store %s:\n%s", printable(path.name), printable(traceback.format_exc()))
        error = f"{INTERNAL_ERROR_PREFIX}could not store the report: {type(problem).__name__}: {problem}"
        row = {**row, "status": "failed", "error": error, "department": UNKNOWN_DEPARTMENT, "year": UNKNOWN_YEAR}
        checks = _empty_checks(sha256[:16])
        store.write_report(warehouse, row, {}, checks, quarantined=False, previous_partitions=previous_partitions)
    outcome = _outcome_from_row(row, summarize_failed_checks(checks))
    log.info("%s", outcome.summary_line())
    return outcome


def source_name(path: Path) -> str:
    """The file name as given, as text that can be stored (bytes no encoding decodes shown as U+FFFD)."""
    return os.fsencode(Path(path).name).decode("utf-8", errors="replace")


class BrokenReports(RuntimeError):
    """Some reports could not be recorded at all (the warehouse could not be written); all others were."""


def process_paths(paths: Iterable[str | Path], warehouse: Path, *, force: bool = False,
                  pipeline_version: str = PIPELINE_VERSION, on_outcome=None, workers: int | None = None,
                  settled: dict[Path, ReportOutcome] | None = None,
                  max_input_bytes: int | None = None) -> list[ReportOutcome]:
    """All PDFs under paths, duplicates noted, without Prefect (the plain twin of the `ingest` flow).

    workers: run that many reports at once in the warm pool of flows.pool (None: one after
    another in this process). settled: outcomes already known for some paths (e.g. stored before
    the Prefect API went away); those reports are not run again. Every report is tried: one that
    cannot even be recorded (the warehouse refused its failed row) does not stop the others;
    BrokenReports is raised at the end, after all others landed.
    """
    unique, duplicates = group_duplicates(discover(paths), max_input_bytes)
    outcomes: dict[Path, ReportOutcome] = {}
    for path in unique:
        if settled and path in settled:
            outcomes[path] = settled[path]
            if on_outcome:
                on_outcome(outcomes[path])
    to_run = [path for path in unique if path not in outcomes]
    stored = stored_reports(warehouse)  # one walk of reports/ for the whole run
    broken: list[str] = []

    def run_one(path: Path) -> ReportOutcome:
        options = {"force": force, "pipeline_version": pipeline_version, "max_input_bytes": max_input_bytes,
                   "previous_partitions": previous_partitions(path, stored, max_input_bytes)}
        try:
            if workers:
                from flows import pool

                return pool.run(process_report, path.absolute(), Path(warehouse).absolute(), workers=workers,
                                **options)
            return process_report(path, warehouse, **options)
        except Exception as problem:  # noqa: BLE001 - the report could not even be recorded as failed
            log.error("could not record %s:\n%s", printable(path.name), printable(traceback.format_exc()))
            broken.append(printable(f"{path.name}: {type(problem).__name__}: {problem}"))
            return ReportOutcome(report_id="?", source_file=source_name(path), status="failed",
                                 error=f"not recorded in the warehouse: {problem}")

    if workers:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=workers) as threads:
            futures = {threads.submit(run_one, path): path for path in to_run}
            for future in as_completed(futures):
                outcomes[futures[future]] = future.result()
                if on_outcome:
                    on_outcome(outcomes[futures[future]])
    else:
        for path in to_run:
            outcomes[path] = run_one(path)
            if on_outcome:
                on_outcome(outcomes[path])
    for duplicate, original in duplicates.items():
        outcomes[duplicate] = duplicate_outcome(outcomes[original], duplicate)
        log.info("%s", outcomes[duplicate].summary_line())
        if on_outcome:
            on_outcome(outcomes[duplicate])
    if broken:
        raise BrokenReports(f"{len(broken)} report(s) could not be recorded: " + "; ".join(broken))
    return [outcomes[path] for path in sorted(outcomes)]


def split_unchanged(paths: Iterable[Path], warehouse: Path, pipeline_version: str = PIPELINE_VERSION, *,
                    stop_at_first_change: bool = False) -> tuple[dict[Path, ReportOutcome], list[Path]]:
    """(the skipped outcomes of the PDFs stored unchanged, the PDFs that need work), in the given order.

    Reads file bytes and the warehouse only. The skip ledger answers first; reports/ is walked once,
    at the first PDF the ledger cannot answer, so when it answers for every PDF neither pandas nor
    pyarrow is imported. stop_at_first_change: return as soon as one PDF needs work.
    """
    stored: dict[str, Path] | None = None  # one snapshot of reports/, taken at the first ledger miss
    settled: dict[Path, ReportOutcome] = {}
    to_process: list[Path] = []
    for path in paths:
        sha256 = input_digest(path)
        if sha256 is None:  # cannot be read as it is: process_report records why
            to_process.append(path)
            if stop_at_first_change:
                break
            continue
        outcome = ledger_outcome(path, warehouse, pipeline_version, sha256)
        if outcome is None:
            if stored is None:
                stored = stored_reports(warehouse)
            outcome = unchanged_outcome(path, warehouse, pipeline_version, sha256=sha256, stored=stored)
        if outcome is None:
            to_process.append(path)
            if stop_at_first_change:
                break
        else:
            settled[path] = outcome
    return settled, to_process


def previous_partitions(path: Path, stored: dict[str, Path], max_input_bytes: int | None = None) -> list[str] | None:
    """Where a stored_reports() snapshot has this PDF's report stored: [] or its one partition (None: a file
    that cannot be hashed; process_report looks its row up)."""
    sha256 = input_digest(path, max_input_bytes)
    if sha256 is None:
        return None
    reports_file = stored.get(sha256[:16])
    return [partition_of(reports_file)] if reports_file is not None else []


def all_unchanged(paths: Iterable[str | Path], warehouse: Path,
                  pipeline_version: str = PIPELINE_VERSION) -> list[ReportOutcome] | None:
    """The outcomes of a run with nothing to do (every distinct PDF already stored unchanged), else None.

    Stops at the first report that needs work (see split_unchanged).
    """
    unique, duplicates = group_duplicates(discover(paths))
    outcomes, to_process = split_unchanged(unique, warehouse, pipeline_version, stop_at_first_change=True)
    if to_process:
        return None
    for duplicate, original in duplicates.items():
        outcomes[duplicate] = duplicate_outcome(outcomes[original], duplicate)
    return [outcomes[path] for path in sorted(outcomes)]


def exit_code(outcomes: Iterable[ReportOutcome]) -> int:
    """0 when every report is valid or has warnings, 2 when some failed or were quarantined."""
    return 0 if all(outcome.ok for outcome in outcomes) else 2
