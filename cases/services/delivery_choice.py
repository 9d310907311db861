"""The applicant's choice of how the result reaches them (行政许可法 Art. 44), and the certificates the
government already holds for them (电子证照复用, seeds 001 and 004).

The choice is asked at application (online and at the counter) and may be changed until the result
is produced (制证): after that the result is on its way."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from hall.models import Hall, User
from hall.validators import normalise_identifier, validate_mobile

from .. import permissions
from ..constants import CLOSED_STATES, CaseState, DeliveryMethod, EventKind
from ..models import Case, CaseEvent, SubmittedMaterial
from ..registry import certificate_lookup, holder_code_of
from ..uploads import remember_written
from ._common import case_service, event_record

DELIVERY_FIELDS = ("delivery_method", "delivery_hall_id", "delivery_address", "delivery_recipient", "delivery_mobile")


def allowed_delivery_methods(case: Case) -> list[str]:
    """What the item allows (for a bundle's parent: what every one of its items allows)."""
    if case.item_version_id:
        return case.item_version.delivery_method_codes
    allowed = list(DeliveryMethod.values)
    for child in case.children.select_related("item_version"):
        if child.item_version_id:
            allowed = [code for code in allowed if code in child.item_version.delivery_method_codes]
    return allowed or [DeliveryMethod.PICKUP]


def result_produced(case: Case) -> bool:
    """True once the result of the case (or of any of a bundle's children) has been produced."""
    top = case.parent if case.parent_id else case
    if top.state in CLOSED_STATES + [CaseState.DELIVERED]:
        return True
    ids = [top.pk, *top.children.values_list("pk", flat=True)] if top.is_bundle_parent else [top.pk]
    return CaseEvent.objects.filter(case_id__in=ids, kind=EventKind.RESULT_PRODUCED).exists()


@case_service
def case_delivery_choose(
    *,
    case: Case,
    actor: User,
    method: str,
    hall: Hall | None = None,
    address: str = "",
    recipient: str = "",
    mobile: str = "",
    ip: str | None = None,
) -> Case:
    """Record how the result is delivered: pickup at any hall of the city, post (address, recipient,
    mobile), or electronic. The applicant or a clerk of the receiving hall; refused once produced."""
    if case.parent_id:
        case = case.parent
    if not (permissions.is_applicant(case, actor) or permissions.is_receiving_clerk(case, actor)):
        raise PermissionDenied(_("只有申请人或收件窗口可以选择送达方式。"))
    if result_produced(case):
        raise ValidationError(_("结果已制作，送达方式不能再更改。如有需要请联系出件窗口。"), code="produced")
    if method not in allowed_delivery_methods(case):
        raise ValidationError(_("该事项不支持所选的送达方式。"), code="method_not_allowed")
    address, recipient = (address or "").strip(), (recipient or "").strip()
    mobile = normalise_identifier(mobile or "")
    if method == DeliveryMethod.PICKUP:
        hall = hall or case.receiving_hall
        address = recipient = mobile = ""
    elif method == DeliveryMethod.POST:
        if not address or not recipient:
            raise ValidationError(_("邮寄送达请填写收件地址和收件人。"), code="post_incomplete")
        validate_mobile(mobile)
        hall = case.receiving_hall
    else:
        hall, address, recipient, mobile = None, "", "", ""
    before = {name: getattr(case, name) for name in DELIVERY_FIELDS}
    case.delivery_method, case.delivery_hall = method, hall
    case.delivery_address, case.delivery_recipient, case.delivery_mobile = address, recipient, mobile
    after = {name: getattr(case, name) for name in DELIVERY_FIELDS}
    if before == after:
        return case
    case.save(update_fields=[name.removesuffix("_id") for name in DELIVERY_FIELDS] + ["updated_at"])
    method_label = str(DeliveryMethod(method).label)
    note = f"{method_label}：{hall.name}" if method == DeliveryMethod.PICKUP else method_label
    event_record(
        case=case,
        kind=EventKind.DELIVERY_CHOSEN,
        actor=actor,
        note=note,
        changes={"before": before, "after": after},
        ip=ip,
    )
    return case


@case_service
def case_attach_held_certificates(*, case: Case, actor: User, ip: str | None = None) -> list[SubmittedMaterial]:
    """Attach, for every material of the guide that the holder already holds as a valid certificate, a
    copy of that certificate, marked as provided by the government (no upload by the applicant).
    Materials that already have a current file are left alone."""
    if not case.item_version_id or case.state not in (CaseState.DRAFT, CaseState.SUBMITTED):
        return []
    holder = holder_code_of(case)
    present = set(case.materials.filter(superseded=False, material__isnull=False).values_list("material_id", flat=True))
    attached = []
    for material in case.item_version.materials.order_by("order", "pk"):
        if material.pk in present:
            continue
        held = certificate_lookup(holder, material)
        if held is None:
            continue
        with default_storage.open(held.file_name, "rb") as source:
            content = source.read()
        submitted = SubmittedMaterial(
            case=case,
            material=material,
            original_name=f"{held.type_name}（电子证照 {held.number}）.pdf",
            size=len(content),
            sha256=held.sha256,
            uploaded_by=actor,
            certificate_number=held.number,
        )
        submitted.file.save(f"{held.number}.pdf", ContentFile(content), save=False)
        remember_written(submitted.file.name)
        submitted.save()
        event_record(
            case=case,
            kind=EventKind.MATERIAL_ADDED,
            actor=actor,
            note=f"{material.name}：由电子证照库提供（{held.type_name} {held.number}，{held.issuer_name}）",
            changes={"material": material.pk, "certificate": held.number},
            ip=ip,
        )
        attached.append(submitted)
    return attached
