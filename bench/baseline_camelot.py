"""The obvious alternative (issue 5 baseline): camelot lattice, default engine, every page of every PDF, no triage."""
import sys
from pathlib import Path

import camelot

for arg in sys.argv[1:]:
    for pdf in sorted(Path(arg).rglob("*.pdf")) if Path(arg).is_dir() else [Path(arg)]:
        tables = camelot.read_pdf(str(pdf), pages="all")
        print(f"{pdf.name}: {tables.n} tables", flush=True)
