"""OCR's pure parts: page triage, ruling lattices of a drawn page image, doubtful recognised figures."""

from __future__ import annotations

import numpy as np
import pytest

from extract.rulings import find_lattices
from extract.triage import needs_ocr
from transform.ocr_figures import decimals, doubt, usual_decimals

RULINGS = {"min_length_fraction": 0.03, "merge_tolerance_pt": 2.5, "min_table_width_pt": 100, "min_table_height_pt": 20}


@pytest.mark.parametrize(
    ("text", "has_image", "expected"),
    [
        pytest.param("", True, True, id="no-text-an-image"),
        pytest.param(" \r\n 3 \n", True, True, id="a-page-number-only"),
        pytest.param("收入支出决算总表 单位：万元", True, False, id="text-layer-over-an-image"),
        pytest.param("", False, False, id="blank-page"),
    ],
)
def test_needs_ocr(text, has_image, expected):
    assert needs_ocr(text, has_image) is expected


@pytest.mark.parametrize(
    ("text", "confidence", "expected"),
    [
        pytest.param("2,940.05", 0.999, None, id="grouped-two-decimals"),
        pytest.param("0.94", 0.95, None, id="small"),
        pytest.param("2940.05", 0.99, None, id="ungrouped"),
        pytest.param("2,940.05", 0.62, "confidence 0.620 below 0.90", id="low-confidence"),
        pytest.param("29,40.05", 0.99, "not the printed shape of a figure", id="comma-misplaced"),
        pytest.param("2,940.0.5", 0.99, "not the printed shape of a figure", id="two-points"),
    ],
)
def test_doubt(text, confidence, expected):
    assert doubt(text, confidence) == expected


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        pytest.param(["1.00", "2,940.05", "294005"], 2, id="most-print-two"),
        pytest.param(["1,200", "300"], 0, id="whole-numbers"),
        pytest.param([], None, id="none"),
    ],
)
def test_usual_decimals(texts, expected):
    assert usual_decimals(texts) == expected
    assert [decimals(t) for t in ["6.20", "12", "1,511.9"]] == [2, 0, 1]


def _page(width=1000, height=800) -> np.ndarray:
    """A white 72-dpi page with a 3 x 3 ruled table whose top-left two cells of the first row are merged."""
    page = np.full((height, width), 255, np.uint8)
    xs, ys = [100, 400, 600, 900], [100, 160, 220, 280]
    for y in ys:
        page[y - 1:y + 2, xs[0]:xs[-1] + 1] = 0
    for i, x in enumerate(xs):
        top = ys[1] if i == 1 else ys[0]  # no ruling between the first two cells of the top row
        page[top:ys[-1] + 1, x - 1:x + 2] = 0
    return page


def test_lattice_rows_columns_and_merged_cell():
    (lattice,) = find_lattices(_page(), 72, **RULINGS)
    assert [round(y) for y in lattice.ys] == [100, 160, 220, 280]
    assert [round(x) for x in lattice.xs] == [100, 400, 600, 900]
    assert [[lattice.joins_left(r, c) for c in range(3)] for r in range(3)] == [
        [False, True, False], [False, False, False], [False, False, False]]
    assert lattice.span_origin(0, 1) == (0, 0)
    assert lattice.cell_of(500, 250) == (2, 1)
    assert lattice.cell_of(50, 250) is None


def test_no_table_on_a_page_of_text_lines():
    page = np.full((800, 1000), 255, np.uint8)
    page[100:102, 100:900] = 0  # one underline, no crossing rulings
    assert find_lattices(page, 72, **RULINGS) == []


def _picture_page(draw) -> "pdfium.PdfPage":
    """A one-page PDF (A4) whose only object is a 100-dpi grayscale picture drawn by draw(pixels)."""
    import pypdfium2 as pdfium
    from PIL import Image

    pixels = np.full((1169, 827), 255, np.uint8)
    draw(pixels)
    document = pdfium.PdfDocument.new()
    image = pdfium.PdfImage.new(document)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(Image.fromarray(pixels, mode="L")))
    image.set_matrix(pdfium.PdfMatrix().scale(595, 842))
    page = document.new_page(595, 842)
    page.insert_obj(image)
    page.gen_content()
    return page


def _table(pixels):
    pixels[200:204, 100:700] = 0
    pixels[400:404, 100:700] = 0
    pixels[200:404, 100:104] = 0
    pixels[200:404, 696:700] = 0
    pixels[260:290, 150:600] = 0  # a line of print


def _speck(pixels):
    pixels[600:606, 400:406] = 0  # dust on the glass


@pytest.mark.parametrize(
    ("draw", "expected"),
    [
        pytest.param(lambda pixels: None, True, id="white-sheet"),
        pytest.param(_speck, True, id="a-speck-of-dust"),
        pytest.param(_table, False, id="a-table"),
    ],
)
def test_looks_blank_at_preview_resolution(draw, expected):
    from extract.triage import looks_blank

    assert looks_blank(_picture_page(draw)) is expected


@pytest.mark.parametrize(
    ("shape", "longest", "expected_shape", "expected_factor"),
    [
        pytest.param((2339, 1654), 1280, (1280, 905), 1280 / 2339, id="a4-at-200dpi"),
        pytest.param((1000, 700), 1280, (1000, 700), 1.0, id="already-small"),
    ],
)
def test_detection_image_is_shrunk_to_its_longest_side(shape, longest, expected_shape, expected_factor):
    from extract.ocr import shrink

    small, factor = shrink(np.full(shape, 255, np.uint8), longest)
    assert (small.shape, factor) == (expected_shape, pytest.approx(expected_factor))
