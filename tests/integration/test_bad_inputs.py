"""Bad input mixed with good reports: each bad file gets a failed `reports` row with a clear error, nothing is lost.

These run the plain pipeline (no Prefect); tests/integration/test_flows.py runs the same folder through the flow.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from tests.builders import UNRELATED_LINES, bad_inputs, read_dataset, text_pdf_bytes

from flows.pipeline import exit_code, process_paths

NO_BUDGET_PHRASE = "standard budget tables"


def build_bad_folder(folder: Path) -> dict[str, str]:
    """Write every bad input into folder; returns file name -> phrase its error must contain."""
    folder.mkdir(parents=True, exist_ok=True)
    phrases = {}
    for name, (data, phrase) in bad_inputs().items():
        (folder / name).write_bytes(data)
        phrases[name] = phrase
    (folder / "gardening_club.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES, pages=2))
    phrases["gardening_club.pdf"] = NO_BUDGET_PHRASE
    return phrases


def read_reports(warehouse: Path) -> pd.DataFrame:
    return read_dataset(warehouse, "reports")


def test_each_bad_input_gets_a_failed_row_with_a_clear_error(tmp_path: Path, tmp_warehouse: Path) -> None:
    phrases = build_bad_folder(tmp_path / "in")

    outcomes = process_paths([tmp_path / "in"], tmp_warehouse)

    assert sorted(o.source_file for o in outcomes) == sorted(phrases)
    assert {o.status for o in outcomes} == {"failed"}
    assert exit_code(outcomes) == 2
    reports = read_reports(tmp_warehouse).set_index("source_file")
    assert sorted(reports.index) == sorted(phrases)
    for name, phrase in phrases.items():
        row = reports.loc[name]
        assert row["status"] == "failed", name
        assert phrase in row["error"], (name, row["error"])
        assert (row["department"], row["year"]) == ("_unknown", 0), name
        assert len(row["report_id"]) == 16 and len(row["source_sha256"]) == 64, name
    assert (tmp_warehouse / "reports" / "department=_unknown" / "year=0").is_dir()


def test_same_bad_bytes_twice_are_processed_once_and_noted(tmp_path: Path, tmp_warehouse: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data = text_pdf_bytes(UNRELATED_LINES)
    (folder / "a_first.pdf").write_bytes(data)
    (folder / "b_copy.pdf").write_bytes(data)

    outcomes = {o.source_file: o for o in process_paths([folder], tmp_warehouse)}

    assert outcomes["a_first.pdf"].duplicate_of is None
    assert outcomes["b_copy.pdf"].duplicate_of == "a_first.pdf"
    assert outcomes["b_copy.pdf"].report_id == outcomes["a_first.pdf"].report_id
    reports = read_reports(tmp_warehouse)
    assert list(reports["source_file"]) == ["a_first.pdf"]  # one row per report_id: the first name


def test_good_reports_land_among_bad_ones(tmp_path: Path, tmp_warehouse: Path, seed_pdf: Path) -> None:
    folder = tmp_path / "in"
    phrases = build_bad_folder(folder)
    shutil.copyfile(seed_pdf, folder / "seed.pdf")
    shutil.copyfile(seed_pdf, folder / "seed_again.pdf")

    outcomes = {o.source_file: o for o in process_paths([folder], tmp_warehouse)}

    assert outcomes["seed.pdf"].status in {"valid", "warnings"}, outcomes["seed.pdf"]
    assert outcomes["seed.pdf"].department == "武汉市硚口区司法局"
    assert outcomes["seed.pdf"].year == 2024
    assert outcomes["seed_again.pdf"].duplicate_of == "seed.pdf"
    reports = read_reports(tmp_warehouse).set_index("source_file")
    assert sorted(reports.index) == sorted([*phrases, "seed.pdf"])
    assert reports.loc["seed.pdf", "department"] == "武汉市硚口区司法局"
    report_id = outcomes["seed.pdf"].report_id
    expenditure_file = (tmp_warehouse / "tables" / "expenditure" / "department=武汉市硚口区司法局" / "year=2024"
                        / f"{report_id}.parquet")
    assert expenditure_file.is_file()


def test_two_different_reports_for_one_department_and_year_keep_both_files(
        tmp_path: Path, tmp_warehouse: Path, seed_pdf: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(seed_pdf, folder / "seed.pdf")
    # same report, different bytes (a trailing comment after %%EOF is ignored by PDF readers)
    (folder / "seed_reissued.pdf").write_bytes(seed_pdf.read_bytes() + b"\n% reissued\n")

    outcomes = {o.source_file: o for o in process_paths([folder], tmp_warehouse)}

    ids = {outcomes["seed.pdf"].report_id, outcomes["seed_reissued.pdf"].report_id}
    assert len(ids) == 2
    partition = tmp_warehouse / "reports" / "department=武汉市硚口区司法局" / "year=2024"
    assert sorted(p.stem for p in partition.glob("*.parquet")) == sorted(ids)


@pytest.mark.parametrize("rerun_force, expect_skipped", [pytest.param(False, True, id="unchanged-skipped"),
                                                         pytest.param(True, False, id="forced")])
def test_rerun_skips_unchanged_unless_forced(tmp_path: Path, tmp_warehouse: Path, rerun_force: bool,
                                             expect_skipped: bool) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(bad_inputs()["scanned.pdf"][0])
    first = process_paths([folder], tmp_warehouse)
    before = read_reports(tmp_warehouse)

    again = process_paths([folder], tmp_warehouse, force=rerun_force)

    assert [o.skipped for o in first] == [False]
    assert [o.skipped for o in again] == [expect_skipped]
    assert again[0].status == "failed" and "OCR" in again[0].error
    after = read_reports(tmp_warehouse)
    assert len(after) == 1
    assert (after["processed_at"].iloc[0] == before["processed_at"].iloc[0]) == expect_skipped
