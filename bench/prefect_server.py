"""A real `prefect server start` for the benchmark: temp PREFECT_HOME, free loopback port, stopped at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrefectServer:
    """Context manager: starts the server in its own session, waits for /api/health, stops the whole session."""

    def __init__(self, prefect_exe: Path, home: Path, log_path: Path, env: dict[str, str], timeout_s: float = 180.0):
        self.prefect_exe = prefect_exe
        self.home = home
        self.log_path = log_path
        self.base_env = env
        self.timeout_s = timeout_s
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.startup_s: float | None = None
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> "PrefectServer":
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**self.base_env, "PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        started = time.perf_counter()
        with self.log_path.open("wb") as log:
            self._proc = subprocess.Popen(
                [str(self.prefect_exe), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        while time.perf_counter() - started < self.timeout_s:
            if self._proc.poll() is not None:
                raise RuntimeError(f"prefect server exited with {self._proc.returncode}; see {self.log_path}")
            if self._healthy():
                self.startup_s = time.perf_counter() - started
                return self
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"prefect server not healthy after {self.timeout_s} s; see {self.log_path}")

    @property
    def pid(self) -> int | None:
        """The server's process (its CPU time is read by the benchmark around each case)."""
        return self._proc.pid if self._proc else None

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM to the server's own session (it was started with start_new_session), SIGKILL if it lingers."""
        if self._proc is None or self._proc.poll() is not None:
            return
        os.killpg(self._proc.pid, signal.SIGTERM)
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()

    def __exit__(self, *exc) -> None:
        self.stop()
