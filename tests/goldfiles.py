"""Reads the hand-read gold files in ../shared/gold (format: ../shared/gold/README.md)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO.parent / "shared" / "gold"

GoldRow = tuple[str, str, str, str, str]  # table, side, key, measure, value


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


def gold_files() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.tsv")) if GOLD_DIR.is_dir() else []
