"""The warm worker pool of a run: report processes forked from a server that already holds the pipeline.

Spawning a fresh Python per worker costs ~0.6 s of imports (pandas, pyarrow, pandera, camelot)
before its first report, more than a small report takes. Here the workers are forked from
multiprocessing's fork server, which imports `flows.preload` (the pipeline, its caches built)
once; every worker starts warm in milliseconds. `start()` is called before Prefect is imported,
so the fork server loads the pipeline on the second core while this process loads Prefect.

Why not Prefect's stock `prefect.task_runners.ProcessPoolTaskRunner` (spawned workers that import Prefect
and the pipeline and run Prefect's task engine themselves): measured by `python -m bench.runners` at N=1000
copies of the corpus PDFs, it costs more than the 10 % per report that would justify dropping this module
(figures in the README's Performance section).

Each worker is one process with one pipe to this process, running one job at a time, so the pool
knows which worker runs which report: a report past its time limit (plus GRACE_S) gets its worker
killed and replaced, and a worker that dies (killed, out of memory, a crash in native code) fails
only the call it was running; the others go on. `run_report` turns either into the report's
`failed` row naming the limit (flows.limits; the worker itself enforces the limits first).

Each worker gets its share of the cores (`cores_per_worker`: cores // workers, at least one) for the
scanned pages it reads by OCR (extract.ocr.share_cores): the one worker of `budgetlake report` reads two
pages at once on a 2-core machine, each of the two workers of a run one, and no worker's OCR asks for
more threads than its share.

No worker outlives the run: a worker ends when its pipe to this process closes (this process
ended, however it ended) and, while busy, when its parent, the fork server, is gone (the fork
server itself ends with this process).

The pool is process-wide: `budgetlake run` starts it early and the ingest flow run that uses it
stops its workers at the end (the fork server itself stays, and serves the next pool at once).
Where the fork server is not available (Windows), workers are spawned.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, TypeVar

PRELOAD_MODULES = ["flows.preload"]
GRACE_S = 10.0  # past a report's time limit, how long its worker may take to stop the report itself
PARENT_POLL_S = 0.5  # how often a busy worker checks that its parent is still there

T = TypeVar("T")

_lock = threading.Lock()
_pool: "WorkerPool | None" = None


class WorkerDied(BrokenProcessPool):
    """The worker running the call ended without an answer (killed, out of memory, crashed)."""

    def __init__(self, exitcode: int | None):
        self.exitcode = exitcode
        super().__init__(f"the worker process ended without an answer ({describe_exit(exitcode)})")


class WorkerTimedOut(TimeoutError):
    """The call ran past its deadline: its worker was killed (and is replaced)."""


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "exit status unknown"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def default_workers() -> int:
    return os.cpu_count() or 1


def cores_per_worker(workers: int) -> int:
    """A worker's share of the machine's cores (at least one): what it may use to read scanned pages at once."""
    return max(1, default_workers() // max(1, workers))


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD_MODULES)
    return context


# ---------- in the worker ----------


def _serve(conn, cores: int) -> None:
    """A worker's life: one job at a time from the pipe, its result (or exception) back; ends at EOF or None.

    The worker may use `cores` cores (its share of the machine) for the pages it recognises by OCR.
    """
    from extract.ocr import share_cores

    share_cores(cores)
    _watch_parent()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the run's process is gone
            return
        if job is None:
            return
        function, args, kwargs = job
        try:
            answer = (True, function(*args, **kwargs))
        except BaseException as problem:  # noqa: BLE001 - handed to the caller, who raises it
            answer = (False, problem)
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
        except Exception as problem:  # noqa: BLE001 - an answer that cannot be pickled
            conn.send((False, RuntimeError(f"{type(problem).__name__}: {problem}")))


def _watch_parent() -> None:
    """End this worker when its parent (the fork server, which ends with the run's process) is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="budgetlake-parent-watch", daemon=True).start()


# ---------- in the run's process ----------


class _Worker:
    def __init__(self, context, cores: int):
        self.conn, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end, cores), name="budgetlake-worker",
                                       daemon=True)
        self.process.start()
        child_end.close()  # only the worker holds its end: it sees EOF when this process ends

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.conn.close()

    def kill(self) -> int | None:
        self.process.kill()
        self.process.join(timeout=30)
        self.conn.close()
        return self.process.exitcode


class WorkerPool:
    """`workers` warm processes running one call each at a time (see the module docstring)."""

    def __init__(self, workers: int, context):
        self.workers = workers
        self._context = context
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._count = 0  # workers started or being started
        self._closed = False

    def fork_in_background(self) -> None:
        """Fork the workers as soon as the fork server is ready (each fork waits for it), not at the first call."""

        def fork_all() -> None:
            for _ in range(self.workers):
                with self._cond:
                    if self._closed or self._count >= self.workers:
                        return
                    self._count += 1
                try:
                    worker = self._new_worker()
                except Exception:  # noqa: BLE001 - the first real call says what is wrong
                    with self._cond:
                        self._count -= 1
                        self._cond.notify()
                    return
                self._release(worker)

        threading.Thread(target=fork_all, name="budgetlake-pool-start", daemon=True).start()

    def _new_worker(self) -> _Worker:
        worker = _Worker(self._context, cores_per_worker(self.workers))
        with self._cond:
            self._all.add(worker)
        return worker

    def _acquire(self) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the worker pool was shut down")
                if self._idle:
                    return self._idle.pop()
                if self._count < self.workers:
                    self._count += 1
                    break
                self._cond.wait()
        try:
            return self._new_worker()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if not self._closed:
                self._idle.append(worker)
                self._cond.notify()
                return
            self._all.discard(worker)
        worker.stop()

    def _discard(self, worker: _Worker) -> int | None:
        exitcode = worker.kill()
        with self._cond:
            self._all.discard(worker)
            self._count -= 1
            self._cond.notify()
        return exitcode

    def call(self, function: Callable[..., T], args: tuple, kwargs: dict, timeout: float | None = None) -> T:
        """function(*args, **kwargs) in an idle worker; WorkerTimedOut after timeout s, WorkerDied if it dies."""
        worker = self._acquire()
        try:
            worker.conn.send((function, args, kwargs))
            if not worker.conn.poll(timeout):
                self._discard(worker)
                raise WorkerTimedOut(f"no answer within {timeout:g} s: the worker was stopped")
            ok, value = worker.conn.recv()
        except WorkerTimedOut:
            raise
        except (EOFError, OSError):
            raise WorkerDied(self._discard(worker)) from None
        except BaseException:
            self._discard(worker)
            raise
        self._release(worker)
        if ok:
            return value
        raise value

    def shutdown(self, wait: bool = True) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
            everyone = list(self._all)
        for worker in idle:
            worker.stop()
        if wait:
            for worker in everyone:
                worker.process.join()


def start(workers: int | None = None) -> WorkerPool:
    """The process-wide pool of `workers` processes (default: one per core), created on first call.

    Returns at once: the fork server loads the pipeline and forks the workers in the background;
    the first call waits for them. A pool of another size is replaced.
    """
    global _pool
    workers = workers or default_workers()
    with _lock:
        if _pool is not None and _pool.workers != workers:
            _pool.shutdown(wait=True)
            _pool = None
        if _pool is None:
            context = _context()
            if context.get_start_method() == "forkserver":
                from multiprocessing import forkserver

                forkserver.ensure_running()  # starts importing flows.preload now, not at the first report
            _pool = WorkerPool(workers, context)
            _pool.fork_in_background()
        return _pool


def run(function: Callable[..., T], *args, workers: int | None = None, timeout: float | None = None,
        **kwargs) -> T:
    """function(*args, **kwargs) in a worker of the pool; its exception is raised here.

    A worker that dies raises WorkerDied (a BrokenProcessPool) for its call only; one past `timeout`
    seconds is killed (WorkerTimedOut). Either way the pool starts a new worker in its place.
    """
    pool = start(workers or (_pool.workers if _pool is not None else None))
    return pool.call(function, args, kwargs, timeout)


def run_report(item, warehouse: Path, *, workers: int | None = None, pipeline_version: str | None = None,
               max_input_bytes: int | None = None, limits=None):
    """pipeline.process_planned(item, ...) in a worker, within limits: a report whose worker had to be
    killed (past the time limit) or died (e.g. out of memory in native code) gets its `failed` row,
    naming the limit, written by another worker; the run goes on."""
    from flows import pipeline

    item = pipeline.PlannedReport(Path(item.path).absolute(), item.previous_partitions)
    warehouse = Path(warehouse).absolute()  # a worker keeps the working directory it was started in
    options = {"pipeline_version": pipeline_version or pipeline.PIPELINE_VERSION, "max_input_bytes": max_input_bytes}
    seconds = getattr(limits, "seconds", None)
    try:
        return run(pipeline.process_planned, item, warehouse, workers=workers,
                   timeout=seconds + GRACE_S if seconds else None, limits=limits, **options)
    except WorkerTimedOut:
        error = limits.time_message()
    except WorkerDied as died:
        error = pipeline.died_message(describe_exit(died.exitcode), limits)
    return run(pipeline.record_failed, item, warehouse, error, workers=workers, **options)


def running() -> bool:
    """Whether the pool has workers (started and not shut down)."""
    return _pool is not None


def shutdown(wait: bool = True) -> None:
    """Stop the workers (they also end with the process).

    wait=False: tell them to stop and return; they end in the background while the caller goes on.
    """
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=wait)
