"""The warm worker pool as plain functions: work runs in forked workers that start with the pipeline loaded."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from flows import pool


def _pid() -> int:
    return os.getpid()


def _loaded(*modules: str) -> dict[str, bool]:
    return {name: name in sys.modules for name in modules}


def _fail(message: str) -> None:
    raise ValueError(message)


def _pages_at_once() -> int:
    from extract import ocr

    return ocr.pages_at_once()


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.fixture
def fresh_pool():
    pool.shutdown()
    yield
    pool.shutdown()


def test_work_runs_in_another_process(fresh_pool) -> None:
    assert pool.run(_pid, workers=1) != os.getpid()


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here")
def test_a_worker_starts_with_the_pipeline_loaded(fresh_pool) -> None:
    assert pool.run(_loaded, "flows.preload", "camelot", "pandera", workers=1) == {
        "flows.preload": True, "camelot": True, "pandera": True}


@pytest.mark.parametrize("cpus, workers, cores", [
    pytest.param(2, 1, 2, id="one-worker-gets-both-cores"),
    pytest.param(2, 2, 1, id="two-workers-one-core-each"),
    pytest.param(2, 4, 1, id="more-workers-than-cores-still-one"),
    pytest.param(8, 3, 2, id="remainder-left-unused"),
])
def test_a_workers_share_of_the_cores(monkeypatch, cpus, workers, cores) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    assert pool.cores_per_worker(workers) == cores


def test_a_worker_reads_as_many_scanned_pages_at_once_as_its_share_of_cores(fresh_pool) -> None:
    assert pool.run(_pages_at_once, workers=1) == pool.cores_per_worker(1)


def test_an_exception_in_the_worker_is_raised_here(fresh_pool) -> None:
    with pytest.raises(ValueError, match="bad report"):
        pool.run(_fail, "bad report", workers=1)
    assert pool.run(_pid, workers=1) != os.getpid()  # the pool still works


def test_a_worker_that_dies_breaks_only_its_call(fresh_pool) -> None:
    with pytest.raises(BrokenProcessPool):
        pool.run(_die, workers=1)
    assert pool.run(_pid, workers=1) != os.getpid()  # the next call gets a fresh pool


def test_a_pool_of_another_size_replaces_the_old_one(fresh_pool) -> None:
    first = pool.start(1)
    assert pool.start(1) is first
    second = pool.start(2)
    assert second is not first and second.workers == 2
    pool.shutdown()
    assert not pool.running()


def _is_fork_server(process) -> bool:
    import psutil

    try:
        return "forkserver" in " ".join(process.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess):  # a child that ended meanwhile
        return False


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here")
def test_start_forks_the_workers_before_any_work(fresh_pool) -> None:
    import psutil

    pool.start(2)
    deadline = time.monotonic() + 30
    workers: list = []
    while time.monotonic() < deadline:
        fork_servers = [child for child in psutil.Process().children() if _is_fork_server(child)]
        workers = [worker for server in fork_servers for worker in server.children()]
        if len(workers) == 2:
            break
        time.sleep(0.05)
    assert len(workers) == 2


def test_a_shutdown_without_waiting_still_ends_the_workers(fresh_pool) -> None:
    import psutil

    worker = psutil.Process(pool.run(_pid, workers=1))
    pool.shutdown(wait=False)
    assert not pool.running()
    worker.wait(timeout=30)  # psutil.TimeoutExpired if the worker stayed
    assert not worker.is_running()


def _sleep_forever() -> None:
    while True:
        time.sleep(1)


def test_a_call_past_its_timeout_gets_its_worker_killed_and_replaced(fresh_pool) -> None:
    import psutil

    stuck = pool.run(_pid, workers=1)  # the pool's one worker, which then gets stuck
    with pytest.raises(pool.WorkerTimedOut):
        pool.run(_sleep_forever, workers=1, timeout=1)
    assert not psutil.pid_exists(stuck)  # killed and reaped before the call returned
    assert pool.run(_pid, workers=1) not in {stuck, os.getpid()}  # a new worker took its place


def test_a_worker_that_dies_fails_only_its_own_call_while_others_run(fresh_pool) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as threads:
        dying = threads.submit(pool.run, _die, workers=2)
        living = threads.submit(pool.run, _pid, workers=2)
        with pytest.raises(pool.WorkerDied, match="killed by SIGKILL"):
            dying.result()
        assert living.result() != os.getpid()
