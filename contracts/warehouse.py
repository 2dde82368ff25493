"""The Parquet warehouse: one file per report per dataset, hive-partitioned, replaced atomically."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from contracts import declarations as decl
from contracts import ledger, scratch
from contracts.files import (  # noqa: F401 - the warehouse's layout, re-exported
    QUARANTINE, TMP_DIR, UNKNOWN_DEPARTMENT, UNKNOWN_YEAR, dataset_dirs, partition_dir, partition_of,
    partition_values, report_files as _files, stored_reports,
)
from contracts.schemas import arrow_schema, pandera_schema, validate_table_frames


def write_report(warehouse: Path, report_row: dict, tables: dict[str, pd.DataFrame], checks: pd.DataFrame,
                 quarantined: bool, tables_validated: bool = False,
                 previous_partitions: Iterable[str] | None = None, narrative: pd.DataFrame | None = None) -> None:
    """Replace every file of report_row['report_id'] with its reports/checks/tables files.

    Tables go under quarantine/tables/ when quarantined; failed reports pass tables={} and may
    leave department/year None (stored as department=_unknown/year=0). Every frame is validated
    before anything is written, except a quarantined report's tables (kept as read; their failed
    checks say what is wrong); tables_validated=True skips the table frames when the caller's
    schema_valid checks already validated them (pandera is the costliest step of a write).

    The old files are looked for only where they can be: the new partition, the one an unfinished
    earlier write recorded, its ledger entry's, and previous_partitions: where the caller's snapshot
    of reports/ put the report's row (a run takes one snapshot for all its reports); None: find that
    row here (see stored_partitions), which walks reports/ when the report has no ledger entry.
    narrative: the report's `narrative` rows (figures its prose states), written beside its tables
    (under quarantine/ when quarantined); None writes no narrative file.
    """
    warehouse = Path(warehouse)
    report_id = report_row["report_id"]
    part = partition_dir(report_row.get("department"), report_row.get("year"))
    report_row = {**report_row, "processed_at": report_row.get("processed_at") or datetime.now(timezone.utc)}
    reports_frame = _reports_frame(report_row)
    if checks is None or checks.empty:
        checks = empty_frame("checks")
    # a table printed without rows: its columns as declared (an empty object column is not a string column)
    tables = {name: empty_frame("table_cells") if len(frame) == 0 else frame for name, frame in tables.items()}
    pandera_schema("reports").validate(reports_frame)
    pandera_schema("checks").validate(checks)
    if narrative is not None:
        if narrative.empty:  # a report whose text states no figure still gets its (empty) narrative file
            narrative = empty_frame("narrative")
        pandera_schema("narrative").validate(narrative)
    if not tables_validated and not quarantined:
        # Quarantined tables are stored as read, in the declared column types (the Arrow write
        # enforces them): what their values break is why they are quarantined, in the checks rows.
        validate_table_frames(tables)
    partitions = {part, *ledger.pending_partitions(warehouse, report_id)}
    if entry_partition := ledger.entry_partition(warehouse, report_id):
        partitions.add(entry_partition)
    partitions |= (stored_partitions(warehouse, report_id) if previous_partitions is None
                   else set(previous_partitions))
    tables_root = warehouse / QUARANTINE / "tables" if quarantined else warehouse / "tables"
    # The reports row goes last of the new files: until it lands, the old row (or none) is what a
    # lookup finds, and the pending marker sends the next run back to the report (see settle_pending).
    targets = [(frame, "table_cells", tables_root / name / part / f"{report_id}.parquet")
               for name, frame in tables.items()]
    if narrative is not None:
        narrative_root = warehouse / QUARANTINE / "narrative" if quarantined else warehouse / "narrative"
        targets.append((narrative, "narrative", narrative_root / part / f"{report_id}.parquet"))
    targets.append((checks, "checks", warehouse / "checks" / part / f"{report_id}.parquet"))
    reports_file = warehouse / "reports" / part / f"{report_id}.parquet"
    targets.append((reports_frame, "reports", reports_file))
    written = {target for _, _, target in targets}
    scratch.sweep(warehouse)  # temp folders of processes that are gone; never another live run's
    # before any file is touched: where this write goes, what it writes, where old files may remain
    ledger.mark_pending(warehouse, report_id, part, scratch.own_dir(warehouse), sorted(partitions - {part}),
                        files=sorted(t.relative_to(warehouse).as_posix() for t in written),
                        processed_at_us=_microseconds(report_row["processed_at"]))
    ledger.remove_entry(warehouse, report_id)  # no entry outlives a file it vouches for
    # New files first, each renamed over its old version in place (a reader sees the old file or the
    # new one, never none); only then the report's other old files (another partition, the other
    # tables root, a table no longer read) are removed.
    for frame, dataset, target in targets:
        _write(frame, dataset, target, warehouse)
    _remove_files(warehouse, report_id, partitions, keep=written)
    # Then the skip-ledger entry (deleted above before any file was touched): a run killed before it
    # leaves a stored report without an entry, found by the Parquet lookup.
    _write_ledger_entry(warehouse, report_row, ledger.summarize_failed_checks(checks), reports_file,
                        reports_file.stat())
    ledger.clear_pending(warehouse, report_id)


def settle_pending(warehouse: Path, report_id: str, row: dict) -> bool:
    """Whether the stored reports row `row` of a report with a pending marker (a write killed, or still
    running) is the one that write wrote: then every new file landed, and the write is finished here
    (its old files removed, the marker cleared; the caller records the ledger entry). False: the row
    is older than the write (its files may mix two writes): the report must be processed again.
    """
    marker = ledger.pending_marker(warehouse, report_id)
    stamp = row.get("processed_at")
    if not marker or stamp is None or marker.get("processed_at_us") != _microseconds(stamp):
        return False
    files = marker.get("files")
    keep = {Path(warehouse) / f for f in files} if isinstance(files, list) else set()
    if not keep:
        return False
    _remove_files(Path(warehouse), report_id, ledger.pending_partitions(warehouse, report_id), keep=keep)
    ledger.clear_pending(warehouse, report_id)
    return True


def _microseconds(stamp) -> int:
    """A timestamp (datetime or pandas Timestamp, tz-aware) as whole microseconds since the epoch."""
    stamp = pd.Timestamp(stamp)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return int(stamp.value // 1000)


def stored_partitions(warehouse: Path, report_id: str) -> set[str]:
    """Where report_id's files are: its ledger entry's partition, else where its reports row is (one walk of
    reports/); empty for a report not stored."""
    if partition := ledger.entry_partition(warehouse, report_id):
        return {partition}
    return {partition_of(path) for path in _files(warehouse, "reports", report_id)}


def empty_frame(dataset: str) -> pd.DataFrame:
    """A zero-row frame of a dataset's file columns with the declared in-memory dtypes."""
    return arrow_schema(dataset).empty_table().to_pandas(types_mapper=_types_mapper)


def remove_report(warehouse: Path, report_id: str) -> list[Path]:
    """Delete every file of this report anywhere in the warehouse, its ledger entry and marker, and temp files.

    Walks the whole warehouse: for a clean-up by hand. Writes replace a report's files through the
    targeted search of write_report instead.
    """
    removed = []
    if not Path(warehouse).exists():
        return removed
    if entry := ledger.remove_entry(warehouse, report_id):
        removed.append(entry)
    for path in Path(warehouse).rglob(f"{report_id}.parquet"):
        path.unlink(missing_ok=True)
        removed.append(path)
    removed += _remove_temp_files(warehouse, report_id)
    ledger.clear_pending(warehouse, report_id)
    return removed


def _remove_files(warehouse: Path, report_id: str, partitions: Iterable[str], keep: set[Path]) -> None:
    """Delete the report's files in these partitions of every dataset folder, except those just written (keep)."""
    for folder in dataset_dirs(warehouse):
        for partition in partitions:
            path = folder / partition / f"{report_id}.parquet"
            if path not in keep:
                path.unlink(missing_ok=True)


def _remove_temp_files(warehouse: Path, report_id: str) -> list[Path]:
    """Flat temp files of this report left in .tmp/ by versions before the per-process temp folders."""
    removed = []
    for path in (Path(warehouse) / TMP_DIR).glob(f"{report_id}.*"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def record_in_ledger(warehouse: Path, report_id: str, stored: dict[str, Path] | None = None) -> bool:
    """Write the skip-ledger entry of a report stored without one, from its files as they are now.

    For a warehouse written before the ledger existed, or a run killed between the reports row and
    its entry. The reports file is stat'ed before its row and the checks are read, so an entry never
    pairs that file's size and mtime with older contents. Returns whether there was a report to record.
    """
    warehouse = Path(warehouse)
    path = _reports_file(warehouse, report_id, stored)
    if path is None:
        return False
    stat = path.stat()
    row = _row_dict(_read_file(path, "reports"))
    failed_checks = ledger.summarize_failed_checks(read_checks(warehouse, report_id, {report_id: path}))
    _write_ledger_entry(warehouse, row, failed_checks, path, stat)
    return True


def _write_ledger_entry(warehouse: Path, row: dict, failed_checks: list[str], reports_file: Path,
                        stat: os.stat_result) -> None:
    row = {**row, "department": row.get("department") or UNKNOWN_DEPARTMENT,
           "year": int(row.get("year") or UNKNOWN_YEAR)}  # as in the partition, as a Parquet read gives them
    entry = ledger.make_entry(row, failed_checks, reports_file.relative_to(warehouse).as_posix(), stat)
    ledger.write_entry(warehouse, entry, scratch.own_dir(warehouse))


def _write(frame: pd.DataFrame, dataset: str, target: Path, warehouse: Path) -> Path:
    """Write frame as target atomically (a temp file in this process's own temp folder, then os.replace); target."""
    schema = arrow_schema(dataset)
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    # No pandas metadata: readers take the types from the Arrow schema alone (pandas chokes on the
    # ArrowDtype names it would record for list<string> columns).
    table = table.replace_schema_metadata(None)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = scratch.temp_path(warehouse, f"{target.stem}.{dataset}")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)  # only this write's own temp file (gone once renamed)
    return target


def _reports_frame(row: dict) -> pd.DataFrame:
    row = dict(row)
    row.setdefault("processed_at", datetime.now(timezone.utc))
    row["tables_found"] = list(row.get("tables_found") or [])
    cols = decl.dataset("reports").file_columns
    schema = arrow_schema("reports")
    table = pa.Table.from_pylist([{c.name: row.get(c.name) for c in cols}], schema=schema)
    return table.to_pandas(types_mapper=_types_mapper)


def _types_mapper(t: pa.DataType):
    if pa.types.is_integer(t):
        return pd.Int64Dtype()
    if pa.types.is_boolean(t):
        return None
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return None
    return pd.ArrowDtype(t)


def _read_file(path: Path, dataset: str) -> pd.DataFrame:
    """A stored file with its partition columns put back from the path (department str, year int)."""
    frame = pq.read_table(path).to_pandas(types_mapper=_types_mapper)
    parts = partition_values(path)
    frame["department"] = parts.get("department")
    frame["year"] = pd.array([int(parts.get("year", UNKNOWN_YEAR))] * len(frame), dtype="Int64")
    return frame


def _reports_file(warehouse: Path, report_id: str, stored: dict[str, Path] | None) -> Path | None:
    if stored is not None:
        return stored.get(report_id)
    files = _files(warehouse, "reports", report_id)
    return files[0] if files else None


def find_report(warehouse: Path, report_id: str, stored: dict[str, Path] | None = None) -> dict | None:
    """The stored reports row of report_id (with department and year), or None.

    stored: a stored_reports() snapshot, so that looking up many reports walks the warehouse once.
    """
    path = _reports_file(warehouse, report_id, stored)
    return _row_dict(_read_file(path, "reports")) if path else None


def find_by_sha(warehouse: Path, sha256: str, pipeline_version: str,
                stored: dict[str, Path] | None = None) -> dict | None:
    """The stored reports row for these PDF bytes written by this pipeline version, or None."""
    row = find_report(warehouse, sha256[:16], stored)
    # .get: a file in reports/ that is no reports row (written there by hand or by an old bug) is not a match
    if row and row.get("source_sha256") == sha256 and row.get("pipeline_version") == pipeline_version:
        return row
    return None


def read_checks(warehouse: Path, report_id: str, stored: dict[str, Path] | None = None) -> pd.DataFrame:
    """The stored checks rows of report_id (empty frame when none); stored: as for find_report."""
    reports_file = _reports_file(warehouse, report_id, stored)
    if reports_file is not None:  # checks sit in the same partition as the reports row
        partition = reports_file.parent.relative_to(Path(warehouse) / "reports")
        files = [p for p in [Path(warehouse) / "checks" / partition / f"{report_id}.parquet"] if p.exists()]
    else:
        files = _files(warehouse, "checks", report_id)
    if not files:
        return pd.DataFrame(columns=[c.name for c in decl.dataset("checks").file_columns])
    return _read_file(files[0], "checks").drop(columns=["department", "year"])


def _row_dict(frame: pd.DataFrame) -> dict:
    rec = frame.iloc[0].to_dict()
    out = {}
    for k, v in rec.items():
        if k == "tables_found":
            out[k] = list(v) if v is not None else []
        elif v is pd.NA or (not isinstance(v, (list, str)) and pd.isna(v)):
            out[k] = None
        elif k in ("year", "pages"):
            out[k] = int(v)
        else:
            out[k] = v
    return out
