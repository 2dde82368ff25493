"""The seed report (武汉市硚口区司法局 2024, figures as printed in ../shared/seed) through run_checks."""

import pandas as pd

from contracts.checks import decide_status, run_checks
from tests.frames import long_frame

RID = "seed0000seed0000"

# Printed figures (万元), typed from the seed text's 公开01-09表.
CLASSES = {"204": "2761.26", "208": "228.93", "210": "253.79", "221": "225.74"}
# code: (total, basic, project) of 公开03表/公开05表; 项 codes as restored
SUBJECTS = {
    "total": ("3469.73", "2467.86", "1001.87"),
    "204": ("2761.28", "1759.40", "1001.88"), "20406": ("2761.28", "1759.40", "1001.88"),
    "2040601": ("1712.45", "1712.45", None), "2040602": ("108.98", None, "108.98"),
    "2040604": ("201.91", None, "201.91"), "2040605": ("8.00", None, "8.00"),
    "2040606": ("139.37", None, "139.37"), "2040607": ("129.63", None, "129.63"),
    "2040612": ("194.54", None, "194.54"), "2040650": ("46.95", "46.95", None),
    "2040699": ("219.45", None, "219.45"),
    "208": ("228.93", "228.93", None), "20805": ("228.93", "228.93", None),
    "2080501": ("34.77", "34.77", None), "2080502": ("5.14", "5.14", None), "2080505": ("189.02", "189.02", None),
    "210": ("253.79", "253.79", None), "21011": ("253.79", "253.79", None),
    "2101101": ("60.85", "60.85", None), "2101102": ("2.07", "2.07", None),
    "2101103": ("184.36", "184.36", None), "2101199": ("6.51", "6.51", None),
    "221": ("225.74", "225.74", None), "22102": ("225.74", "225.74", None),
    "2210201": ("193.86", "193.86", None), "2210202": ("31.88", "31.88", None),
}
BASIC = [
    ("301", "2171.2"), ("30101", "311.73"), ("30102", "421.61"), ("30103", "840.80"), ("30106", None),
    ("30107", "8.28"), ("30108", "189.02"), ("30110", "62.92"), ("30111", "135.36"), ("30112", "6.51"),
    ("30113", "193.86"), ("30199", "1.18"),
    ("303", "88.91"), ("30302", "39.91"), ("30307", "49.00"),
    ("302", "207.68"), ("30201", "17.09"), ("30205", "1.72"), ("30206", "15.64"), ("30207", "3.41"),
    ("30211", "1.52"), ("30213", "1.06"), ("30216", "0.11"), ("30217", "0.08"), ("30226", "0.10"),
    ("30228", "8.57"), ("30229", "19.53"), ("30231", "3.27"), ("30239", "55.04"), ("30299", "80.54"),
    ("310", None), ("31002", None),
    ("personnel_total", "2260.1"), ("public_total", "207.68"),
]
THREE_PUBLIC = {"total": "3.35", "overseas": None, "vehicle": "3.27", "vehicle_purchase": None,
                "vehicle_operation": "3.27", "reception": "0.08"}
RESTORATIONS = [
    {"table": "expenditure", "page": 9, "row_no": 4, "item": "行政运行", "code_printed": "20406", "code_restored": "2040601"},
    {"table": "expenditure", "page": 9, "row_no": 5, "item": "一般行政管理事务", "code_printed": "20406", "code_restored": "2040602"},
]


def seed_tables(drop_codes=()):
    def summary(table, exp_measures):
        rows = [("income", "general_budget_appropriation", "amount", "3469.73"), ("income", "gov_fund_appropriation", "amount", None),
                ("income", "income_total", "amount", "3469.73"), ("income", "carryover_begin", "amount", None),
                ("income", "grand_total", "amount", "3469.73")]
        for code, v in CLASSES.items():
            rows += [("expenditure", code, m, v if m in ("amount", "total", "general_budget") else None) for m in exp_measures]
        for key in ("expenditure_total", "grand_total"):
            rows += [("expenditure", key, m, "3469.73" if m in ("amount", "total", "general_budget") else None) for m in exp_measures]
        rows += [("expenditure", "carryover_end", m, None) for m in exp_measures]
        return long_frame(RID, table, rows)

    subjects = {k: v for k, v in SUBJECTS.items() if k not in drop_codes}
    income_rows = [(None, k, m, t) for k, (t, _, _) in subjects.items() for m in ("total", "fiscal_appropriation")]
    income_rows += [(None, k, "other", None) for k in subjects]
    spend_rows = [(None, k, m, v) for k, vals in subjects.items() for m, v in zip(("total", "basic", "project"), vals)]
    return {
        "income_expenditure_summary": summary("income_expenditure_summary", ["amount"]),
        "income": long_frame(RID, "income", income_rows),
        "expenditure": long_frame(RID, "expenditure", spend_rows + [(None, "total", "operating", None)]),
        "appropriation_summary": summary("appropriation_summary", ["total", "general_budget", "gov_fund", "state_capital"]),
        "general_budget_expenditure": long_frame(RID, "general_budget_expenditure", spend_rows),
        "basic_expenditure": long_frame(RID, "basic_expenditure", [(None, k, "amount", v) for k, v in BASIC]),
        "three_public": long_frame(RID, "three_public", [(None, "total", f"{p}_{m}", v) for p in ("budget", "actual") for m, v in THREE_PUBLIC.items()]),
        "gov_fund": long_frame(RID, "gov_fund", [(None, "total", m, None) for m in ("carryover_begin", "income", "total", "basic", "project", "carryover_end")]),
    }


def _failed(checks):
    return checks[~checks["passed"]]


def test_seed_comes_out_with_warnings_not_quarantined():
    checks = run_checks(RID, seed_tables(), RESTORATIONS, declared_empty=frozenset({"state_capital"}))
    failed = _failed(checks)
    assert list(failed[failed["severity"] == "error"]["detail"]) == []
    assert decide_status(checks) == ("warnings", None)
    cut = failed[failed["check"] == "figure_cut_short"]
    assert sorted(cut["detail"].str.extract(r"row \d+ (\S+)")[0]) == ["301", "personnel_total"]
    # expected = the parts in full, actual = as printed, in 元
    by_key = {d.split()[4]: (e, a) for d, e, a in zip(cut["detail"], cut["expected"], cut["actual"])}
    assert by_key["301"] == (__import__("decimal").Decimal("21712700.00"), __import__("decimal").Decimal("21712000.00"))
    assert by_key["personnel_total"] == (__import__("decimal").Decimal("22601800.00"), __import__("decimal").Decimal("22601000.00"))
    assert len(failed[failed["check"] == "subject_code_restored"]) == 2
    assert list(failed[failed["check"] == "table_declared_empty"]["table"]) == ["state_capital"]


def test_seed_class_204_summary_vs_subject_tables_within_two_figure_tolerance():
    checks = run_checks(RID, seed_tables(), declared_empty=frozenset({"state_capital"}))
    row = checks[(checks["check"] == "cross_expenditure_classes") & checks["detail"].str.contains(" 204 ")]
    assert len(row) == 1 and bool(row["passed"].iloc[0])
    assert str(row["expected"].iloc[0]) == "27612800.00" and str(row["actual"].iloc[0]) == "27612600.00"


def test_seed_with_rows_dropped_is_quarantined():
    checks = run_checks(RID, seed_tables(drop_codes=("2040612", "2040699")), declared_empty=frozenset({"state_capital"}))
    status, error = decide_status(checks)
    assert status == "quarantined"
    failed_errors = _failed(checks)[lambda d: d["severity"] == "error"]
    assert {"hierarchy_section"} <= set(failed_errors["check"])
    assert "hierarchy_section" in error


def test_seed_with_altered_total_is_quarantined():
    tables = seed_tables()
    frame = tables["income_expenditure_summary"]
    mask = (frame["item_key"] == "income_total")
    frame.loc[mask, "amount_yuan"] = pd.array([frame.loc[mask, "amount_yuan"].iloc[0] * 2], dtype=frame["amount_yuan"].dtype)
    status, _ = decide_status(run_checks(RID, tables, declared_empty=frozenset({"state_capital"})))
    assert status == "quarantined"
