"""The pipeline version: package version plus a fingerprint that changes with any module or layout file."""

from __future__ import annotations

import re
import shutil
from importlib.metadata import version
from pathlib import Path

import pytest

from flows.pipeline import PIPELINE_VERSION
from flows.version import PACKAGES, code_fingerprint

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_version_is_the_package_version_with_the_code_fingerprint() -> None:
    assert re.fullmatch(r"[^+]+\+code\.[0-9a-f]{12}", PIPELINE_VERSION)
    assert PIPELINE_VERSION == f"{version('budgetlake')}+code.{code_fingerprint(REPO)}"


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda root: (root / "transform/layout/items.toml").open("a", encoding="utf-8").write("\n# x\n"),
                     id="a-layout-alias-file"),
        pytest.param(lambda root: (root / "transform/numbers.py").open("a", encoding="utf-8").write("\n"),
                     id="a-parser-module"),
        pytest.param(lambda root: (root / "contracts/new_rules.toml").write_text("[x]\n", encoding="utf-8"),
                     id="a-new-data-file"),
        pytest.param(lambda root: (root / "extract/locate.py").rename(root / "extract/locate2.py"),
                     id="a-renamed-module"),
    ],
)
def test_any_change_to_code_or_layout_changes_the_fingerprint(tree: Path, edit) -> None:
    before = code_fingerprint(tree)
    edit(tree)
    assert code_fingerprint(tree) != before


def test_bytecode_and_other_files_do_not_count(tree: Path) -> None:
    before = code_fingerprint(tree)
    (tree / "flows" / "__pycache__").mkdir(exist_ok=True)
    (tree / "flows" / "__pycache__" / "cli.cpython-311.pyc").write_bytes(b"\0")
    (tree / "contracts" / "notes.txt").write_text("x", encoding="utf-8")
    assert code_fingerprint(tree) == before
