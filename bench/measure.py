"""Run one command as a subprocess and measure it: wall time, exit code, peak RSS and CPU time of each process in its tree.

Peak RSS is sampled by polling the process tree with psutil every `poll_s` (default 50 ms) from the
harness, so each process is seen by pid and role (main / worker / server / helper). getrusage
(RUSAGE_CHILDREN) was not used: it gives one maximum over every child the harness ever waited for, so
successive measurements could not be told apart, nor main from worker. Polling can miss a peak that
lasts less than one interval; reported values are lower bounds of the true peaks.

CPU time is each process's own user + system time (psutil `cpu_times`) as last seen by the same polling,
summed per role: a lower bound as well, by at most one interval of each process's work after its last
sample. (The children's rusage of the harness would miss the workers of a fork server, which are not the
harness's grandchildren by `wait`.)
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

MB = 1024 * 1024


@dataclass
class Measurement:
    """One run of one command."""

    argv: list[str]
    wall_s: float
    returncode: int
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # role -> highest peak among processes of that role
    processes: dict[str, int] = field(default_factory=dict)  # role -> number of distinct processes seen
    cpu_s: dict[str, float] = field(default_factory=dict)  # role -> user + system seconds of its processes
    stdout_tail: str = ""
    stderr_tail: str = ""


def role_of(cmdline: list[str], is_root: bool, parent_cmdline: list[str] | None = None) -> str:
    """main (the command itself), worker (multiprocessing children), server (a Prefect/uvicorn server), helper.

    The workers of a fork server show the server's own command line: a fork-server process whose
    parent is a fork server too is a worker; the server itself is a helper.
    """
    if is_root:
        return "main"
    text = " ".join(cmdline)
    if "forkserver" in text:
        return "worker" if "forkserver" in " ".join(parent_cmdline or []) else "helper"
    if "resource_tracker" in text:
        return "helper"
    if "uvicorn" in text or "prefect.server" in text or "server start" in text:
        return "server"
    if "multiprocessing" in text or "spawn_main" in text or "joblib" in text or "loky" in text:
        return "worker"
    return "helper"


def _sample(root: psutil.Process, peaks: dict[int, tuple[str, int, float]]) -> None:
    try:
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for proc in tree:
        try:
            rss = proc.memory_info().rss
            times = proc.cpu_times()
            # the role is re-read each time: a child seen between fork and exec still shows its parent's cmdline
            parent = proc.parent()
            role = role_of(proc.cmdline(), proc.pid == root.pid, parent.cmdline() if parent else None)
            peaks[proc.pid] = (role, max(rss, peaks.get(proc.pid, (role, 0, 0.0))[1]), times.user + times.system)
        except psutil.Error:
            continue


def run_measured(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
                 poll_s: float = 0.05, log_dir: Path | None = None, timeout_s: float | None = None) -> Measurement:
    """Start argv, poll its process tree until it exits, and return the wall time and per-role peak RSS."""
    log_dir = Path(log_dir or Path.cwd())
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    out_path, err_path = log_dir / f"{stamp}.out", log_dir / f"{stamp}.err"
    peaks: dict[int, tuple[str, int, float]] = {}
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        # A thread blocked in wait() takes the end time the moment the process exits: the sampling loop
        # below wakes only every poll_s, which would add up to poll_s to every wall time.
        ended: list[float] = []
        waiter = threading.Thread(target=lambda: (proc.wait(), ended.append(time.perf_counter())), daemon=True)
        waiter.start()
        try:
            root = psutil.Process(proc.pid)
            while not ended:
                _sample(root, peaks)
                if timeout_s and time.perf_counter() - started > timeout_s:
                    proc.kill()
                waiter.join(poll_s)
        except psutil.NoSuchProcess:
            pass
        waiter.join()
        returncode = proc.returncode
        wall_s = ended[0] - started
    by_role: dict[str, float] = {}
    counts: dict[str, int] = {}
    cpu: dict[str, float] = {}
    for role, rss, cpu_s in peaks.values():
        by_role[role] = max(by_role.get(role, 0.0), rss / MB)
        counts[role] = counts.get(role, 0) + 1
        cpu[role] = cpu.get(role, 0.0) + cpu_s
    return Measurement(
        argv=[str(a) for a in argv],
        wall_s=wall_s,
        returncode=returncode,
        peak_rss_mb={k: round(v, 1) for k, v in sorted(by_role.items())},
        processes=dict(sorted(counts.items())),
        cpu_s={k: round(v, 2) for k, v in sorted(cpu.items())},
        stdout_tail=_tail(out_path),
        stderr_tail=_tail(err_path),
    )


def _tail(path: Path, chars: int = 2000) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return text[-chars:]
