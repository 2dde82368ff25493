"""RawReport → contract frames: the long table frames, report metadata, code restorations, unreadable cells, narrative."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from contracts.declarations import dataset
from contracts.money import amounts
from extract.model import RawReport
from transform.codes import restore_cut_codes
from transform.meta import report_meta, unit_of
from transform.narrative import narrative_payload, narrative_records, read_narrative
from transform.sentences import read_prose
from transform.rows import CellProblem, table_records
from transform.units import unit_factor

DEFAULT_UNIT = "万元"


@dataclass
class ReportFrames:
    # department, year, report_type, scope, unit_printed, tables_found, unit_factor_yuan, pages, and
    # table_unit_factors: canonical table -> 元 per unit printed over that table (tables may differ);
    # findings: (check, passed, detail) of the metadata checks (department_name, report_year);
    # read_by (text_layer, ocr, text_layer+ocr) and ocr_pages: how many pages OCR recognised
    meta: dict
    tables: dict[str, pd.DataFrame]
    restorations: list[dict] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    declared_empty: frozenset[str] = frozenset()
    listed: frozenset[str] = frozenset()  # tables the report's table of contents lists
    narrative: pd.DataFrame | None = None  # the `narrative` dataset rows: figures the prose states
    narrative_claims: dict = field(default_factory=dict)  # figures and claims for the narrative checks


def to_frame(report_id: str, records: list[dict], report_type: str | None = None, scope: str | None = None,
             dataset_name: str = "table_cells") -> pd.DataFrame:
    """Long records → a frame with the columns and types declared for a dataset (default table_cells;
    amounts exact decimal128).

    report_id, report_type and scope are the report's own and stand on every row.
    """
    per_report = {"report_id": report_id, "report_type": report_type, "scope": scope}
    columns: dict[str, pd.Series] = {}
    for column in dataset(dataset_name).file_columns:
        if column.name in per_report:
            values = [per_report[column.name]] * len(records)
        else:
            values = [record.get(column.name) for record in records]
        if column.type == "int":
            columns[column.name] = pd.Series(values, dtype="Int64")
        elif column.type == "decimal":
            columns[column.name] = amounts(values)
        else:  # strings as Python objects (not inferred to str), a blank as None
            columns[column.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(columns)


def _class_completions(records_by_table: dict[str, list[dict]]) -> list[dict]:
    """One restoration note per row whose split code printed its 类 short (transform.rows), like restore_cut_codes'."""
    notes: dict[tuple, dict] = {}
    for table, records in records_by_table.items():
        for record in records:
            if "_code_printed" not in record:
                continue
            printed, completed = record.pop("_code_printed")
            notes.setdefault((table, record["row_no"]), {
                "table": table, "page": record["page"], "row_no": record["row_no"], "item": record["item"],
                "code_printed": printed, "code_restored": record["subject_code"] if completed else None,
            })
    return list(notes.values())


def _read_by(pdf) -> str:
    """reports.read_by: text_layer, ocr (every page without a text layer was recognised) or text_layer+ocr."""
    if not pdf.ocr_pages:
        return "text_layer"
    text_pages = [no for no, text in enumerate(pdf.page_texts, start=1) if no not in pdf.ocr_pages and text.strip()]
    return "text_layer+ocr" if text_pages else "ocr"


def transform_report(raw: RawReport) -> ReportFrames:
    pdf = raw.pdf
    table_pages = sorted({p for t in raw.tables.values() for p in t.pages})
    meta = report_meta(pdf.page_texts, table_pages)
    records_by_table: dict[str, list[dict]] = {}
    problems: list[CellProblem] = []
    units: dict[str, str] = {}  # the unit printed over each table (the report's usual one where none is)
    for name, table in raw.tables.items():
        units[name] = unit_of(pdf.page_texts[table.pages[0] - 1]) or meta.unit_printed or DEFAULT_UNIT
        records, table_problems = table_records(table, unit_factor(units[name]))
        for record in records:
            record["read_by"] = "ocr" if record["page"] in pdf.ocr_pages else "text_layer"
        records_by_table[name] = records
        problems.extend(table_problems)
    restorations = restore_cut_codes(records_by_table) + _class_completions(records_by_table)
    # CONTRACT v2: reports.unit_printed is the unit over the first standard table (in print order)
    unit_printed = next(iter(units.values()), None) or meta.unit_printed or DEFAULT_UNIT
    tables = {name: to_frame(pdf.report_id, records, meta.report_type, meta.scope)
              for name, records in records_by_table.items()}
    sentences, headings = read_prose(pdf.page_texts, frozenset(table_pages))
    narrative = read_narrative(sentences, headings, tables, {"report_type": meta.report_type, "year": meta.year,
                                                              "department": meta.department})
    return ReportFrames(
        meta={
            "department": meta.department,
            "year": meta.year,
            "report_type": meta.report_type,
            "scope": meta.scope,
            "unit_printed": unit_printed if units else meta.unit_printed,
            "tables_found": list(raw.tables),
            "unit_factor_yuan": unit_factor(unit_printed),
            "table_unit_factors": {name: unit_factor(unit) for name, unit in units.items()},
            "pages": pdf.page_count,
            "read_by": _read_by(pdf),
            "ocr_pages": len(pdf.ocr_pages),
            "findings": list(meta.findings),  # (check, passed, detail) of the metadata checks
        },
        tables=tables,
        restorations=restorations,
        problems=problems,
        declared_empty=raw.declared_empty,
        listed=raw.listed,
        narrative=to_frame(pdf.report_id, narrative_records(narrative), meta.report_type, meta.scope, "narrative"),
        narrative_claims=narrative_payload(narrative),
    )
