"""The `budgetlake` command line: argument parsing only, work is delegated to the flows."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budgetlake",
        description="Turn Chinese budget (预算) and final-accounts (决算) PDFs into validated, partitioned Parquet.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('budgetlake')}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="ingest PDFs (files or folders) into the warehouse")
    run.add_argument("paths", nargs="*", default=["data/samples"], help="PDF files or folders (default: data/samples)")
    run.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    parser.error(f"{args.command} is not implemented yet")
    return 1


if __name__ == "__main__":
    sys.exit(main())
