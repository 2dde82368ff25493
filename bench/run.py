"""The benchmark run: cold, warm, camelot baseline, scale and latency cases, one table and bench/results/latest.json.

    .venv/bin/python -m bench                  # everything (15-30 min on 2 cores)
    .venv/bin/python -m bench --quick          # smoke run: N=10 only, one run of each case
    .venv/bin/python -m bench --sizes 10,100 --repeat 5 --corpus-repeat 7 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import psutil

import bootstrap

from bench import synth
from bench.measure import Measurement, run_measured
from bench.prefect_server import PrefectServer
from bench.stats import CaseSummary, fmt_ratio, markdown_table, median, ratio

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SHARED = REPO_ROOT / ".." / "shared"
CORPUS = SHARED / "corpus" / "final_accounts"
LATENCY_PDF = CORPUS / "上海市普陀区财政局2024年度部门决算.pdf"
SEED_SAMPLE = REPO_ROOT / "data" / "samples" / "武汉市硚口区司法局2024年度部门决算公开.pdf"
RESULTS = BENCH_DIR / "results" / "latest.json"
BIN = Path(sys.executable).parent
PIPELINE_PATHS = ["extract", "transform", "contracts", "flows"]

# issue 5 targets
TARGET_SPEEDUP = 10.0
TARGET_WARM_SHARE = 0.05
TARGET_LATENCY_S = 5.0
TARGET_SCALE_FLATNESS = 0.15
TARGET_WORKER_RSS_MB = 1024.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: N=10 only, repeat 1")
    parser.add_argument("--sizes", default="10,100,1000", help="synthetic corpus sizes (default 10,100,1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scale case (N>=1000: always 1)")
    parser.add_argument("--corpus-repeat", type=int, default=5,
                        help="runs per case on the 4-PDF corpus (baseline, cold, warm, latency; default 5)")
    parser.add_argument("--workers", type=int, default=None, help="budgetlake run --workers (default: its own)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary warehouses and logs")
    args = parser.parse_args(argv)
    args.sizes = [10] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.quick:
        args.repeat = args.corpus_repeat = 1
    return args


# ---------- facts about the machine and the inputs ----------


def machine_info() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def code_state() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"),
            "pipeline_changes_uncommitted": git("status", "--porcelain", "--", *PIPELINE_PATHS).splitlines()}


def count_pages(folder: Path) -> tuple[int, int]:
    """(pages, PDFs) under folder."""
    import pypdfium2

    pdfs = sorted(folder.rglob("*.pdf"))
    pages = 0
    for pdf in pdfs:
        document = pypdfium2.PdfDocument(str(pdf))
        pages += len(document)
        document.close()
    return pages, len(pdfs)


# ---------- cases ----------


class Bench:
    """Runs cases in one scratch folder and keeps every measurement."""

    def __init__(self, args: argparse.Namespace, scratch: Path):
        self.args = args
        self.scratch = scratch
        self.logs = scratch / "logs"
        self.summaries: list[CaseSummary] = []
        self.raw: dict[str, list[dict]] = {}
        self._counter = 0

    def warehouse(self) -> Path:
        self._counter += 1
        return self.scratch / f"warehouse-{self._counter}"

    def measure(self, case: str, argv: list, env: dict[str, str]) -> Measurement:
        started = time.strftime("%H:%M:%S")
        m = run_measured([str(a) for a in argv], env=env, cwd=REPO_ROOT, log_dir=self.logs)
        print(f"  [{started}] {case}: {m.wall_s:.2f} s, exit {m.returncode}, peak RSS {m.peak_rss_mb} MB",
              flush=True)
        if m.returncode not in (0, 2):
            print(f"    stderr: {m.stderr_tail[-600:]}", flush=True)
        self.raw.setdefault(case, []).append(
            {"wall_s": round(m.wall_s, 3), "returncode": m.returncode, "peak_rss_mb": m.peak_rss_mb,
             "processes": m.processes, "stdout_tail": m.stdout_tail[-400:]})
        return m

    def summarize(self, case: str, runs: list[Measurement], pages: int, reports: int, note: str = "") -> CaseSummary:
        peaks = lambda role: max((m.peak_rss_mb.get(role, 0.0) for m in runs), default=0.0) or None  # noqa: E731
        summary = CaseSummary(case=case, walls_s=[m.wall_s for m in runs], pages=pages, reports=reports,
                              rss_main_mb=peaks("main"), rss_worker_mb=peaks("worker"),
                              returncodes=[m.returncode for m in runs], note=note)
        self.summaries.append(summary)
        return summary

    def budgetlake_run(self, paths: list[Path], warehouse: Path) -> list:
        argv = [BIN / "budgetlake", "run", *paths, "--warehouse", warehouse]
        return argv + (["--workers", str(self.args.workers)] if self.args.workers else [])


def verify_scale_run(warehouse: Path, manifest: dict) -> dict:
    """Compare the warehouse `reports` rows with what the generator made: department, year, expected status.

    Expected status: `warnings` (as the seed) for factor 1; `quarantined` for factor > 1, because the seed's
    own rounding differences (0.01-0.07 万元, within tolerance) and its cut-short 2,171.2 scale with the
    figures and end beyond the 0.01-per-term tolerance.
    """
    import pandas as pd

    reports = pd.read_parquet(warehouse / "reports")
    by_file = {row.source_file: row for row in reports.itertuples(index=False)}
    mismatches: list[str] = []
    statuses: Counter = Counter()
    for item in manifest["reports"]:
        row = by_file.get(item["file"])
        if row is None:
            mismatches.append(f"{item['file']}: missing")
            continue
        statuses[(item["factor"], row.status)] += 1
        expected_status = "warnings" if item["factor"] == 1 else "quarantined"
        got = (str(row.department), int(row.year), row.status)
        if got != (item["department"], item["year"], expected_status):
            mismatches.append(f"{item['file']}: got {got}, expected {(item['department'], item['year'], expected_status)}")
    return {"reports": len(manifest["reports"]), "in_warehouse": len(reports), "mismatches": len(mismatches),
            "first_mismatches": mismatches[:5],
            "status_by_factor": {f"x{factor} {status}": n for (factor, status), n in sorted(statuses.items())}}


def run_benchmark(args: argparse.Namespace) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="budgetlake-bench-"))
    bench = Bench(args, scratch)
    result: dict = {"started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "machine": machine_info(), "code": code_state(),
                    "options": {"sizes": args.sizes, "repeat": args.repeat, "workers": args.workers,
                                "corpus_repeat": args.corpus_repeat, "quick": args.quick}, "scratch": str(scratch)}
    print(f"scratch folder: {scratch}", flush=True)
    # the pipeline byte-compiled, as in an installed package (PYTHONDONTWRITEBYTECODE would otherwise make
    # every measured run compile it again)
    bootstrap.compile_bytecode()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    corpus_pages, corpus_reports = count_pages(CORPUS)
    import pypdfium2

    latency_pages = len(pypdfium2.PdfDocument(str(LATENCY_PDF)))
    result["corpus"] = {"path": str(CORPUS.resolve()), "pages": corpus_pages, "reports": corpus_reports}

    # synthetic corpora first, so generation time never mixes into a measurement
    corpora: dict[int, tuple[Path, int, int]] = {}
    generation: dict[str, float] = {}
    for n in args.sizes:
        started = time.perf_counter()
        folder = synth.build_corpus(n)
        generation[str(n)] = round(time.perf_counter() - started, 1)
        pages, reports = count_pages(folder)
        corpora[n] = (folder, pages, reports)
        print(f"synthetic corpus N={n}: {folder} ({pages} pages) ready in {generation[str(n)]} s", flush=True)
    result["synthetic_corpora"] = {str(n): {"path": str(f), "pages": p, "reports": r, "ready_s": generation[str(n)]}
                                   for n, (f, p, r) in corpora.items()}

    # the baseline's cost per report on the synthetic reports, to compare with the scale runs (one run: the
    # baseline has no fixed cost to spread, so its per-report time holds for any N)
    synthetic_baseline = None
    if corpora:
        n = min(corpora)
        folder, pages, reports = corpora[n]
        print(f"baseline on the synthetic corpus N={n}", flush=True)
        runs = [bench.measure(f"baseline N={n}", [BIN / "python", BENCH_DIR / "baseline_camelot.py", folder], env)]
        synthetic_baseline = bench.summarize(f"baseline: camelot lattice, all pages, synthetic N={n}", runs,
                                             pages, reports)

    home = scratch / "prefect-home-server"
    with PrefectServer(BIN / "prefect", home, scratch / "prefect-server.log", env) as server:
        print(f"prefect server on {server.api_url}, healthy after {server.startup_s:.1f} s", flush=True)
        result["prefect_server"] = {"api_url": server.api_url, "startup_s": round(server.startup_s, 2)}
        served = {**env, "PREFECT_API_URL": server.api_url, "PREFECT_HOME": str(home)}
        # one run on the fresh server first, not counted: a nightly run meets a server that has served runs
        bench.measure("prime the server", [BIN / "budgetlake", "run", SEED_SAMPLE, "--warehouse", bench.warehouse()],
                      served)

        # Baseline and cold runs alternate, so that both meet the machine in the same state: on this shared
        # machine the speed of a run drifts by up to ~10 % over minutes, as much as the margin of the ratio.
        print("baseline (camelot lattice, default engine, every page, no triage) and cold, alternating", flush=True)
        baseline, cold, warehouse = [], [], None
        for _ in range(args.corpus_repeat):
            baseline.append(bench.measure("baseline", [BIN / "python", BENCH_DIR / "baseline_camelot.py", CORPUS],
                                          env))
            warehouse = bench.warehouse()
            cold.append(bench.measure("cold", bench.budgetlake_run([CORPUS], warehouse), served))
        baseline_summary = bench.summarize("baseline: camelot lattice, all pages", baseline, corpus_pages,
                                           corpus_reports)
        cold_summary = bench.summarize("cold (server)", cold, corpus_pages, corpus_reports)
        warm = [bench.measure("warm", bench.budgetlake_run([CORPUS], warehouse), served)
                for _ in range(args.corpus_repeat)]
        warm_summary = bench.summarize("warm (server)", warm, corpus_pages, corpus_reports)

        latency = [bench.measure("latency", [BIN / "budgetlake", "report", LATENCY_PDF, "--warehouse",
                                             bench.warehouse()], served) for _ in range(args.corpus_repeat)]
        latency_summary = bench.summarize("latency: report FILE", latency, latency_pages, 1)
        latency_flow = [bench.measure("latency --prefect", [BIN / "budgetlake", "report", LATENCY_PDF, "--prefect",
                                                            "--warehouse", bench.warehouse()], served)
                        for _ in range(args.corpus_repeat)]
        bench.summarize("latency: report FILE --prefect (server)", latency_flow, latency_pages, 1)

        scale: dict[int, CaseSummary] = {}
        verification: dict[str, dict] = {}
        for n, (folder, pages, reports) in corpora.items():
            repeat = 1 if n >= 1000 else args.repeat
            runs = []
            for attempt in range(repeat):
                warehouse = bench.warehouse()
                runs.append(bench.measure(f"scale N={n}", bench.budgetlake_run([folder], warehouse), served))
                if attempt == 0:
                    verification[str(n)] = verify_scale_run(warehouse, synth.read_manifest(folder))
                    print(f"    verification N={n}: {verification[str(n)]}", flush=True)
                if not args.keep:
                    shutil.rmtree(warehouse, ignore_errors=True)
            scale[n] = bench.summarize(f"scale N={n} (server)", runs, pages, reports)
        result["scale_verification"] = verification

    # without a server: budgetlake starts Prefect's temporary server itself (its start-up counted)
    no_server = {**env, "PREFECT_HOME": str(scratch / "prefect-home-temporary")}
    bench.measure("prime temporary-server PREFECT_HOME", [BIN / "budgetlake", "run", SEED_SAMPLE, "--warehouse",
                                                          bench.warehouse()], no_server)
    runs = [bench.measure("cold (no server)", bench.budgetlake_run([CORPUS], bench.warehouse()), no_server)]
    bench.summarize("cold (no server: temporary server)", runs, corpus_pages, corpus_reports)

    # diagnostics for where the time goes: the same work without Prefect, and the import cost of the flows module
    runs = [bench.measure("cold --no-prefect", [BIN / "budgetlake", "run", CORPUS, "--no-prefect", "--warehouse",
                                                bench.warehouse()], env) for _ in range(args.corpus_repeat)]
    bench.summarize("diagnostic: cold --no-prefect (sequential, 1 process)", runs, corpus_pages, corpus_reports)
    runs = [bench.measure("import flows.ingest", [BIN / "python", "-c", "import flows.ingest"], env)
            for _ in range(args.corpus_repeat)]
    bench.summarize("diagnostic: python -c 'import flows.ingest'", runs, 0, 0)

    result["cases"] = [s.as_dict() for s in bench.summaries]
    result["raw_runs"] = bench.raw
    result["ratios"] = ratios = {
        "cold_over_baseline": ratio(cold_summary.median_s, baseline_summary.median_s),
        "baseline_over_cold_speedup": ratio(baseline_summary.median_s, cold_summary.median_s),
        "warm_over_cold": ratio(warm_summary.median_s, cold_summary.median_s),
        # each cold run against the baseline run just before it (the pairs met the machine in the same state)
        "baseline_over_cold_speedup_paired": [ratio(b, c) for b, c in zip(baseline_summary.walls_s,
                                                                           cold_summary.walls_s)],
    }
    sizes = sorted(scale)
    flat = None
    if 100 in scale and 1000 in scale:
        flat = ratio(scale[1000].s_per_report, scale[100].s_per_report)
        if scale[1000].median_s is not None and scale[100].median_s is not None:
            ratios["marginal_s_per_report_100_to_1000"] = (scale[1000].median_s - scale[100].median_s) / 900
    ratios["s_per_report_1000_over_100"] = flat
    if synthetic_baseline is not None and sizes:
        ratios["baseline_over_scale_speedup_per_report"] = ratio(synthetic_baseline.s_per_report,
                                                                 scale[sizes[-1]].s_per_report)
    worker_peaks = [s.rss_worker_mb for s in bench.summaries if s.rss_worker_mb and not s.case.startswith("baseline")]
    result["targets"] = {
        "cold_10x_faster_than_baseline": _met(ratios["baseline_over_cold_speedup"], lambda v: v >= TARGET_SPEEDUP),
        "warm_at_most_5pct_of_cold": _met(ratios["warm_over_cold"], lambda v: v <= TARGET_WARM_SHARE),
        "adhoc_report_under_5s": _met(latency_summary.median_s, lambda v: v < TARGET_LATENCY_S),
        "scale_flat_100_to_1000_within_15pct": _met(flat, lambda v: abs(v - 1) <= TARGET_SCALE_FLATNESS),
        "peak_rss_per_worker_under_1gb": _met(max(worker_peaks) if worker_peaks else None,
                                              lambda v: v < TARGET_WORKER_RSS_MB),
    }
    result["scale_sizes"] = sizes
    result["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def _met(value: float | None, test) -> dict:
    return {"value": value, "met": None if value is None else bool(test(value))}


def render_report(result: dict) -> str:
    """The printed summary: machine, results table, ratios and targets."""
    machine = result["machine"]
    summaries = [CaseSummary(case=c["case"], walls_s=c["walls_s"], pages=c["pages"], reports=c["reports"],
                             rss_main_mb=c["peak_rss_main_mb"], rss_worker_mb=c["peak_rss_worker_mb"])
                 for c in result["cases"]]
    ratios = result["ratios"]
    lines = [
        f"machine: {machine['nproc']} cores ({machine['cpu_model']}), {machine['ram_gb']} GB RAM, "
        f"Python {machine['python']}, load average {machine['loadavg_at_start']} → {machine.get('loadavg_at_end')}",
        f"code: {result['code']['commit']}"
        + (f" + uncommitted pipeline changes {result['code']['pipeline_changes_uncommitted']}"
           if result["code"]["pipeline_changes_uncommitted"] else ""),
        "",
        markdown_table(summaries),
        "",
        f"cold/baseline: {fmt_ratio(ratios['cold_over_baseline'])} "
        f"(speed-up {fmt_ratio(ratios['baseline_over_cold_speedup'])}; run by run: "
        f"{', '.join(fmt_ratio(r) for r in ratios.get('baseline_over_cold_speedup_paired', []))}); "
        f"warm/cold: {fmt_ratio(ratios['warm_over_cold'])}; "
        f"s/report N=1000 over N=100: {fmt_ratio(ratios.get('s_per_report_1000_over_100'))}; "
        f"baseline s/report over largest-N s/report: {fmt_ratio(ratios.get('baseline_over_scale_speedup_per_report'))}",
        "targets (issue 5): " + ", ".join(
            f"{name} {'MET' if t['met'] else 'NOT MET' if t['met'] is False else 'n/a'}"
            for name, t in result["targets"].items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run_benchmark(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print()
    print(render_report(result))
    print(f"\nresults: {args.out}")
    return 0


__all__ = ["main", "run_benchmark", "render_report", "verify_scale_run", "median"]
