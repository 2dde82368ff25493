"""PDF preflight: fingerprint, page texts, and a human reason for every kind of unreadable file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.builders import UNRELATED_LINES, bad_inputs, scanned_pdf_bytes, text_pdf_bytes

from extract.errors import UnreadableReport
from extract.preflight import read_pdf_text, sha256_of_file


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_readable_pdf_gives_identity_pages_and_text(tmp_path: Path) -> None:
    data = text_pdf_bytes(["Hello budget", "second line"], pages=3)
    path = _write(tmp_path, "ok.pdf", data)

    pdf = read_pdf_text(path)

    assert pdf.path == path
    assert pdf.sha256 == hashlib.sha256(data).hexdigest()
    assert pdf.report_id == hashlib.sha256(data).hexdigest()[:16]
    assert pdf.page_count == 3
    assert len(pdf.page_texts) == 3
    assert "Hello budget" in pdf.page_texts[0]
    assert "page 1" in pdf.page_texts[0]
    assert "page 3" in pdf.page_texts[2]


def test_sha256_of_file_matches_hashlib(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.pdf", b"abc")
    assert sha256_of_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize(
    "name, data, phrase",
    [
        pytest.param("empty.pdf", b"", "empty", id="empty"),
        pytest.param("blank.pdf", b"  \n\n ", "empty", id="whitespace-only"),
        pytest.param("page.pdf", b"<!DOCTYPE html><html>login required</html>", "not a PDF", id="html-named-pdf"),
        pytest.param("doc.pdf", b"PK\x03\x04" + b"\x00" * 200, "not a PDF", id="zip-named-pdf"),
        pytest.param("cut.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "truncated", id="truncated-header-only"),
    ],
)
def test_unreadable_bytes_are_explained(tmp_path: Path, name: str, data: bytes, phrase: str) -> None:
    with pytest.raises(UnreadableReport, match=phrase):
        read_pdf_text(_write(tmp_path, name, data))


@pytest.mark.parametrize("fraction", [pytest.param(0.3, id="cut-at-30%"), pytest.param(0.9, id="cut-at-90%")])
def test_truncated_pdf_is_explained(tmp_path: Path, fraction: float) -> None:
    data = text_pdf_bytes(UNRELATED_LINES, pages=2)
    with pytest.raises(UnreadableReport, match="truncated"):
        read_pdf_text(_write(tmp_path, "cut.pdf", data[: int(len(data) * fraction)]))


def test_corrupt_body_is_explained(tmp_path: Path) -> None:
    # header and %%EOF present, but everything in between is garbage
    data = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
    with pytest.raises(UnreadableReport, match="damaged|no pages"):
        read_pdf_text(_write(tmp_path, "garbage.pdf", data))


def test_encrypted_pdf_says_it_needs_its_password(tmp_path: Path) -> None:
    data = text_pdf_bytes(UNRELATED_LINES, password="secret")
    with pytest.raises(UnreadableReport, match=r"encrypted.*password"):
        read_pdf_text(_write(tmp_path, "locked.pdf", data))


def test_scanned_pdf_pages_are_marked_for_ocr(tmp_path: Path) -> None:
    # (issue 12) a scan is no longer refused here: its pages without a text layer go to OCR
    pdf = read_pdf_text(_write(tmp_path, "scan.pdf", scanned_pdf_bytes(pages=2)))
    assert (pdf.page_count, pdf.scanned_pages, pdf.ocr_pages) == (2, frozenset({1, 2}), frozenset())


def test_pdf_without_text_or_images_says_there_is_nothing_to_read(tmp_path: Path) -> None:
    with pytest.raises(UnreadableReport, match=r"no text layer and no page images.*not even by OCR"):
        read_pdf_text(_write(tmp_path, "blank.pdf", text_pdf_bytes([], pages=2)))


def test_every_shared_bad_input_is_rejected_with_its_phrase(tmp_path: Path) -> None:
    for name, (data, phrase) in bad_inputs().items():
        if name == "scanned.pdf":  # passes preflight to OCR, and fails later: no budget table on it
            continue
        with pytest.raises(UnreadableReport) as caught:
            read_pdf_text(_write(tmp_path, name, data))
        assert phrase in str(caught.value), (name, str(caught.value))


@pytest.mark.corpus
def test_corpus_pdfs_have_a_text_layer(shared_dir: Path) -> None:
    paths = sorted((shared_dir / "corpus").rglob("*.pdf"))
    assert paths, "no corpus PDFs found"
    for path in paths:
        pdf = read_pdf_text(path)
        assert pdf.page_count > 0
        assert any("决算" in text or "预算" in text for text in pdf.page_texts), path.name


def test_digest_follows_the_file_when_it_changes(tmp_path):
    import hashlib
    import os

    from extract.preflight import sha256_of_file

    path = tmp_path / "a.pdf"
    path.write_bytes(b"first version")
    assert sha256_of_file(path) == hashlib.sha256(b"first version").hexdigest()
    path.write_bytes(b"second version, longer")
    os.utime(path, ns=(1, 1))
    assert sha256_of_file(path) == hashlib.sha256(b"second version, longer").hexdigest()


# ---------- issue 13: stale pdfium errors, junk after %%EOF, what an error may quote, reading once ----------


def _zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree holds no page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_a_zero_page_pdf_after_an_encrypted_one_is_not_called_encrypted(tmp_path: Path) -> None:
    with pytest.raises(UnreadableReport, match="password"):
        read_pdf_text(_write(tmp_path, "locked.pdf", text_pdf_bytes(UNRELATED_LINES, password="secret")))
    with pytest.raises(UnreadableReport) as raised:
        read_pdf_text(_write(tmp_path, "empty_pages.pdf", _zero_page_pdf()))
    assert "encrypt" not in str(raised.value) and "password" not in str(raised.value)
    assert "no pages" in str(raised.value)


def test_junk_after_the_end_marker_does_not_make_a_readable_pdf_truncated(tmp_path: Path) -> None:
    data = text_pdf_bytes(UNRELATED_LINES) + b"\x00junk" * 1000
    pdf = read_pdf_text(_write(tmp_path, "junk_tail.pdf", data))
    assert pdf.page_count == 1 and pdf.sha256 == hashlib.sha256(data).hexdigest()


def test_an_error_never_quotes_the_file_bytes(tmp_path: Path) -> None:
    with pytest.raises(UnreadableReport) as raised:
        read_pdf_text(_write(tmp_path, "secret.pdf", b"root:x:0:0:root:/root:/bin/bash\n" * 10))
    assert "not a PDF" in str(raised.value) and "root" not in str(raised.value)


def test_read_pdf_text_uses_the_bytes_it_is_given(tmp_path: Path) -> None:
    given = text_pdf_bytes(["first version of the budget report"])
    path = _write(tmp_path, "x.pdf", text_pdf_bytes(["second version of the budget report"]))
    pdf = read_pdf_text(path, given)
    assert pdf.sha256 == hashlib.sha256(given).hexdigest() and "first version" in pdf.page_texts[0]


def test_a_pdf_over_the_page_limit_fails_before_its_pages_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "long.pdf", text_pdf_bytes(UNRELATED_LINES, pages=5))
    with pytest.raises(UnreadableReport, match="has 5 pages, more than the 4"):
        read_pdf_text(path, max_pages=4)
    assert read_pdf_text(path, max_pages=5).page_count == 5
