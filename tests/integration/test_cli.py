"""The `budgetlake` command line: commands, output and exit codes (plain pipeline; the Prefect path is in test_flows)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.builders import read_dataset, UNRELATED_LINES, bad_inputs, text_pdf_bytes

from flows.cli import main


def _folder_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _files_with_mtimes(warehouse: Path) -> dict[str, int]:
    return {p.relative_to(warehouse).as_posix(): p.stat().st_mtime_ns for p in warehouse.rglob("*.parquet")}


def test_help_lists_every_command(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "report", "checks", "serve"):
        assert command in out


def test_entry_point_prints_version() -> None:
    done = subprocess.run([sys.executable, "-m", "flows.cli", "--version"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("budgetlake ")


def test_serve_requires_cron(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "data/samples"])
    assert stopped.value.code == 2
    assert "--cron" in capsys.readouterr().err


def test_run_with_bad_reports_exits_2_with_one_line_per_report(tmp_path: Path, tmp_warehouse: Path, capsys) -> None:
    files = {name: data for name, (data, _) in bad_inputs().items()}
    folder = _folder_with(tmp_path, files)

    code = main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--no-prefect"])

    captured = capsys.readouterr()
    assert code == 2
    assert "5 PDF(s): 5 failed" in captured.out
    report_lines = [line for line in captured.err.splitlines() if line.startswith("[")]
    assert len(report_lines) == 5
    assert any("scanned.pdf" in line and "OCR" in line for line in report_lines)


def test_run_on_a_missing_folder_breaks_with_exit_1(tmp_path: Path, tmp_warehouse: Path, capsys) -> None:
    code = main(["run", str(tmp_path / "missing"), "--warehouse", str(tmp_warehouse), "--no-prefect"])
    assert code == 1
    assert "missing" in capsys.readouterr().err


def test_report_reruns_one_report_and_replaces_only_its_files(tmp_path: Path, tmp_warehouse: Path, capsys) -> None:
    folder = _folder_with(tmp_path, {"club.pdf": text_pdf_bytes(UNRELATED_LINES),
                                     "scan.pdf": bad_inputs()["scanned.pdf"][0]})
    assert main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--no-prefect"]) == 2
    before = _files_with_mtimes(tmp_warehouse)
    capsys.readouterr()

    code = main(["report", str(folder / "scan.pdf"), "--warehouse", str(tmp_warehouse)])

    assert code == 2
    assert "scan.pdf" in capsys.readouterr().out
    after = _files_with_mtimes(tmp_warehouse)
    assert sorted(after) == sorted(before)
    changed = sorted(name for name in after if after[name] != before[name])
    scan_id = read_dataset(tmp_warehouse, "reports").set_index("source_file").loc["scan.pdf", "report_id"]
    assert changed and all(Path(name).stem == scan_id for name in changed), changed


def test_report_on_a_missing_file_exits_1(tmp_path: Path, tmp_warehouse: Path) -> None:
    assert main(["report", str(tmp_path / "nope.pdf"), "--warehouse", str(tmp_warehouse)]) == 1


def test_checks_by_id_and_by_file_print_the_failure(tmp_path: Path, tmp_warehouse: Path, capsys) -> None:
    folder = _folder_with(tmp_path, {"locked.pdf": bad_inputs()["encrypted.pdf"][0]})
    main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--no-prefect"])
    report_id = read_dataset(tmp_warehouse, "reports")["report_id"].iloc[0]
    capsys.readouterr()

    by_id = main(["checks", report_id, "--warehouse", str(tmp_warehouse)])
    out_by_id = capsys.readouterr().out
    by_file = main(["checks", str(folder / "locked.pdf"), "--warehouse", str(tmp_warehouse)])
    out_by_file = capsys.readouterr().out

    assert by_id == by_file == 2
    assert out_by_id == out_by_file
    assert "status=failed" in out_by_id and "password" in out_by_id


def test_checks_of_an_unknown_report_exits_1(tmp_warehouse: Path, capsys) -> None:
    assert main(["checks", "0123456789abcdef", "--warehouse", str(tmp_warehouse)]) == 1
    assert "not in the warehouse" in capsys.readouterr().err


def test_seed_report_lands_and_its_findings_print(tmp_path: Path, tmp_warehouse: Path, seed_pdf: Path,
                                                  capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(seed_pdf, folder / "seed.pdf")

    assert main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--no-prefect"]) == 0
    capsys.readouterr()
    assert main(["checks", str(folder / "seed.pdf"), "--warehouse", str(tmp_warehouse)]) == 0
    failed_only = capsys.readouterr().out
    assert main(["checks", str(folder / "seed.pdf"), "--warehouse", str(tmp_warehouse), "--all"]) == 0
    everything = capsys.readouterr().out

    assert "status=warnings" in failed_only
    assert "FAIL" in failed_only and "ok  " not in failed_only
    assert "ok  " in everything


def test_serve_builds_a_cron_deployment_of_ingest(tmp_path: Path, monkeypatch) -> None:
    import flows.ingest

    served = {}
    monkeypatch.setattr(flows.ingest.ingest, "serve", lambda **kwargs: served.update(kwargs))

    code = main(["serve", "--cron", "0 2 * * *", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh")])

    assert code == 0
    assert served["cron"] == "0 2 * * *"
    assert served["name"] == "budgetlake-nightly"
    assert served["parameters"]["paths"] == [str((tmp_path / "in").resolve())]
    assert served["parameters"]["warehouse"] == str((tmp_path / "wh").resolve())
    assert served["parameters"]["force"] is False


@pytest.mark.parametrize("api_url", [None, "http://127.0.0.1:9/api"], ids=["no-server", "real-server"])
def test_a_run_with_nothing_to_do_ends_before_prefect(
    api_url, tmp_path: Path, tmp_warehouse: Path, monkeypatch, capsys
) -> None:
    import flows.ingest

    folder = _folder_with(tmp_path, {"minutes.pdf": text_pdf_bytes(UNRELATED_LINES)})
    assert main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--no-prefect"]) == 2
    capsys.readouterr()
    if api_url:  # a server that would refuse every call: the run must not need it
        monkeypatch.setenv("PREFECT_API_URL", api_url)
    calls = []
    monkeypatch.setattr(flows.ingest, "run_ingest", lambda *a, **k: calls.append(a) or [])

    assert main(["run", str(folder), "--warehouse", str(tmp_warehouse)]) == 2

    assert calls == []
    assert "1 PDF(s): 1 failed, 1 unchanged (skipped)" in capsys.readouterr().out
