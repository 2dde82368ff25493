"""Prefect 3 flows, thin over flows.pipeline: `ingest` (many PDFs in parallel), `process_report_flow` (one PDF).

Parallelism: each report is one task. By default the tasks run on Prefect's thread pool in this
process (one per worker) and each hands its report to a warm worker process of flows.pool (forked
from a server that already holds the pipeline: no Python start-up or imports per worker, no Prefect
in the workers); the task run records the report's start, end, state and summary line.
`dask_address` instead sends the tasks to an existing Dask cluster (prefect-dask DaskTaskRunner),
where each Dask worker runs the report itself and reports to the same Prefect API as this process.

Prefect server:
- Without PREFECT_API_URL, `budgetlake run` starts Prefect's temporary local server once per run
  (about 5-15 s) and stops it at the end; runs are not kept. A run with nothing to do never gets
  here: the CLI settles it from the skip ledger before Prefect is imported.
- With a real server, runs, task runs, logs and the `budgetlake-ingest` artifact are kept and shown
  in the UI, and no per-run start-up is paid:
      prefect server start                                   # terminal 1, UI on http://127.0.0.1:4200
      export PREFECT_API_URL=http://127.0.0.1:4200/api       # terminal 2 (or `prefect config set ...`)
      budgetlake serve --cron "0 2 * * *" /data/pdfs --warehouse /data/warehouse
  `serve` registers the `ingest` flow as deployment `ingest/budgetlake-nightly` with that schedule and
  runs it in this process when due; `prefect deployment run ingest/budgetlake-nightly` runs it now.
- Dask: `--dask-address tcp://scheduler:8786` submits each report to that cluster; its workers need
  budgetlake installed, read access to the PDFs and warehouse paths, and PREFECT_API_URL of a server
  they can reach (the temporary server listens on 127.0.0.1 only).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_table_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import as_completed  # noqa: E402

from flows import pipeline, pool, progress  # noqa: E402
from flows.pipeline import ReportOutcome  # noqa: E402

ARTIFACT_KEY = "budgetlake-ingest"

# Outcomes of the reports this process stored, by path, as each is stored: if the Prefect API goes
# away mid-run, the caller finishes the rest without it and loses none of these.
_landed: dict[Path, ReportOutcome] = {}


def landed_outcomes() -> dict[Path, ReportOutcome]:
    """The reports stored by this process's runs so far (see run_ingest), by path."""
    return dict(_landed)


# ---------- Prefect API: one server for the parent and all its workers ----------


def _api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


class OrchestratorUnavailable(RuntimeError):
    """No Prefect API could be reached or started, or it went away mid-run: the reports run without it."""


STARTUP_TIMEOUT_S = 120  # Prefect's own default (20 s) is too short for a first start on a busy 2-core machine


def _orchestration_errors() -> tuple[type[BaseException], ...]:
    import httpx

    return (OrchestratorUnavailable, httpx.TransportError, ConnectionError)


def is_orchestration_failure(problem: BaseException) -> bool:
    """Whether an exception (or one it was raised from) is the Prefect API failing, not the data work."""
    import httpx

    seen: set[int] = set()
    stack = [problem]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, _orchestration_errors()):
            return True
        if isinstance(current, httpx.HTTPStatusError) and current.response.status_code >= 500:
            return True
        stack.extend([current.__cause__, current.__context__, *getattr(current, "exceptions", ())])
    return False


def first_line(problem: BaseException) -> str:
    """What an exception says, on one line (its type where it says nothing)."""
    return str(problem).splitlines()[0] if str(problem) else type(problem).__name__


def _unreachable(api_url: str) -> str | None:
    """Why the API at api_url cannot be used, or None when it answers (any answer below 500 will do)."""
    import httpx

    try:
        response = httpx.get(api_url.rstrip("/") + "/health", timeout=5.0)
    except httpx.HTTPError as problem:
        return f"PREFECT_API_URL={api_url} cannot be reached ({type(problem).__name__})"
    if response.status_code >= 500:
        return f"PREFECT_API_URL={api_url} answers HTTP {response.status_code}"
    return None


def _startup_timeout() -> int | None:
    """Our longer wait for the temporary server, unless PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS is set."""
    return None if os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") else STARTUP_TIMEOUT_S


# The API an enclosing shared_api_server settled (checked, or started) in this process: a nested one
# (the `ingest` flow's, inside run_ingest) takes it as it is, so a run asks the API's health once.
_settled_api: str | None = None


@contextlib.contextmanager
def _settled(api_url: str) -> Iterator[str]:
    global _settled_api
    outer, _settled_api = _settled_api, api_url
    try:
        yield api_url
    finally:
        _settled_api = outer


@contextlib.contextmanager
def shared_api_server(notice=None) -> Iterator[str]:
    """Make sure PREFECT_API_URL is set for this process and every worker it starts.

    With PREFECT_API_URL set (a real `prefect server start`, or the test harness), check that it
    answers. Without it, start Prefect's temporary local server once here (the same one a flow call
    would start) and point the settings and the environment at it, so Dask workers started here
    reuse it; `notice(line)` tells a person why they wait meanwhile. Raises OrchestratorUnavailable
    when the API cannot be reached or the server does not start. Inside another shared_api_server
    for the same API, nothing is checked again.
    """
    api_url = _api_url()
    if api_url and api_url == _settled_api:
        yield api_url
        return
    if api_url:
        problem = _unreachable(api_url)
        if problem:
            raise OrchestratorUnavailable(problem)
        with _settled(api_url):
            yield api_url
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if notice:
        notice("starting Prefect's temporary server (set PREFECT_API_URL to use a running one)...")
    server = SubprocessASGIServer()  # the process-wide default instance Prefect's own client would use
    try:
        server.start(timeout=_startup_timeout())
    except Exception as problem:  # noqa: BLE001 - any failure to start: run without it
        server.stop()
        raise OrchestratorUnavailable(f"Prefect's temporary server did not start: {first_line(problem)}") from problem
    previous_env = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}), _settled(server.api_url):
            yield server.api_url
    finally:
        if previous_env is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous_env


def stop_temporary_server() -> None:
    """Stop the temporary server this process started, if one runs (else nothing happens)."""
    from prefect.server.api.server import SubprocessASGIServer

    SubprocessASGIServer().stop()


def task_runner_for(workers: int | None = None, dask_address: str | None = None):
    """Threads handing reports to the warm pool (default: one per core), or an existing Dask cluster."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=workers or pool.default_workers())


# ---------- tasks and flows ----------


@task(name="process-report", task_run_name="{path.name}", cache_policy=NO_CACHE, log_prints=False)
def process_report_task(path: Path, warehouse: Path, pipeline_version: str = pipeline.PIPELINE_VERSION,
                        workers: int | None = None, previous_partitions: list[str] | None = None,
                        max_input_bytes: int | None = None,
                        limits: pipeline.ReportLimits | None = None) -> ReportOutcome:
    """One report the run's plan sent to work (pipeline.plan_run decided it: this task never skips).

    In a warm worker process of flows.pool when `workers` is given (the pool enforces `limits`, killing
    a worker stuck past the time limit), else right here (limits enforced in this process)."""
    item = pipeline.PlannedReport(Path(path), previous_partitions)
    options = {"pipeline_version": pipeline_version, "max_input_bytes": max_input_bytes, "limits": limits}
    if workers:
        outcome = pool.run_report(item, Path(warehouse), workers=workers, **options)
    else:
        outcome = pipeline.process_planned(item, Path(warehouse), **options)
    _landed[Path(path)] = outcome
    logger = get_run_logger()
    logger.info("%s", outcome.summary_line())
    return outcome


def artifact_rows(outcomes: list[ReportOutcome]) -> list[dict]:
    return [
        {
            "source_file": outcome.source_file,
            "report_id": outcome.report_id,
            "status": outcome.status,
            "department": outcome.department,
            "year": outcome.year,
            "note": (f"same bytes as {outcome.duplicate_of}" if outcome.duplicate_of
                     else "unchanged, skipped" if outcome.skipped else ""),
            "error": outcome.error or "",
            "failed_checks": "; ".join(outcome.failed_checks),
        }
        for outcome in outcomes
    ]


def publish_artifact(outcomes: list[ReportOutcome]) -> None:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items())) or "no reports"
    create_table_artifact(table=artifact_rows(outcomes), key=ARTIFACT_KEY,
                          description=f"budgetlake ingest: {len(outcomes)} PDF(s): {summary}")


class BrokenRun(RuntimeError):
    """Some reports could not be recorded at all (e.g. the warehouse could not be written)."""


def _process(work: list[pipeline.PlannedReport], warehouse: Path, workers: int | None, dask_address: str | None,
             broken: list[str], max_input_bytes: int | None = None,
             limits: pipeline.ReportLimits | None = None) -> dict[Path, ReportOutcome]:
    """One task per planned report, on the warm pool (or Dask); one that could not even be recorded goes to `broken`."""
    outcomes: dict[Path, ReportOutcome] = {}
    if not work:
        return outcomes
    bar = progress.current()
    pool_workers = None if dask_address else (workers or pool.default_workers())
    if pool_workers:
        pool.start(pool_workers)  # already started by `budgetlake run`; a no-op then
    lost: list[Path] = []
    try:
        with shared_api_server(), task_runner_for(workers, dask_address) as runner:
            futures = {
                runner.submit(process_report_task,
                              {"path": item.path, "warehouse": warehouse,
                               "pipeline_version": pipeline.PIPELINE_VERSION, "workers": pool_workers,
                               "previous_partitions": item.previous_partitions,
                               "max_input_bytes": max_input_bytes, "limits": limits}): item.path
                for item in work
            }
            for future in as_completed(list(futures)):
                path = futures[future]
                try:
                    outcome = future.result()
                except Exception as problem:  # the report could not even be recorded as failed
                    if is_orchestration_failure(problem):
                        lost.append(path)
                        continue
                    broken.append(f"{path.name}: {type(problem).__name__}: {problem}")
                    outcome = ReportOutcome(report_id="?", source_file=path.name, status="failed",
                                            error=f"not recorded in the warehouse: {problem}")
                outcomes[path] = outcome
                bar.advance(outcome)
        if lost:  # the API went away: the caller finishes these without it (stored ones are kept)
            raise OrchestratorUnavailable(f"the Prefect API stopped answering during the run "
                                          f"({len(lost)} report(s) not confirmed by it)")
    finally:
        if pool_workers:
            # its workers end with the run, not with the process (serve runs many); they exit while
            # the flow publishes its artifact
            pool.shutdown(wait=False)
    return outcomes


@flow(name="ingest", log_prints=False)
def ingest(paths: list[str], warehouse: str = "data/warehouse", force: bool = False,
           workers: int | None = None, dask_address: str | None = None,
           max_input_bytes: int | None = None, time_limit_s: float | None = None,
           memory_limit_mb: float | None = None) -> list[ReportOutcome]:
    """Every PDF under `paths` into `warehouse`, as pipeline.plan_run decides: one task per report to process.

    time_limit_s, memory_limit_mb: the limits on one report (None: the defaults of flows.limits; 0: none).
    """
    logger = get_run_logger()
    warehouse_dir = Path(warehouse)
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    plan = pipeline.plan_run(paths, warehouse_dir, force=force, max_input_bytes=max_input_bytes)
    logger.info("%d PDF(s), %d distinct, into %s", len(plan.found), len(plan.found) - len(plan.duplicates),
                warehouse_dir)
    bar = progress.current()
    bar.start(len(plan.found))
    for skipped in plan.settled.values():  # unchanged reports are settled by the plan, without a worker
        logger.info("%s", skipped.summary_line())
        bar.advance(skipped)
    broken: list[str] = []
    processed = _process(plan.work, warehouse_dir, workers, dask_address, broken, max_input_bytes,
                         limits_for(time_limit_s, memory_limit_mb))

    def noted(duplicate: ReportOutcome) -> None:
        logger.info("%s", duplicate.summary_line())
        bar.advance(duplicate)

    ordered = plan.outcomes(processed, on_outcome=noted)  # with the duplicates' notes
    publish_artifact(ordered)
    if broken:
        raise BrokenRun(f"{len(broken)} report(s) could not be recorded: " + "; ".join(broken))
    return ordered


def limits_for(time_limit_s: float | None, memory_limit_mb: float | None) -> pipeline.ReportLimits:
    """The limits of the flows' parameters: None takes the default of flows.limits, 0 (or less) means none."""
    from flows import limits as report_limits

    return report_limits.ReportLimits.from_options(
        report_limits.DEFAULT_TIME_LIMIT_S if time_limit_s is None else time_limit_s,
        report_limits.DEFAULT_MEMORY_LIMIT_MB if memory_limit_mb is None else memory_limit_mb)


@flow(name="process-report", log_prints=False)
def process_report_flow(path: str, warehouse: str = "data/warehouse", force: bool = True,
                        max_input_bytes: int | None = None, time_limit_s: float | None = None,
                        memory_limit_mb: float | None = None) -> ReportOutcome:
    """One PDF end to end (ad-hoc re-run: forced by default), planned like a run of one, with its one-row artifact."""
    Path(warehouse).mkdir(parents=True, exist_ok=True)
    plan = pipeline.plan_run([path], Path(warehouse), force=force, max_input_bytes=max_input_bytes,
                             discover_paths=False)
    if plan.settled:
        [outcome] = plan.settled.values()
    else:
        [item] = plan.work
        outcome = process_report_task(item.path, Path(warehouse), previous_partitions=item.previous_partitions,
                                      max_input_bytes=max_input_bytes, workers=1,  # its limits need a worker
                                      limits=limits_for(time_limit_s, memory_limit_mb))
    publish_artifact([outcome])
    return outcome


def run_ingest(paths: list[str], warehouse: str, *, force: bool = False, workers: int | None = None,
               dask_address: str | None = None, notice=None, max_input_bytes: int | None = None,
               time_limit_s: float | None = None, memory_limit_mb: float | None = None) -> list[ReportOutcome]:
    """Call the `ingest` flow (as `budgetlake run` does) with one Prefect API server for the flow and its workers.

    Flow-run heartbeats are off here unless configured (PREFECT_FLOWS_HEARTBEAT_FREQUENCY or a
    profile): they feed Prefect's detection of crashed deployment runs (`serve` keeps them), while
    a run started from the command line is watched by its caller through the exit status, and
    the heartbeat thread, which sleeps in one-second steps, delays the end of every run by up to 1 s.
    Raises OrchestratorUnavailable (or the API's own error, see is_orchestration_failure) when no
    Prefect API can be used; landed_outcomes() then holds what was stored before it went away.
    """
    _landed.clear()
    with shared_api_server(notice), _no_heartbeats_unless_configured():
        return ingest([str(p) for p in paths], str(warehouse), force=force, workers=workers,
                      dask_address=dask_address, max_input_bytes=max_input_bytes, time_limit_s=time_limit_s,
                      memory_limit_mb=memory_limit_mb)


def _no_heartbeats_unless_configured():
    """Flow-run heartbeats off in this context, unless set in the environment or a profile."""
    from prefect.settings import temporary_settings

    return temporary_settings(set_defaults={"flows.heartbeat_frequency": None})


def serve(paths: list[str], cron: str, warehouse: str = "data/warehouse", *, name: str = "budgetlake-nightly",
          force: bool = False, workers: int | None = None, dask_address: str | None = None) -> None:
    """Serve the `ingest` flow as a deployment on a cron schedule (needs PREFECT_API_URL of a real server)."""
    parameters = {
        "paths": [str(Path(p).resolve()) for p in paths],
        "warehouse": str(Path(warehouse).resolve()),
        "force": force,
        "workers": workers,
        "dask_address": dask_address,
    }
    ingest.serve(name=name, cron=cron, parameters=parameters)
