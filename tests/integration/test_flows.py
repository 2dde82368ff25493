"""Prefect wiring only: the ingest flow in worker processes against one server, its artifact, the one-report flow.

Few tests on purpose: each flow run costs seconds. The logic itself is tested on the plain pipeline.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.builders import read_dataset, SEED_PDF, UNRELATED_LINES, bad_inputs, text_pdf_bytes

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def _mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (data, _) in bad_inputs().items():
        (folder / name).write_bytes(data)
    club = text_pdf_bytes(UNRELATED_LINES)
    (folder / "club.pdf").write_bytes(club)
    (folder / "club_copy.pdf").write_bytes(club)
    if SEED_PDF.is_file():
        shutil.copyfile(SEED_PDF, folder / "seed.pdf")
    return folder


def _read_artifacts(key: str, flow_run_id):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[key]), flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))


def _task_runs_of(flow_run_id):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        return client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))


def test_ingest_runs_each_report_as_a_task_on_the_shared_server(tmp_path: Path, tmp_warehouse: Path) -> None:
    from flows.ingest import ARTIFACT_KEY, ingest

    folder = _mixed_folder(tmp_path)

    state = ingest([str(folder)], str(tmp_warehouse), workers=2, return_state=True)
    outcomes = {o.source_file: o for o in state.result()}

    expected_files = sorted(p.name for p in folder.iterdir())
    assert sorted(outcomes) == expected_files
    for name in bad_inputs():
        assert outcomes[name].status == "failed", outcomes[name]
    assert outcomes["club.pdf"].status == "failed"
    assert outcomes["club_copy.pdf"].duplicate_of == "club.pdf"
    if "seed.pdf" in outcomes:
        assert outcomes["seed.pdf"].status in {"valid", "warnings"}, outcomes["seed.pdf"]

    # the flow run's parameters are stored as passed
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        stored = client.read_flow_run(state.state_details.flow_run_id).parameters
    assert stored == {"paths": [str(folder)], "warehouse": str(tmp_warehouse), "force": False, "workers": 2,
                      "dask_address": None, "max_input_bytes": None, "time_limit_s": None,
                      "memory_limit_mb": None}

    # every distinct report ran as a task of this flow run on the harness server: the worker
    # processes reported to it instead of starting servers of their own
    task_runs = _task_runs_of(state.state_details.flow_run_id)
    report_tasks = [run for run in task_runs if run.name.endswith(".pdf")]
    assert sorted(run.name for run in report_tasks) == sorted(n for n in expected_files if n != "club_copy.pdf")
    assert all(run.state.is_completed() for run in report_tasks)

    [artifact] = _read_artifacts(ARTIFACT_KEY, state.state_details.flow_run_id)
    rows = {row["source_file"]: row for row in json.loads(artifact.data)}
    assert sorted(rows) == expected_files
    assert rows["scanned.pdf"]["status"] == "failed" and "OCR" in rows["scanned.pdf"]["error"]
    assert "same bytes as club.pdf" in rows["club_copy.pdf"]["note"]

    reports = read_dataset(tmp_warehouse, "reports")
    assert sorted(reports["source_file"]) == sorted(n for n in expected_files if n != "club_copy.pdf")

    from flows import pool

    assert not pool.running()  # the run stopped its workers (under `serve`, its process must be able to end)


def test_cli_run_goes_through_the_flow_and_a_rerun_is_a_no_op(tmp_path: Path, tmp_warehouse: Path, capsys) -> None:
    from flows.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(bad_inputs()["scanned.pdf"][0])

    first = main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--workers", "1"])
    first_out = capsys.readouterr().out
    stamp = read_dataset(tmp_warehouse, "reports")["processed_at"].tolist()
    second = main(["run", str(folder), "--warehouse", str(tmp_warehouse), "--workers", "1"])
    second_out = capsys.readouterr().out

    assert (first, second) == (2, 2)
    assert "1 PDF(s): 1 failed" in first_out
    assert "1 unchanged (skipped)" in second_out
    assert read_dataset(tmp_warehouse, "reports")["processed_at"].tolist() == stamp


def test_process_report_flow_forces_one_report(tmp_path: Path, tmp_warehouse: Path) -> None:
    from flows.ingest import process_report_flow
    from flows.pipeline import process_report

    pdf = tmp_path / "locked.pdf"
    pdf.write_bytes(bad_inputs()["encrypted.pdf"][0])
    process_report(pdf, tmp_warehouse)
    stamp = read_dataset(tmp_warehouse, "reports")["processed_at"].iloc[0]

    outcome = process_report_flow(str(pdf), str(tmp_warehouse))

    assert outcome.status == "failed" and "password" in outcome.error
    assert outcome.skipped is False
    assert read_dataset(tmp_warehouse, "reports")["processed_at"].iloc[0] > stamp


def test_ingest_on_an_existing_dask_cluster(tmp_path: Path, tmp_warehouse: Path) -> None:
    """--dask-address: reports go to the cluster's workers (here one in-process worker) through prefect-dask."""
    from distributed import LocalCluster

    from flows.ingest import ingest

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "club.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))
    if SEED_PDF.is_file():
        shutil.copyfile(SEED_PDF, folder / "seed.pdf")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        state = ingest([str(folder)], str(tmp_warehouse), dask_address=cluster.scheduler_address,
                       return_state=True)
    outcomes = {o.source_file: o for o in state.result()}
    assert outcomes["club.pdf"].status == "failed"
    if "seed.pdf" in outcomes:
        assert outcomes["seed.pdf"].status == "warnings"
    task_runs = [run for run in _task_runs_of(state.state_details.flow_run_id) if run.name.endswith(".pdf")]
    assert sorted(run.name for run in task_runs) == sorted(outcomes)
    assert sorted(read_dataset(tmp_warehouse, "reports")["source_file"]) == sorted(outcomes)


def test_the_budgetlake_command_on_its_own_temporary_server(tmp_path: Path, tmp_warehouse: Path) -> None:
    """`budgetlake run` as a new user first runs it: no PREFECT_API_URL and an empty Prefect home, so it starts
    Prefect's temporary server (its database created on this first start). Its exit status, output and
    the logs it sends before stopping that server survive the exit; if the server cannot start in time on
    a busy machine, the same reports land without it (tests/integration/test_orchestration.py)."""
    import os
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "minutes.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))
    if SEED_PDF.is_file():
        shutil.copyfile(SEED_PDF, folder / "seed.pdf")
    script = Path(sys.executable).with_name("budgetlake")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")

    done = subprocess.run([str(script), "run", str(folder), "--warehouse", str(tmp_warehouse)],
                          capture_output=True, text=True, env=env, timeout=300)

    assert done.returncode == 2, done.stderr  # minutes.pdf is no budget report
    expected = "2 PDF(s): 1 warnings, 1 failed" if SEED_PDF.is_file() else "1 PDF(s): 1 failed"
    assert done.stdout.strip().splitlines()[-1] == expected
    assert "Error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert sorted(read_dataset(tmp_warehouse, "reports")["source_file"]) == sorted(p.name for p in folder.iterdir())


def test_relative_paths_reach_the_workers_whatever_their_working_directory(tmp_path: Path, monkeypatch) -> None:
    """A worker keeps the working directory it started in; the flow hands workers absolute paths."""
    import os

    from flows import pool
    from flows.ingest import ingest

    pool.run(os.getpid, workers=1)  # a worker now runs, in the current directory
    monkeypatch.chdir(tmp_path)
    Path("in").mkdir()
    Path("in", "minutes.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))

    [outcome] = ingest(["in"], "wh", workers=1)

    assert outcome.status == "failed" and "none of the standard budget tables" in outcome.error, outcome
    assert read_dataset(tmp_path / "wh", "reports")["source_file"].tolist() == ["minutes.pdf"]


def test_serve_runs_the_deployment_and_its_run_leaves_no_process_behind(tmp_path: Path, tmp_warehouse: Path) -> None:
    """`budgetlake serve` on the test server: a deployment run ingests the folder, and the process Prefect's
    runner started for that run ends with it (the warm pool's workers stop with the run)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import uuid

    import psutil
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "minutes.pdf").write_bytes(text_pdf_bytes(UNRELATED_LINES))
    name = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen([str(Path(sys.executable).with_name("budgetlake")), "serve", "--cron", "0 2 * * *",
                              str(folder), "--warehouse", str(tmp_warehouse), "--name", name],
                             env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        with get_client(sync_client=True) as client:
            while True:
                try:
                    client.read_deployment_by_name(f"ingest/{name}")
                    break
                except Exception:  # not registered yet
                    assert time.monotonic() < deadline and serve.poll() is None, (tmp_path / "serve.log").read_text()
                    time.sleep(0.5)

        run = run_deployment(f"ingest/{name}", timeout=180, poll_interval=1, as_subflow=False)

        assert run.state.is_completed(), run.state
        assert read_dataset(tmp_warehouse, "reports")["source_file"].tolist() == ["minutes.pdf"]
        while True:  # the run's process (and the fork server and workers under it) ends
            left = [p for p in psutil.Process(serve.pid).children(recursive=True) if _pool_process(p)]
            if not left:
                break
            assert time.monotonic() < deadline, [p.cmdline() for p in left]
            time.sleep(0.5)
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)
        log.close()


def _pool_process(process) -> bool:
    """Whether a process is a live fork server or worker (one that ended meanwhile, or a zombie, is not)."""
    import psutil

    try:
        return any(word in " ".join(process.cmdline()) for word in ("spawn_main", "forkserver"))
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return False


@pytest.mark.parametrize("configured, expected", [pytest.param(None, None, id="default-off"),
                                                  pytest.param(60, 60, id="configured-kept")])
def test_command_line_runs_send_heartbeats_only_when_configured(configured, expected) -> None:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

    from flows.ingest import _no_heartbeats_unless_configured

    updates = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: configured} if configured else {}
    with temporary_settings(updates=updates):
        before = get_current_settings().flows.heartbeat_frequency
        with _no_heartbeats_unless_configured():
            assert get_current_settings().flows.heartbeat_frequency == expected
        assert get_current_settings().flows.heartbeat_frequency == before
