"""Killing a run leaves no process of it behind (issue 13): `kill -9` of `budgetlake run` takes its fork server,
its workers and Prefect's temporary server with it (flows.watchdog)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.builders import SEED_PDF, UNRELATED_LINES, text_pdf_bytes

BUDGETLAKE = Path(sys.executable).with_name("budgetlake")
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "final_accounts"
STARTED_LINE = "PDF(s) to process"  # the progress line a run prints once its reports are under way

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the watchdog reads /proc")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for pdf in sorted(CORPUS.glob("*.pdf")):
        shutil.copyfile(pdf, folder / pdf.name)
    if SEED_PDF.is_file():
        shutil.copyfile(SEED_PDF, folder / "seed.pdf")
    (folder / "minutes.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))
    return folder


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


def _start_and_kill(tmp_path: Path, *extra: str) -> tuple[list, list[str]]:
    """Start a run, kill -9 it once it printed that its reports are under way: its processes at that moment
    and their command lines."""
    import psutil

    run = subprocess.Popen([str(BUDGETLAKE), "run", str(_folder(tmp_path)), "--warehouse", str(tmp_path / "w"),
                            "--workers", "2", *extra],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env(tmp_path))
    try:
        seen = []
        for line in run.stderr:  # no sleep: the run's own line says when it is under way
            seen.append(line)
            if STARTED_LINE in line:
                break
        else:
            pytest.fail("the run ended before it started its reports:\n" + "".join(seen))
        tree = psutil.Process(run.pid).children(recursive=True)
        commands = _commands(tree)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
        run.stderr.close()
    return tree, commands


def _remaining(tree: list, within_s: float = 60.0) -> list:
    """The processes of tree still running after up to within_s seconds (polled)."""
    import psutil

    deadline = time.monotonic() + within_s
    while True:
        alive = []
        for process in tree:
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def _commands(processes: list) -> list[str]:
    out = []
    for process in processes:
        try:
            out.append(" ".join(process.cmdline()))
        except Exception:  # noqa: BLE001 - gone meanwhile
            out.append(str(process.pid))
    return out


def test_kill_9_of_a_run_leaves_no_worker_fork_server_or_prefect_server(tmp_path: Path) -> None:
    tree, commands = _start_and_kill(tmp_path)

    assert any("forkserver" in command for command in commands), commands
    assert any("uvicorn" in command for command in commands), commands  # Prefect's temporary server
    assert _remaining(tree) == [], _commands(_remaining(tree, 0))


def test_kill_9_of_a_run_without_prefect_leaves_no_worker_or_fork_server(tmp_path: Path) -> None:
    tree, commands = _start_and_kill(tmp_path, "--no-prefect")

    assert any("forkserver" in command for command in commands), commands
    assert _remaining(tree) == [], _commands(_remaining(tree, 0))
