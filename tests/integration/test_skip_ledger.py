"""A run with nothing to do answers from the skip ledger: same outcomes as the Parquet lookup, no heavy imports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from flows.pipeline import (
    PIPELINE_VERSION, ledger_outcome, plan_run, process_paths, unchanged_outcome, warehouse_outcome,
)
from extract.fingerprint import sha256_of_file
from tests.builders import bad_inputs

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = "corpus/final_accounts"
BAD = ["encrypted.pdf", "not_a_pdf.pdf"]
# importlib.metadata is not listed: the pipeline version is read through it (a public API, ~20 ms)
HEAVY_MODULES = ["camelot", "pandas", "pandera", "prefect", "pyarrow", "pypdfium2"]


@pytest.fixture(scope="module")
def stored(shared_dir: Path, tmp_path_factory):
    """A warehouse holding the corpus and two failed reports, and the outcome of each first run by file name."""
    bad = tmp_path_factory.mktemp("bad")
    for name in BAD:
        (bad / name).write_bytes(bad_inputs()[name][0])
    warehouse = tmp_path_factory.mktemp("wh")
    outcomes = process_paths([shared_dir / CORPUS, bad], warehouse)
    paths = {path.name: path for path in [*(shared_dir / CORPUS).glob("*.pdf"), *bad.glob("*.pdf")]}
    return warehouse, {o.source_file: (paths[o.source_file], o) for o in outcomes}


@pytest.mark.parametrize(
    "name, status",
    [
        # quarantined for a real disagreement of its prose (财政拨款收入支出总计0.3万元 vs 2,961.68), and the
        # template for its placeholders (上海市XX局): see tests/integration/test_narrative_corpus.py
        pytest.param("上海市普陀区财政局2024年度部门决算.pdf", "quarantined", id="putuo-finance"),
        pytest.param("上海市普陀区财政局2024年度部门决算-篡改样例.pdf", "quarantined", id="tampered"),
        pytest.param("中共上海市普陀区委社会工作部2024年度部门决算.pdf", "valid", id="social-work"),
        pytest.param("部门决算模板-上海2024.pdf", "quarantined", id="template"),
        pytest.param("encrypted.pdf", "failed", id="failed-encrypted"),
        pytest.param("not_a_pdf.pdf", "failed", id="failed-not-a-pdf"),
    ],
)
def test_the_ledger_gives_the_outcome_the_parquet_files_give(stored, name: str, status: str) -> None:
    warehouse, first_runs = stored
    path, first = first_runs[name]
    sha256 = sha256_of_file(path)

    from_ledger = ledger_outcome(path, warehouse, PIPELINE_VERSION, sha256)
    from_parquet = warehouse_outcome(path, warehouse, PIPELINE_VERSION, sha256)

    assert first.status == status
    assert from_ledger is not None
    assert from_ledger == from_parquet == replace(first, skipped=True)
    assert unchanged_outcome(path, warehouse) == from_ledger


def test_a_run_with_nothing_to_do_imports_nothing_heavy(stored, shared_dir: Path) -> None:
    warehouse, _ = stored
    script = (
        "import sys\n"
        "from flows.cli import main\n"
        f"code = main(['run', {str(shared_dir / CORPUS)!r}, '--warehouse', {str(warehouse)!r}])\n"
        f"heavy = {HEAVY_MODULES!r}\n"
        "print('exit', code)\n"
        "print('loaded', sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_URL")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO_ROOT, env=env,
                          check=False, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "4 PDF(s): 1 valid, 3 quarantined, 4 unchanged (skipped)",
        "exit 2",
        "loaded []",
    ], done.stderr


def test_plan_run_settles_stored_reports_and_lists_the_rest_in_order(stored, tmp_path: Path) -> None:
    warehouse, first_runs = stored
    encrypted, _ = first_runs["encrypted.pdf"]
    not_a_pdf, _ = first_runs["not_a_pdf.pdf"]
    new_a = tmp_path / "a.pdf"
    new_a.write_bytes(bad_inputs()["empty.pdf"][0])
    new_b = tmp_path / "b.pdf"
    new_b.write_bytes(b"%PDF-1.4 other bytes, never stored")
    no_ledger = tmp_path / "no_ledger"  # the same warehouse without its ledger: the Parquet fallback answers
    shutil.copytree(warehouse, no_ledger, ignore=shutil.ignore_patterns(".ledger"))

    for store in (warehouse, no_ledger):
        plan = plan_run([new_a, encrypted, new_b, not_a_pdf], store, discover_paths=False)
        assert [item.path for item in plan.work] == [new_a, new_b]
        assert list(plan.settled) == [encrypted, not_a_pdf]
        assert plan.settled[encrypted] == replace(first_runs["encrypted.pdf"][1], skipped=True)

    plan = plan_run([encrypted, new_a, new_b], warehouse, stop_at_first_work=True, discover_paths=False)
    assert (list(plan.settled), [item.path for item in plan.work]) == ([encrypted], [new_a])
