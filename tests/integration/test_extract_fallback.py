"""A table printed without ruling lines is read with camelot's fallback flavors instead of being lost."""

from __future__ import annotations

from decimal import Decimal

from extract.preflight import read_pdf_text
from extract.report import extract_report
from transform.report_frames import transform_report


def unruled_report_pdf(path) -> None:
    """A one-table 决算 page whose 一般公共预算财政拨款支出决算表 has no ruling lines at all."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setFont("STSong-Light", 16)
    pdf.drawString(150, 780, "某某局2024年度部门决算")
    pdf.showPage()
    pdf.setFont("STSong-Light", 14)
    pdf.drawString(150, 780, "一般公共预算财政拨款支出决算表")
    pdf.setFont("STSong-Light", 10)
    pdf.drawString(60, 750, "单位：万元")
    rows = [
        ("科目编码", "科目名称", "合计", "基本支出", "项目支出"),
        ("", "合计", "30.00", "20.00", "10.00"),
        ("201", "一般公共服务支出", "30.00", "20.00", "10.00"),
        ("20106", "财政事务", "30.00", "20.00", "10.00"),
        ("2010601", "行政运行", "20.00", "20.00", ""),
        ("2010602", "一般行政管理事务", "10.00", "", "10.00"),
    ]
    for index, row in enumerate(rows):
        y = 720 - index * 22
        for x, text in zip((60, 140, 300, 380, 460), row):
            pdf.drawString(x, y, text)
    pdf.showPage()
    pdf.save()


def test_unruled_table_is_read_with_a_fallback_flavor(tmp_path):
    path = tmp_path / "unruled.pdf"
    unruled_report_pdf(path)
    raw = extract_report(read_pdf_text(path))
    table = raw.tables["general_budget_expenditure"]
    assert table.flavor != "lattice"
    frames = transform_report(raw)
    cells = frames.tables["general_budget_expenditure"]
    got = {
        (code, measure): amount
        for code, measure, amount in zip(cells["subject_code"], cells["measure"], cells["amount_yuan"])
        if code is not None
    }
    assert got[("2010601", "basic")] == Decimal("200000.00")
    assert got[("2010602", "project")] == Decimal("100000.00")
