"""Text lines rebuilt from character positions, for titles the text order splits apart."""

from __future__ import annotations

import pypdfium2 as pdfium


def positioned_lines(page: pdfium.PdfPage) -> list[str]:
    """The page's text as lines of characters sharing a baseline, top to bottom, left to right."""
    textpage = page.get_textpage()
    glyphs = []
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if not char.strip():
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        glyphs.append(((bottom + top) / 2, top - bottom, left, char))
    glyphs.sort(key=lambda g: -g[0])
    rows: list[list[tuple[float, float, float, str]]] = []
    for glyph in glyphs:
        if rows and abs(rows[-1][0][0] - glyph[0]) <= max(glyph[1], rows[-1][0][1]) / 2:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    return ["".join(g[3] for g in sorted(row, key=lambda g: g[2])) for row in rows]
