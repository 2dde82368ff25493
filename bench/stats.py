"""Benchmark arithmetic and presentation: medians, throughput, ratios, and the Markdown results table."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

TABLE_COLUMNS = (
    ("case", "case"),
    ("code", "code"),
    ("runs", "runs"),
    ("median_s", "median s"),
    ("range_s", "min–max s"),
    ("pages_per_s", "pages/s"),
    ("reports_per_min", "reports/min"),
    ("s_per_report", "s/report"),
    ("cpu_s_per_report", "CPU s/report"),
    ("rss_main_mb", "peak RSS main MB"),
    ("rss_worker_mb", "peak RSS worker MB"),
)


def median(values: list[float]) -> float | None:
    """The median, or None when there is nothing to take it of."""
    return statistics.median(values) if values else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


@dataclass
class CaseSummary:
    """The medians of several runs of one benchmark case."""

    case: str
    walls_s: list[float]
    pages: int
    reports: int
    rss_main_mb: float | None = None  # highest peak over the runs
    rss_worker_mb: float | None = None
    returncodes: list[int] = field(default_factory=list)
    note: str = ""
    code: str = ""  # the checkout measured (its commit), when a run compares checkouts
    cpu_s: list[float] = field(default_factory=list)  # CPU seconds of each run's processes

    @property
    def median_s(self) -> float | None:
        return median(self.walls_s)

    @property
    def pages_per_s(self) -> float | None:
        return ratio(self.pages, self.median_s) if self.pages else None  # a case that reads no PDF

    @property
    def reports_per_min(self) -> float | None:
        per_s = ratio(self.reports, self.median_s) if self.reports else None
        return None if per_s is None else per_s * 60

    @property
    def s_per_report(self) -> float | None:
        return ratio(self.median_s, self.reports)

    @property
    def cpu_s_per_report(self) -> float | None:
        return ratio(median(self.cpu_s), self.reports)

    def as_dict(self) -> dict:
        return {
            "case": self.case, "runs": len(self.walls_s), "walls_s": [round(w, 3) for w in self.walls_s],
            "median_s": _round(self.median_s, 3), "pages": self.pages, "reports": self.reports,
            "pages_per_s": _round(self.pages_per_s, 2), "reports_per_min": _round(self.reports_per_min, 2),
            "s_per_report": _round(self.s_per_report, 3), "cpu_s": [round(c, 2) for c in self.cpu_s],
            "cpu_s_per_report": _round(self.cpu_s_per_report, 3), "code": self.code, "peak_rss_main_mb": self.rss_main_mb,
            "peak_rss_worker_mb": self.rss_worker_mb, "returncodes": self.returncodes, "note": self.note,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def fmt(value: float | None, digits: int = 2) -> str:
    """A number for the table: fixed decimals, thousands separated; '–' when missing."""
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def fmt_ratio(value: float | None) -> str:
    """A ratio as '×12.3' (≥ 1) or '4.6%' (< 1); '–' when missing."""
    if value is None:
        return "–"
    return f"×{value:.1f}" if value >= 1 else f"{value * 100:.1f}%"


def table_cells(summary: CaseSummary) -> dict[str, str]:
    walls = summary.walls_s
    return {
        "case": summary.case,
        "code": summary.code or "–",
        "runs": str(len(walls)),
        "median_s": fmt(summary.median_s, 2),
        "range_s": f"{fmt(min(walls), 2)}–{fmt(max(walls), 2)}" if walls else "–",
        "pages_per_s": fmt(summary.pages_per_s, 1),
        "reports_per_min": fmt(summary.reports_per_min, 1),
        "s_per_report": fmt(summary.s_per_report, 3),
        "cpu_s_per_report": fmt(summary.cpu_s_per_report, 3),
        "rss_main_mb": fmt(summary.rss_main_mb, 0),
        "rss_worker_mb": fmt(summary.rss_worker_mb, 0),
    }


def markdown_table(summaries: list[CaseSummary]) -> str:
    """A GitHub Markdown table, one row per case, numbers right-aligned."""
    header = "| " + " | ".join(title for _, title in TABLE_COLUMNS) + " |"
    rule = "|" + "|".join("---" if key == "case" else "---:" for key, _ in TABLE_COLUMNS) + "|"
    rows = ["| " + " | ".join(table_cells(s)[key] for key, _ in TABLE_COLUMNS) + " |" for s in summaries]
    return "\n".join([header, rule, *rows])
