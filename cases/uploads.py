"""The one check of every file uploaded to the portal, and clean-up of files written by a service that
then fails.

A material must be a PDF, JPEG or PNG (a guide's blank form or sample may also be a .docx or .xlsx, an
import a .xlsx or .csv), not empty, within the size limit, and its content must be a complete file of the
type its name says: parsed to the end by cases.fileformats (never trusted from the browser's content type),
with nothing appended after the end of that format.
"""

import contextvars
import hashlib
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from .fileformats import CHECKS, FormatProblem

# Extension of the file name → the type its content must have.
ALLOWED_TYPES = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png"}
ALLOWED_LABEL = gettext_noop("PDF、JPG、PNG")  # translated where shown
# A guide's blank form or sample, downloaded by every citizen: documents and images.
GUIDE_FILE_TYPES = {**ALLOWED_TYPES, "docx": "docx", "xlsx": "xlsx"}
GUIDE_FILE_LABEL = gettext_noop("PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG")
# A catalogue import.
TABLE_TYPES = {"xlsx": "xlsx", "csv": "csv"}
TABLE_LABEL = gettext_noop("Excel（.xlsx）或 CSV")
# `filetype` names for the kinds it recognises by their first bytes; csv has no magic bytes.
_MAGIC_NAMES = {"pdf": {"pdf"}, "jpg": {"jpg"}, "png": {"png"}, "xlsx": {"xlsx", "zip"}, "docx": {"docx", "zip"}}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    size: int
    sha256: str
    kind: str


def _read_all(upload) -> bytes:
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return content


def upload_check(
    upload, *, allowed: dict | None = None, allowed_label: str = ALLOWED_LABEL, limit: int | None = None
) -> CheckedUpload:
    """Refuse a file that is empty, too large, of an unsupported type, whose content does not match its
    extension, that does not parse completely as that type, or that carries data after the end of the
    format. `allowed` maps extensions to kinds (materials by default; GUIDE_FILE_TYPES, TABLE_TYPES).
    Raises ValidationError naming the file with a plain Chinese reason; returns facts about the file."""
    allowed = ALLOWED_TYPES if allowed is None else allowed
    name = PurePath(str(getattr(upload, "name", "") or "").replace("\\", "/")).name
    if not name:
        raise ValidationError(_("请选择要上传的文件。"), code="no_file")
    extension = PurePath(name).suffix.lower().lstrip(".")
    expected = allowed.get(extension)
    if expected is None:
        raise ValidationError(
            _("文件“%(name)s”的格式不支持，请上传 %(allowed)s 文件。"),
            code="unsupported_type",
            params={"name": name, "allowed": gettext(allowed_label)},
        )
    size = getattr(upload, "size", None)
    limit = settings.TONGBAN_MAX_UPLOAD_BYTES if limit is None else limit
    if size is not None and size > limit:
        raise ValidationError(
            _("文件“%(name)s”超过 %(limit)s MB，请压缩后再上传。"),
            code="too_large",
            params={"name": name, "limit": _megabytes(limit)},
        )
    content = _read_all(upload)
    if not content:
        raise ValidationError(_("文件“%(name)s”是空文件，请重新选择。"), code="empty", params={"name": name})
    if len(content) > limit:
        raise ValidationError(
            _("文件“%(name)s”超过 %(limit)s MB，请压缩后再上传。"),
            code="too_large",
            params={"name": name, "limit": _megabytes(limit)},
        )
    guessed = filetype.guess(content[:8192])
    guessed_name = guessed.extension if guessed else None
    matches = guessed_name is None if expected == "csv" else guessed_name in _MAGIC_NAMES.get(expected, ())
    if not matches:
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符（不是真正的 %(ext)s 文件），请上传原始文件。"),
            code="content_mismatch",
            params={"name": name, "ext": extension.upper()},
        )
    try:
        CHECKS[expected](content)
    except FormatProblem as problem:
        raise ValidationError(
            _("文件“%(name)s”未通过检查：%(reason)s。请上传原始、完整的文件。"),
            code="bad_content",
            params={"name": name, "reason": problem.reason},
        ) from None
    return CheckedUpload(name=name, size=len(content), sha256=hashlib.sha256(content).hexdigest(), kind=expected)


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


logger = logging.getLogger(__name__)

# Files written during the current service call; deleted if the call fails (no orphan files).
_written = contextvars.ContextVar("cases_written_files", default=None)


def remember_written(name: str) -> None:
    files = _written.get()
    if files is not None:
        files.append(name)


@contextmanager
def delete_files_on_error():
    """Around a service: if it raises, delete every file it stored (its rows roll back with the
    transaction, the files on disk do not). Nested calls share the outermost list."""
    if _written.get() is not None:
        yield
        return
    token = _written.set([])
    try:
        yield
    except BaseException:
        for name in _written.get():
            try:
                default_storage.delete(name)
            except Exception:  # a storage out of reach (S3) must not hide the service's own error
                logger.warning("could not delete %s after a failed service", name, exc_info=True)
        raise
    finally:
        _written.reset(token)
