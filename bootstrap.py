"""Sets up .venv from the lock file, then runs the pipeline on the sample (`run`) or the test suite (`test`)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
STAMP = VENV / ".budgetlake-installed"
PACKAGES = ["extract", "transform", "contracts", "flows"]


def _bin(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def _wanted_stamp() -> str:
    digest = hashlib.sha256(LOCK.read_bytes() + PYPROJECT.read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the locked dependencies plus this project, unless already current."""
    if sys.version_info < (3, 11):
        sys.exit(f"budgetlake needs Python 3.11 or newer, this is {sys.version.split()[0]}")
    if not _bin("python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _wanted_stamp():
        return
    pip = [str(_bin("python")), "-m", "pip", "--disable-pip-version-check", "-q"]
    print("installing locked dependencies (first run takes a minute or two)", flush=True)
    subprocess.run([*pip, "install", "-r", str(LOCK)], check=True)
    subprocess.run([*pip, "install", "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(_wanted_stamp())


def compile_bytecode() -> None:
    """Byte-compile the project's packages, as pip does for an installed package.

    An editable install leaves that to the first import, which is skipped where
    PYTHONDONTWRITEBYTECODE is set (as on our CI machine): every `budgetlake` start would then
    compile every module again (~0.05 s of a run over a few PDFs). Files already current are skipped.
    """
    subprocess.run([str(_bin("python")), "-m", "compileall", "-q", *PACKAGES], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def prepare_orchestrator() -> None:
    """Create and migrate the database of Prefect's temporary server once, here, not in the first run.

    A first start migrates that database before answering, which takes longer than Prefect's
    default start-up wait on a busy 2-core machine. Skipped when the database exists already.
    """
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    if os.environ.get("PREFECT_API_URL") or os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL") \
            or (home / "prefect.db").exists():
        return
    print(f"preparing Prefect's database in {home} (once)", flush=True)
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    subprocess.run([str(_bin("prefect")), "server", "database", "upgrade", "-y"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "setup"}:
        print("usage: python3 bootstrap.py run|test|setup [extra arguments]", file=sys.stderr)
        return 2
    command, extra = argv[0], argv[1:]
    ensure_environment()
    compile_bytecode()
    if command in {"setup", "run"}:
        prepare_orchestrator()
    os.chdir(ROOT)
    if command == "setup":
        return 0
    if command == "run":
        return subprocess.run([str(_bin("budgetlake")), "run", *extra]).returncode
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return subprocess.run([str(_bin("python")), "-m", "pytest", *extra], env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
