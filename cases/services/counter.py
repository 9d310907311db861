"""Counter applications: a window clerk records a walk-in application at their hall."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from hall.constants import AccountKind, StaffRole
from hall.models import Enterprise, Hall, User
from hall.selectors import user_by_id_number, user_by_mobile
from hall.validators import normalise_identifier, validate_id_number, validate_mobile
from items.models import ItemVersion

from .. import permissions
from ..constants import CaseState, Channel, EventKind
from ..models import Case
from ._common import case_service, event_record, notify_applicant, run_transition, save_case
from .apply import _agent, _check_applicable, _check_enterprise, _new_case, _number_and_receive, case_attach_material
from .delivery_choice import case_attach_held_certificates
from .handoff import handoff_open
from .receipt import submission_record


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
    ip: str | None = None,
) -> Case:
    """A clerk records a walk-in application at their hall: the identity check, the scanned materials
    ({Material: file}) and which originals were seen (Material ids). The case is submitted at once
    and waits for the clerk's intake review (accept, supplement, refuse, defer)."""
    if hall.pk not in permissions.halls_with_role(clerk, StaffRole.WINDOW_CLERK):
        raise PermissionDenied(_("您不是该大厅的窗口工作人员。"))
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
    for material, upload in (uploads or {}).items():
        case_attach_material(
            case=case, actor=clerk, upload=upload, material=material, originals_seen=material.pk in seen, ip=ip
        )
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
