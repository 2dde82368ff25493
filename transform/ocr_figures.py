"""When a figure read by OCR is doubtful: low confidence, not the printed shape of a figure, odd decimals."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from functools import lru_cache
from pathlib import Path

from contracts.names import squeeze

SETTINGS_FILE = Path(__file__).with_name("layout") / "ocr_figures.toml"


@lru_cache(maxsize=1)
def _settings() -> tuple[float, tuple[re.Pattern, ...]]:
    with SETTINGS_FILE.open("rb") as fh:
        figures = tomllib.load(fh)["figures"]
    return float(figures["min_confidence"]), tuple(re.compile(p) for p in figures["shapes"])


def decimals(text: str) -> int:
    """Digits after the decimal point of a printed figure (0 without one)."""
    squeezed = squeeze(text)
    return len(squeezed.rsplit(".", 1)[1]) if "." in squeezed else 0


def doubt(text: str, confidence: float) -> str | None:
    """Why a figure OCR read (its text parsed as a figure) cannot be trusted, or None."""
    min_confidence, shapes = _settings()
    if confidence < min_confidence:
        return f"confidence {confidence:.3f} below {min_confidence:.2f}"
    if not any(shape.match(squeeze(text)) for shape in shapes):
        return "not the printed shape of a figure"
    return None


def usual_decimals(texts: list[str]) -> int | None:
    """The number of decimals most figures of a table print (None for no figure)."""
    counts = Counter(decimals(t) for t in texts)
    return counts.most_common(1)[0][0] if counts else None
