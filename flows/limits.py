"""The limits on the work one report may take (wall time, memory) and their enforcement in the process running it.

A PDF is untrusted input: a decompression bomb (a few KB whose content stream inflates to GBs) or a
pathological layout must not take a run down. Each report runs within

- a time limit (wall clock, default DEFAULT_TIME_LIMIT_S): an interval timer raises LimitExceeded in
  the report's code; a worker of flows.pool stuck in native code past it (plus a grace period) is
  killed and replaced by the pool;
- a memory limit (default DEFAULT_MEMORY_LIMIT_MB): the address space the report may add to the
  process it runs in (resource.RLIMIT_AS set to the process's size when the report starts plus the
  limit): an allocation beyond it fails, which Python raises as MemoryError, and the report ends
  `failed` naming the limit; native code that aborts instead kills only its worker (flows.pool
  records the report as failed with the same limit named).

The limits are counted per report, in the process that runs it (a pool worker, or the calling process
of `budgetlake report`), and need that process's main thread: a report run on another thread (a Dask
worker's, Prefect's for `report --prefect`) is not limited here (in the pool, the pool's deadline still
applies). POSIX only (resource, setitimer); elsewhere nothing is limited here.

Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from dataclasses import dataclass
from typing import Iterator

try:
    import resource
except ImportError:  # pragma: no cover - not on POSIX
    resource = None

MIB = 1 << 20
DEFAULT_TIME_LIMIT_S = 300.0  # a 2,000-page report takes well under a minute; a 25-page one ~1 s
DEFAULT_MEMORY_LIMIT_MB = 2048  # a 100-page report adds ~300 MB of address space to a warm worker


class LimitExceeded(Exception):
    """A report went over its time or memory limit: it ends `failed` with this message, the run goes on."""


@dataclass(frozen=True)
class ReportLimits:
    """The time (seconds) and memory (bytes of address space) one report may take; None: not limited."""

    seconds: float | None = DEFAULT_TIME_LIMIT_S
    memory_bytes: int | None = DEFAULT_MEMORY_LIMIT_MB * MIB

    @classmethod
    def from_options(cls, time_limit_s: float | None, memory_limit_mb: float | None) -> "ReportLimits":
        """From the command line's --time-limit-s and --memory-limit-mb (0 or less: no limit)."""
        seconds = time_limit_s if time_limit_s and time_limit_s > 0 else None
        memory = int(memory_limit_mb * MIB) if memory_limit_mb and memory_limit_mb > 0 else None
        return cls(seconds=seconds, memory_bytes=memory)

    def time_message(self) -> str:
        return (f"the report took longer than the time limit ({self.seconds:g} s per report): stopped; "
                "raise it with --time-limit-s if it really is a report")

    def memory_message(self) -> str:
        return (f"the report needed more memory than the memory limit ({self.memory_bytes / MIB:g} MB per report): "
                "stopped; raise it with --memory-limit-mb if it really is a report")


def address_space_bytes() -> int | None:
    """This process's current virtual size (Linux /proc/self/statm), None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def limited(limits: ReportLimits | None) -> Iterator[None]:
    """Run the body within limits: LimitExceeded past the time limit, MemoryError past the memory limit.

    Both are undone on leaving (the previous RLIMIT_AS, timer and SIGALRM handler are restored).
    """
    if limits is None:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        yield  # both limits are process-wide (a signal, an rlimit): only the main thread may set them
        return
    with _memory_limit(limits.memory_bytes), _time_limit(limits):
        yield


@contextlib.contextmanager
def _time_limit(limits: ReportLimits) -> Iterator[None]:
    if not limits.seconds or not hasattr(signal, "setitimer"):
        yield
        return

    def over_time(signum, frame):
        raise LimitExceeded(limits.time_message())

    previous = signal.signal(signal.SIGALRM, over_time)
    signal.setitimer(signal.ITIMER_REAL, limits.seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _memory_limit(memory_bytes: int | None) -> Iterator[None]:
    size = address_space_bytes()
    if not memory_bytes or resource is None or size is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = size + memory_bytes
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY:
        wanted = min(wanted, soft)  # never loosen a limit set from outside
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
