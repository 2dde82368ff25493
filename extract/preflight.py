"""PDF preflight: open a PDF once, fingerprint its bytes, read its text layer (marking the pages that need OCR),
or say in plain words why not."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.errors import UnreadableReport
from extract.fingerprint import sha256_of_file  # noqa: F401 - re-exported: the digest lives in extract.fingerprint
from extract.model import PdfText
from extract.triage import needs_ocr, page_has_image, text_is_usable
from extract.source import read_input

PDF_MAGIC = b"%PDF-"
# A PDF header may be preceded by a little junk; readers look for it in the first 1024 bytes.
HEADER_SEARCH_BYTES = 1024
# Every complete PDF ends with an %%EOF marker (possibly followed by whitespace or a few junk bytes).
EOF_SEARCH_BYTES = 2048
# Only an encrypted PDF names an /Encrypt dictionary in its trailer (or xref stream dictionary, never
# compressed): pdfium's password error is believed only then (its last-error state can be stale).
ENCRYPT_KEY = b"/Encrypt"
# Below this many non-blank characters across the whole file there is no usable text layer.
MIN_TEXT_CHARS = 20
# A limit on the work one report may take: a PDF with more pages fails (the largest disclosures have a
# few hundred pages; a table "continued" over thousands of pages is not a report).
MAX_PAGES = 2000


def check_pdf_bytes(data: bytes) -> None:
    """Raise UnreadableReport when the bytes cannot be a complete PDF (empty, not a PDF, cut off).

    A cut-off PDF has lost its final %%EOF marker. One that has %%EOF further from its end than
    EOF_SEARCH_BYTES (junk appended after it) is left to the PDF reader, which reads such files.
    The error never quotes the file's bytes (they may be anything, e.g. a system file).
    """
    if not data.strip():
        raise UnreadableReport("the file is empty (0 bytes of content); re-download or re-export it")
    header_at = data.find(PDF_MAGIC, 0, HEADER_SEARCH_BYTES)
    if header_at < 0:
        raise UnreadableReport(
            "the file is not a PDF although its name ends in .pdf (no %PDF- header); it may be a web page "
            "or a Word/Excel file saved under the wrong name"
        )
    if b"%%EOF" not in data[-EOF_SEARCH_BYTES:] and data.rfind(b"%%EOF", header_at) < 0:
        raise UnreadableReport(
            "the PDF is truncated: it has no end-of-file marker (%%EOF), so it was probably cut off "
            "while downloading or copying; fetch it again"
        )


def _load_document(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        encrypted = ENCRYPT_KEY in data  # pdfium's error code may be left over from an earlier file
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD and encrypted:
            raise UnreadableReport(
                "the PDF is encrypted (password-protected) and cannot be opened without its password; "
                "ask the publisher for an unprotected copy or decrypt it with the password first"
            ) from None
        if error.err_code == pdfium_c.FPDF_ERR_SECURITY and encrypted:
            raise UnreadableReport(
                "the PDF uses an unsupported security handler (encryption) and cannot be opened"
            ) from None
        raise UnreadableReport(
            "the PDF is damaged or has no pages and cannot be opened; fetch the file again"
        ) from None


def _page_texts(document: pdfium.PdfDocument) -> tuple[tuple[str, ...], frozenset[int]]:
    """Every page's text layer, and the pages that need OCR (no usable text, an image: extract.triage.needs_ocr)."""
    texts: list[str] = []
    scanned: set[int] = set()
    for index in range(len(document)):
        try:
            page = document[index]
        except pdfium.PdfiumError as error:
            raise UnreadableReport(f"page {index + 1} of the PDF is damaged and cannot be read ({error})") from error
        try:
            text_page = page.get_textpage()
            try:
                texts.append(text_page.get_text_range())
            finally:
                text_page.close()
            # the page's objects are walked only where the text layer is short (a text page costs nothing more)
            if not text_is_usable(texts[-1]) and needs_ocr(texts[-1], page_has_image(page)):
                scanned.add(index + 1)
        finally:
            page.close()
    return tuple(texts), frozenset(scanned)


def read_pdf_text(path: Path, data: bytes | None = None, *, max_pages: int = MAX_PAGES) -> PdfText:
    """Open the PDF once: its sha256, page count and per-page text, or UnreadableReport with a human reason.

    data: the file's bytes as already read (extract.source.read_input); hash and text come from them.
    max_pages: a PDF with more pages fails before any page is read (a limit on the work per report).
    """
    path = Path(path)
    data = read_input(path) if data is None else data
    sha256 = hashlib.sha256(data).hexdigest()
    check_pdf_bytes(data)
    document = _load_document(data)
    try:
        page_count = len(document)
        if page_count == 0:
            raise UnreadableReport("the PDF has no pages")
        if page_count > max_pages:
            raise UnreadableReport(
                f"the PDF has {page_count} pages, more than the {max_pages} one report may have "
                "(a limit on the work per report): not read"
            )
        page_texts, scanned = _page_texts(document)
    finally:
        document.close()
    text_chars = sum(len("".join(text.split())) for text in page_texts)
    if text_chars < MIN_TEXT_CHARS and not scanned:
        raise UnreadableReport(
            f"the PDF has no text layer and no page images ({page_count} page(s), {text_chars} characters of "
            "text): there is nothing to read, not even by OCR"
        )
    return PdfText(path=path, sha256=sha256, page_count=page_count, page_texts=page_texts, scanned_pages=scanned)
