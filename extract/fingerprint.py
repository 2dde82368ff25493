"""A file's identity: the SHA-256 of its bytes, computed once per file version (standard library only)."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path


def sha256_of_file(path: Path) -> str:
    """Full SHA-256 hex digest of the file's bytes (no PDF parsing).

    A run asks for the same file's digest several times (duplicate grouping, the skip lookup,
    the report itself); it is computed once per file version (path, size, modification time).
    """
    stat = os.stat(path)
    return _sha256_of_version(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _sha256_of_version(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
