"""The raw shapes extraction hands to transform: page texts, cell grids with pages, report text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class PdfText:
    """A PDF opened once: identity, page count and the text layer of every page."""

    path: Path
    sha256: str
    page_count: int
    page_texts: tuple[str, ...]  # page_texts[i] is the text of 1-based page i + 1
    scanned_pages: frozenset[int] = frozenset()  # pages without a usable text layer that carry an image
    ocr_pages: frozenset[int] = frozenset()  # pages whose page_texts were recognised by OCR

    @property
    def report_id(self) -> str:
        return self.sha256[:16]


@dataclass(frozen=True)
class Cell:
    text: str
    page: int  # 1-based PDF page
    joins_left: bool = False  # no ruling to the left: part of a cell merged across columns
    joins_up: bool = False  # no ruling above: part of a cell merged across rows
    confidence: float | None = None  # OCR's confidence (0-1) in a cell read by OCR; None: text layer or blank


@dataclass
class RawTable:
    """One standard table as printed: its title, the unit line, and its rows of cells across all its pages."""

    name: str  # canonical table name (CONTRACT)
    title: str  # title as printed
    pages: tuple[int, ...]
    rows: list[list[Cell]] = field(default_factory=list)
    flavor: str = "lattice"  # the camelot flavor the first page was read with


@dataclass
class RawReport:
    pdf: PdfText
    tables: dict[str, RawTable]  # canonical name -> table, in the order printed
    declared_empty: frozenset[str] = frozenset()  # tables the report states it has no funds for
    listed: frozenset[str] = frozenset()  # tables its table of contents lists
