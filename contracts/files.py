"""Where the warehouse keeps a report's files: partition folders, the temp folder, the walk of reports/.

Standard library only, so a run can look at what is stored before pandas or pyarrow is loaded.
"""

from __future__ import annotations

from pathlib import Path

from contracts.names import decode_partition_value, partition_folder

UNKNOWN_DEPARTMENT = "_unknown"
UNKNOWN_YEAR = 0
QUARANTINE = "quarantine"
# Temp files live in <warehouse>/.tmp/ (same filesystem, so os.replace is atomic) rather than
# beside the target: polars refuses a directory holding files of different extensions, even
# hidden ones, and a hidden *.parquet temp file could be half-written. No dataset directory
# ever holds anything but complete <report_id>.parquet files. Each writing process has its own
# folder in there (contracts/scratch.py), so no run ever deletes another's temp files.
TMP_DIR = ".tmp"


def partition_dir(department: str | None, year: int | None) -> str:
    """`department=<d>/year=<y>`: the department percent-encoded as data (contracts.names), never a path.

    Raises contracts.names.PartitionValueError for a department no folder name can hold (too long).
    """
    return f"{partition_folder('department', department or UNKNOWN_DEPARTMENT)}/year={int(year or UNKNOWN_YEAR)}"


def partition_values(file: Path) -> dict[str, str]:
    """The decoded partition values (department, year as text) of a dataset file's folders."""
    values = {}
    for folder in (Path(file).parent.parent.name, Path(file).parent.name):
        key, sep, value = folder.partition("=")
        if sep:
            values[key] = decode_partition_value(value)
    return values


def report_files(warehouse: Path, dataset_dir: str, report_id: str = "*") -> list[Path]:
    """The files of report_id (default: every report) in one dataset folder, e.g. "reports" or "checks"."""
    root = Path(warehouse) / dataset_dir
    return sorted(root.glob(f"department=*/year=*/{report_id}.parquet")) if root.exists() else []


def stored_reports(warehouse: Path) -> dict[str, Path]:
    """report_id → its reports file, from one walk of reports/ (look many reports up against one snapshot)."""
    return {path.stem: path for path in report_files(warehouse, "reports")}


def partition_of(file: Path) -> str:
    """The partition (department=<d>/year=<y>) a dataset file sits in."""
    return f"{Path(file).parent.parent.name}/{Path(file).parent.name}"


def dataset_dirs(warehouse: Path) -> list[Path]:
    """Every folder a report's files can sit under: reports/, checks/, narrative/, quarantine/narrative/,
    tables/<t>/, quarantine/tables/<t>/."""
    warehouse = Path(warehouse)
    dirs = [warehouse / "reports", warehouse / "checks", warehouse / "narrative", warehouse / QUARANTINE / "narrative"]
    for tables_root in (warehouse / "tables", warehouse / QUARANTINE / "tables"):
        if tables_root.is_dir():
            dirs += sorted(p for p in tables_root.iterdir() if p.is_dir())
    return dirs
