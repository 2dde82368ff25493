"""OCR for pages without a usable text layer: triage, rendering, RapidOCR text boxes, page text and cell grids.

A page is recognised only when its text layer is (nearly) empty, it carries an image and it is not
blank at preview resolution (extract/triage.py). It is rendered (pypdfium2) and read by RapidOCR (PP-OCR
models for Chinese print, shipped inside the `rapidocr-onnxruntime` wheel: nothing is
downloaded at run time): text lines are detected on the image shrunk to a fixed size and each is
read from the full-resolution image. The recognised boxes stand in for the text layer: joined into lines
they are the page's text (titles, units, metadata and prose are read from it as from a text
layer), and assigned to the cells of the ruled tables found in the image (extract/rulings.py)
they make the same grids camelot makes of a text page, each cell with its confidence.

A process given more than one core (share_cores) reads that many pages at once, a thread and an engine
each, the pages sharing one text-line detector (detection holds most of an engine's memory).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np
import pypdfium2 as pdfium

from extract.grid import PageGrid
from extract.model import Cell
from extract.rulings import Lattice, find_lattices
from extract.triage import looks_blank, render, settings

log = logging.getLogger("budgetlake.ocr")  # progress per page: the command shows it (flows.logs)

ENGINE_NAME = "rapidocr-onnxruntime (PP-OCRv4)"


@dataclass(frozen=True)
class Box:
    """One recognised text line: its text, its box in page pixels and the engine's confidence (0-1)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    confidence: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2


@dataclass(frozen=True)
class OcrPage:
    """What OCR read on one page: its text (lines top to bottom) and its ruled tables as cell grids."""

    page: int  # 1-based
    text: str
    grids: tuple[PageGrid, ...]
    boxes: int  # text boxes recognised
    mean_confidence: float | None


_cores: int | None = None  # cores this process may use for OCR (share_cores); None: one page at a time
_engines: list = []  # idle engines that read text lines, each used by one page at a time
_engines_lock = threading.Lock()
_detector = None  # the one engine that finds text lines, for one page at a time (_detect)
_detecting = threading.Lock()


def share_cores(cores: int | None) -> None:
    """Let OCR in this process use `cores` cores: that many pages are read at once, each on one thread with
    its own line-reading engine, all sharing one detector (_detect). A worker of a pool is given its share
    of the machine (flows/pool.py), so the workers of a run never ask for more threads than there are
    cores. None (the default): one page at a time, the engines using the threads onnxruntime chooses."""
    global _cores, _detector
    cores = None if cores is None else max(1, int(cores))
    with _engines_lock, _detecting:
        if cores != _cores:  # engines made for another share of threads are dropped
            _engines.clear()
            _detector = None
        _cores = cores


def pages_at_once() -> int:
    """How many pages this process reads at once (share_cores)."""
    return _cores or 1


def _new_engine():
    """An OCR engine (models from the installed wheel: nothing is downloaded)."""
    from rapidocr_onnxruntime import RapidOCR

    threads = {} if _cores is None else {"intra_op_num_threads": 1, "inter_op_num_threads": 1}
    # text_score 0: every box is returned with its score; doubtful ones are judged by transform, never dropped
    return RapidOCR(text_score=0.0, use_cls=False, max_side_len=settings()["render"]["max_side_px"],
                    print_verbose=False, **threads)


@contextmanager
def _engine() -> Iterator:
    """An engine that reads one page's text lines, kept for the next page: an engine is not shared by two
    pages at once, and at most pages_at_once() of them are ever made."""
    with _engines_lock:
        engine = _engines.pop() if _engines else None
    engine = engine or _new_engine()
    try:
        yield engine
    finally:
        with _engines_lock:
            _engines.append(engine)


def _detect(image: np.ndarray) -> list:
    """The quadrilaterals of the text lines on an image, found by the process's one detecting engine, one
    page at a time. Detection needs most of an engine's memory and an engine keeps it once used, so pages
    read at once share one detector (its text detector keeps per-image state: hence the lock) and each
    brings only an engine that reads lines; the detection of one page overlaps the reading of another."""
    global _detector
    with _detecting:
        _detector = _detector or _new_engine()
        quads, _ = _detector(image, use_det=True, use_cls=False, use_rec=False)
    return quads or []


def shrink(gray: np.ndarray, longest_px: int) -> tuple[np.ndarray, float]:
    """The image shrunk (area-averaged) so that its longer side is at most longest_px, and the factor applied."""
    factor = min(1.0, longest_px / max(gray.shape))
    if factor == 1.0:
        return gray, 1.0
    size = (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), factor


def _boxes(engine, gray: np.ndarray) -> list[Box]:
    """Text lines found on the image shrunk to detect_side_px, each then read from the full-resolution image.

    Detection is most of the engine's time and memory and grows with the pixels; the lines of a printed
    page are found as well at 1280 px as at 200 dpi, while the characters are read at full resolution.
    """
    config = settings()["render"]
    small, factor = shrink(gray, config["detect_side_px"])
    boxes = []
    for quad in _detect(np.repeat(small[..., None], 3, axis=2)):
        xs, ys = [p[0] / factor for p in quad], [p[1] / factor for p in quad]
        left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
        pad = (bottom - top) * config["read_pad_height"]
        text, score = _recognise_crop(engine, gray, left - pad, top - pad / 2, right + pad, bottom + pad / 2)
        if text:
            boxes.append(Box(text, left, top, right, bottom, score))
    return boxes


def _recognise_crop(engine, gray: np.ndarray, left: float, top: float, right: float, bottom: float) -> tuple[str, float]:
    crop = gray[max(int(top), 0):int(bottom) + 1, max(int(left), 0):int(right) + 1]
    if crop.size == 0 or crop.min() > 128:  # nothing printed in that piece
        return "", 1.0
    result, _ = engine(np.repeat(crop[..., None], 3, axis=2), use_det=False, use_cls=False, use_rec=True)
    if not result:
        return "", 0.0
    text, score = result[0]
    return str(text).strip(), float(score)


def _split_at_rulings(engine, box: Box, lattices: list[Lattice], gray: np.ndarray) -> list[Box]:
    """A box that runs over vertical rulings of a table (codes 201 06 01 in three cells read as one line)
    is cut at those rulings and each piece recognised again."""
    _, y = box.centre
    for lattice in lattices:
        cuts = [x for x in lattice.xs[1:-1] if box.left + lattice.tolerance < x < box.right - lattice.tolerance
                and lattice.ruled(lattice.vertical, x, y)]
        if not cuts or not (lattice.ys[0] <= y <= lattice.ys[-1]):
            continue
        edges = [box.left, *cuts, box.right]
        pieces = []
        for left, right in zip(edges, edges[1:]):
            text, score = _recognise_crop(engine, gray, left + lattice.tolerance, box.top, right - lattice.tolerance, box.bottom)
            if text:
                pieces.append(Box(text, left, box.top, right, box.bottom, min(score, box.confidence)))
        return pieces
    return [box]


def _lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into printed lines (their vertical centres within half a box height), top to bottom."""
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: b.centre[1]):
        height = box.bottom - box.top
        if lines and abs(lines[-1][0].centre[1] - box.centre[1]) <= max(height, lines[-1][0].bottom - lines[-1][0].top) / 2:
            lines[-1].append(box)
        else:
            lines.append([box])
    return [sorted(line, key=lambda b: b.left) for line in lines]


def _cell_text(boxes: list[Box]) -> tuple[str, float | None]:
    if not boxes:
        return "", None
    text = "\n".join(" ".join(b.text for b in line) for line in _lines(boxes)) + "\n"
    return text, min(b.confidence for b in boxes)


def _grid(lattice: Lattice, boxes: list[Box], page_no: int, page_height_pt: float, dpi: float) -> PageGrid:
    rows, columns = len(lattice.ys) - 1, len(lattice.xs) - 1
    held: dict[tuple[int, int], list[Box]] = {}
    for box in boxes:
        where = lattice.cell_of(*box.centre)
        if where is not None:
            held.setdefault(lattice.span_origin(*where), []).append(box)
    grid_rows = []
    for r in range(rows):
        row = []
        for c in range(columns):
            text, confidence = _cell_text(held.get((r, c), []))
            row.append(Cell(text=text, page=page_no, joins_left=lattice.joins_left(r, c),
                            joins_up=lattice.joins_up(r, c), confidence=confidence))
        grid_rows.append(row)
    pt = 72 / dpi
    centres = [(lattice.xs[c] + lattice.xs[c + 1]) / 2 * pt for c in range(columns)]
    return PageGrid(page_no, page_height_pt - lattice.ys[0] * pt, centres, grid_rows, "ocr")


def recognise_image(gray: np.ndarray, page_no: int, page_height_pt: float, dpi: float) -> OcrPage:
    """One rendered page: its ruled tables found and its text boxes read; its text and its grids.

    Touches no pdfium object, so pages can be read on several threads at once (pdfium allows one thread).
    """
    lattices = find_lattices(gray, dpi, **settings()["rulings"])
    with _engine() as engine:
        boxes = [piece for box in _boxes(engine, gray) for piece in _split_at_rulings(engine, box, lattices, gray)]
    text = "\n".join(" ".join(b.text for b in line) for line in _lines(boxes))
    grids = tuple(_grid(lattice, boxes, page_no, page_height_pt, dpi) for lattice in lattices)
    mean = sum(b.confidence for b in boxes) / len(boxes) if boxes else None
    return OcrPage(page_no, text, grids, len(boxes), mean)


def recognise_pages(path: Path, pages: list[int]) -> dict[int, OcrPage]:
    """OCR of the given 1-based pages of the PDF at path, pages_at_once() at a time, a progress line per page.

    Pages are rendered here, one after another (pdfium is not thread-safe), and read on a thread each,
    no more than pages_at_once() in flight (each holds its image: memory stays bounded). A page that
    looks blank at preview resolution (extract.triage.looks_blank) is not recognised: it reads as an
    empty page.
    """
    dpi = settings()["render"]["dpi"]
    out: dict[int, OcrPage] = {}
    started: dict[int, float] = {}
    in_flight: dict[Future, int] = {}

    def progress(page_no: int, what: str) -> None:
        log.info("OCR %s: page %d (%d of %d) %s in %.1f s", path.name, page_no, len(out), len(pages), what,
                 time.perf_counter() - started[page_no])

    def collect(futures) -> None:
        for future in futures:
            page_no = in_flight.pop(future)
            out[page_no] = future.result()
            progress(page_no, f"read, {out[page_no].boxes} text lines")

    document = pdfium.PdfDocument(str(path))
    readers = ThreadPoolExecutor(max_workers=pages_at_once(), thread_name_prefix="budgetlake-ocr")
    try:
        for page_no in pages:
            if len(in_flight) >= pages_at_once():
                collect(wait(in_flight, return_when=FIRST_COMPLETED).done)
            started[page_no] = time.perf_counter()
            page = document[page_no - 1]
            try:
                gray = None if looks_blank(page) else render(page, dpi)
                height_pt = page.get_height()
            finally:
                page.close()
            if gray is None:
                out[page_no] = OcrPage(page_no, "", (), 0, None)
                progress(page_no, "blank, not recognised")
            else:
                in_flight[readers.submit(recognise_image, gray, page_no, height_pt, dpi)] = page_no
        collect(wait(in_flight).done)
    finally:
        readers.shutdown(wait=True, cancel_futures=True)
        document.close()
    return {page_no: out[page_no] for page_no in pages}
