"""Synthetic 决算 reports for the scale benchmark: the seed text re-badged, re-dated, re-scaled and lengthened, then rendered."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SPEC_PATH = BENCH_DIR / "synthetic.toml"
RENDERER_PATH = REPO_ROOT / "data" / "samples" / "render_seed.py"
SEED_TEXT_PATH = REPO_ROOT / ".." / "shared" / "seed" / "武汉市硚口区司法局2024年度部门决算公开.txt"
CORPUS_ROOT = BENCH_DIR / "corpus"
GENERATOR_VERSION = "1"  # bump when the transformation changes without a change to its inputs

# The same figure shapes the seed renderer draws as figures: "3,469.73", "3, 469. 73", "2,171.2", "8.00".
FIGURE_RE = re.compile(r"^\d{1,3}(?:, ?\d{3})*\. ?\d+$")
TABLE_LABEL_RE = re.compile(r"^公开 (\d{2}) 表$")
YEAR_RE = re.compile(r"(?<!\d)(20[0-3]\d)(?=\s*年)")  # every year the seed prints is followed by 年
TABLES_WITH_EXTRA_ROWS = ("02", "03", "05")
CODE_TABLE_FULL = "02"  # prints full 7-digit codes; 公开03 prints 项 rows with their 款 code only


@lru_cache(maxsize=1)
def load_spec() -> dict:
    with SPEC_PATH.open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class SyntheticReport:
    """What one synthetic report is: its department, year, figure factor and number of added blank rows."""

    index: int
    department: str  # full name, as the pipeline should read it: 武汉市江汉区第7局
    district: str  # 江汉区
    number: int  # the N of 第N局
    year: int
    factor: int
    extra_rows: int

    @property
    def file_name(self) -> str:
        return f"{self.department}{self.year}年度部门决算公开.pdf"


def report_for(index: int, spec: dict | None = None) -> SyntheticReport:
    """The index-th synthetic report (0-based): departments never repeat; years, factors and row counts cycle."""
    spec = spec or load_spec()
    synthetic = spec["synthetic"]
    district = synthetic["districts"][index % len(synthetic["districts"])]
    number = index + 1
    return SyntheticReport(
        index=index,
        department=f"{spec['seed']['city']}{district}第{number}局",
        district=district,
        number=number,
        year=synthetic["years"][index % len(synthetic["years"])],
        factor=synthetic["factors"][(index * 3) % len(synthetic["factors"])],
        extra_rows=index % (synthetic["extra_rows_max"] + 1),
    )


# ---------- text transformations (pure) ----------


def scale_figure(printed: str, factor: int) -> str:
    """A printed figure times an integer, exactly, in the same print style (spacing, decimals kept)."""
    spaced = ". " in printed or ", " in printed
    decimals = len(printed.replace(" ", "").split(".")[1])
    value = Decimal(printed.replace(" ", "").replace(",", "")) * factor
    whole, _, fraction = f"{value:.{decimals}f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    integer = (", " if spaced else ",").join([whole, *groups])
    return f"{integer}{'. ' if spaced else '.'}{fraction}"


def replace_years(text: str, seed_year: int, year: int) -> str:
    """Every printed year moved by year - seed_year (so 上年 comparisons and the publication date move too)."""
    offset = year - seed_year
    return YEAR_RE.sub(lambda match: str(int(match.group(1)) + offset), text)


def replace_department(text: str, report: SyntheticReport, spec: dict | None = None) -> str:
    """Every way the seed names its department (and district) replaced by the synthetic one's."""
    spec = spec or load_spec()
    names = spec["seed_names"]
    district_bare = report.district.removesuffix("区")
    replacements = {
        names["full"]: f"{spec['seed']['city']}{report.district}第{report.number}局",
        names["short"]: f"{report.district}第{report.number}局",
        names["shortest"]: f"区第{report.number}局",
        names["district"]: district_bare,
        **{variant: district_bare for variant in names["district_variants"]},
    }
    pattern = re.compile("|".join(re.escape(k) for k in sorted(replacements, key=len, reverse=True)))
    return pattern.sub(lambda match: replacements[match.group(0)], text)


def _table_region(lines: list[str]) -> tuple[int, int]:
    """[first table line, back matter start): the span holding the nine 公开表."""
    labels = [i for i, line in enumerate(lines) if TABLE_LABEL_RE.match(line.strip())]
    if not labels:
        raise ValueError("no 公开 0N 表 label in the text")
    back = next((i for i in range(labels[-1], len(lines)) if lines[i].startswith("第三部分")), len(lines))
    return labels[0], back


def _map_fields(line: str, transform) -> str:
    return "\t".join(transform(field) for field in line.split("\t"))


def scale_table_figures(text: str, factor: int) -> str:
    """Every figure in the table rows multiplied by factor; narrative, codes and row numbers untouched."""
    lines = text.split("\n")
    start, end = _table_region(lines)

    def scale_field(field: str) -> str:
        core = field.strip()
        if not FIGURE_RE.match(core):
            return field
        return field.replace(core, scale_figure(core, factor), 1)

    for i in range(start, end):
        if "\t" in lines[i]:
            lines[i] = _map_fields(lines[i], scale_field)
    return "\n".join(lines)


def _table_segments(lines: list[str]) -> dict[str, list[int]]:
    """Table number -> indexes of its tab-separated row lines."""
    start, end = _table_region(lines)
    segments: dict[str, list[int]] = {}
    current = None
    for i in range(start, end):
        label = TABLE_LABEL_RE.match(lines[i].strip())
        if label:
            current = label.group(1)
            segments[current] = []
        elif current and "\t" in lines[i]:
            segments[current].append(i)
    return segments


def _is_body_row(line: str) -> bool:
    return line.split("\t")[0].strip().isdigit()


def _blank_row(anchor: str, code: str, label: str) -> str:
    """A copy of an existing 项 row with another code and name and no figures (a cut-short code stays cut short)."""
    fields = anchor.split("\t")
    anchor_code = fields[0].strip()
    if len(anchor_code) == len(code):
        fields[0] = fields[0].replace(anchor_code, code)
    label_index = next(i for i in range(1, len(fields)) if fields[i].strip() and not FIGURE_RE.match(fields[i].strip()))
    fields[label_index] = label
    return "\t".join("" if FIGURE_RE.match(f.strip()) else f for f in fields)


def add_blank_rows(text: str, count: int, spec: dict | None = None) -> str:
    """The first `count` catalogue rows (bench/synthetic.toml) added, blank, to 公开02/03/05 after their anchor rows.

    公开03 prints its 项 rows with the 款 code only, so rows are matched across tables by position: the i-th body
    row of 公开02/03/05 is the same subject in the seed.
    """
    spec = spec or load_spec()
    chosen = spec["extra_rows"][:count]
    if not chosen:
        return text
    lines = text.split("\n")
    segments = _table_segments(lines)
    full_codes = [lines[i].split("\t")[0].strip() for i in segments[CODE_TABLE_FULL] if _is_body_row(lines[i])]
    inserts: dict[int, list[str]] = {}
    for number in TABLES_WITH_EXTRA_ROWS:
        body = [i for i in segments[number] if _is_body_row(lines[i])]
        if len(body) != len(full_codes):
            raise ValueError(f"公开{number} has {len(body)} body rows, 公开{CODE_TABLE_FULL} {len(full_codes)}")
        for line_index, code in zip(body, full_codes):
            following = [row for row in chosen if row["after"] == code]
            if following:
                inserts[line_index] = [_blank_row(lines[line_index], row["code"], row["label"]) for row in following]
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(i, []))
    return "\n".join(out)


def synthetic_text(seed_text: str, report: SyntheticReport, spec: dict | None = None) -> str:
    """The seed text turned into one synthetic report's text (years, figures, rows, then names)."""
    spec = spec or load_spec()
    text = replace_years(seed_text, spec["seed"]["year"], report.year)
    text = scale_table_figures(text, report.factor)
    text = add_blank_rows(text, report.extra_rows, spec)
    return replace_department(text, report, spec)


# ---------- the cached corpus ----------


@lru_cache(maxsize=1)
def _load_renderer():
    """data/samples/render_seed.py (not a package) loaded as module `render_seed`."""
    module_spec = importlib.util.spec_from_file_location("render_seed", RENDERER_PATH)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules["render_seed"] = module  # dataclasses look their module up while the file runs
    module_spec.loader.exec_module(module)
    return module


def _render_one(args: tuple[str, str]) -> None:
    text, out_path = args
    tmp = Path(out_path).with_suffix(".pdf.part")
    _load_renderer().render(text, tmp)
    tmp.replace(out_path)


def corpus_key(n: int) -> str:
    """Hash of everything the corpus depends on: seed text, catalogue, renderer, generator, N."""
    digest = hashlib.sha256()
    for part in (SEED_TEXT_PATH.read_bytes(), SPEC_PATH.read_bytes(), RENDERER_PATH.read_bytes(),
                 Path(__file__).read_bytes(), GENERATOR_VERSION.encode(), str(n).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def build_corpus(n: int, root: Path = CORPUS_ROOT, workers: int | None = None) -> Path:
    """bench/corpus/<n>/<key>/ with n synthetic PDFs and manifest.json; reused as is when already complete."""
    folder = root / str(n) / corpus_key(n)
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    spec = load_spec()
    seed_text = SEED_TEXT_PATH.read_text(encoding="utf-8")
    reports = [report_for(i, spec) for i in range(n)]
    jobs = [(synthetic_text(seed_text, r, spec), str(folder / r.file_name))
            for r in reports if not (folder / r.file_name).exists()]
    if jobs:
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            list(pool.map(_render_one, jobs, chunksize=8))
    manifest = {"n": n, "key": folder.name, "reports": [asdict(r) | {"file": r.file_name} for r in reports]}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
