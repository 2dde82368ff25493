"""Files that fight back (issue 13): every per-file failure is that report's failed row, the run goes on (exit 2),
each PDF is read once within a size limit. Failures are injected deterministically (no timing)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from tests.builders import SEED_PDF, UNRELATED_LINES, read_dataset, seed_variant_pdf, text_pdf_bytes

import extract.source
from flows.cli import main
from flows.pipeline import exit_code, process_paths, process_report


def _hostile_folder(folder: Path) -> dict[str, str]:
    """A folder of hostile files around two good reports; file name -> phrase its failed row's error holds."""
    folder.mkdir()
    shutil.copyfile(SEED_PDF, folder / "a_seed.pdf")
    (folder / "b_passwd.pdf").symlink_to("/etc/passwd")
    with open(folder / "c_huge.pdf", "wb") as handle:  # sparse: 4 GB named .pdf, never read
        handle.truncate(4 << 30)
    long_name = "d_" + "长" * 78 + ".pdf"  # 240 bytes: as long as a file name gets
    (folder / long_name).write_bytes(text_pdf_bytes(UNRELATED_LINES))
    (folder / "e_vanishes.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))
    shutil.copyfile(SEED_PDF, folder / "f_seed_again.pdf")
    return {"b_passwd.pdf": "symbolic link", "c_huge.pdf": "input limit", long_name: "standard budget tables",
            "e_vanishes.pdf": "vanished"}


def _delete_after_first(folder: Path):
    """on_outcome hook: once the first report is done, e_vanishes.pdf is deleted (listed and hashed, not yet read)."""
    def hook(outcome) -> None:
        (folder / "e_vanishes.pdf").unlink(missing_ok=True)
    return hook


def test_every_per_file_failure_is_a_failed_row_and_the_run_goes_on(tmp_path: Path, tmp_warehouse: Path) -> None:
    folder = tmp_path / "in"
    phrases = _hostile_folder(folder)

    outcomes = process_paths([folder], tmp_warehouse, on_outcome=_delete_after_first(folder))

    by_name = {o.source_file: o for o in outcomes}
    assert by_name["a_seed.pdf"].status == "warnings"
    assert by_name["f_seed_again.pdf"].duplicate_of == "a_seed.pdf"
    for name, phrase in phrases.items():
        assert by_name[name].status == "failed" and phrase in by_name[name].error, by_name[name]
    assert exit_code(outcomes) == 2
    reports = read_dataset(tmp_warehouse, "reports").set_index("source_file")
    assert sorted(reports.index) == sorted(["a_seed.pdf", *phrases])
    passwd_error = reports.loc["b_passwd.pdf", "error"]
    assert "root" not in passwd_error and "/bin" not in passwd_error
    for name in phrases:
        assert (reports.loc[name, "department"], reports.loc[name, "year"]) == ("_unknown", 0)


def test_a_file_that_cannot_be_opened_is_a_failed_row(tmp_path: Path, tmp_warehouse: Path, monkeypatch) -> None:
    """Permission denied, injected at the open (the tests may run as root, who reads any file)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "locked.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))
    shutil.copyfile(SEED_PDF, folder / "z_seed.pdf")
    real_open = os.open

    def open_refusing_locked(path, flags, *args, **kwargs):
        if Path(path).name == "locked.pdf":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(extract.source.os, "open", open_refusing_locked)
    outcomes = {o.source_file: o for o in process_paths([folder], tmp_warehouse)}

    assert outcomes["locked.pdf"].status == "failed" and "permission denied" in outcomes["locked.pdf"].error
    assert outcomes["z_seed.pdf"].status == "warnings"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission")
def test_a_file_without_read_permission_is_a_failed_row(tmp_path: Path, tmp_warehouse: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    locked = folder / "locked.pdf"
    locked.write_bytes(text_pdf_bytes(UNRELATED_LINES))
    locked.chmod(0)
    [outcome] = process_paths([folder], tmp_warehouse)
    assert outcome.status == "failed" and "permission denied" in outcome.error


def test_the_cli_without_prefect_exits_2_and_lands_every_other_report(tmp_path: Path, tmp_warehouse: Path,
                                                                      capsys) -> None:
    folder = tmp_path / "in"
    phrases = _hostile_folder(folder)
    (folder / "e_vanishes.pdf").unlink()  # (the hook above is for the pipeline; here it is simply gone)
    del phrases["e_vanishes.pdf"]

    code = main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--no-prefect"])

    assert code == 2
    assert "5 PDF(s): 2 warnings, 3 failed, 1 duplicate file(s)" in capsys.readouterr().out
    assert len(read_dataset(tmp_warehouse, "reports")) == 4


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_the_prefect_path_gives_the_same_failed_rows(tmp_path: Path, tmp_warehouse: Path) -> None:
    from flows.ingest import ingest

    folder = tmp_path / "in"
    phrases = _hostile_folder(folder)
    (folder / "e_vanishes.pdf").unlink()
    del phrases["e_vanishes.pdf"]

    outcomes = {o.source_file: o for o in ingest([str(folder)], str(tmp_warehouse), workers=2)}

    assert outcomes["a_seed.pdf"].status == "warnings"
    for name, phrase in phrases.items():
        assert outcomes[name].status == "failed" and phrase in outcomes[name].error, outcomes[name]
    assert exit_code(outcomes.values()) == 2
    assert len(read_dataset(tmp_warehouse, "reports")) == 4


def test_the_input_limit_is_checked_before_reading_and_settable(tmp_path: Path, tmp_warehouse: Path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(SEED_PDF, folder / "seed.pdf")  # ~110 KB

    code = main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--no-prefect", "--max-input-mb", "0.05"])

    assert code == 2
    [error] = read_dataset(tmp_warehouse, "reports")["error"]
    assert "input limit" in error and "0.05 MB" in error
    assert main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--no-prefect", "--max-input-mb", "1"]) == 0


def test_hash_and_content_come_from_the_same_bytes(tmp_path: Path, tmp_warehouse: Path, monkeypatch) -> None:
    """The file is replaced right after it was read: the report is stored under the id of the bytes it was read from."""
    path = seed_variant_pdf(tmp_path / "report.pdf", department="武汉市甲局")
    first_version = path.read_bytes()
    second_version = seed_variant_pdf(tmp_path / "other.pdf", department="武汉市乙局").read_bytes()
    real_read = extract.source.read_input

    def read_then_replace(target, *args, **kwargs):
        data = real_read(target, *args, **kwargs)
        Path(target).write_bytes(second_version)  # another version lands while the report is processed
        return data

    monkeypatch.setattr(extract.source, "read_input", read_then_replace)
    outcome = process_report(path, tmp_warehouse)

    reports = read_dataset(tmp_warehouse, "reports")
    assert list(reports["source_sha256"]) == [hashlib.sha256(first_version).hexdigest()]
    assert list(reports["department"]) == ["武汉市甲局"] and outcome.department == "武汉市甲局"
    # (the variant's prose headings still name the seed's department: quarantined for that, tables kept)
    root = "quarantine/tables" if outcome.status == "quarantined" else "tables"
    expenditure = read_dataset(tmp_warehouse, f"{root}/expenditure")
    assert set(expenditure["report_id"]) == {hashlib.sha256(first_version).hexdigest()[:16]}
