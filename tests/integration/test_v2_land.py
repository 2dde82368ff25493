"""Every PDF of the v2 corpus (other regions' templates) lands through the pipeline, found by the folder.

None of them is quarantined: each one's tables agree with each other as printed (checked by hand
against the PDFs: the Jiangsu budgets' 收支总表 = 收入表 = 支出表; the university's 财政拨款收入 row holds a
其中：政府性基金 part, and its budget spends 上年结转 beside this year's income). The narrative-only half of a
split publication fails, saying its tables are published separately.
"""

from __future__ import annotations

import pandas as pd
import pytest

from flows.pipeline import process_report

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, corpus_pdfs):
    root = tmp_path_factory.mktemp("v2")
    return root, {pdf.name: process_report(pdf, root) for pdf in corpus_pdfs("v2")}


def test_every_v2_report_lands_and_only_the_narrative_half_fails(outcomes):
    root, by_name = outcomes
    failed = {name: o.error for name, o in by_name.items() if o.status == "failed"}
    assert list(failed) == ["江苏省政协办公厅2018年度部门预算.pdf"]
    assert "published" in failed["江苏省政协办公厅2018年度部门预算.pdf"]
    not_failed = {name: o.status for name, o in by_name.items() if name not in failed}
    assert set(not_failed.values()) <= {"valid", "warnings"}, {n: by_name[n].failed_checks for n in not_failed}
    reports = pd.read_parquet(root / "reports")
    assert sorted(reports["source_file"]) == sorted(by_name)


def test_the_university_checks_that_do_not_apply_are_not_run_and_the_others_pass(outcomes):
    root, by_name = outcomes
    checks = pd.read_parquet(root / "checks")
    ids = {by_name[n].report_id: n for n in by_name if n.startswith("西南大学")}
    ours = checks[checks["report_id"].isin(ids)]
    assert len(ours) and ours.loc[ours["severity"] == "error", "passed"].all()
    ran = set(ours["check"])
    # compared where it means something: the 财政拨款收入 row against the income table's column
    assert "cross_income" in ran
    budget = [rid for rid, n in ids.items() if "预算" in n]
    assert "cross_income_expenditure_classes" not in set(ours.loc[ours["report_id"].isin(budget), "check"])
