"""The benchmark's real-PDF corpora: N copies of the corpus PDFs, each copy a new report by one byte after %%EOF.

Copy k of a source PDF is its bytes followed by the single byte k (0-255): readers ignore bytes after
`%%EOF`, and budgetlake identifies a report by the digest of its bytes, so every copy is processed and
stored as a report of its own. The copies go round the sources (copy 0 of every PDF, then copy 1, ...),
so any N holds the corpus in the same proportions. A folder is reused while its manifest matches.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

MANIFEST = "manifest.json"
MAX_COPIES = 256  # one distinct trailing byte per copy


def sources(corpus: Path) -> list[Path]:
    """Every PDF under corpus, in a fixed order."""
    return sorted(corpus.rglob("*.pdf"))


def plan(pdfs: list[Path], n: int) -> list[tuple[Path, int]]:
    """(source, copy index) for N copies, round the sources."""
    if not pdfs:
        raise ValueError("no PDF to copy")
    if n > len(pdfs) * MAX_COPIES:
        raise ValueError(f"N={n} needs more than {MAX_COPIES} copies of each of {len(pdfs)} PDFs")
    return [(pdfs[i % len(pdfs)], i // len(pdfs)) for i in range(n)]


def copy_name(source: Path, copy: int) -> str:
    return f"{source.stem}-copy{copy:03d}.pdf"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(corpus: Path, n: int, cache: Path) -> tuple[Path, dict]:
    """The folder of N copies under cache (built or reused) and its manifest {file: source name}."""
    pdfs = sources(corpus)
    items = plan(pdfs, n)
    wanted = {"n": n, "sources": {p.name: _digest(p) for p in pdfs},
              "reports": [{"file": copy_name(src, k), "source": src.name} for src, k in items]}
    folder = cache / f"copies-{n}"
    manifest_path = folder / MANIFEST
    if manifest_path.is_file() and json.loads(manifest_path.read_text(encoding="utf-8")) == wanted:
        return folder, wanted
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    contents = {p: p.read_bytes() for p in pdfs}
    for src, k in items:
        (folder / copy_name(src, k)).write_bytes(contents[src] + bytes([k]))
    # the manifest is a JSON file, not a PDF: budgetlake runs on the folder read only the PDFs
    manifest_path.write_text(json.dumps(wanted, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder, wanted


def verify(warehouse: Path, manifest: dict) -> dict:
    """Every copy has its reports row, and all copies of one source ended alike (one status per source)."""
    import pandas as pd

    reports = pd.read_parquet(warehouse / "reports", columns=["source_file", "status"])
    status_of = dict(zip(reports["source_file"], reports["status"]))
    missing = [item["file"] for item in manifest["reports"] if item["file"] not in status_of]
    by_source: dict[str, set[str]] = {}
    for item in manifest["reports"]:
        if item["file"] in status_of:
            by_source.setdefault(item["source"], set()).add(status_of[item["file"]])
    split = {source: sorted(statuses) for source, statuses in by_source.items() if len(statuses) > 1}
    statuses: dict[str, int] = {}
    for item in manifest["reports"]:
        if item["file"] in status_of:
            statuses[status_of[item["file"]]] = statuses.get(status_of[item["file"]], 0) + 1
    return {"reports": len(manifest["reports"]), "in_warehouse": len(reports), "missing": len(missing),
            "first_missing": missing[:5], "sources_with_differing_status": split,
            "status_counts": dict(sorted(statuses.items()))}
