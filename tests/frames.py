"""Builds contract-shaped table frames by hand (tests, fixtures): a few tuples to a long frame."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from contracts import declarations as decl
from contracts.money import AMOUNT_DTYPE

_FUNCTIONAL_LEVELS = {3: "class", 5: "section", 7: "item"}
_ECONOMIC_LEVELS = {3: "econ_class", 5: "econ_item"}


def long_frame(report_id: str, table: str, rows, unit_factor_yuan: int = 10000, page: int = 1,
               report_type: str | None = None, scope: str | None = None) -> pd.DataFrame:
    """A table_cells frame from (side, key, measure, value) tuples.

    key: a subject code (all digits) or an item_key; value: printed figure as a string in the
    printed unit (e.g. "2171.27" 万元) or None for a blank cell. Cells of the same (side, key)
    share a row_no, numbered in order of first appearance.
    """
    row_nos: dict[tuple, int] = {}
    records = []
    economic = table == "basic_expenditure"
    for side, key, measure, value in rows:
        row_no = row_nos.setdefault((side, key), len(row_nos) + 1)
        is_code = key is not None and key.isdigit()
        levels = _ECONOMIC_LEVELS if economic else _FUNCTIONAL_LEVELS
        records.append(
            {
                "report_id": report_id,
                "report_type": report_type,
                "scope": scope,
                "table": table,
                "page": page,
                "row_no": row_no,
                "side": side,
                "subject_code": key if is_code else None,
                "subject_level": levels.get(len(key)) if is_code else None,
                "item": key,
                "item_key": None if is_code else key,
                "line_no": None,
                "measure": measure,
                "measure_label": measure,
                "amount_yuan": None if value is None else (Decimal(value) * unit_factor_yuan).quantize(Decimal("0.01")),
                "read_by": "text_layer",
                "ocr_confidence": None,
            }
        )
    columns = [c.name for c in decl.dataset("table_cells").file_columns]
    df = pd.DataFrame(records, columns=columns)
    for col in ("page", "row_no", "line_no", "ocr_confidence"):
        df[col] = pd.array(list(df[col]), dtype="Int64")
    for col in ("side", "subject_code", "subject_level", "item", "item_key", "measure_label", "report_id", "report_type", "scope",
                "table", "measure", "read_by"):
        df[col] = df[col].astype(object)
    df["amount_yuan"] = pd.array(list(df["amount_yuan"]), dtype=AMOUNT_DTYPE)
    return df
