"""The `budgetlake` command line: argument parsing, progress display and exit codes; work is delegated to flows."""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
from pathlib import Path

from flows.logs import show_our_logs


EXIT_OK = 0  # every report valid or with warnings
EXIT_BROKEN = 1  # the run itself broke (bad arguments, unreadable folder, warehouse not writable...)
EXIT_SOME_FAILED = 2  # some reports failed or were quarantined; all others landed
REPORT_ID = re.compile(r"^[0-9a-f]{16}$")
# Set by the `budgetlake` command (console): a run that starts processes starts its watchdog first
# (flows.watchdog), so that not even `kill -9` of the command leaves one of them behind.
WATCH_CHILDREN = threading.Event()


def _watch_children() -> None:
    if WATCH_CHILDREN.is_set():
        from flows import watchdog

        watchdog.start()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budgetlake",
        description="Turn Chinese budget (预算) and final-accounts (决算) PDFs into validated, partitioned Parquet.",
        epilog="Exit status: 0 all reports valid or with warnings; 2 some failed or were quarantined "
               "(all others landed); 1 the run itself broke.",
    )
    from flows.pipeline import PIPELINE_VERSION

    parser.add_argument("--version", action="version", version=f"%(prog)s {PIPELINE_VERSION}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Prefect and pipeline logs")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="ingest PDFs (files or folders) into the warehouse, in parallel (Prefect flow)")
    run.add_argument("paths", nargs="*", default=["data/samples"], help="PDF files or folders (default: data/samples)")
    run.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    run.add_argument("--force", action="store_true", help="re-process reports already in the warehouse unchanged")
    run.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    run.add_argument("--dask-address", default=None, help="run reports on an existing Dask cluster (tcp://host:8786)")
    run.add_argument("--no-prefect", action="store_true",
                     help="process the reports without Prefect (on the same worker processes)")
    _add_input_limit(run)
    _add_report_limits(run)

    report = sub.add_parser("report", help="re-run one report now (always forced); replaces only its files")
    report.add_argument("file", help="the PDF")
    report.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    report.add_argument("--prefect", action="store_true",
                        help="run it as the Prefect `process-report` flow (recorded on the Prefect server)")
    _add_input_limit(report)
    _add_report_limits(report)

    checks = sub.add_parser("checks", help="print a report's findings from the warehouse")
    checks.add_argument("report", metavar="REPORT_ID|FILE", help="16-hex-digit report id, or the PDF itself")
    checks.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    checks.add_argument("--all", action="store_true", help="print every check, not only the failed ones")

    serve = sub.add_parser("serve", help="serve the ingest flow as a Prefect deployment on a cron schedule")
    serve.add_argument("paths", nargs="+", help="PDF files or folders to ingest on each run")
    serve.add_argument("--cron", required=True, help='cron schedule, e.g. "0 2 * * *" (02:00 every night)')
    serve.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    serve.add_argument("--name", default="budgetlake-nightly", help="deployment name")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    serve.add_argument("--dask-address", default=None, help="run reports on an existing Dask cluster")
    return parser


def _add_input_limit(parser: argparse.ArgumentParser) -> None:
    from extract.source import DEFAULT_MAX_INPUT_BYTES, MIB  # standard library only

    parser.add_argument("--max-input-mb", type=float, default=DEFAULT_MAX_INPUT_BYTES / MIB, metavar="MB",
                        help="largest input file read; a larger one gets a failed row unread "
                             f"(default: {DEFAULT_MAX_INPUT_BYTES // MIB})")


def _add_report_limits(parser: argparse.ArgumentParser) -> None:
    from flows.limits import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S  # standard library only

    parser.add_argument("--time-limit-s", type=float, default=DEFAULT_TIME_LIMIT_S, metavar="S",
                        help="longest time one report may take; it then ends failed and the run goes on "
                             f"(default: {DEFAULT_TIME_LIMIT_S:g}; 0: no limit)")
    parser.add_argument("--memory-limit-mb", type=float, default=DEFAULT_MEMORY_LIMIT_MB, metavar="MB",
                        help="most memory (address space) one report may add to its process; it then ends "
                             f"failed and the run goes on (default: {DEFAULT_MEMORY_LIMIT_MB}; 0: no limit)")


def _report_limits(args):
    from flows.limits import ReportLimits

    return ReportLimits.from_options(args.time_limit_s, args.memory_limit_mb)


def _max_input_bytes(args) -> int:
    from extract.source import MIB

    return max(1, int(args.max_input_mb * MIB))


def _quiet_logs(verbose: bool) -> None:
    """Keep the terminal for our own lines: Prefect still sends everything to its API, not to the console."""
    if not verbose:
        # Prefect's own errors would flood the terminal when its API goes away (one per undelivered
        # event); the run says once that it went on without it, and -v shows them.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    show_our_logs(verbose)


def _print_summary(outcomes) -> None:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    parts = ", ".join(f"{counts[s]} {s}" for s in ("valid", "warnings", "quarantined", "failed") if s in counts)
    skipped = sum(1 for o in outcomes if o.skipped and not o.duplicate_of)
    duplicates = sum(1 for o in outcomes if o.duplicate_of)
    extra = "".join([f", {skipped} unchanged (skipped)" if skipped else "",
                     f", {duplicates} duplicate file(s)" if duplicates else ""])
    print(f"{len(outcomes)} PDF(s): {parts or 'nothing to do'}{extra}")


CLIENT_RETRIES = "1"  # Prefect retries a failed API call 5 times (2+4+...+32 s) by default: a minute per call


def cmd_run(args) -> int:
    from flows import pipeline, progress

    # A run that loses its API goes on without it (see _run_without_prefect), so it need not wait long
    # to find out; the user's own PREFECT_CLIENT_MAX_RETRIES wins over this default.
    os.environ.setdefault("PREFECT_CLIENT_MAX_RETRIES", CLIENT_RETRIES)

    bar = progress.for_stream(sys.stderr)
    previous = progress.install(bar)
    try:
        if args.no_prefect:
            from flows import pool

            Path(args.warehouse).mkdir(parents=True, exist_ok=True)
            plan = pipeline.plan_run(args.paths, Path(args.warehouse), force=args.force,
                                     max_input_bytes=_max_input_bytes(args))
            if plan.work:
                _watch_children()
                pool.start(args.workers)  # the fork server loads the pipeline while the skipped ones show
            bar.start(len(plan.found))
            outcomes = pipeline.process_paths(args.paths, Path(args.warehouse), on_outcome=bar.advance,
                                              workers=args.workers or pool.default_workers(),
                                              max_input_bytes=_max_input_bytes(args), limits=_report_limits(args),
                                              plan=plan)
        elif not args.force and (plan := pipeline.plan_run(args.paths, Path(args.warehouse),
                                                           max_input_bytes=_max_input_bytes(args),
                                                           stop_at_first_work=True)).nothing_to_do:
            # Nothing to do: every PDF is stored unchanged. The run ends here, before Prefect is even
            # imported (that alone takes longer than this whole check); no flow run is recorded.
            outcomes = plan.outcomes({})
            bar.start(len(outcomes))
            for outcome in outcomes:
                bar.advance(outcome)
        else:
            _watch_children()  # before the fork server and Prefect's temporary server start
            if not args.dask_address:
                from flows import pool

                pool.start(args.workers)  # the fork server loads the pipeline while Prefect loads here
            from flows import ingest

            try:
                outcomes = ingest.run_ingest(args.paths, args.warehouse, force=args.force, workers=args.workers,
                                             dask_address=args.dask_address, notice=_notice,
                                             max_input_bytes=_max_input_bytes(args),
                                             time_limit_s=args.time_limit_s, memory_limit_mb=args.memory_limit_mb)
            except Exception as problem:  # noqa: BLE001 - only a Prefect API failure is handled here
                if not ingest.is_orchestration_failure(problem):
                    raise
                ingest.stop_temporary_server()  # if one still runs
                outcomes = _run_without_prefect(args, bar, problem, ingest.landed_outcomes())
    finally:
        bar.close()
        progress.install(previous)
    _print_summary(outcomes)
    return pipeline.exit_code(outcomes)


def _notice(line: str) -> None:
    print(f"budgetlake: {line}", file=sys.stderr, flush=True)


def _run_without_prefect(args, bar, problem: BaseException, landed: dict) -> list:
    """The rest of a run whose Prefect API failed: every report still processed and stored, said once."""
    from flows import pipeline

    from flows.ingest import first_line

    _notice(f"running without Prefect orchestration: {first_line(problem)}")
    shown = bar.started  # the flow already showed the reports it stored
    if not shown:
        bar.start(len(pipeline.discover(args.paths)))
    from flows import pool

    workers = args.workers or pool.default_workers()
    Path(args.warehouse).mkdir(parents=True, exist_ok=True)

    def advance(outcome) -> None:
        if not (shown and any(outcome is known for known in landed.values())):
            bar.advance(outcome)

    return pipeline.process_paths(args.paths, Path(args.warehouse), force=args.force, on_outcome=advance,
                                  workers=workers, settled=landed, max_input_bytes=_max_input_bytes(args),
                                  limits=_report_limits(args))


def cmd_report(args) -> int:
    from flows import pipeline, pool

    path = Path(args.file)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    _watch_children()
    pool.start(1)  # one warm worker: the report's limits cannot take this process down
    Path(args.warehouse).mkdir(parents=True, exist_ok=True)
    outcome = None
    if args.prefect:
        from flows import ingest

        try:
            with ingest.shared_api_server(_notice):
                outcome = ingest.process_report_flow(str(path), args.warehouse, force=True,
                                                     max_input_bytes=_max_input_bytes(args),
                                                     time_limit_s=args.time_limit_s,
                                                     memory_limit_mb=args.memory_limit_mb)
        except Exception as problem:  # noqa: BLE001 - only a Prefect API failure is handled here
            if not ingest.is_orchestration_failure(problem):
                raise
            ingest.stop_temporary_server()
            _notice(f"running without Prefect orchestration: {ingest.first_line(problem)}")
    if outcome is None:
        [item] = pipeline.plan_run([path], Path(args.warehouse), force=True, max_input_bytes=_max_input_bytes(args),
                                   discover_paths=False).work
        outcome = pool.run_report(item, Path(args.warehouse), workers=1, max_input_bytes=_max_input_bytes(args),
                                  limits=_report_limits(args))
    print(outcome.summary_line())
    return pipeline.exit_code([outcome])


def _resolve_report_id(text: str) -> str:
    if REPORT_ID.match(text.lower()) and not Path(text).is_file():
        return text.lower()
    path = Path(text)
    if path.is_file():
        from extract.preflight import sha256_of_file

        return sha256_of_file(path)[:16]
    raise FileNotFoundError(f"{text} is neither a report id (16 hex digits) nor an existing file")


def _cell(value) -> str:
    import pandas as pd

    return "" if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)) else str(value)


def cmd_checks(args) -> int:
    from contracts import warehouse as store
    from flows import pipeline

    report_id = _resolve_report_id(args.report)
    row = store.find_report(Path(args.warehouse), report_id)
    if row is None or (hasattr(row, "__len__") and len(row) == 0):
        print(f"report {report_id} is not in the warehouse {args.warehouse}", file=sys.stderr)
        return EXIT_BROKEN
    row = _as_dict(row)
    print(f"{row['report_id']}  {row['source_file']}  {row['department']}/{row['year']}  status={row['status']}")
    if _cell(row.get("error")):
        print(f"error: {row['error']}")

    def _finding_lines(detail: str) -> list[str]:
        """A check's detail as lines a person reads: the quoted sentence (p.N 「…」 (section)) on a line of its
        own, then each clause (the cell, both figures, the difference) on its own line."""
        quote, mark, rest = detail.partition("」")
        if mark and quote.startswith("p."):
            section, colon, rest = rest.partition(": ")
            head = [quote + mark + (section if colon else "")]
            rest = rest if colon else section
        else:
            head, rest = [], detail
        return head + [part for part in rest.split("; ") if part]

    checks = store.read_checks(Path(args.warehouse), report_id)
    if checks is not None and len(checks):
        shown = checks if args.all else checks[~checks["passed"].astype(bool)]
        label = "checks" if args.all else "failed checks"
        print(f"{len(shown)} {label} of {len(checks)}:")
        # failed errors first, then failed warnings, then (with --all) the passed rows, each in stored order
        order = (shown["passed"].astype(bool).astype(int) * 2 + (shown["severity"] != "error").astype(int))
        for item in shown.assign(_order=order.to_numpy()).sort_values("_order", kind="stable").itertuples(index=False):
            mark = "ok  " if item.passed else "FAIL"
            print(f"  {mark} {item.severity:<7} {_cell(item.table) or 'report'}/{item.check}")
            for line in _finding_lines(_cell(item.detail)):
                print(f"         {line}")
            if _cell(item.expected) or _cell(item.actual):
                expected, actual = (f"{_cell(v)} 元" if _cell(v) else "blank" for v in (item.expected, item.actual))
                print(f"         expected={expected}  actual={actual}")
    else:
        print("no checks recorded")
    return pipeline.exit_code([pipeline.ReportOutcome(report_id=report_id, source_file=row["source_file"],
                                                      status=row["status"])])


def _as_dict(row) -> dict:
    if isinstance(row, dict):
        return row
    if hasattr(row, "to_dict") and hasattr(row, "iloc"):  # a one-row DataFrame or a Series
        return row.iloc[0].to_dict() if hasattr(row, "columns") else row.to_dict()
    return dict(row)


def cmd_serve(args) -> int:
    from flows.ingest import serve

    serve(args.paths, args.cron, args.warehouse, name=args.name, workers=args.workers,
          dask_address=args.dask_address)
    return EXIT_OK


COMMANDS = {"run": cmd_run, "report": cmd_report, "checks": cmd_checks, "serve": cmd_serve}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    _quiet_logs(args.verbose)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of the run
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("budgetlake: interrupted", file=sys.stderr)
        return EXIT_BROKEN
    except Exception as problem:  # noqa: BLE001 - the run itself broke: say why, exit 1
        if args.verbose:
            raise
        print(f"budgetlake: error: {type(problem).__name__}: {problem}", file=sys.stderr)
        return EXIT_BROKEN


def console() -> None:
    """The `budgetlake` command: main(), the worker pool stopped, then exit with main's status."""
    WATCH_CHILDREN.set()
    code = main()
    pool = sys.modules.get("flows.pool")
    if pool is not None:
        pool.shutdown()
    sys.exit(code)


if __name__ == "__main__":
    console()
