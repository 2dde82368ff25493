"""Cut subject codes restored from the same report: a 项 row printed with its 款's code gets its full code by name."""

from __future__ import annotations

from collections import defaultdict

from transform.layout import is_economic
from transform.rows import FUNCTIONAL_LEVELS

FULL_CODE_DIGITS = 7


def _full_codes_by_name(records_by_table: dict[str, list[dict]]) -> dict[str, set[str]]:
    """Every (cleaned) subject name printed with a full 项 code anywhere in the report."""
    names: dict[str, set[str]] = defaultdict(set)
    for table, records in records_by_table.items():
        if is_economic(table):
            continue
        for record in records:
            code, item = record["subject_code"], record["item"]
            if code and item and len(code) == FULL_CODE_DIGITS:
                names[item].add(code)
    return names


def _lookup(names: dict[str, set[str]], item: str, prefix: str) -> str | None:
    candidates = {c for c in names.get(item, ()) if c.startswith(prefix)}
    if not candidates:  # the same subject printed with a longer or shorter name in another table
        candidates = {
            c for name, codes in names.items() if name.startswith(item) or item.startswith(name)
            for c in codes if c.startswith(prefix)
        }
    return candidates.pop() if len(candidates) == 1 else None


def restore_cut_codes(records_by_table: dict[str, list[dict]]) -> list[dict]:
    """Restore, in place, codes a table prints cut short; return one note per row restored or left cut.

    A row is cut when its code already stood in the same table over a row of another
    name (支出决算表 printing 20406 on 司法 and again on every 项 row under it).
    """
    names = _full_codes_by_name(records_by_table)
    notes: list[dict] = []
    for table, records in records_by_table.items():
        if is_economic(table):
            continue
        first_name: dict[str, str] = {}
        restored_rows: dict[int, str | None] = {}
        for record in records:
            code, item, row_no = record["subject_code"], record["item"], record["row_no"]
            if not code or not item or len(code) >= FULL_CODE_DIGITS:
                continue
            if first_name.setdefault(code, item) == item:
                continue
            if row_no not in restored_rows:
                restored_rows[row_no] = _lookup(names, item, code)
                notes.append(
                    {
                        "table": table,
                        "page": record["page"],
                        "row_no": row_no,
                        "item": item,
                        "code_printed": code,
                        "code_restored": restored_rows[row_no],
                    }
                )
            full = restored_rows[row_no]
            if full:
                record["subject_code"] = full
                record["subject_level"] = FUNCTIONAL_LEVELS[len(full)]
    return notes
