"""The README's warehouse-loading examples run against a warehouse the pipeline builds, and the column docs are current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contracts.schemas import column_docs_markdown
from flows.pipeline import process_report

REPO = Path(__file__).resolve().parents[2]
SEED_PDF = REPO / "data" / "samples" / "武汉市硚口区司法局2024年度部门决算公开.pdf"


def readme_examples() -> dict[str, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- readme-example: (\w+) -->\n```python\n(.*?)```", text, flags=re.S)
    return dict(blocks)


def test_readme_has_the_loading_examples():
    assert set(readme_examples()) == {"pandas", "duckdb", "polars", "narrative"}


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("readme")
    outcome = process_report(SEED_PDF, root / "data" / "warehouse")
    assert outcome.status == "warnings"
    return root


@pytest.mark.parametrize("library", ["pandas", "duckdb", "polars", "narrative"])
def test_readme_example_runs(library, sample_warehouse, monkeypatch, capsys):
    monkeypatch.chdir(sample_warehouse)
    exec(compile(readme_examples()[library], f"README:{library}", "exec"), {})
    printed = capsys.readouterr().out
    assert "武汉市硚口区司法局" in printed
    if library == "pandas":
        assert "34697300.00" in printed  # 合计 3,469.73 万元 of 支出决算表, in 元
    if library == "polars":
        assert "warnings" in printed
    if library == "narrative":
        # 收入决算情况说明 states 本年收入合计3469.73万元, 财政拨款收入 the same: the income table's cell, in 元
        assert "income.total.fiscal_appropriation" in printed and "34697300.00" in printed


def test_column_docs_are_generated_from_the_declarations():
    assert (REPO / "docs" / "columns.md").read_text(encoding="utf-8") == column_docs_markdown()
