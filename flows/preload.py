"""What a warm worker holds before its first report: the pipeline imported, its layout data and schemas built.

Imported once by the fork server of flows.pool; every worker forked from it inherits the result.
Importing this module does the warming (that is its purpose); it starts no threads, so forking
after it is safe.
"""

from __future__ import annotations

import extract.report  # noqa: F401 - camelot, playa, pypdfium2
from contracts import checks as checking
from contracts import declarations as decl
from contracts import warehouse  # noqa: F401 - pyarrow.parquet
from extract.locate import title_aliases
from flows import pipeline  # noqa: F401
from flows.logs import show_our_logs_as_the_command_does
from transform import layout
from transform.report_frames import to_frame

WARM_UP_REPORT_ID = "0" * 16


def warm_up() -> None:
    """Fill the caches a first report would fill: layout tables, declarations, pandera schemas and backends."""
    title_aliases()
    for name, table in decl.tables().items():
        layout.row_labels(name)
        for side in table.measures:
            layout.column_rules(name, None if side == "all" else side)
    # Every table's schema built and run once on an empty frame: pandera registers its backends and
    # imports its check modules on the first validation.
    empty_tables = {name: to_frame(WARM_UP_REPORT_ID, []) for name in decl.tables()}
    checking.run_checks(WARM_UP_REPORT_ID, empty_tables)


show_our_logs_as_the_command_does()
try:
    warm_up()
except Exception:  # noqa: BLE001 - warming only saves time: e.g. a layout file that does not parse is
    pass  # reported, with its real error, by the first report that needs it
