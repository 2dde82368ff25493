"""Page triage for OCR: which pages have no usable text layer but an image (a scan), and which of those are blank."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

SETTINGS_FILE = Path(__file__).with_name("layout") / "ocr.toml"


@lru_cache(maxsize=1)
def settings() -> dict:
    """extract/layout/ocr.toml: triage, rendering and ruling parameters."""
    with SETTINGS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def text_is_usable(text: str) -> bool:
    """Whether a page's text layer holds enough text to be read as it is (then its images are never looked at)."""
    return len("".join(text.split())) >= settings()["triage"]["min_text_chars"]


def needs_ocr(text: str, has_image: bool) -> bool:
    """A page with (nearly) no text in its text layer that carries an image is a scan: it is recognised."""
    return has_image and not text_is_usable(text)


def page_has_image(page: pdfium.PdfPage) -> bool:
    """Whether the page draws an image (also inside a form XObject)."""
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def looks_blank(page: pdfium.PdfPage) -> bool:
    """Whether a scanned page, rendered at the preview resolution, has (nearly) no ink: then it is not recognised.

    The preview costs a few milliseconds, recognition seconds: a blank back page or separator sheet of
    a scan is common.
    """
    triage = settings()["triage"]
    preview = render(page, triage["preview_dpi"])
    return float((preview < triage["ink_below"]).mean()) < triage["min_ink_share"]


def render(page: pdfium.PdfPage, dpi: float) -> np.ndarray:
    """The page as a grayscale image at dpi (the preview here, the image OCR reads in extract.ocr)."""
    image = page.render(scale=dpi / 72, grayscale=True).to_numpy()
    return image if image.ndim == 2 else image[..., 0]
