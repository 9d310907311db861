"""The one upload check reads every file completely as the type it claims: polyglots (a PNG with an archive
appended), truncated or corrupt files, PDFs without pages, executables renamed .jpg are refused with the
file's name and a reason, for materials and for the catalogue's blank forms, samples and imports."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.fileformats import check_jpg, jpeg_end
from cases.models import SubmittedMaterial
from cases.uploads import GUIDE_FILE_TYPES, TABLE_TYPES, upload_check
from tests import samples

from .helpers import draft_case

ZIP = samples.zip_bytes()
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


def _empty_pdf() -> bytes:
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


GOOD = [
    ("证件.png", samples.PNG),
    ("证件.jpg", samples.JPG),
    ("证件.JPEG", samples.JPG),
    ("申请书.pdf", samples.PDF),
    ("申请书.pdf", samples.pdf_bytes(3)),
    ("申请书.pdf", samples.PDF + b"\r\n  \n"),  # whitespace after %%EOF is allowed
]

HOSTILE = [
    ("证件.png", samples.PNG + ZIP, "附带了其他数据"),
    ("证件.jpg", samples.JPG + ZIP, "附带了其他数据"),
    ("申请书.pdf", samples.PDF + ZIP, "附带了其他数据"),
    ("申请书.pdf", samples.PDF + b"<script>alert(1)</script>", "附带了其他数据"),
    ("证件.jpg", EXE, "内容与扩展名不符"),
    ("证件.png", samples.PNG[:-20], "损坏或不完整"),
    ("证件.jpg", samples.JPG[:40] + samples.JPG[-2:], "损坏或不完整"),
    ("申请书.pdf", _empty_pdf(), "没有任何页面"),
    ("申请书.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", "损坏或不完整"),
    ("证件.png", samples.JPG, "内容与扩展名不符"),
    ("证件.png", b"", "空文件"),
]


@pytest.mark.parametrize(("name", "content"), GOOD)
def test_complete_files_pass(name, content):
    checked = upload_check(SimpleUploadedFile(name, content))
    assert checked.size == len(content)


@pytest.mark.parametrize(("name", "content", "reason"), HOSTILE)
def test_hostile_files_are_refused_naming_the_file_and_the_reason(name, content, reason):
    with pytest.raises(ValidationError) as error:
        upload_check(SimpleUploadedFile(name, content))
    message = " ".join(error.value.messages)
    assert reason in message and name in message


def test_an_exif_thumbnail_inside_a_jpeg_does_not_end_it_early():
    from PIL import Image

    thumb = io.BytesIO()
    Image.new("RGB", (2, 2)).save(thumb, "JPEG")
    exif = b"Exif\x00\x00" + thumb.getvalue()  # an embedded JPEG with its own EOI
    app1 = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    content = samples.JPG[:2] + app1 + samples.JPG[2:]
    assert jpeg_end(content) == len(content)
    check_jpg(content)


def test_a_huge_canvas_is_refused_before_decoding():
    content = samples.image_bytes("PNG", size=(8000, 8000))
    with pytest.raises(ValidationError, match="尺寸过大"):
        upload_check(SimpleUploadedFile("扫描件.png", content))


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("表格.xlsx", samples.XLSX, True),
        ("表格.xlsx", samples.XLSX + b"appended", False),
        ("表格.xlsx", ZIP, False),  # a zip that is no workbook
        ("表格.csv", "事项名称,实施编码\n".encode(), True),
        ("表格.csv", samples.PNG, False),
        ("表格.csv", b"a,b\x00,c\n", False),
    ],
)
def test_import_tables(name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        upload_check(upload, allowed=TABLE_TYPES)
    else:
        with pytest.raises(ValidationError):
            upload_check(upload, allowed=TABLE_TYPES)


def test_guide_files_may_be_office_documents_but_complete_ones():
    upload_check(SimpleUploadedFile("空白表.xlsx", samples.XLSX), allowed=GUIDE_FILE_TYPES)
    docx = samples.zip_bytes((("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")))
    upload_check(SimpleUploadedFile("空白表.docx", docx), allowed=GUIDE_FILE_TYPES)
    with pytest.raises(ValidationError, match="格式不支持"):
        upload_check(SimpleUploadedFile("空白表.exe", EXE), allowed=GUIDE_FILE_TYPES)
    with pytest.raises(ValidationError, match="扩展名不符"):
        upload_check(SimpleUploadedFile("空白表.docx", samples.XLSX), allowed=GUIDE_FILE_TYPES)


@pytest.mark.django_db
def test_a_polyglot_material_is_not_stored(cast, media_root):
    case = draft_case(cast)
    with pytest.raises(ValidationError, match="附带了其他数据"):
        services.case_attach_material(
            case=case, actor=cast.citizen, upload=SimpleUploadedFile("身份证.png", samples.PNG + ZIP)
        )
    assert not SubmittedMaterial.objects.exists()
