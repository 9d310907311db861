"""Counter applications: a window clerk records a walk-in application at their hall; the scans that passed
while another part of the form was refused are held for that application until it is received."""

import logging
import uuid
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.constants import AccountKind, StaffRole
from hall.models import Enterprise, Hall, User
from hall.selectors import user_by_id_number, user_by_mobile
from hall.validators import normalise_identifier, validate_id_number, validate_mobile
from items.models import ItemVersion, Material

from .. import permissions
from ..constants import CaseState, Channel, EventKind
from ..models import Case, CounterScan
from ..selectors import counter_scans_held
from ..uploads import remember_written, upload_check
from ._common import case_service, event_record, notify_applicant, run_transition, save_case
from .apply import _agent, _check_applicable, _check_enterprise, _new_case, _number_and_receive, case_attach_material
from .delivery_choice import case_attach_held_certificates
from .handoff import handoff_open
from .receipt import submission_record

logger = logging.getLogger(__name__)


def _counter_applicant(*, id_number: str, real_name: str, mobile: str) -> User:
    """The walk-in applicant's account, found by ID number or created (without a usable password)."""
    id_number, mobile = normalise_identifier(id_number), normalise_identifier(mobile)
    validate_id_number(id_number)
    validate_mobile(mobile)
    existing = user_by_id_number(id_number)
    if existing is not None:
        if not existing.is_citizen:
            raise ValidationError(_("该身份证号属于工作人员账号，不能作为申请人。"), code="staff_id")
        if existing.real_name.strip() != real_name.strip():
            raise ValidationError(_("姓名与该身份证号已登记的账号不一致，请核对证件。"), code="id_mismatch")
        return existing
    if user_by_mobile(mobile) is not None:
        raise ValidationError(_("该手机号已被另一个账号使用，请核对身份证号或更换手机号。"), code="mobile_taken")
    user = User(username=mobile, mobile=mobile, id_number=id_number, real_name=real_name.strip())
    user.kind = AccountKind.PERSON
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@case_service
def case_record_counter_application(
    *,
    clerk: User,
    hall: Hall,
    item_version: ItemVersion,
    applicant_id_number: str,
    applicant_name: str,
    applicant_mobile: str,
    identity_checked: bool,
    form_data: dict | None = None,
    enterprise: Enterprise | None = None,
    uploads: dict | None = None,
    originals_seen: list[int] | tuple = (),
    draft: uuid.UUID | None = None,
    ip: str | None = None,
) -> Case:
    """A clerk records a walk-in application at their hall: the identity check, the scanned materials
    ({Material: file}, with the scans held for this application's `draft`; a new file for a material
    replaces its held scan) and which originals were seen (Material ids). The case is submitted at once
    and waits for the clerk's intake review (accept, supplement, refuse, defer)."""
    _check_counter_clerk(clerk, hall)
    if not identity_checked:
        raise ValidationError(_("请先当面核验申请人的身份证件，再收件。"), code="identity_unchecked")
    _check_applicable(item_version)
    if not item_version.receivable_halls.filter(pk=hall.pk).exists():
        raise ValidationError(_("本大厅不能受理该事项，请引导申请人到可受理的大厅办理。"), code="hall_not_allowed")
    applicant = _counter_applicant(id_number=applicant_id_number, real_name=applicant_name, mobile=applicant_mobile)
    if enterprise is not None:
        _check_enterprise(applicant, enterprise)
    agent_name, agent_id = _agent(form_data)
    case = _new_case(
        applicant=applicant,
        item_version=item_version,
        enterprise=enterprise,
        receiving_hall=hall,
        form_data=form_data,
        channel=Channel.COUNTER,
        agent_name=agent_name,
        agent_id=agent_id,
    )
    case.identity_checked = True
    save_case(case)
    event_record(case=case, kind=EventKind.CREATED, actor=clerk, to_state=case.state, note="窗口收件", ip=ip)
    seen = set(originals_seen)
    held = list(counter_scans_held(draft=draft, clerk=clerk, hall=hall, item_version=item_version))
    scans = {scan.material: File(scan.file.open("rb"), name=scan.original_name) for scan in held}
    try:
        for material, upload in {**scans, **(uploads or {})}.items():
            case_attach_material(
                case=case, actor=clerk, upload=upload, material=material, originals_seen=material.pk in seen, ip=ip
            )
    finally:
        for scan_file in scans.values():
            scan_file.close()
    _release_scans(held)
    case_attach_held_certificates(case=case, actor=clerk, ip=ip)
    run_transition(case, "submit", clerk)
    _number_and_receive(case)
    save_case(case)
    event_record(
        case=case,
        kind=EventKind.COUNTER_RECEIVED,
        actor=clerk,
        from_state=CaseState.DRAFT,
        to_state=case.state,
        note="已当面核验申请人身份证件",
        changes={"originals_seen": sorted(seen)},
        ip=ip,
    )
    handoff_open(case=case, actor=clerk, ip=ip)
    submission_record(case=case, actor=clerk, ip=ip)
    notify_applicant(
        case,
        kind="case_submitted",
        subject=f"窗口已收件：{case.title}",
        body=f"{hall.name}已收到您申请的“{case.title}”，办件编号 {case.number}。",
    )
    return case


def _check_counter_clerk(clerk: User, hall: Hall) -> None:
    if hall.pk not in permissions.halls_with_role(clerk, StaffRole.WINDOW_CLERK):
        raise PermissionDenied(_("您不是该大厅的窗口工作人员。"))


@case_service
def counter_scans_keep(
    *, draft: uuid.UUID, clerk: User, hall: Hall, item_version: ItemVersion, uploads: dict[Material, object]
) -> list[CounterScan]:
    """Hold the scans that passed their checks while another file or a field of the counter application
    was refused, so that the clerk does not scan them again:
    1. only a window clerk of the hall, for materials of the item's guide, on a draft of their own;
    2. each file checked again (upload_check) and stored; a new scan of a material replaces the held one;
    3. nothing is received: no case, no number, no event, no notice (case_record_counter_application takes
       the held scans when the application is received)."""
    _check_counter_clerk(clerk, hall)
    if CounterScan.objects.filter(draft=draft).exclude(clerk=clerk, hall=hall, item_version=item_version).exists():
        raise ValidationError(_("这份收件草稿不是您在本大厅为该事项准备的，请重新收件。"), code="foreign_draft")
    kept = []
    for material, upload in uploads.items():
        if material.version_id != item_version.pk:
            raise ValidationError(_("所选材料不属于该事项的办事指南。"), code="foreign_material")
        checked = upload_check(upload)
        _release_scans(list(CounterScan.objects.filter(draft=draft, material=material)))
        scan = CounterScan(
            draft=draft,
            hall=hall,
            clerk=clerk,
            item_version=item_version,
            material=material,
            original_name=checked.name,
            size=checked.size,
            sha256=checked.sha256,
        )
        scan.file.save(f"{checked.sha256[:16]}.{checked.kind}", upload, save=False)
        remember_written(scan.file.name)
        scan.save()
        kept.append(scan)
    return kept


# A counter application is prepared while the walk-in waits at the window: a scan held longer belongs to
# a form that was abandoned, and personal documents are not kept without a purpose.
HELD_SCAN_HOURS = 24


def counter_scans_purge(*, now: datetime | None = None) -> int:
    """Delete the scans held longer than HELD_SCAN_HOURS (abandoned counter forms); the number deleted."""
    cutoff = (now or timezone.now()) - timedelta(hours=HELD_SCAN_HOURS)
    with transaction.atomic():
        stale = list(CounterScan.objects.filter(uploaded_at__lt=cutoff).select_for_update(skip_locked=True))
        _release_scans(stale)
    return len(stale)


def _release_scans(scans: list[CounterScan]) -> None:
    """Forget held scans (received onto a case, or replaced); their files go once the transaction commits."""
    if not scans:
        return
    CounterScan.objects.filter(pk__in=[scan.pk for scan in scans]).delete()
    for scan in scans:
        transaction.on_commit(lambda field=scan.file, name=scan.file.name: _delete_quietly(field.storage, name))


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # a storage out of reach (S3) leaves an orphan file, never a failed receipt
        logger.warning("could not delete the held scan %s", name, exc_info=True)
