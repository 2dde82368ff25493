"""Shared test fixtures: paths to shared material, the PDF builders of tests/builders.py, the Prefect test server."""

from __future__ import annotations

import os
from pathlib import Path

# Must be set before prefect is imported anywhere in the session.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

import pytest

from tests.builders import (  # noqa: F401 - re-exported for fixtures below
    SEED_PDF, UNRELATED_LINES, bad_inputs, read_dataset, scanned_pdf_bytes, text_pdf_bytes,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT / ".." / "shared"


@pytest.fixture(scope="session")
def pdf_builders():
    """The builder functions above, for tests in any folder."""

    class Builders:
        text_pdf = staticmethod(text_pdf_bytes)
        scanned_pdf = staticmethod(scanned_pdf_bytes)
        bad = staticmethod(bad_inputs)
        unrelated_lines = UNRELATED_LINES

    return Builders


# ---------- shared material ----------


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"shared material not found at {SHARED_DIR} (expected ../shared beside the checkout)")
    return SHARED_DIR.resolve()


@pytest.fixture(scope="session")
def corpus_pdfs(shared_dir):
    """corpus_pdfs("v2"): the PDFs of ../shared/corpus/v2 at any depth, sorted; skips the test when there are none."""

    def pdfs(folder: str) -> list[Path]:
        found = sorted((shared_dir / "corpus" / folder).rglob("*.pdf"))
        if not found:
            pytest.skip(f"no PDFs in {shared_dir / 'corpus' / folder}")
        return found

    return pdfs


@pytest.fixture(scope="session")
def seed_pdf() -> Path:
    if not SEED_PDF.is_file():
        pytest.skip(f"seed sample PDF not present yet: {SEED_PDF}")
    return SEED_PDF


@pytest.fixture
def tmp_warehouse(tmp_path: Path) -> Path:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    return warehouse


# ---------- Prefect ----------


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server (SQLite) for the whole session; only flow tests (mark `flow`) request it."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
