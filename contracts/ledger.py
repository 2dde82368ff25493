"""The warehouse's skip ledger: per stored report, what a re-run of the same bytes would report, readable without pandas.

`<warehouse>/.ledger/<report_id>.json` mirrors the report's reports row (identity, status, error,
partition), the summary of its failed checks and the size and st_mtime_ns of its
reports/…/<report_id>.parquet file as written. It is a cache derived from the Parquet files: the
reports row stays the truth. The writer deletes an entry before it touches any file of the report
and writes the new one only after the reports row landed, and an entry is trusted only while the
reports file it names still has the recorded size and mtime; anything else (no entry, an
unreadable or foreign one, a reports file rewritten or gone) sends the caller back to the Parquet
lookup. The folder is hidden, so dataset readers (pandas, pyarrow, polars, DuckDB) never see it.

Standard library only: `budgetlake run` with nothing to do answers from here without importing
pandas or pyarrow.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from pathlib import Path

LEDGER_DIR = ".ledger"
# <report_id>.pending: a write of that report in progress, and the partition it writes to. Written
# before the writer touches any file, deleted after the entry: a run killed in between leaves it,
# so the next write of the report knows where the killed one may have left files.
PENDING_SUFFIX = ".pending"
FORMAT = 1  # bump when the entry's meaning changes: entries of another format are not trusted
ROW_FIELDS = ("report_id", "source_sha256", "pipeline_version", "status", "error", "department", "year")
_TYPES = {
    "format": int, "report_id": str, "source_sha256": str, "pipeline_version": str, "status": str,
    "error": (str, type(None)), "department": str, "year": int, "failed_checks": list,
    "reports_file": str, "reports_size": int, "reports_mtime_ns": int,
}


def summarize_failed_checks(checks) -> list[str]:
    """`severity:table/check` for each failing check id (×n when it failed on several rows), in order.

    checks: a checks frame (anything with `passed`, `severity`, `table`, `check` columns), or None.
    """
    if checks is None or len(checks) == 0:
        return []
    failing = checks[~checks["passed"].astype(bool)]
    # a report-level check has no table: `report`, whether the frame holds None or (read back) NaN
    labels = [f"{row.severity}:{row.table if isinstance(row.table, str) else 'report'}/{row.check}"
              for row in failing.itertuples(index=False)]
    counts = Counter(labels)
    ordered = list(dict.fromkeys(labels))
    return [label if counts[label] == 1 else f"{label} ×{counts[label]}" for label in ordered]


def entry_path(warehouse: Path, report_id: str) -> Path:
    return Path(warehouse) / LEDGER_DIR / f"{report_id}.json"


def make_entry(row: dict, failed_checks: list[str], reports_file: str, reports_stat: os.stat_result) -> dict:
    """The entry of a stored report: row holds ROW_FIELDS as stored (department and year as in its partition),
    reports_file its reports file relative to the warehouse (posix), reports_stat that file's stat."""
    return {
        "format": FORMAT,
        **{name: row.get(name) for name in ROW_FIELDS},
        "failed_checks": list(failed_checks),
        "reports_file": reports_file,
        "reports_size": reports_stat.st_size,
        "reports_mtime_ns": reports_stat.st_mtime_ns,
    }


def write_entry(warehouse: Path, entry: dict, tmp_dir: Path) -> None:
    """Write (or replace) an entry atomically: a temp file in tmp_dir (same filesystem), then os.replace."""
    _write_json(entry_path(warehouse, entry["report_id"]), entry, tmp_dir / f"{entry['report_id']}.ledger")


def _write_json(target: Path, content, tmp_stem: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_stem.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_stem.with_name(f"{tmp_stem.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")  # unique per write
    tmp.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, target)


def remove_entry(warehouse: Path, report_id: str) -> Path | None:
    """Delete the report's entry; its path when there was one."""
    path = entry_path(warehouse, report_id)
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return path


def read_entry(warehouse: Path, report_id: str) -> dict | None:
    """The report's entry as written, or None when there is none or it is not a well-formed entry of this format."""
    try:
        entry = json.loads(entry_path(warehouse, report_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("report_id") != report_id:
        return None
    for name, kind in _TYPES.items():
        if not isinstance(entry.get(name), kind) or (kind is int and isinstance(entry.get(name), bool)):
            return None
    if not all(isinstance(label, str) for label in entry["failed_checks"]):
        return None
    return entry


def trusted_entry(warehouse: Path, sha256: str, pipeline_version: str) -> dict | None:
    """The entry of these PDF bytes written by this pipeline version, when it still describes the reports file.

    None (look in the Parquet files instead) unless the entry names this sha256 and pipeline version
    and its reports file exists with the recorded size and st_mtime_ns.
    """
    report_id = sha256[:16]
    entry = read_entry(warehouse, report_id)
    if entry is None or entry["source_sha256"] != sha256 or entry["pipeline_version"] != pipeline_version:
        return None
    relative = Path(entry["reports_file"])
    if (relative.is_absolute() or relative.parts[:1] != ("reports",) or ".." in relative.parts
            or relative.name != f"{report_id}.parquet"):
        return None
    try:
        stat = os.stat(Path(warehouse) / relative)
    except OSError:
        return None
    if stat.st_size != entry["reports_size"] or stat.st_mtime_ns != entry["reports_mtime_ns"]:
        return None
    return entry


def entry_partition(warehouse: Path, report_id: str) -> str | None:
    """The partition (department=<d>/year=<y>) of the report's entry, trusted or not; None without a readable one."""
    entry = read_entry(warehouse, report_id)
    if entry is None:
        return None
    parts = Path(entry["reports_file"]).parts
    return f"{parts[1]}/{parts[2]}" if len(parts) == 4 and parts[0] == "reports" and ".." not in parts else None


def pending_path(warehouse: Path, report_id: str) -> Path:
    return Path(warehouse) / LEDGER_DIR / f"{report_id}{PENDING_SUFFIX}"


def mark_pending(warehouse: Path, report_id: str, partition: str, tmp_dir: Path,
                 old_partitions: list[str] | tuple[str, ...] = (), *, files: list[str] | None = None,
                 processed_at_us: int | None = None) -> None:
    """Record, atomically, that report_id is being written into partition (see PENDING_SUFFIX): the
    partitions its old files may still be in (removed only after the new files are in place), the files
    it writes (relative to the warehouse) and the processed_at of the reports row it writes."""
    _write_json(pending_path(warehouse, report_id),
                {"format": FORMAT, "partition": partition, "old_partitions": sorted(set(old_partitions)),
                 "files": list(files or []), "processed_at_us": processed_at_us},
                tmp_dir / f"{report_id}.pending")


def pending_marker(warehouse: Path, report_id: str) -> dict:
    """The report's pending marker as written ({} without one)."""
    return _pending_marker(warehouse, report_id)


def _pending_marker(warehouse: Path, report_id: str) -> dict:
    try:
        marker = json.loads(pending_path(warehouse, report_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return marker if isinstance(marker, dict) else {}


def _is_partition(partition) -> bool:
    return isinstance(partition, str) and partition.count("/") == 1 and ".." not in partition.split("/")


def pending_partitions(warehouse: Path, report_id: str) -> set[str]:
    """Every partition an unfinished write of report_id may have left files in: the one it wrote to, and
    those whose old files it had not removed yet."""
    marker = _pending_marker(warehouse, report_id)
    olds = marker.get("old_partitions")
    candidates = [marker.get("partition"), *(olds if isinstance(olds, list) else [])]
    return {p for p in candidates if _is_partition(p)}


def clear_pending(warehouse: Path, report_id: str) -> None:
    pending_path(warehouse, report_id).unlink(missing_ok=True)
