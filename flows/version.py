"""The pipeline version written on every row: the package version plus a fingerprint of the code and layout data.

The skip rule (same PDF bytes, same pipeline version: skip) must notice a new pipeline even when
the package version was not bumped: editing a layout alias or fixing a parser changes the rows a
report gives. So the version carries a PEP 440 local label, `0.1.0+code.<12 hex digits>`, hashed over
every module and data file of the packages that make rows (their paths and bytes).
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DISTRIBUTION = "budgetlake"
PACKAGES = ("extract", "transform", "contracts", "flows")
SOURCE_SUFFIXES = (".py", ".toml")


def code_fingerprint(root: Path, packages: tuple[str, ...] = PACKAGES) -> str:
    """12 hex digits of SHA-256 over the relative path and bytes of every .py and .toml file of the packages."""
    digest = hashlib.sha256()
    for package in packages:
        files = sorted(p for p in (root / package).rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file()
                       and "__pycache__" not in p.parts)
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # a checkout that was never installed
        return "0+unknown"


def pipeline_version() -> str:
    """`<package version>+code.<fingerprint>` of the code this process runs."""
    base = package_version().split("+", 1)[0]
    return f"{base}+code.{code_fingerprint(Path(__file__).resolve().parents[1])}"
