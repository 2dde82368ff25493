"""The plain pipeline (no Prefect): find PDFs, plan a run, and take one PDF from bytes to warehouse files with a status.

Where a report's fate is decided: plan_run (discovery, duplicates, skip of unchanged reports, the work
list) for every entry point; process_planned (its status: valid, warnings, quarantined or failed) for
each report the plan sends to work.
"""

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
from flows.limits import MIB, LimitExceeded, ReportLimits, limited
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
                   max_input_bytes: int | None = None, limits: ReportLimits | None = None) -> ReportOutcome:
    """One PDF named by the caller: planned like a run of one report (plan_run), then processed unless skipped.

    force: re-process it even when it is stored unchanged (the user's --force). limits: the time and
    memory limits enforced around its work in this process (see flows.limits; None: none).
    """
    plan = plan_run([path], warehouse, force=force, pipeline_version=pipeline_version,
                    max_input_bytes=max_input_bytes, discover_paths=False)
    if plan.settled:
        [skipped] = plan.settled.values()
        log.info("unchanged, skipped: %s (%s)", printable(Path(path).name), skipped.report_id)
        return skipped
    [item] = plan.work
    return process_planned(item, warehouse, pipeline_version=pipeline_version, max_input_bytes=max_input_bytes,
                           limits=limits)


def process_planned(item: PlannedReport, warehouse: Path, *, pipeline_version: str = PIPELINE_VERSION,
                    max_input_bytes: int | None = None,
                    limits: ReportLimits | None = None) -> ReportOutcome:
    """One report the run's plan (plan_run) sent to work: read once → extract → transform → checks → status → write.

    Decides nothing about skipping: the plan did. The file is read once (extract.source.read_input:
    no symbolic link followed, at most max_input_bytes, default DEFAULT_MAX_INPUT_BYTES); its digest,
    text layer and camelot's grids all come from those bytes (camelot reads a private snapshot of
    them), so a file replaced during the run cannot be stored under one version's id with another's
    content. Never raises for a bad report: a file that cannot be read, a ReportError, a report over
    its time or memory limit (limits, enforced here) or any unexpected exception becomes a `failed`
    row. Only a failure to write the warehouse itself propagates (the run is broken then).
    item.previous_partitions: where the run's snapshot of reports/ found this report stored (see
    contracts.warehouse.write_report; None: looked up there).
    """
    from contracts import checks as checking
    from contracts import warehouse as store
    from extract.preflight import read_pdf_text
    from extract.source import DEFAULT_MAX_INPUT_BYTES, UnreadInput, read_input, snapshot, unread_sha256

    path = Path(item.path)
    warehouse = Path(warehouse)
    previous_partitions = item.previous_partitions
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
            with limited(limits):  # the report's time and memory limits (flows.limits)
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
        except (ReportError, LimitExceeded) as problem:
            status, error, tables, checks = "failed", str(problem), {}, _empty_checks(sha256[:16])
        except MemoryError:  # over the memory limit (RLIMIT_AS) or the machine's memory: the report, not a bug
            status, tables, checks = "failed", {}, _empty_checks(sha256[:16])
            error = memory_error_message(limits)
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


def memory_error_message(limits: ReportLimits | None) -> str:
    """The failed row's error of a report that ran out of memory (its limit, when one was set)."""
    if limits is not None and limits.memory_bytes:
        return limits.memory_message()
    return "the report needed more memory than the machine could give (MemoryError)"


def died_message(how: str, limits: ReportLimits | None) -> str:
    """The failed row's error of a report whose worker process ended without an answer (how: e.g. killed by SIGABRT)."""
    if limits is not None and limits.memory_bytes:
        return (f"the worker process reading the report ended without an answer ({how}): most likely the report "
                f"needed more memory than the memory limit ({limits.memory_bytes / MIB:g} MB per report), or it "
                "crashed the PDF library; stopped")
    return f"the worker process reading the report ended without an answer ({how}); stopped"


def record_failed(item: PlannedReport, warehouse: Path, error: str, *, pipeline_version: str = PIPELINE_VERSION,
                  max_input_bytes: int | None = None) -> ReportOutcome:
    """The `failed` row of a report whose work was stopped from outside (its worker killed past the time limit,
    or dead), under the id of its bytes as listed (of its path, when they cannot be read any more)."""
    from contracts import warehouse as store
    from extract.source import unread_sha256

    path = Path(item.path)
    sha256 = input_digest(path, max_input_bytes)
    previous = item.previous_partitions if sha256 is not None else None
    sha256 = sha256 or unread_sha256(path)
    row = _report_row(sha256, source_name(path), status="failed", error=error, meta={}, pages=0,
                      pipeline_version=pipeline_version)
    store.write_report(Path(warehouse), row, {}, _empty_checks(sha256[:16]), quarantined=False,
                       previous_partitions=previous)
    outcome = _outcome_from_row(row, [])
    log.info("%s", outcome.summary_line())
    return outcome


class BrokenReports(RuntimeError):
    """Some reports could not be recorded at all (the warehouse could not be written); all others were."""


# ---------- the plan of a run: what each input file gets, decided in one place ----------


@dataclass(frozen=True)
class PlannedReport:
    """A report the plan sends to work (new, changed, forced, or unreadable: its failed row says why)."""

    path: Path
    previous_partitions: list[str] | None = None  # where reports/ has it stored ([]: nowhere; None: look it up)


@dataclass
class RunPlan:
    """What a run does with every input file, decided by plan_run before any report is processed.

    found: every PDF listed, sorted. settled: outcomes known without work (stored unchanged, skipped;
    or stored earlier by this run). work: the reports to process, in listing order. duplicates: a file
    with the same bytes as an earlier one -> that one (its outcome is noted for both, processed once).
    complete: False when planning stopped at the first report needing work (stop_at_first_work).
    """

    found: list[Path]
    settled: dict[Path, ReportOutcome] = field(default_factory=dict)
    work: list[PlannedReport] = field(default_factory=list)
    duplicates: dict[Path, Path] = field(default_factory=dict)
    complete: bool = True

    @property
    def nothing_to_do(self) -> bool:
        return self.complete and not self.work

    def outcomes(self, processed: dict[Path, ReportOutcome], on_outcome=None) -> list[ReportOutcome]:
        """Every file's outcome, sorted by path: settled, processed (by path) and the duplicates' notes.

        on_outcome(outcome) is called for each duplicate's note (settled and processed reports were
        shown as they were known)."""
        outcomes = {**self.settled, **processed}
        for duplicate, original in self.duplicates.items():
            outcomes[duplicate] = duplicate_outcome(outcomes[original], duplicate)
            log.info("%s", outcomes[duplicate].summary_line())
            if on_outcome:
                on_outcome(outcomes[duplicate])
        return [outcomes[path] for path in sorted(outcomes)]


def plan_run(paths: Iterable[str | Path], warehouse: Path, *, force: bool = False,
             max_input_bytes: int | None = None, pipeline_version: str = PIPELINE_VERSION,
             settled: dict[Path, ReportOutcome] | None = None, stop_at_first_work: bool = False,
             discover_paths: bool = True) -> RunPlan:
    """The one place where a run decides what happens to each input file (every entry point plans with it).

    1. discovery: the PDFs under paths (discover; discover_paths=False: paths are the files themselves,
       a missing one gets its failed row);
    2. duplicates: a file with the bytes of an earlier one is noted, not processed;
    3. settled: outcomes already known for some paths (e.g. stored before the Prefect API went away);
    4. skip: a file whose bytes this pipeline version already stored is settled from the skip ledger or
       its reports row (unchanged_outcome), without opening the PDF, unless force (the user's "re-process
       unchanged reports"); a file that cannot be hashed (not readable as it is) always goes to work;
    5. the work list, each with where the run's one snapshot of reports/ has it stored.
    Reads file bytes and the warehouse only. reports/ is walked once, at the first file the ledger
    cannot answer, so a run the ledger answers entirely imports neither pandas nor pyarrow.
    stop_at_first_work: stop at the first report needing work (plan.complete is False then).
    """
    warehouse = Path(warehouse)
    found = discover(paths) if discover_paths else [Path(p) for p in paths]
    unique, duplicates = group_duplicates(found, max_input_bytes)
    plan = RunPlan(found=found, duplicates=duplicates)
    stored: dict[str, Path] | None = None  # one snapshot of reports/, taken when first needed
    for path in unique:
        sha256 = input_digest(path, max_input_bytes)  # computed once per file version (cached)
        if settled and path in settled:
            plan.settled[path] = settled[path]
            continue
        if sha256 is not None and not force:
            outcome = ledger_outcome(path, warehouse, pipeline_version, sha256)
            if outcome is None:
                if stored is None:
                    stored = stored_reports(warehouse)
                outcome = unchanged_outcome(path, warehouse, pipeline_version, sha256=sha256, stored=stored)
            if outcome is not None:
                plan.settled[path] = outcome
                continue
        plan.work.append(PlannedReport(path))
        if stop_at_first_work:
            plan.complete = False
            return plan
    if plan.work:
        if stored is None:
            stored = stored_reports(warehouse)
        plan.work = [replace(item, previous_partitions=_stored_partitions(input_digest(item.path, max_input_bytes),
                                                                          stored))
                     for item in plan.work]
    return plan


def _stored_partitions(sha256: str | None, stored: dict[str, Path]) -> list[str] | None:
    """Where a stored_reports() snapshot has the report of these bytes: [] or its one partition (None: a file
    that cannot be hashed; its failed row's id is of its path, looked up when written)."""
    if sha256 is None:
        return None
    reports_file = stored.get(sha256[:16])
    return [partition_of(reports_file)] if reports_file is not None else []


def process_paths(paths: Iterable[str | Path], warehouse: Path, *, force: bool = False,
                  pipeline_version: str = PIPELINE_VERSION, on_outcome=None, workers: int | None = None,
                  settled: dict[Path, ReportOutcome] | None = None,
                  max_input_bytes: int | None = None, limits: ReportLimits | None = None,
                  plan: RunPlan | None = None) -> list[ReportOutcome]:
    """All PDFs under paths, as planned by plan_run, without Prefect (the plain twin of the `ingest` flow).

    workers: run that many reports at once in the warm pool of flows.pool, each within limits (None:
    one after another in this process, limits enforced here). settled: see plan_run. plan: one
    already made for these arguments. Every report is tried: one that cannot even be recorded (the
    warehouse refused its failed row) does not stop the others; BrokenReports is raised at the end,
    after all others landed.
    """
    plan = plan or plan_run(paths, warehouse, force=force, max_input_bytes=max_input_bytes,
                            pipeline_version=pipeline_version, settled=settled)
    for outcome in plan.settled.values():
        if outcome.skipped:
            log.info("%s", outcome.summary_line())
        if on_outcome:
            on_outcome(outcome)
    broken: list[str] = []
    options = {"pipeline_version": pipeline_version, "max_input_bytes": max_input_bytes, "limits": limits}

    def run_one(item: PlannedReport) -> ReportOutcome:
        try:
            if workers:
                from flows import pool

                return pool.run_report(item, warehouse, workers=workers, **options)
            return process_planned(item, warehouse, **options)
        except Exception as problem:  # noqa: BLE001 - the report could not even be recorded as failed
            log.error("could not record %s:\n%s", printable(item.path.name), printable(traceback.format_exc()))
            broken.append(printable(f"{item.path.name}: {type(problem).__name__}: {problem}"))
            return ReportOutcome(report_id="?", source_file=source_name(item.path), status="failed",
                                 error=f"not recorded in the warehouse: {problem}")

    processed: dict[Path, ReportOutcome] = {}
    if workers:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=workers) as threads:
            futures = {threads.submit(run_one, item): item.path for item in plan.work}
            for future in as_completed(futures):
                processed[futures[future]] = future.result()
                if on_outcome:
                    on_outcome(processed[futures[future]])
    else:
        for item in plan.work:
            processed[item.path] = run_one(item)
            if on_outcome:
                on_outcome(processed[item.path])
    outcomes = plan.outcomes(processed, on_outcome)
    if broken:
        raise BrokenReports(f"{len(broken)} report(s) could not be recorded: " + "; ".join(broken))
    return outcomes


def exit_code(outcomes: Iterable[ReportOutcome]) -> int:
    """0 when every report is valid or has warnings, 2 when some failed or were quarantined."""
    return 0 if all(outcome.ok for outcome in outcomes) else 2
