"""Image-only copies of real PDFs, as a scanner makes them: the benchmark's scanned case and the OCR tests' inputs."""

from __future__ import annotations

import io
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "final_accounts"
# the two real 决算 reports that have gold figures in ../shared/gold
GOLD_REPORTS = ("上海市普陀区财政局2024年度部门决算", "中共上海市普陀区委社会工作部2024年度部门决算")


def scanned_copy_bytes(source: Path, dpi: int, pages: list[int] | None = None, *,
                       keep_text: frozenset[int] = frozenset(), angle: float = 0.0, noise: float = 0.0,
                       seed: int = 0) -> bytes:
    """An image-only copy of a real PDF: each page (1-based `pages`, default all) rendered at dpi (grayscale)
    and stored as a picture of the same size; pages in keep_text are copied as they are (a PDF mixing text
    pages and scanned pages). angle: degrees the pictures are turned (a skewed scan); noise: the share of
    pixels flipped to a random grey (dust and speckle), drawn from a generator seeded by seed."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    source_doc = pdfium.PdfDocument(str(source))
    numbers = pages or list(range(1, len(source_doc) + 1))
    random = np.random.default_rng(seed)
    out = pdfium.PdfDocument.new()
    try:
        for page_no in numbers:
            if page_no in keep_text:
                out.import_pages(source_doc, [page_no - 1])
                continue
            page = source_doc[page_no - 1]
            width, height = page.get_size()
            picture = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if angle:
                picture = picture.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
            if noise:
                pixels = np.array(picture)
                speckle = random.random(pixels.shape) < noise
                pixels[speckle] = random.integers(0, 256, int(speckle.sum()), dtype=np.uint8)
                picture = Image.fromarray(pixels, mode="L")
            image = pdfium.PdfImage.new(out)
            image.set_bitmap(pdfium.PdfBitmap.from_pil(picture))
            image.set_matrix(pdfium.PdfMatrix().scale(width, height))
            new_page = out.new_page(width, height)
            new_page.insert_obj(image)
            new_page.gen_content()
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        out.close()
        source_doc.close()


def build(cache: Path, dpi: int = 300, sources: tuple[str, ...] = GOLD_REPORTS) -> list[Path]:
    """The benchmark's scanned reports: image-only copies at dpi of the gold 决算 reports, made once into cache
    (written to a .part file and renamed, so an interrupted build is never taken for a finished one)."""
    cache.mkdir(parents=True, exist_ok=True)
    made = []
    for stem in sources:
        target = cache / f"{stem}-scan{dpi}.pdf"
        if not target.is_file():
            partial = target.with_suffix(".part")
            partial.write_bytes(scanned_copy_bytes(CORPUS / f"{stem}.pdf", dpi))
            partial.rename(target)
        made.append(target)
    return made
