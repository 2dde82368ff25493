"""Builders for test inputs (good and bad PDFs, made by the tests themselves) and a warehouse reader."""

from __future__ import annotations

import io
from pathlib import Path

SEED_PDF = Path(__file__).resolve().parents[1] / "data" / "samples" / "武汉市硚口区司法局2024年度部门决算公开.pdf"


def text_pdf_bytes(lines: list[str], *, pages: int = 1, password: str | None = None) -> bytes:
    """A small PDF with a real text layer (Helvetica, so ASCII text), optionally user-password encrypted."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=password)
    for page_no in range(1, pages + 1):
        y = 800
        for line in lines:
            pdf.drawString(72, y, f"{line}")
            y -= 18
        pdf.drawString(72, 40, f"page {page_no}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf_bytes(pages: int = 2) -> bytes:
    """A PDF whose pages are only pictures (as a scanner makes them): no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((20, 20, 380, 280), outline="black", width=3)
    for row in range(5):
        draw.line((20, 60 + row * 45, 380, 60 + row * 45), fill="black", width=2)
    draw.text((40, 30), "2024 budget table (scanned)", fill="black")

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        pdf.drawImage(ImageReader(picture), 50, 300, width=480, height=360)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


UNRELATED_LINES = [
    "Minutes of the neighbourhood gardening club",
    "We planted tomatoes, beans and sunflowers this spring.",
    "Next meeting: Saturday at ten, bring gloves.",
]


def bad_inputs() -> dict[str, tuple[bytes, str]]:
    """File name -> (bytes, a phrase the human error must contain) for every kind of unreadable input."""
    good_pdf = text_pdf_bytes(UNRELATED_LINES, pages=2)
    return {
        "empty.pdf": (b"", "empty"),
        "not_a_pdf.pdf": (b"<html><body>404 Not Found</body></html>\n" * 20, "not a PDF"),
        "truncated.pdf": (good_pdf[: len(good_pdf) // 2], "truncated"),
        "encrypted.pdf": (text_pdf_bytes(UNRELATED_LINES, password="secret"), "password"),
        "scanned.pdf": (scanned_pdf_bytes(), "OCR"),
    }



def read_dataset(warehouse: Path, dataset: str):
    """A warehouse dataset as one pandas frame, hive partitions (department, year) back as columns."""
    import pyarrow.dataset as ds

    frame = ds.dataset(warehouse / dataset, format="parquet", partitioning="hive").to_table().to_pandas(
        ignore_metadata=True)
    frame["department"] = frame["department"].astype(str)
    frame["year"] = frame["year"].astype(int)
    return frame


SEED_TEXT = Path(__file__).resolve().parents[1] / ".." / "shared" / "seed" / "武汉市硚口区司法局2024年度部门决算公开.txt"
SEED_SHORT_NAME = "硚口区司法局"  # the cover's name; the tables' department lines print 武汉市硚口区司法局本级


def seed_variant_pdf(out_path: Path, *, department: str | None = None, cover: str | None = None,
                     transform=None) -> Path:
    """The seed report rendered with its department renamed (cover and department lines), its cover title line
    replaced (cover: the whole first non-blank line), or its text passed through transform(text); written to out_path."""
    import importlib.util
    import sys

    renderer = Path(__file__).resolve().parents[1] / "data" / "samples" / "render_seed.py"
    module = sys.modules.get("render_seed")
    if module is None:
        spec = importlib.util.spec_from_file_location("render_seed", renderer)
        module = importlib.util.module_from_spec(spec)
        sys.modules["render_seed"] = module
        spec.loader.exec_module(module)
    text = SEED_TEXT.read_text(encoding="utf-8")
    if department is not None:
        text = text.replace("武汉市" + SEED_SHORT_NAME, department).replace(SEED_SHORT_NAME, department)
    if cover is not None:
        lines = text.split("\n")
        first = next(index for index, line in enumerate(lines) if line.strip())
        text = "\n".join([*lines[:first], cover, *lines[first + 1:]])
    if transform is not None:
        text = transform(text)
    module.render(text, out_path)
    return out_path


def bomb_pdf_bytes(inflated_mb: int = 512) -> bytes:
    """A decompression bomb: a one-page PDF of a few KB whose content stream inflates to inflated_mb MB.

    The stream is deflated twice (/Filter [/FlateDecode /FlateDecode]): the inner stream is the page's
    text followed by inflated_mb MB of spaces, so a reader that inflates it needs that much memory.
    """
    import zlib

    inner = zlib.compressobj(9)
    parts = [inner.compress(b"BT /F1 12 Tf 72 712 Td (hello) Tj ET\n")]
    block = b" " * (1 << 20)
    for _ in range(inflated_mb):
        parts.append(inner.compress(block))
    parts.append(inner.flush())
    stream = zlib.compress(b"".join(parts), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
