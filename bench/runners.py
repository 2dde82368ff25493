"""Prefect's stock ProcessPoolTaskRunner against budgetlake's warm pool, on N reports (issues 10 and 13).

    .venv/bin/python -m bench.runners --n 1000 --repeat 1            # real PDFs: N copies of the corpus
    .venv/bin/python -m bench.runners --n 50 --repeat 2 --synthetic  # the quick synthetic case

Both sides are a subprocess timed from start to exit into an empty warehouse, against one `prefect server
start` (as bench/run.py does), alternating (warm, stock, warm, stock, ...) so both meet the machine in the
same state: **warm** = `budgetlake run FOLDER --workers W` (the ingest flow: Prefect's thread pool handing
each report to a worker forked from the fork server of flows/pool.py); **stock** = `python -m bench.runners
--stock FOLDER WAREHOUSE`: the same plan (pipeline.plan_run) and the same work per report
(pipeline.process_planned), one Prefect task per report on `ProcessPoolTaskRunner(max_workers=W)` (spawned
workers that import Prefect and the pipeline themselves and run Prefect's task engine there).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _stock_task():
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    from flows import pipeline

    @task(name="process-report", cache_policy=NO_CACHE)
    def process(item, warehouse: Path):
        return pipeline.process_planned(item, warehouse)

    return process


def stock_run(folder: Path, warehouse: Path, workers: int) -> int:
    """The ingest flow's work with Prefect's ProcessPoolTaskRunner instead of the warm pool."""
    from prefect import flow
    from prefect.task_runners import ProcessPoolTaskRunner

    from flows import pipeline

    process = _stock_task()

    @flow(name="ingest-stock-process-pool", task_runner=ProcessPoolTaskRunner(max_workers=workers))
    def ingest_stock(folder: str, warehouse: str) -> list:
        plan = pipeline.plan_run([folder], Path(warehouse), force=True)
        futures = [process.submit(item, Path(warehouse).absolute()) for item in plan.work]
        return plan.outcomes({item.path: future.result() for item, future in zip(plan.work, futures)})

    Path(warehouse).mkdir(parents=True, exist_ok=True)
    outcomes = ingest_stock(str(folder), str(warehouse))
    print(f"{len(outcomes)} PDF(s)")
    return 0


def _timed(argv: list, env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(a) for a in argv], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 2):
        raise RuntimeError(f"{argv} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runners", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="reports (default 1000)")
    parser.add_argument("--synthetic", action="store_true",
                        help="synthetic reports (bench/synth.py) instead of copies of the corpus PDFs (bench/copies.py)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side (default 2)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stock", nargs=2, metavar=("FOLDER", "WAREHOUSE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stock:
        return stock_run(Path(args.stock[0]), Path(args.stock[1]), args.workers)

    from bench import copies
    from bench.prefect_server import PrefectServer
    from bench.run import CACHE, CORPUS
    from bench.synth import build_corpus

    if args.synthetic:
        folder, prime = build_corpus(args.n), build_corpus(min(args.n, 20))
    else:
        folder, prime = copies.build(CORPUS, args.n, CACHE)[0], copies.build(CORPUS, min(args.n, 20), CACHE)[0]
    kind = "synthetic reports" if args.synthetic else "copies of the corpus PDFs"
    scratch = Path(tempfile.mkdtemp(prefix="budgetlake-runners-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    home = scratch / "prefect-home"
    with PrefectServer(BIN / "prefect", home, scratch / "server.log", env) as server:
        served = {**env, "PREFECT_API_URL": server.api_url, "PREFECT_HOME": str(home),
                  "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        _timed([BIN / "budgetlake", "run", prime, "--warehouse", scratch / "prime", "--workers", args.workers],
               served)  # not counted: a nightly run meets a server that has served runs
        times: dict[str, list[float]] = {"warm pool": [], "stock ProcessPoolTaskRunner": []}
        for run in range(args.repeat):
            times["warm pool"].append(_timed([BIN / "budgetlake", "run", folder, "--warehouse",
                                              scratch / f"warm-{run}", "--workers", args.workers], served))
            times["stock ProcessPoolTaskRunner"].append(_timed(
                [BIN / "python", "-m", "bench.runners", "--workers", args.workers, "--stock", folder,
                 scratch / f"stock-{run}"], served))
            print({k: [round(t, 2) for t in v] for k, v in times.items()}, flush=True)
    print(f"\nN={args.n} {kind}, --workers {args.workers}, {args.repeat} run(s) each, alternating")
    print("| runner | runs | median s | min–max s | s/report |")
    print("|---|---:|---:|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {len(values)} | {median:.2f} | {min(values):.2f}–{max(values):.2f} | "
              f"{median / args.n:.3f} |")
    warm, stock = (statistics.median(v) for v in times.values())
    print(f"\nstock / warm per report: {stock / warm:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
