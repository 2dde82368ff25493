"""An input file read once, within a size limit: its bytes (hash and parse come from them) and a private snapshot.

A PDF is untrusted input, and so is the file system around it: a file may be unreadable, vanish
between listing and reading, be replaced during a run, be a symbolic link to a system file, or be
gigabytes large. read_input opens the file once without following a symbolic link, checks its size
before reading it whole, and reads at most the limit; every reason it cannot becomes
UnreadInput (a ReportError: the report's `failed` row says why). The readers that need a path
(camelot, pdfium's second look) get `snapshot(data)`: the same bytes in a private temporary file,
so nothing is read twice from the input path and a file replaced meanwhile cannot mix versions.

Standard library only.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import Iterator

from extract.errors import ReportError

MIB = 1 << 20
# Largest input file read (bytes); `budgetlake run/report --max-input-mb` sets another. The largest
# disclosure PDFs seen are a few tens of MB.
DEFAULT_MAX_INPUT_BYTES = 256 * MIB


class UnreadInput(ReportError):
    """The file could not be read at all (permission, vanished, a symbolic link, too large, not a file)."""


def unread_sha256(path: Path) -> str:
    """The identity of a file whose bytes could not be read: SHA-256 of `unread:` + its absolute path, so that
    each such file gets its own failed row (replaced by the next run) and never collides with real bytes."""
    return hashlib.sha256(b"unread:" + os.fsencode(os.path.abspath(path))).hexdigest()


def read_input(path: Path, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> bytes:
    """The file's bytes, read once; UnreadInput with a reason for a person when they cannot be read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        if os.path.islink(path):
            raise OSError(errno.ELOOP, "symbolic link")
        descriptor = os.open(path, flags)
    except OSError as problem:
        raise UnreadInput(_reason(problem)) from problem
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadInput("not a regular file (a folder, device or pipe named like a PDF): not read")
        if info.st_size > max_bytes:
            raise UnreadInput(_too_large(info.st_size, max_bytes))
        chunks, size = [], 0
        while size <= max_bytes:  # the file may grow after fstat: never read more than the limit + 1 byte
            chunk = os.read(descriptor, min(MIB, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise UnreadInput(_too_large(size, max_bytes))
        return b"".join(chunks)
    except OSError as problem:
        raise UnreadInput(_reason(problem)) from problem
    finally:
        os.close(descriptor)


def readable_size(path: Path, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> bool:
    """Whether read_input may read path (a regular file, not a symbolic link, within the limit), from its
    metadata alone: the run hashes only such files before processing them."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes


def _too_large(size: int, max_bytes: int) -> str:
    return (f"the file is larger than the input limit ({size:,} bytes > {max_bytes:,} bytes = "
            f"{max_bytes / MIB:.3g} MB): not read; raise the limit with --max-input-mb if it really is a report")


def _reason(problem: OSError) -> str:
    if problem.errno == errno.ELOOP:
        return ("the file is a symbolic link: not followed (budgetlake reads regular files only; "
                "name the file it points to instead)")
    if isinstance(problem, FileNotFoundError):
        return "the file vanished before it could be read (deleted or moved while the run was listing or reading)"
    if isinstance(problem, PermissionError):
        return "the file cannot be read: permission denied"
    if problem.errno == errno.ENAMETOOLONG:
        return "the file name is too long for the file system to open"
    return f"the file cannot be read: {problem.strerror or type(problem).__name__}"


@contextlib.contextmanager
def snapshot(data: bytes, name: str) -> Iterator[Path]:
    """data written to a private temporary file named `name` (its base name only), removed afterwards."""
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="budgetlake-")
    try:
        target = Path(folder) / _safe_file_name(name)
        with open(target, "wb") as handle:
            handle.write(data)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _safe_file_name(name: str) -> str:
    base = os.path.basename(name) or "input.pdf"
    return base if len(os.fsencode(base)) <= 200 else "input.pdf"
