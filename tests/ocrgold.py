"""Scanned copies of gold reports through the pipeline, and their recognised figures held against the gold."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bench.scanned import CORPUS, GOLD_REPORTS
from tests.goldfiles import GOLD_DIR, read_gold



@dataclass
class GoldComparison:
    """How the gold figures of one report read back from the warehouse."""

    status: str
    exact: list[tuple] = field(default_factory=list)
    null_with_finding: list[tuple] = field(default_factory=list)
    unflagged: list[tuple] = field(default_factory=list)  # wrong or missing, and nothing says so
    flagged_wrong: list[tuple] = field(default_factory=list)  # a wrong figure in a quarantined report

    @property
    def total(self) -> int:
        return len(self.exact) + len(self.null_with_finding) + len(self.unflagged) + len(self.flagged_wrong)

    @property
    def exact_share(self) -> float:
        return len(self.exact) / self.total if self.total else 0.0


def _table_rows(warehouse: Path, table: str, report_id: str) -> list[dict]:
    import pandas as pd

    rows = []
    for folder in (warehouse / "tables" / table, warehouse / "quarantine" / "tables" / table):
        if folder.is_dir():
            frame = pd.read_parquet(folder)
            rows.extend(r for r in frame.to_dict("records") if r["report_id"] == report_id)
    return rows


def _decimal(value) -> Decimal | None:
    return None if value is None or str(value) in ("<NA>", "nan", "None") else Decimal(str(value))


def compare_with_gold(warehouse: Path, report_id: str, gold_stem: str, *, tables: set[str] | None = None) -> GoldComparison:
    """Each gold figure (of `tables`, default all) against the report's stored cells: exact, null with a
    finding naming its table, page and column, a wrong figure inside a quarantined report, or unflagged."""
    import pandas as pd

    meta, gold = read_gold(GOLD_DIR / f"{gold_stem}.tsv")
    factor = 10000 if meta.get("unit_printed", "万元") == "万元" else 1
    reports = pd.read_parquet(warehouse / "reports")
    status = str(reports[reports["report_id"] == report_id]["status"].iloc[0])
    checks = pd.read_parquet(warehouse / "checks")
    failed = [d for d in checks[(checks["report_id"] == report_id) & ~checks["passed"]]["detail"]]
    result = GoldComparison(status)
    cache: dict[str, list[dict]] = {}
    for table, side, key, measure, value in gold:
        if tables is not None and table not in tables:
            continue
        if table not in cache:
            cache[table] = _table_rows(warehouse, table, report_id)
        hits = [r for r in cache[table] if r["measure"] == measure and key in (r["item_key"], r["subject_code"])
                and (side == "-" or r["side"] == side)]
        expected = None if value == "null" else Decimal(value) * factor
        got = [_decimal(r["amount_yuan"]) for r in hits]
        entry = (table, side, key, measure, value, got)
        if got == [expected]:
            result.exact.append(entry)
        elif len(hits) == 1 and got == [None] and any(
                d.startswith(f"{table} p.{hits[0]['page']} ") and d.split(":")[0].endswith(f" {measure}") for d in failed):
            result.null_with_finding.append(entry)
        elif status == "quarantined" and len(hits) <= 1:
            result.flagged_wrong.append(entry)
        else:
            result.unflagged.append(entry)
    return result
