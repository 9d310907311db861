"""Small real files for upload tests: each parses completely as its type (cases.fileformats), so that a
test that means to send a good file sends one, and a hostile variant differs by one thing only."""

import io
import zipfile


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG", size=(4, 4)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def xlsx_bytes(rows=(("事项名称", "实施编码"),)) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bytes(members=(("payload.exe", b"MZ" + b"\x00" * 64),)) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


PDF = pdf_bytes()
PNG = image_bytes("PNG")
JPG = image_bytes("JPEG")
XLSX = xlsx_bytes()
