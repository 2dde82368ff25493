"""The benchmark run: real-PDF throughput at N copies, the camelot baseline per page, warm no-op, latency, scans.

    .venv/bin/python -m bench                          # everything (about 20 min on 2 cores, 45 with --against)
    .venv/bin/python -m bench --against ../base        # the same cases for another checkout, side by side
    .venv/bin/python -m bench --quick                  # smoke run: N=20, one run of each case

Every case is a subprocess timed from start to exit (interpreter start-up included), measured by
bench/measure.py (wall time, CPU seconds and peak RSS per process role). The `budgetlake` runs talk to one
`prefect server start` (its start-up not counted), as a nightly run does. An empty run (a folder without PDFs)
shows the fixed start-up of the command.
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
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import psutil

from bench import copies
from bench.measure import Measurement, run_measured
from bench.prefect_server import PrefectServer
from bench.stats import CaseSummary, fmt, fmt_ratio, markdown_table, median, ratio

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SHARED = REPO_ROOT / ".." / "shared"
CORPUS = SHARED / "corpus"
LATENCY_PDF = CORPUS / "final_accounts" / "上海市普陀区财政局2024年度部门决算.pdf"
SEED_SAMPLE = REPO_ROOT / "data" / "samples" / "武汉市硚口区司法局2024年度部门决算公开.pdf"
CACHE = BENCH_DIR / "corpus"
RESULTS = BENCH_DIR / "results" / "latest.json"
PIPELINE_PATHS = ["extract", "transform", "contracts", "flows"]

# issue 10 targets
TARGET_NOOP_S = 2.0
TARGET_AGAINST_SLOWER = 1.10
TARGET_WORKER_RSS_MB = 1024.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: N=20, one run of each case")
    parser.add_argument("--sizes", default="100,1000", help="numbers of real-PDF copies (default 100,1000)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each copies case below N=1000 (default 2; "
                        "N>=1000: one)")
    parser.add_argument("--small-repeat", type=int, default=3,
                        help="runs of the short cases: no-op, latency, start-up (default 3)")
    parser.add_argument("--against", type=Path, action="append", default=[],
                        help="another checkout (with its .venv) measured in the same run, alternating")
    parser.add_argument("--no-scanned", action="store_true", help="leave out the scanned case")
    parser.add_argument("--workers", type=int, default=None, help="budgetlake run --workers (default: its own)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary warehouses and logs")
    args = parser.parse_args(argv)
    args.sizes = [20] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.quick:
        args.repeat = args.small_repeat = 1
    return args


# ---------- facts about the machine, the code and the inputs ----------


def machine_info() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
            "cpu_model": model, "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True).stdout.strip()


@dataclass(frozen=True)
class Checkout:
    """A checkout whose `budgetlake` is measured: this one, or one named by --against."""

    root: Path

    @property
    def bin(self) -> Path:
        return Path(sys.executable).parent if self.root == REPO_ROOT else self.root / ".venv" / "bin"

    @property
    def label(self) -> str:
        changed = git(self.root, "status", "--porcelain", "--", *PIPELINE_PATHS)
        return git(self.root, "rev-parse", "--short", "HEAD") + ("+changes" if changed else "")

    def compile(self) -> None:
        """Byte-compile its pipeline, as an install does (else every measured run would compile it again)."""
        subprocess.run([str(self.bin / "python"), "-m", "compileall", "-q", *PIPELINE_PATHS], cwd=self.root,
                       check=True, capture_output=True)


def count_pages(pdfs: list[Path]) -> int:
    import pypdfium2

    pages = 0
    for pdf in pdfs:
        document = pypdfium2.PdfDocument(str(pdf))
        pages += len(document)
        document.close()
    return pages


def tree_cpu_s(pid: int) -> float:
    """User + system seconds of a process and its living children (the Prefect server's share of a case)."""
    try:
        root = psutil.Process(pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
        return total
    except psutil.Error:
        return 0.0


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
        self.server_pid: int | None = None

    def warehouse(self) -> Path:
        self._counter += 1
        return self.scratch / f"warehouse-{self._counter}"

    def measure(self, case: str, argv: list, env: dict[str, str], cwd: Path = REPO_ROOT) -> Measurement:
        started = time.strftime("%H:%M:%S")
        server_before = tree_cpu_s(self.server_pid) if self.server_pid else None
        m = run_measured([str(a) for a in argv], env=env, cwd=cwd, log_dir=self.logs)
        server_cpu = None if server_before is None else round(tree_cpu_s(self.server_pid) - server_before, 2)
        print(f"  [{started}] {case}: {m.wall_s:.2f} s, CPU {sum(m.cpu_s.values()):.1f} s, exit {m.returncode}, "
              f"peak RSS {m.peak_rss_mb} MB", flush=True)
        if m.returncode not in (0, 2):
            print(f"    stderr: {m.stderr_tail[-600:]}", flush=True)
        self.raw.setdefault(case, []).append(
            {"wall_s": round(m.wall_s, 3), "returncode": m.returncode, "peak_rss_mb": m.peak_rss_mb,
             "cpu_s": m.cpu_s, "server_cpu_s": server_cpu, "processes": m.processes,
             "stdout_tail": m.stdout_tail[-400:]})
        return m

    def summarize(self, case: str, runs: list[Measurement], pages: int, reports: int, code: str = "",
                  note: str = "") -> CaseSummary:
        peaks = lambda role: max((m.peak_rss_mb.get(role, 0.0) for m in runs), default=0.0) or None  # noqa: E731
        summary = CaseSummary(case=case, walls_s=[m.wall_s for m in runs], pages=pages, reports=reports,
                              rss_main_mb=peaks("main"), rss_worker_mb=peaks("worker"),
                              returncodes=[m.returncode for m in runs], note=note, code=code,
                              cpu_s=[sum(m.cpu_s.values()) for m in runs])
        self.summaries.append(summary)
        return summary

    def budgetlake_run(self, checkout: Checkout, paths: list[Path], warehouse: Path) -> list:
        argv = [checkout.bin / "budgetlake", "run", *paths, "--warehouse", warehouse]
        return argv + (["--workers", str(self.args.workers)] if self.args.workers else [])


def run_benchmark(args: argparse.Namespace) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="budgetlake-bench-"))
    bench = Bench(args, scratch)
    checkouts = [Checkout(REPO_ROOT), *(Checkout(Path(a).resolve()) for a in args.against)]
    labels = {c: c.label for c in checkouts}
    result: dict = {"started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "machine": machine_info(), "code": {labels[c]: str(c.root) for c in checkouts},
                    "options": {k: (v if not isinstance(v, list) or not v or not isinstance(v[0], Path)
                                    else [str(x) for x in v]) for k, v in vars(args).items() if k != "out"},
                    "scratch": str(scratch)}
    print(f"scratch folder: {scratch}; code: {', '.join(labels.values())}", flush=True)
    for checkout in checkouts:
        checkout.compile()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

    sources = copies.sources(CORPUS)
    source_pages = count_pages(sources)
    result["corpus"] = {"path": str(CORPUS.resolve()), "pdfs": len(sources), "pages": source_pages}
    corpora: dict[int, tuple[Path, dict, int]] = {}
    for n in args.sizes:
        started = time.perf_counter()
        folder, manifest = copies.build(CORPUS, n, CACHE)
        pages = count_pages(sorted(folder.glob("*.pdf")))
        corpora[n] = (folder, manifest, pages)
        print(f"copies N={n}: {folder} ({pages} pages) ready in {time.perf_counter() - started:.1f} s", flush=True)
    result["copies"] = {str(n): {"path": str(f), "pages": p} for n, (f, _, p) in corpora.items()}
    scanned = None
    if not args.no_scanned:
        from bench import scanned as scanned_corpus

        scanned = scanned_corpus.build(CACHE / "scanned")
        result["scanned_corpus"] = {"pdfs": [str(p) for p in scanned], "pages": count_pages(scanned)}

    # the ten-line camelot script over every page of every corpus PDF (no fixed cost to spread: its pages/s
    # holds for any N)
    print("baseline: camelot lattice, default engine, every page", flush=True)
    runs = [bench.measure("baseline", [checkouts[0].bin / "python", BENCH_DIR / "baseline_camelot.py", CORPUS], env)]
    baseline = bench.summarize("baseline: camelot lattice, every page of the corpus", runs, source_pages,
                               len(sources))

    home = scratch / "prefect-home-server"
    copies_cases: dict[tuple[int, Checkout], CaseSummary] = {}
    noop: dict[Checkout, CaseSummary] = {}
    latency: dict[Checkout, CaseSummary] = {}
    verification: dict[str, dict] = {}
    with PrefectServer(checkouts[0].bin / "prefect", home, scratch / "prefect-server.log", env) as server:
        print(f"prefect server on {server.api_url}, healthy after {server.startup_s:.1f} s", flush=True)
        bench.server_pid = server.pid
        result["prefect_server"] = {"api_url": server.api_url, "startup_s": round(server.startup_s, 2)}
        served = {**env, "PREFECT_API_URL": server.api_url, "PREFECT_HOME": str(home)}
        for checkout in checkouts:  # one uncounted run each: a nightly run meets a server that has served runs
            bench.measure(f"prime the server ({labels[checkout]})",
                          [checkout.bin / "budgetlake", "run", SEED_SAMPLE, "--warehouse", bench.warehouse()],
                          served, cwd=checkout.root)

        largest: dict[Checkout, Path] = {}
        for n, (folder, manifest, pages) in corpora.items():
            repeat = 1 if n >= 1000 else args.repeat
            runs_of: dict[Checkout, list[Measurement]] = {c: [] for c in checkouts}
            for attempt in range(repeat):
                # checkouts alternate, and swap order each attempt: both meet the machine in the same state
                for checkout in checkouts if attempt % 2 == 0 else checkouts[::-1]:
                    warehouse = bench.warehouse()
                    runs_of[checkout].append(bench.measure(
                        f"copies N={n} ({labels[checkout]})", bench.budgetlake_run(checkout, [folder], warehouse),
                        served, cwd=checkout.root))
                    if attempt == 0:
                        verification[f"{n} {labels[checkout]}"] = verdict = copies.verify(warehouse, manifest)
                        print(f"    verification: {verdict}", flush=True)
                    if n == max(corpora):
                        shutil.rmtree(largest.get(checkout, scratch / "none"), ignore_errors=True)
                        largest[checkout] = warehouse
                    elif not args.keep:
                        shutil.rmtree(warehouse, ignore_errors=True)
            for checkout in checkouts:
                copies_cases[(n, checkout)] = bench.summarize(f"copies N={n}", runs_of[checkout], pages, n,
                                                              code=labels[checkout])
        result["copies_verification"] = verification

        n = max(corpora)
        folder, _, pages = corpora[n]
        for checkout in checkouts:
            runs = [bench.measure(f"no-op N={n} ({labels[checkout]})",
                                  bench.budgetlake_run(checkout, [folder], largest[checkout]), served,
                                  cwd=checkout.root) for _ in range(args.small_repeat)]
            noop[checkout] = bench.summarize(f"warm no-op over the N={n} warehouse", runs, 0, n,
                                             code=labels[checkout])
        latency_pages = count_pages([LATENCY_PDF])
        for checkout in checkouts:
            runs = [bench.measure(f"latency ({labels[checkout]})",
                                  [checkout.bin / "budgetlake", "report", LATENCY_PDF, "--warehouse",
                                   bench.warehouse()], served, cwd=checkout.root) for _ in range(args.small_repeat)]
            latency[checkout] = bench.summarize("latency: budgetlake report FILE", runs, latency_pages, 1,
                                                code=labels[checkout])
        if scanned:
            warehouse = bench.warehouse()
            runs = [bench.measure("scanned", bench.budgetlake_run(checkouts[0], scanned, warehouse), served)]
            bench.summarize("scanned: image-only copies, read by OCR", runs, count_pages(scanned), len(scanned),
                            code=labels[checkouts[0]])
            result["scanned_reports"] = scanned_verdict(warehouse)
        empty = scratch / "empty"
        empty.mkdir()
        for checkout in checkouts:
            runs = [bench.measure(f"start-up ({labels[checkout]})", bench.budgetlake_run(checkout, [empty],
                                                                                          bench.warehouse()),
                                  served, cwd=checkout.root) for _ in range(args.small_repeat)]
            bench.summarize("diagnostic: start-up, empty run", runs, 0, 0, code=labels[checkout])

    result["cases"] = [s.as_dict() for s in bench.summaries]
    result["raw_runs"] = bench.raw
    ours = checkouts[0]
    top = max(corpora)
    result["ratios"] = ratios = {
        f"pages_per_s_N{n}_over_baseline": ratio(copies_cases[(n, ours)].pages_per_s, baseline.pages_per_s)
        for n in corpora}
    for other in checkouts[1:]:
        for n in corpora:
            ratios[f"s_per_report_N{n}_{labels[ours]}_over_{labels[other]}"] = ratio(
                copies_cases[(n, ours)].s_per_report, copies_cases[(n, other)].s_per_report)
            ratios[f"cpu_s_per_report_N{n}_{labels[ours]}_over_{labels[other]}"] = ratio(
                copies_cases[(n, ours)].cpu_s_per_report, copies_cases[(n, other)].cpu_s_per_report)
    worker_peaks = [s.rss_worker_mb for s in bench.summaries if s.rss_worker_mb and s.code == labels[ours]
                    and not s.case.startswith("scanned")]
    scanned_peaks = [s.rss_worker_mb or s.rss_main_mb for s in bench.summaries if s.case.startswith("scanned")]
    result["targets"] = {
        f"warm_noop_N{top}_under_2s": _met(noop[ours].median_s, lambda v: v < TARGET_NOOP_S),
        "peak_rss_per_worker_under_1gb": _met(max(worker_peaks) if worker_peaks else None,
                                              lambda v: v < TARGET_WORKER_RSS_MB),
        "peak_rss_per_worker_under_1gb_scanned": _met(max(scanned_peaks) if scanned_peaks else None,
                                                      lambda v: v < TARGET_WORKER_RSS_MB),
        **{f"s_per_report_N{top}_within_10pct_of_{labels[other]}":
           _met(ratios[f"s_per_report_N{top}_{labels[ours]}_over_{labels[other]}"],
                lambda v: v <= TARGET_AGAINST_SLOWER) for other in checkouts[1:]},
    }
    result["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def scanned_verdict(warehouse: Path) -> dict:
    """The scanned reports' rows: status, read_by and OCR pages (what the README says of their cost and reliability)."""
    import pandas as pd

    reports = pd.read_parquet(warehouse / "reports")
    wanted = [c for c in ("source_file", "status", "read_by", "ocr_pages", "pages") if c in reports.columns]
    return {"reports": [{k: (v if isinstance(v, (str, int, float)) or v is None else str(v))
                         for k, v in row.items()} for row in reports[wanted].to_dict("records")]}


def _met(value: float | None, test) -> dict:
    return {"value": value, "met": None if value is None else bool(test(value))}


def render_report(result: dict) -> str:
    """The printed summary: machine, results table, ratios and targets."""
    machine = result["machine"]
    summaries = [CaseSummary(case=c["case"], walls_s=c["walls_s"], pages=c["pages"], reports=c["reports"],
                             rss_main_mb=c["peak_rss_main_mb"], rss_worker_mb=c["peak_rss_worker_mb"],
                             code=c.get("code", ""), cpu_s=c.get("cpu_s", []))
                 for c in result["cases"]]
    lines = [
        f"machine: {machine['nproc']} cores ({machine['cpu_model']}), {machine['ram_gb']} GB RAM, "
        f"Python {machine['python']}, load average {machine['loadavg_at_start']} → {machine.get('loadavg_at_end')}",
        "code: " + ", ".join(f"{label} ({root})" for label, root in result["code"].items()),
        f"corpus: {result['corpus']['pdfs']} PDFs, {result['corpus']['pages']} pages",
        "",
        markdown_table(summaries),
        "",
        "ratios: " + "; ".join(f"{name} {fmt_ratio(value) if 'baseline' in name else fmt(value, 3)}"
                               for name, value in result["ratios"].items()),
        "targets (issue 10): " + ", ".join(
            f"{name} {'MET' if t['met'] else 'NOT MET' if t['met'] is False else 'n/a'} ({fmt(t['value'], 3)})"
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


__all__ = ["main", "run_benchmark", "render_report", "median"]
