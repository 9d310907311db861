"""Upload checks: type by content, size, emptiness; nothing saved and no file left on refusal."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import CaseEvent, SubmittedMaterial

from .factories import JPG_BYTES, PDF_BYTES, pdf_upload, png_upload
from .helpers import draft_case


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    "upload,message",
    [
        (pdf_upload("申请书.png"), "内容与扩展名不符"),
        (png_upload("身份证.pdf"), "内容与扩展名不符"),
        (pdf_upload("申请书.pdf", b"just text, not a pdf"), "内容与扩展名不符"),
        (pdf_upload("申请书.exe"), "格式不支持"),
        (pdf_upload("申请书.docx"), "格式不支持"),
        (pdf_upload("申请书.pdf", b""), "空文件"),
        (pdf_upload("申请书"), "格式不支持"),
    ],
)
def test_bad_uploads_refused_and_nothing_left(cast, media_root, upload, message):
    case = draft_case(cast)
    events = CaseEvent.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.case_attach_material(case=case, actor=cast.citizen, upload=upload, material=None)
    assert not SubmittedMaterial.objects.exists()
    assert CaseEvent.objects.count() == events
    assert stored_files(media_root) == []


def test_oversize_refused(cast, media_root, settings):
    settings.TONGBAN_MAX_UPLOAD_BYTES = 1024
    case = draft_case(cast)
    with pytest.raises(ValidationError, match="超过"):
        services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(content=PDF_BYTES + b"0" * 2000))
    assert stored_files(media_root) == []


@pytest.mark.parametrize("name,content", [("a.jpg", JPG_BYTES), ("a.JPEG", JPG_BYTES), ("a.PDF", PDF_BYTES)])
def test_good_uploads_stored_with_hash(cast, media_root, name, content):
    case = draft_case(cast)
    submitted = services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(name, content))
    assert submitted.size == len(content) and len(submitted.sha256) == 64
    assert len(stored_files(media_root)) == 1


def test_failure_after_storing_deletes_the_file(cast, media_root, monkeypatch):
    """A service that fails after the file was written leaves no file behind."""
    case = draft_case(cast)

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("cases.services.apply.event_record", boom)
    with pytest.raises(RuntimeError):
        services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload())
    assert not SubmittedMaterial.objects.exists()
    assert stored_files(media_root) == []
