"""Every PDF the portal issues is tagged PDF/UA with its title and language, and keeps its text."""

import io
import subprocess

from pypdf import PdfReader

from hall.pdf import render_pdf


def _render(title="受理通知书"):
    return render_pdf(
        "pdf/base.html",
        {"title": title, "issuer": "江城区政务服务中心", "document_number": "JC-2026-00001", "issued_on": None},
    )


def test_pdf_is_tagged_with_title_and_language():
    reader = PdfReader(io.BytesIO(_render()))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]).lower().startswith("zh")
    assert reader.metadata.title == "受理通知书"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()


def test_pdf_text_is_extractable(tmp_path):
    path = tmp_path / "notice.pdf"
    path.write_bytes(_render("不予受理决定书"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    compact = "".join(text.split())  # the heading is letter-spaced: pdftotext reads a space in it
    assert "不予受理决定书" in compact
    assert "江城区政务服务中心" in compact
