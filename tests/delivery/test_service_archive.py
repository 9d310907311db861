"""The sealed archive package: contents, manifest, stored once, read-only case, verification."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cases import services
from cases.constants import CaseState
from delivery import services as delivery
from delivery.models import ArchivePackage
from tests.cases.factories import pdf_upload

from .helpers import granted_case, picked_up

pytestmark = pytest.mark.django_db


def _archived(cast):
    case = granted_case(cast)
    picked_up(cast, case)
    return case, delivery.case_archive(case=case, actor=cast.result_clerk)


def test_package_holds_every_file_with_its_hash(cast):
    case, package = _archived(cast)
    case.refresh_from_db()
    assert case.state == CaseState.ARCHIVED
    with package.file.open("rb") as handle:
        content = handle.read()
    archive = zipfile.ZipFile(io.BytesIO(content))
    manifest = json.loads(archive.read("manifest.json"))
    names = set(manifest["files"])
    assert "case.json" in names
    assert sum(n.startswith("documents/") for n in names) == case.documents.count()
    assert sum(n.startswith("materials/") for n in names) == case.materials.count()
    assert any("送达回证" in n for n in names) and any("审批结果" in n for n in names)
    record = json.loads(archive.read("case.json"))
    assert [e["kind"] for e in record["events"]][-1] == "delivered"
    assert package.retention == case.item_version.retention_period and package.year >= 2026
    assert delivery.package_verify(content, expected_sha256=package.sha256) == []


def test_archive_only_after_delivery_once(cast):
    case = granted_case(cast)
    with pytest.raises(ValidationError, match="送达后"):
        delivery.case_archive(case=case, actor=cast.result_clerk)
    picked_up(cast, case)
    delivery.case_archive(case=case, actor=cast.result_clerk)
    with pytest.raises(ValidationError, match="已经归档"):
        delivery.case_archive(case=case, actor=cast.result_clerk)
    assert ArchivePackage.objects.count() == 1


def test_archived_case_is_read_only(cast):
    case, _package = _archived(cast)
    with pytest.raises(ValidationError):
        services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload())
    with pytest.raises(ValidationError):
        services.case_withdraw(case=case, actor=cast.citizen)


def _rewrite(path, name, content):
    """An altered copy of the package: one member's bytes changed, everything else as it was."""
    source = zipfile.ZipFile(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info.filename))
    path.write_bytes(buffer.getvalue())


def test_verify_command_names_the_altered_file(cast, media_root, capsys):
    case, package = _archived(cast)
    call_command("archive_verify", case.number)
    assert "校验通过" in capsys.readouterr().out
    path = media_root / package.file.name
    _rewrite(path, "case.json", b'{"forged": true}')
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("archive_verify", case.number)
    err = capsys.readouterr().err
    assert "文件已被改动：case.json" in err and "整体校验值" in err
    with pytest.raises(CommandError):
        call_command("archive_verify", str(path))
    assert "case.json" in capsys.readouterr().err
    package.refresh_from_db()
    assert ArchivePackage.objects.count() == 1  # verification writes nothing


def test_bundle_results_go_out_together_and_archive_as_one(cast):
    """一口出件: the bundle's order opens only once every child's result is produced; one pickup delivers
    all of them, one package seals the parent with its children."""
    from hall.constants import StaffRole
    from hall.models import Department
    from tests.cases.helpers import attach_all
    from tests.factories import AssignmentFactory
    from tests.items.factories import BundleFactory, ItemFactory, ItemVersionFactory

    hrss = Department.objects.get(region__code="441702", short_name="人社")
    food = ItemVersionFactory(name="食品经营许可", result_name="食品经营许可证")
    hygiene = ItemVersionFactory(name="公共场所卫生许可", result_name="卫生许可证", item=ItemFactory(department=hrss))
    hrss_approver = AssignmentFactory(role=StaffRole.APPROVER, hall=cast.halls["JC"], department=hrss).user
    parent = services.case_create_bundle(
        applicant=cast.citizen, bundle=BundleFactory(name="开办餐馆", items=[food.item, hygiene.item])
    )
    children = list(parent.children.order_by("pk"))
    for child in children:
        attach_all(child, cast.citizen)
    services.case_submit(case=parent, actor=cast.citizen)
    for child, approver in zip(children, [cast.approver, hrss_approver], strict=True):
        child.refresh_from_db()
        services.case_accept(case=child, actor=cast.clerk)
        services.case_grant(case=child, actor=approver)
    assert delivery.result_produce(case=children[0], actor=cast.approver) is None  # the other is not produced yet
    order = delivery.result_produce(case=children[1], actor=hrss_approver)
    assert order.case == parent
    handover = delivery.result_handover(orders=[order], actor=cast.approver, signature=cast.approver.real_name)
    delivery.result_handover_receive(
        handover=handover, actor=cast.result_clerk, signature=cast.result_clerk.real_name, count=1
    )
    order.refresh_from_db()
    delivery.delivery_pickup(
        order=order, actor=cast.result_clerk, recipient_kind="applicant", recipient_name="张三",
        recipient_id_number=cast.citizen.id_number, identity_checked=True, signature="张三", signature_confirmed=True,
    )  # fmt: skip
    parent.refresh_from_db()
    assert parent.state == CaseState.DELIVERED
    assert {c.state for c in parent.children.all()} == {CaseState.DELIVERED}
    package = delivery.case_archive(case=parent, actor=cast.result_clerk)
    parent.refresh_from_db()
    assert parent.state == CaseState.ARCHIVED and {c.state for c in parent.children.all()} == {CaseState.ARCHIVED}
    assert sum(name.startswith("children/") for name in package.manifest["files"]) >= 4
