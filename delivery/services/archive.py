"""Archiving the closed case (归档, GB/T 42727-2023 归档信息包; GB/T 18894-2016).

The package is a zip of every material, notice, decision, result, proof of delivery and the event
trail, with manifest.json listing each file's SHA-256 and the digest of the whole list. It is stored
once: the row and the file are never rewritten, and archive_verify (command and page) recomputes the
hashes and names any file that no longer matches. Archiving runs the cases' `archive` transition, after
which the case is read-only to everyone (no transition leaves `archived`)."""

import hashlib
import io
import json
import re
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.constants import CaseState, EventKind
from cases.models import Case
from cases.selectors import case_archive_record
from cases.services import bundle_follow, event_record
from cases.services._common import case_service, run_transition, save_case
from cases.uploads import remember_written

from ..constants import OrderState
from ..models import ArchivePackage, DeliveryOrder
from ._common import result_units, top_case

MANIFEST = "manifest.json"
PACKAGE_FORMAT = "GB/T 42727-2023 归档信息包（通办 v1）"


def _safe(name: str) -> str:
    """A file name that is the same on every system (no path separators, no control characters)."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .")
    return cleaned[:120] or "file"


def _files_of(record: dict, prefix: str = "") -> list[tuple[str, bytes]]:
    """(name in the package, content) of every file of the record, children under children/<number>/."""
    files = []
    data = {k: v for k, v in record.items() if k not in ("documents", "materials", "children")}
    data["documents"] = [
        {"number": d.number, "kind": d.kind, "title": d.title, "issued_on": d.issued_on, "sha256": d.sha256}
        for d in record["documents"]
    ]
    data["materials"] = [
        {"name": m.original_name, "material": m.material.name if m.material_id else "", "sha256": m.sha256,
         "superseded": m.superseded, "certificate_number": m.certificate_number}
        for m in record["materials"]
    ]  # fmt: skip
    files.append((f"{prefix}case.json", json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder).encode()))
    for index, document in enumerate(record["documents"], start=1):
        files.append((f"{prefix}documents/{index:03d}-{_safe(document.title)}.pdf", _read(document.file)))
    for index, material in enumerate(record["materials"], start=1):
        files.append((f"{prefix}materials/{index:03d}-{_safe(material.original_name)}", _read(material.file)))
    for child in record["children"]:
        files += _files_of(child, f"{prefix}children/{_safe(child['case']['number'] or 'draft')}/")
    return files


def _read(field_file) -> bytes:
    with default_storage.open(field_file.name, "rb") as handle:
        return handle.read()


def manifest_digest(files: dict[str, str]) -> str:
    """The digest of the whole package's content: SHA-256 over the sorted “name  sha256” lines."""
    lines = "".join(f"{name}  {files[name]}\n" for name in sorted(files))
    return hashlib.sha256(lines.encode()).hexdigest()


def package_build(case: Case) -> tuple[bytes, dict]:
    files = _files_of(case_archive_record(case))
    hashes = {name: hashlib.sha256(content).hexdigest() for name, content in files}
    manifest = {
        "format": PACKAGE_FORMAT,
        "case_number": case.number,
        "title": case.title,
        "sealed_at": timezone.now().isoformat(),
        "algorithm": "SHA-256",
        "files": hashes,
        "content_sha256": manifest_digest(hashes),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    return buffer.getvalue(), manifest


@case_service
def case_archive(*, case: Case, actor, ip: str | None = None) -> ArchivePackage:
    """Seal the delivered case (a bundle: the parent with all its children) into its archive package.

    1. Refuse anything not yet delivered, already archived, or an actor without the right.
    2. Build the zip and its manifest, store it once under archive/<year>/, write the package row.
    3. Run `archive` on every result case, then the parent follows; one event with the package hash."""
    top = (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version__item", "receiving_hall")
        .get(pk=top_case(case).pk)
    )
    if ArchivePackage.objects.filter(case=top).exists() or top.state == CaseState.ARCHIVED:
        raise ValidationError(_("该办件已经归档，归档包不能重新生成。"), code="already_archived")
    units = result_units(top)
    if top.state != CaseState.DELIVERED or any(unit.state != CaseState.DELIVERED for unit in units):
        raise ValidationError(_("办理结果送达后才能归档。"), code="not_delivered")
    if actor is not None and not any(permissions.can_archive(unit, actor) for unit in units):
        raise PermissionDenied(_("只有出件窗口或作出决定的部门可以归档。"))
    content, manifest = package_build(top)
    now = timezone.localtime()
    version = top.item_version or (units[0].item_version if units else None)
    package = ArchivePackage(
        case=top,
        manifest=manifest,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        year=now.year,
        item=version.item if version else None,
        item_name=top.title,
        retention=_retention(top, units),
        hall=top.receiving_hall,
        archived_by=actor,
    )
    package.file.save(f"{_safe(top.number)}.zip", ContentFile(content), save=False)
    remember_written(package.file.name)
    package.save()
    DeliveryOrder.objects.filter(case=top).update(state=OrderState.ARCHIVED)
    note = f"归档信息包 SHA-256 {package.sha256}，{len(manifest['files'])}个文件，保管期限{package.get_retention_display()}"
    for unit in units:
        from_state = unit.state
        run_transition(unit, "archive", actor)
        save_case(unit)
        event_record(
            case=unit,
            kind=EventKind.ARCHIVED,
            actor=actor,
            from_state=from_state,
            to_state=unit.state,
            note=note,
            ip=ip,
        )
        bundle_follow(unit)
    return package


# The longest retention of the package's items wins (a bundle keeps its file as long as its strictest item).
_RETENTION_ORDER = ["y10", "y30", "permanent"]


def _retention(top: Case, units: list[Case]) -> str:
    periods = [unit.item_version.retention_period for unit in units if unit.item_version_id]
    return max(periods, key=_RETENTION_ORDER.index) if periods else "y30"


def package_verify(package_bytes: bytes, *, expected_sha256: str | None = None) -> list[str]:
    """Every problem found in a package, in plain words naming the file; [] when it verifies."""
    problems = []
    if expected_sha256 is not None and hashlib.sha256(package_bytes).hexdigest() != expected_sha256:
        problems.append(str(_("归档包整体校验值与归档记录不一致。")))
    try:
        archive = zipfile.ZipFile(io.BytesIO(package_bytes))
        manifest = json.loads(archive.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError):
        return problems + [str(_("归档包已损坏或缺少清单（manifest.json），无法校验。"))]
    listed = manifest.get("files", {})
    present = set(archive.namelist()) - {MANIFEST}
    for name in sorted(listed):
        if name not in present:
            problems.append(str(_("缺少文件：%(name)s") % {"name": name}))
            continue
        try:
            content = archive.read(name)
        except (zipfile.BadZipFile, OSError):
            problems.append(str(_("文件已损坏：%(name)s") % {"name": name}))
            continue
        if hashlib.sha256(content).hexdigest() != listed[name]:
            problems.append(str(_("文件已被改动：%(name)s") % {"name": name}))
    for name in sorted(present - set(listed)):
        problems.append(str(_("清单之外多出的文件：%(name)s") % {"name": name}))
    if manifest_digest(listed) != manifest.get("content_sha256"):
        problems.append(str(_("清单本身已被改动（整体摘要不符）。")))
    return problems
