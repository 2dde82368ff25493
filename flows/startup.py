"""Loading the large module sets (Prefect, the pipeline) with Python's cyclic garbage collector paused.

Importing Prefect or the pipeline creates hundreds of thousands of objects that live as long as
the process (modules, classes, functions, pydantic and pandera schemas). While they load, the
collector's passes over them find nothing to free and cost about a tenth of the import time
(~0.1 s each for Prefect and for the pipeline on our 2-core machine); afterwards its full passes
would keep walking them. So a block that loads them runs with the collector off, and what it
loaded is then moved to the collector's permanent generation (gc.freeze) before it is switched
back on. In the fork server this is also the pattern the gc documentation gives for processes
that fork without exec: forked workers then do not write to the pages holding those objects.
The cost: reference cycles that became garbage inside the block are kept until the process ends
(import-time leftovers, a few MB at most).
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic GC off, then freeze what exists and restore the GC as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
