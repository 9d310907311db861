"""Every PDF the portal issues is tagged PDF/UA with its title and language, and keeps its text."""

import io
import subprocess

from pypdf import PdfReader

from hall.pdf import render_pdf


def _render(title="受理通知书", issuer="江城区政务服务中心"):
    return render_pdf(
        "pdf/base.html",
        {"title": title, "issuer": issuer, "document_number": "JC-2026-00001", "issued_on": None},
    )


def _text(tmp_path, content: bytes) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # the heading is letter-spaced: pdftotext reads a space in it


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
    compact = _text(tmp_path, _render("不予受理决定书"))
    assert "不予受理决定书" in compact
    assert "江城区政务服务中心" in compact


def test_later_documents_embed_their_own_glyphs(tmp_path):
    # The font configuration is kept from one document to the next: each still embeds the glyphs it uses.
    _render("受理通知书")
    later = _render("准予行政许可决定书", issuer="鹤山县市场监督管理局")
    compact = _text(tmp_path, later)
    assert "准予行政许可决定书" in compact
    assert "鹤山县市场监督管理局" in compact
    fonts = subprocess.run(["pdffonts", str(tmp_path / "notice.pdf")], capture_output=True, text=True).stdout
    assert "+" in fonts  # a subset, embedded
