"""Which of our own log lines reach the terminal, in the command's process and in its worker processes."""

from __future__ import annotations

import logging
import os
import sys

VERBOSE_ENV = "BUDGETLAKE_VERBOSE"  # set by the command for its workers, which are not its children by fork
# Shown without -v: a long scan's page-by-page progress (extract.ocr logs under this name).
PROGRESS_LOGGERS = ("budgetlake.ocr",)


def show_our_logs(verbose: bool) -> None:
    """Our loggers ("budgetlake.*") to stderr: every INFO line with verbose, else warnings and progress.

    Only our own logger gets the handler, so Prefect's records are not echoed twice. The choice is
    also put in the environment, where flows.preload reads it for the worker processes.
    """
    os.environ[VERBOSE_ENV] = "1" if verbose else "0"
    ours = logging.getLogger("budgetlake")
    if not ours.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        ours.addHandler(handler)
    ours.setLevel(logging.INFO if verbose else logging.WARNING)
    ours.propagate = False
    for name in PROGRESS_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def show_our_logs_as_the_command_does() -> None:
    """In a worker process: the same choice as the command that started it (nothing, if no command did)."""
    if VERBOSE_ENV in os.environ:
        show_our_logs(os.environ[VERBOSE_ENV] == "1")
