"""The warm worker pool of a run: report processes forked from a server that already holds the pipeline.

Spawning a fresh Python per worker costs ~0.6 s of imports (pandas, pyarrow, pandera, camelot)
before its first report, more than a small report takes. Here the workers are forked from
multiprocessing's fork server, which imports `flows.preload` (the pipeline, its caches built)
once; every worker starts warm in milliseconds. `start()` is called before Prefect is imported,
so the fork server loads the pipeline on the second core while this process loads Prefect.

The pool is process-wide: `budgetlake run` starts it early and the ingest flow run that uses it
stops its workers at the end (the fork server itself stays, and serves the next pool at once).
Where the fork server is not available (Windows), workers are spawned.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, TypeVar

PRELOAD_MODULES = ["flows.preload"]

T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_workers = 0


def default_workers() -> int:
    return os.cpu_count() or 1


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD_MODULES)
    return context


def start(workers: int | None = None) -> ProcessPoolExecutor:
    """The process-wide pool of `workers` processes (default: one per core), created on first call.

    Returns at once: the fork server loads the pipeline and forks the workers in the background;
    the first submission waits for them. A pool of another size is replaced.
    """
    global _pool, _pool_workers
    workers = workers or default_workers()
    with _lock:
        if _pool is not None and _pool_workers != workers:
            _pool.shutdown(wait=True)
            _pool = None
        if _pool is None:
            context = _context()
            if context.get_start_method() == "forkserver":
                from multiprocessing import forkserver

                forkserver.ensure_running()  # starts importing flows.preload now, not at the first report
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            _pool_workers = workers
            _fork_workers_in_background(_pool, workers)
        return _pool


def _fork_workers_in_background(pool: ProcessPoolExecutor, workers: int) -> None:
    """Have the pool fork its workers as soon as the fork server is ready, not at the first report.

    The executor forks a worker when a job finds none idle; one no-op job per worker, submitted
    from a thread (each fork waits for the fork server to finish loading the pipeline), has them
    all started while this process is still importing Prefect.
    """

    def submit_no_ops() -> None:
        try:
            for _ in range(workers):
                pool.submit(os.getpid)
        except Exception:  # noqa: BLE001 - shut down or broken meanwhile: the first real job says so
            pass

    threading.Thread(target=submit_no_ops, name="budgetlake-pool-start", daemon=True).start()


def run(function: Callable[..., T], *args, workers: int | None = None, **kwargs) -> T:
    """function(*args, **kwargs) in a worker of the pool; its exception is raised here.

    A worker that died (killed, out of memory) breaks the pool: the call raises BrokenProcessPool
    and the next call gets a fresh pool.
    """
    pool = start(workers or _pool_workers or None)
    try:
        return pool.submit(function, *args, **kwargs).result()
    except BrokenProcessPool:
        _discard(pool)
        raise


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def running() -> bool:
    """Whether the pool has workers (started and not shut down)."""
    return _pool is not None


def shutdown(wait: bool = True) -> None:
    """Stop the workers (they also end with the process).

    wait=False: tell them to stop and return; they end in the background while the caller goes
    on, and the interpreter's exit still waits for them (concurrent.futures joins its pools then).
    """
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=wait)
