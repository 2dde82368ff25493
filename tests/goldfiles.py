"""Reads the hand-read gold files in ../shared/gold (format: ../shared/gold/README.md)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO.parent / "shared" / "gold"

GoldRow = tuple[str, str, str, str, str]  # table, side, key, measure, value
GoldRowWithUnit = tuple[str, str, str, str, str, str | None]  # ... and the unit over its table where it differs


def read_gold(path: Path) -> tuple[dict[str, str], list[GoldRow]]:
    """(`#@` metadata, data rows) of one gold file."""
    meta: dict[str, str] = {}
    rows: list[GoldRow] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#@"):
            key, value = line[2:].split(":", 1)
            meta[key.strip()] = value.strip()
        elif line.strip() and not line.startswith("#"):
            table, side, key, measure, value = line.split("\t")
            rows.append((table, side, key, measure, value))
    return meta, rows


def read_gold_with_units(path: Path) -> tuple[dict[str, str], list[GoldRowWithUnit]]:
    """(`#@` metadata, data rows) of one gold file; each row with its optional sixth column (the unit printed
    over that row's table where it differs from the file's unit_printed), None where it is absent."""
    meta: dict[str, str] = {}
    rows: list[GoldRowWithUnit] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#@"):
            key, value = line[2:].split(":", 1)
            meta[key.strip()] = value.strip()
        elif line.strip() and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) not in (5, 6):
                raise ValueError(f"{path.name}: a gold row has 5 or 6 tab-separated fields: {line!r}")
            table, side, key, measure, value = fields[:5]
            rows.append((table, side, key, measure, value, fields[5].strip() if len(fields) == 6 else None))
    return meta, rows


def all_gold_files() -> list[Path]:
    """Every gold file under ../shared/gold, v2/ and any other folder included (followed, not listed)."""
    return sorted(GOLD_DIR.rglob("*.tsv")) if GOLD_DIR.is_dir() else []


def gold_files() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.tsv")) if GOLD_DIR.is_dir() else []
