"""The warehouse writer is total: whatever table frames the pipeline can build, storing them never raises.

Frames are built as the pipeline builds them (transform.report_frames.to_frame over long records, checks from
run_checks); values range over what a PDF can put there: any text (CJK, control characters, empty),
blanks, codes, figures up to the declared decimal precision, measures declared or not, rows of no
table at all. The write must succeed and read back exactly; a report whose checks failed is stored
in quarantine with its tables, nothing dropped.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import declarations as decl
from contracts.checks import decide_status, run_checks
from contracts.warehouse import write_report
from transform.report_frames import to_frame

SHA = "cd" * 32
RID = SHA[:16]

TABLES = sorted(decl.tables())
MEASURES = sorted({m for t in decl.tables().values() for m in t.all_measures})
texts = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["合计", "行政运行", "其中：", "  ", "\x00\u202e"]))
amounts = st.one_of(st.none(), st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2,
                                          allow_nan=False, allow_infinity=False))
codes = st.one_of(st.none(), st.from_regex(r"\A[0-9]{3}([0-9]{2}){0,2}\Z"))
LEVELS = {3: "class", 5: "section", 7: "item"}  # as transform reads a code's level off its length
ECONOMIC_LEVELS = {3: "econ_class", 5: "econ_item"}


@st.composite
def records(draw):
    code = draw(codes)
    economic = draw(st.booleans())
    level = (ECONOMIC_LEVELS if economic else LEVELS).get(len(code)) if code else None
    return {
        "table": draw(st.sampled_from(TABLES)),
        "page": draw(st.integers(min_value=1, max_value=5000)),
        "row_no": draw(st.integers(min_value=1, max_value=5000)),
        "side": draw(st.sampled_from([None, "income", "expenditure"])),
        "subject_code": code if level else None,
        "subject_level": level,
        "item": draw(texts),
        "item_key": draw(st.one_of(st.none(), st.sampled_from(["total", "income_total", "grand_total"]))),
        "line_no": draw(st.one_of(st.none(), st.integers(min_value=1, max_value=999))),
        "measure": draw(st.one_of(st.sampled_from(MEASURES), st.text(min_size=1, max_size=8))),
        "measure_label": draw(texts),
        "amount_yuan": draw(amounts),
        "read_by": draw(st.sampled_from(["text_layer", "ocr"])),
        "ocr_confidence": draw(st.one_of(st.none(), st.integers(min_value=0, max_value=1000))),
    }


reports_of_tables = st.dictionaries(st.sampled_from(TABLES), st.lists(records(), max_size=6), max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(by_table=reports_of_tables, report_type=st.sampled_from([None, "final_accounts", "budget"]),
       scope=st.sampled_from([None, "department", "unit"]))
def test_any_frames_the_pipeline_builds_are_stored_and_read_back(by_table, report_type, scope):
    tables = {name: to_frame(RID, [{**r, "table": name} for r in rows], report_type, scope)
              for name, rows in by_table.items()}
    checks = run_checks(RID, tables, report_type=report_type, scope=scope)
    status, error = decide_status(checks)
    row = dict(report_id=RID, source_file="x.pdf", source_sha256=SHA, report_type=report_type, scope=scope,
               department="某部门", year=2024, unit_printed="万元", pages=3, tables_found=sorted(tables),
               status=status, error=error, pipeline_version="0.1.0")
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Path(folder)

        write_report(warehouse, row, tables, checks, quarantined=(status == "quarantined"))

        root = warehouse / ("quarantine/tables" if status == "quarantined" else "tables")
        for name, frame in tables.items():
            stored = pd.read_parquet(root / name)
            assert len(stored) == len(frame)
            assert sorted(map(str, stored["amount_yuan"].dropna())) == sorted(map(str, frame["amount_yuan"].dropna()))
            assert list(stored["item"].fillna("<blank>")) == list(frame["item"].fillna("<blank>"))
        assert pd.read_parquet(warehouse / "reports")["status"].tolist() == [status]
