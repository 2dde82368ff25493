"""Temp files of one process under <warehouse>/.tmp/: a folder per writing process, swept once its owner is gone.

Two runs on one warehouse must never delete each other's work in progress. Each process writes its
temp files (Parquet files, ledger entries, pending markers, before their os.replace into place) into
its own folder `.tmp/<token>/`, with a unique name per file written. Ownership is an exclusive
flock(2) on `.tmp/<token>.lock`, taken before the folder is made and held while the process lives:
the kernel releases it when the process ends, however it ends. sweep() removes the folders of
owners that are gone (their lock can be taken) and nothing else; it never needs a clock, a pid
check or a guess. (flock needs a local file system or NFS with lock support; without flock, e.g.
on Windows, nothing is ever swept: leftovers stay hidden in .tmp/, which no reader looks into.)

Standard library only.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: ownership cannot be tested, nothing is swept
    fcntl = None

from contracts.files import TMP_DIR  # noqa: E402 - the warehouse's layout

LOCK_SUFFIX = ".lock"

# (pid, warehouse tmp folder) -> (own folder, the open lock file that holds the lock). Keyed by pid:
# a forked worker makes its own folder instead of sharing its parent's.
_owned: dict[tuple[int, str], tuple[Path, object]] = {}


def own_dir(warehouse: Path) -> Path:
    """This process's temp folder in the warehouse (created and locked on first use)."""
    tmp_root = Path(warehouse) / TMP_DIR
    key = (os.getpid(), str(tmp_root.absolute()))
    owned = _owned.get(key)
    if owned is not None and owned[0].is_dir():
        return owned[0]
    tmp_root.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    lock = open(tmp_root / f"{token}{LOCK_SUFFIX}", "w")  # noqa: SIM115 - held open for the process's life
    if fcntl is not None:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
    folder = tmp_root / token
    folder.mkdir()
    _owned[key] = (folder, lock)
    return folder


def temp_path(warehouse: Path, stem: str) -> Path:
    """A fresh temp file name in this process's folder (unique per call: threads of one process never share one)."""
    return own_dir(warehouse) / f"{stem}.{uuid.uuid4().hex[:12]}.tmp"


def sweep(warehouse: Path) -> list[Path]:
    """Remove the temp folders (and lock files) of processes that are gone; the removed folders.

    A folder whose lock is held (its process is alive, this one included) is left alone; a folder
    without its lock file is a leftover of a sweep interrupted between the two removals.
    """
    if fcntl is None:
        return []
    tmp_root = Path(warehouse) / TMP_DIR
    try:
        entries = list(os.scandir(tmp_root))
    except FileNotFoundError:
        return []
    mine = {folder.name for (pid, _), (folder, _) in _owned.items() if pid == os.getpid()}
    locks = {e.name[: -len(LOCK_SUFFIX)] for e in entries if e.name.endswith(LOCK_SUFFIX) and e.is_file()}
    removed = []
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False) or entry.name in mine:
            continue
        if entry.name in locks and not _owner_gone(tmp_root / f"{entry.name}{LOCK_SUFFIX}"):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        (tmp_root / f"{entry.name}{LOCK_SUFFIX}").unlink(missing_ok=True)
        removed.append(Path(entry.path))
    return removed


def _owner_gone(lock_path: Path) -> bool:
    try:
        handle = open(lock_path, "a")  # noqa: SIM115
    except OSError:
        return False
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its process is alive
    finally:
        handle.close()  # releases the lock if it was taken
    return True
