"""The run never fails for want of an orchestrator: no API, a temporary server that does not start, a server that dies.

Each test runs the `budgetlake` command as a user would, in a subprocess with its own Prefect home.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.builders import SEED_PDF, UNRELATED_LINES, read_dataset, text_pdf_bytes

BUDGETLAKE = Path(sys.executable).with_name("budgetlake")
PREFECT = Path(sys.executable).with_name("prefect")
FALLBACK_LINE = "budgetlake: running without Prefect orchestration: "


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "minutes.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))  # no budget report: failed
    if SEED_PDF.is_file():
        shutil.copyfile(SEED_PDF, folder / "seed.pdf")  # a 决算 with warnings
    return folder


def _expected_summary() -> str:
    return "2 PDF(s): 1 warnings, 1 failed" if SEED_PDF.is_file() else "1 PDF(s): 1 failed"


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false", **settings)
    return env


def _assert_every_report_stored_without_prefect(done, folder: Path, warehouse: Path, reason: str) -> None:
    assert done.returncode == 2, done.stderr  # the reports decide it: minutes.pdf failed, all others landed
    assert done.stdout.strip().splitlines()[-1] == _expected_summary()
    # said once (Prefect's own "Error logging to API" may precede it on the same line: it ends no line)
    said = [line[line.index(FALLBACK_LINE):] for line in done.stderr.splitlines() if FALLBACK_LINE in line]
    assert len(said) == 1 and reason in said[0], done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    stored = read_dataset(warehouse, "reports")
    assert sorted(stored["source_file"]) == sorted(p.name for p in folder.iterdir())


def test_an_api_url_nobody_answers_runs_every_report_without_prefect(tmp_path: Path, tmp_warehouse: Path) -> None:
    folder = _folder(tmp_path)
    env = _env(tmp_path, PREFECT_API_URL="http://127.0.0.1:9/api")  # port 9 (discard): nothing listens

    done = subprocess.run([str(BUDGETLAKE), "run", str(folder), "--warehouse", str(tmp_warehouse)],
                          capture_output=True, text=True, env=env, timeout=300)

    _assert_every_report_stored_without_prefect(done, folder, tmp_warehouse, "cannot be reached")


def test_a_temporary_server_that_does_not_start_in_time(tmp_path: Path, tmp_warehouse: Path) -> None:
    folder = _folder(tmp_path)
    env = _env(tmp_path, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="0")  # no wait at all: never ready

    done = subprocess.run([str(BUDGETLAKE), "run", str(folder), "--warehouse", str(tmp_warehouse)],
                          capture_output=True, text=True, env=env, timeout=300)

    assert "starting Prefect's temporary server" in done.stderr  # the person waiting is told why
    _assert_every_report_stored_without_prefect(done, folder, tmp_warehouse, "temporary server did not start")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 240  # a first start migrates its database: slow on a busy machine
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert server.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.5)


def test_a_server_that_goes_away_mid_run(tmp_path: Path, tmp_warehouse: Path) -> None:
    """The server is killed once the flow run has started (the run is paused meanwhile, so the kill lands
    before its reports are done): every report is still stored and the exit status follows the reports."""
    folder = _folder(tmp_path)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = _env(tmp_path)
    log = tmp_path / "server.log"
    with log.open("wb") as server_log:
        server = subprocess.Popen([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                  env=env, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_healthy(url, server, log)
        run = subprocess.Popen([str(BUDGETLAKE), "run", str(folder), "--warehouse", str(tmp_warehouse)],
                               env={**env, "PREFECT_API_URL": url}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        seen = []
        for line in run.stderr:  # LineProgress: its first line is printed inside the flow run
            seen.append(line)
            if "PDF(s) to process" in line:
                break
        run.send_signal(signal.SIGSTOP)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=60)
        run.send_signal(signal.SIGCONT)
        out, err = run.communicate(timeout=300)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    done = subprocess.CompletedProcess(run.args, run.returncode, out, "".join(seen) + err)
    _assert_every_report_stored_without_prefect(done, folder, tmp_warehouse, "")

    # the next run finds everything stored: nothing left to do, whatever the server did
    again = subprocess.run([str(BUDGETLAKE), "run", str(folder), "--warehouse", str(tmp_warehouse)],
                           capture_output=True, text=True, env=_env(tmp_path, PREFECT_API_URL=url), timeout=300)
    assert "unchanged (skipped)" in again.stdout, again.stdout + again.stderr


@pytest.fixture(autouse=True)
def _no_api_url_leaks(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
