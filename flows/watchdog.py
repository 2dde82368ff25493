"""A run's watchdog: once the `budgetlake` process is gone, however it ended (even `kill -9`), so is every process it started.

A run starts processes of its own (the fork server and its workers, Prefect's temporary server: a
uvicorn subprocess). They end with the run when it ends normally; a run killed with SIGKILL cannot
stop them. So `budgetlake run`/`report` starts this small process first (`start()`: this file run as
a script, standard library only, in its own session so that signals for the run's terminal do not
reach it). It keeps a list of the run's descendants from /proc (Linux: pid, parent pid and start
time of every process), refreshed every POLL_S seconds, and learns that the run ended when the pipe
on its stdin closes (the kernel closes it however the run ends; a check of the run's pid backs it
up). Then it asks every descendant it saw to stop (SIGTERM), kills those still there after
TERM_GRACE_S (SIGKILL), and exits. A pid is signalled only while its start time is the one seen, so
a pid reused by an unrelated process is never touched.

Where /proc is missing (not Linux) the watchdog is not started; the pool's workers still end with
the run (flows.pool) and so does the fork server (multiprocessing ends it when its owner is gone).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time

POLL_S = 0.25
TERM_GRACE_S = 3.0

_started: "subprocess.Popen | None" = None


def available() -> bool:
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self/task")


def start() -> "subprocess.Popen | None":
    """Start the watchdog of this process (once; None where it is not available)."""
    global _started
    if _started is None and available():
        _started = subprocess.Popen(
            [sys.executable, "-I", "-S", os.path.abspath(__file__), str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True,
        )
    return _started


# ---------- in the watchdog process ----------


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, start time in clock ticks) of every process now (from /proc/<pid>/stat)."""
    table: dict[int, tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(b")") + 2:].split()  # after "pid (command) ": state, ppid, ...
        table[int(name)] = (int(fields[1]), int(fields[19]))
    return table


def _descendants(root: int, table: dict[int, tuple[int, int]], known: dict[int, int]) -> None:
    """Add to known (pid -> start time) every process descending from root or from a process already known."""
    me = os.getpid()
    changed = True
    while changed:
        changed = False
        for pid, (ppid, started) in table.items():
            if pid != me and pid not in known and (ppid == root or known.get(ppid) == table.get(ppid, (0, -1))[1]):
                known[pid] = started
                changed = True


def _alive(known: dict[int, int]) -> dict[int, int]:
    table = _processes()
    return {pid: started for pid, started in known.items() if table.get(pid, (0, None))[1] == started}


def _signal_all(known: dict[int, int], signum: int) -> None:
    for pid in _alive(known):
        try:
            os.kill(pid, signum)
        except OSError:
            pass


def watch(root: int) -> None:
    """Follow root's descendants until root is gone, then end them all."""
    table = _processes()
    root_start = table.get(root, (0, None))[1]
    known: dict[int, int] = {}
    while root_start is not None and table.get(root, (0, None))[1] == root_start:
        _descendants(root, table, known)
        ready, _, _ = select.select([sys.stdin.buffer], [], [], POLL_S)
        if ready and not os.read(sys.stdin.fileno(), 1 << 16):  # EOF: the run's process is gone
            break
        table = _processes()
    for _ in range(3):  # processes forked meanwhile by known ones (their parents are still there)
        table = _processes()
        _descendants(root, table, known)
    if not _alive(known):
        return
    _signal_all(known, signal.SIGTERM)
    deadline = time.monotonic() + TERM_GRACE_S
    while _alive(known) and time.monotonic() < deadline:
        _descendants(root, _processes(), known)
        time.sleep(0.1)
    _signal_all(known, signal.SIGKILL)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch(int(sys.argv[1]))
