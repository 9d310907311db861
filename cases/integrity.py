"""Whether every stored file is still the one on record: each issued document against its SHA-256 (and
SM3 where recorded), each submitted material against its SHA-256. Read through the storage API, so the
same check runs on MEDIA_ROOT and on S3; `manage.py verify_documents` prints it, and a restore drill
(docs/deploy.md) ends with it."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes

from .models import Document, SubmittedMaterial

CHUNK = 1024 * 1024


@dataclass
class FileCheck:
    """The outcome for one kind of record: counts, and a label for each file that failed."""

    kind: str
    checked: int = 0
    matching: int = 0
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.altered and not self.missing


def stored_digests(field_file) -> tuple[str, str] | None:
    """(SHA-256, SM3) of a stored file, read in chunks; None when the file is not there."""
    sha256, sm3 = hashlib.sha256(), hashes.Hash(hashes.SM3())
    try:
        with field_file.storage.open(field_file.name, "rb") as handle:
            while chunk := handle.read(CHUNK):
                sha256.update(chunk)
                sm3.update(chunk)
    except (FileNotFoundError, ValueError):
        return None
    return sha256.hexdigest(), sm3.finalize().hex()


def _check(kind: str, rows: Iterable, label) -> FileCheck:
    result = FileCheck(kind)
    for row in rows:
        result.checked += 1
        digests = stored_digests(row.file) if row.file else None
        if digests is None:
            result.missing.append(f"{label(row)}（{row.file.name or '无文件'}）")
        elif digests[0] != row.sha256 or (getattr(row, "sm3", "") and digests[1] != row.sm3):
            result.altered.append(f"{label(row)}（{row.file.name}）")
        else:
            result.matching += 1
    return result


def documents_check() -> FileCheck:
    rows = Document.objects.only("pk", "number", "title", "file", "sha256", "sm3").order_by("pk").iterator(500)
    return _check("文书", rows, lambda d: f"{d.number} {d.title}")


def materials_check() -> FileCheck:
    rows = (
        SubmittedMaterial.objects.select_related("case")
        .only("pk", "original_name", "file", "sha256", "case__number")
        .order_by("pk")
        .iterator(500)
    )
    return _check("申请材料", rows, lambda m: f"{m.case.number or m.case_id} {m.original_name}")


def stored_files_check() -> list[FileCheck]:
    return [documents_check(), materials_check()]
