"""Applying online: drafts, materials, the completeness check, submission, bundles (一件事) and
withdrawal. Counter applications: services/counter.py."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.models import Enterprise, Hall, User
from hall.validators import normalise_identifier
from items.constants import VersionState
from items.models import Bundle, ItemVersion, Material

from .. import permissions
from ..constants import WITHDRAWABLE_STATES, CaseState, Channel, EventKind
from ..models import Case, SubmittedMaterial
from ..numbering import case_number_allocate
from ..page_reads import guide_materials
from ..uploads import remember_written, upload_check
from ._common import case_service, event_record, notify_applicant, run_transition, save_case
from .bundle import bundle_follow
from .commitment import committed_material_ids
from .delivery_choice import case_attach_held_certificates
from .handoff import handoff_open
from .limits import intake_limit_text
from .receipt import submission_record

# The applicant or a clerk of the receiving hall may change materials in these states.
MATERIAL_STATES = [CaseState.DRAFT, CaseState.SUBMITTED, CaseState.SUPPLEMENT_REQUESTED, CaseState.ACCEPTED]


@dataclass
class Completeness:
    """What the guide asks for that the case does not have yet."""

    missing_mandatory: list = field(default_factory=list)  # mandatory, not deferrable: blocks submission
    missing_deferrable: list = field(default_factory=list)  # mandatory but may be deferred (容缺)
    missing_optional: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing_mandatory and not self.missing_deferrable

    @property
    def submittable(self) -> bool:
        return not self.missing_mandatory


def _guide_materials(case: Case) -> list[Material]:
    return guide_materials(case)


def _current_material_ids(case: Case, submitted: list | None = None) -> set[int]:
    """The guide materials handed in, or replaced by the applicant's signed commitment (告知承诺制).
    `submitted`: the case's files as the page has read them already (current and superseded)."""
    if submitted is None:
        handed_in = case.materials.filter(superseded=False, material__isnull=False).values_list(
            "material_id", flat=True
        )
    else:
        handed_in = [s.material_id for s in submitted if not s.superseded and s.material_id is not None]
    return set(handed_in) | committed_material_ids(case)


def completeness_check(case: Case, submitted: list | None = None) -> Completeness:
    """Compare the case's current files with the guide's materials. For a bundle's parent, the
    children's results together. `submitted`: the case's files when the page has read them already."""
    result = Completeness()
    if case.is_bundle_parent:
        for child in case.children.select_related("item_version"):
            part = completeness_check(child)
            result.missing_mandatory += part.missing_mandatory
            result.missing_deferrable += part.missing_deferrable
            result.missing_optional += part.missing_optional
        return result
    present = _current_material_ids(case, submitted)
    for material in _guide_materials(case):
        if material.pk in present:
            continue
        if not material.mandatory:
            result.missing_optional.append(material)
        elif material.deferrable:
            result.missing_deferrable.append(material)
        else:
            result.missing_mandatory.append(material)
    return result


def _default_receiving_hall(item_version: ItemVersion) -> Hall:
    """Online applications are received by the hall of the owning county (the first such hall)."""
    region = item_version.item.region
    hall = Hall.objects.filter(region=region).order_by("code").first()
    if hall is None:
        hall = Hall.objects.filter(Q(region=region.parent) | Q(is_city_hall=True)).order_by("code").first()
    if hall is None:
        raise ValidationError(_("该事项所在地区没有政务服务大厅，暂不能申请。"), code="no_hall")
    return hall


def _check_applicable(item_version: ItemVersion) -> None:
    if item_version.state != VersionState.PUBLISHED or item_version.item.current_version_id != item_version.pk:
        raise ValidationError(_("该事项的办事指南已更新或尚未发布，请重新选择事项。"), code="not_published")


def _check_enterprise(applicant: User, enterprise: Enterprise | None) -> None:
    if enterprise is not None and enterprise.agent_id != applicant.pk:
        raise PermissionDenied(_("您不是该企业的经办人，不能以企业名义申请。"))


def _check_form_identity(applicant: User, form_data: dict) -> None:
    """An ID number typed into the form must be the account's own."""
    typed = (form_data or {}).get("applicant_id_number")
    if typed and applicant.id_number and normalise_identifier(typed) != normalise_identifier(applicant.id_number):
        raise ValidationError(_("填写的身份证号与账号登记的身份证号不一致。"), code="id_mismatch")


def _new_case(*, applicant, item_version, enterprise, receiving_hall, form_data, channel, agent_name="", agent_id=""):
    return Case(
        applicant=applicant,
        applicant_name=enterprise.name if enterprise else (applicant.real_name or applicant.username),
        enterprise=enterprise,
        item_version=item_version,
        owning_department=item_version.item.department if item_version else None,
        receiving_hall=receiving_hall,
        form_data=form_data or {},
        channel=channel,
        agent_name=agent_name,
        agent_id_number=agent_id,
    )


def _agent(form_data: dict) -> tuple[str, str]:
    agent = (form_data or {}).get("agent") or {}
    return agent.get("name", ""), agent.get("id_number", "")


@case_service
def case_create_draft(
    *,
    applicant: User,
    item_version: ItemVersion,
    enterprise: Enterprise | None = None,
    receiving_hall: Hall | None = None,
    form_data: dict | None = None,
    ip: str | None = None,
) -> Case:
    """A citizen starts an online application for the item's current published version."""
    if not applicant.is_citizen:
        raise PermissionDenied(_("只有群众或企业账号可以在线申请。"))
    _check_applicable(item_version)
    if not item_version.online_application:
        raise ValidationError(_("该事项暂不支持网上申请，请到窗口办理。"), code="not_online")
    _check_enterprise(applicant, enterprise)
    _check_form_identity(applicant, form_data)
    agent_name, agent_id = _agent(form_data)
    case = _new_case(
        applicant=applicant,
        item_version=item_version,
        enterprise=enterprise,
        receiving_hall=receiving_hall or _default_receiving_hall(item_version),
        form_data=form_data,
        channel=Channel.ONLINE,
        agent_name=agent_name,
        agent_id=agent_id,
    )
    case.full_clean(exclude=["number", "state"])
    save_case(case)
    event_record(case=case, kind=EventKind.CREATED, actor=applicant, to_state=case.state, ip=ip)
    case_attach_held_certificates(case=case, actor=applicant, ip=ip)
    return case


@case_service
def case_update_draft(*, case: Case, actor: User, form_data: dict, ip: str | None = None) -> Case:
    if case.state != CaseState.DRAFT:
        raise ValidationError(_("申请已提交，不能再修改申请表。"), code="not_draft")
    if not permissions.is_applicant(case, actor):
        raise PermissionDenied(_("只有申请人可以修改草稿。"))
    _check_form_identity(actor, form_data)
    before = case.form_data
    case.form_data = form_data or {}
    case.agent_name, case.agent_id_number = _agent(form_data)
    save_case(case)
    event_record(
        case=case, kind=EventKind.UPDATED, actor=actor, changes={"before": before, "after": case.form_data}, ip=ip
    )
    return case


def _may_change_materials(case: Case, actor: User) -> None:
    if case.state not in MATERIAL_STATES:
        raise ValidationError(
            _("该办件当前状态为“%(state)s”，不能再上传材料。"),
            code="materials_closed",
            params={"state": CaseState(case.state).label},
        )
    applicant, clerk = permissions.is_applicant(case, actor), permissions.is_receiving_clerk(case, actor)
    if not (applicant or clerk):
        raise PermissionDenied(_("您无权为该办件上传材料。"))
    if case.state == CaseState.SUBMITTED and not clerk:
        raise ValidationError(_("申请已提交，正在等待受理审查，暂不能更换材料。"), code="under_review")
    if case.state != CaseState.SUPPLEMENT_REQUESTED and permissions.forwarded_away_from(case, actor):
        raise PermissionDenied(
            _("案卷已转交属地大厅，本大厅不能再更换材料；属地告知补正后，可在本大厅收取补正材料并转交。")
        )


def _check_material_for_case(case: Case, material: Material | None) -> None:
    if material is not None and material.version_id != case.item_version_id:
        raise ValidationError(_("所选材料不属于该事项的办事指南。"), code="foreign_material")


@case_service
def case_attach_material(
    *,
    case: Case,
    actor: User,
    upload,
    material: Material | None = None,
    originals_seen: bool = False,
    ip: str | None = None,
) -> SubmittedMaterial:
    """Store one file for a guide material. A new file for the same material replaces (supersedes)
    the previous one. After acceptance only a deferred (容缺) material may still be handed in; one already
    received may be replaced until every deferred material is in."""
    _may_change_materials(case, actor)
    _check_material_for_case(case, material)
    deferred = None
    if case.state == CaseState.ACCEPTED:
        deferred = case.deferred_materials.filter(material=material).first() if material else None
        outstanding = case.deferred_materials.filter(received_at__isnull=True)
        if deferred is None or (deferred.received_at is not None and not outstanding.exists()):
            raise ValidationError(_("办件已受理，只能补交容缺材料。"), code="not_deferred")
        if deferred.received_at is not None:
            deferred = None  # a replacement: the material was received already
    checked = upload_check(upload)
    previous = list(case.materials.filter(material=material, superseded=False)) if material else []
    submitted = SubmittedMaterial(
        case=case,
        material=material,
        original_name=checked.name,
        size=checked.size,
        sha256=checked.sha256,
        originals_seen=originals_seen and permissions.is_receiving_clerk(case, actor),
        uploaded_by=actor,
    )
    submitted.file.save(f"{checked.sha256[:16]}.{checked.kind}", upload, save=False)
    remember_written(submitted.file.name)
    submitted.save()
    for old in previous:
        old.superseded = True
        old.save(update_fields=["superseded"])
    changes = {
        "material": material.name if material else "",
        "added": {"id": submitted.pk, "name": checked.name, "sha256": checked.sha256, "size": checked.size},
        "replaced": [{"id": old.pk, "name": old.original_name, "sha256": old.sha256} for old in previous],
    }
    kind = EventKind.MATERIAL_REPLACED if previous else EventKind.MATERIAL_ADDED
    event_record(case=case, kind=kind, actor=actor, changes=changes, ip=ip)
    if deferred is not None:
        _receive_deferred(case=case, deferred=deferred, actor=actor, ip=ip)
    return submitted


def _receive_deferred(*, case: Case, deferred, actor: User, ip: str | None) -> None:
    deferred.received_at = timezone.now()
    deferred.save(update_fields=["received_at"])
    outstanding = case.deferred_materials.filter(received_at__isnull=True)
    case.deferred_due = min((d.due for d in outstanding), default=None)
    save_case(case)
    event_record(
        case=case,
        kind=EventKind.DEFERRED_RECEIVED,
        actor=actor,
        note=f"已补交容缺材料：{deferred.material.name}",
        ip=ip,
    )
    if case.deferred_due is None:
        notify_applicant(
            case,
            kind="case_deferred_complete",
            subject=f"办件{case.number}容缺材料已补齐",
            body=f"您申请的“{case.title}”（办件编号 {case.number}）容缺材料已全部补齐。",
        )


@case_service
def case_remove_material(*, case: Case, actor: User, submitted: SubmittedMaterial, ip: str | None = None) -> None:
    """Take a file back out of a draft (the file stays on disk for the trail; the row is superseded)."""
    if case.state != CaseState.DRAFT or submitted.case_id != case.pk:
        raise ValidationError(_("只能删除草稿中的材料。"), code="not_draft")
    if not permissions.is_applicant(case, actor):
        raise PermissionDenied(_("只有申请人可以删除材料。"))
    submitted.superseded = True
    submitted.save(update_fields=["superseded"])
    event_record(
        case=case,
        kind=EventKind.MATERIAL_REMOVED,
        actor=actor,
        changes={"removed": {"id": submitted.pk, "name": submitted.original_name, "sha256": submitted.sha256}},
        ip=ip,
    )


def _number_and_receive(case: Case) -> None:
    now = timezone.now()
    if not case.number:
        case.number = case_number_allocate(hall_code=case.receiving_hall.code, day=timezone.localdate(now))
    case.submitted_at = case.submitted_at or now
    case.received_at = case.received_at or now


@case_service
def case_submit(*, case: Case, actor: User, ip: str | None = None) -> Case:
    """Submit a draft: every mandatory, non-deferrable material must be there (completeness_check).
    A bundle's parent submits all its children with it; a child is never submitted on its own."""
    if case.parent_id:
        raise ValidationError(_("该办件属于“一件事”，请在一件事申请中一并提交。"), code="bundle_child")
    return _submit(case, actor, ip)


def _submit(case: Case, actor: User, ip: str | None) -> Case:
    check = completeness_check(case)
    if not check.submittable:
        names = "、".join(m.name for m in check.missing_mandatory)
        raise ValidationError(
            _("还缺少必备材料：%(names)s。请上传后再提交。"), code="incomplete", params={"names": names}
        )
    if case.item_version_id:
        _check_applicable(case.item_version)
    from_state = case.state
    run_transition(case, "submit", actor)
    _number_and_receive(case)
    save_case(case)
    event_record(case=case, kind=EventKind.SUBMITTED, actor=actor, from_state=from_state, to_state=case.state, ip=ip)
    handoff_open(case=case, actor=actor, ip=ip)
    if not case.is_bundle_parent:
        submission_record(case=case, actor=actor, ip=ip)
    if case.is_bundle_parent:
        for child in case.children.select_related("item_version__item", "receiving_hall"):
            _submit(child, actor, ip)
    else:
        notify_applicant(
            case,
            kind="case_submitted",
            subject=f"申请已提交：{case.title}",
            body=f"您申请的“{case.title}”已提交，办件编号 {case.number}，"
            f"窗口将在{intake_limit_text(case.item_version)}内完成受理审查。收件凭证可在办件详情中下载。",
        )
    return case


@case_service
def case_create_bundle(
    *,
    applicant: User,
    bundle: Bundle,
    enterprise: Enterprise | None = None,
    receiving_hall: Hall | None = None,
    form_data: dict | None = None,
    ip: str | None = None,
) -> Case:
    """一件事: a parent case and one child draft per item of the bundle (each item's current version),
    each decided by its own department in parallel; the parent follows its children."""
    if not applicant.is_citizen:
        raise PermissionDenied(_("只有群众或企业账号可以在线申请。"))
    if not bundle.is_published:
        raise ValidationError(_("该“一件事”尚未发布。"), code="not_published")
    _check_enterprise(applicant, enterprise)
    versions = [item.current_version for item in bundle.items.select_related("current_version__item", "region")]
    if not versions or any(v is None for v in versions):
        raise ValidationError(_("该“一件事”中有事项暂未发布办事指南，暂不能申请。"), code="incomplete_bundle")
    for version in versions:
        _check_applicable(version)
    hall = receiving_hall or _default_receiving_hall(versions[0])
    parent = _new_case(
        applicant=applicant,
        item_version=None,
        enterprise=enterprise,
        receiving_hall=hall,
        form_data=form_data,
        channel=Channel.ONLINE,
    )
    parent.bundle = bundle
    save_case(parent)
    event_record(case=parent, kind=EventKind.CREATED, actor=applicant, to_state=parent.state, ip=ip)
    for version in versions:
        child = _new_case(
            applicant=applicant,
            item_version=version,
            enterprise=enterprise,
            receiving_hall=hall,
            form_data=form_data,
            channel=Channel.ONLINE,
        )
        child.parent = parent
        child.bundle = bundle
        save_case(child)
        event_record(case=child, kind=EventKind.CREATED, actor=applicant, to_state=child.state, ip=ip)
        case_attach_held_certificates(case=child, actor=applicant, ip=ip)
    return parent


@case_service
def case_withdraw(*, case: Case, actor: User, reason: str = "", ip: str | None = None) -> Case:
    """The applicant withdraws before the decision (a bundle's parent withdraws every live child)."""
    from_state = case.state
    if case.is_bundle_parent:
        if not permissions.can_withdraw(case, actor):
            raise PermissionDenied(_("只有申请人可以撤回申请。"))
        children = [c for c in case.children.all() if c.state in WITHDRAWABLE_STATES]
        if not children:
            raise ValidationError(_("该申请已有决定，不能撤回。"), code="decided")
        for child in children:
            case_withdraw(case=child, actor=actor, reason=reason, ip=ip)
        return case
    run_transition(case, "withdraw", actor)
    save_case(case)
    event_record(
        case=case, kind=EventKind.WITHDRAWN, actor=actor, from_state=from_state, to_state=case.state, note=reason, ip=ip
    )
    if case.number:
        notify_applicant(
            case,
            kind="case_withdrawn",
            subject=f"申请已撤回：{case.title}",
            body=f"您已撤回办件 {case.number}（{case.title}）。",
        )
    bundle_follow(case)
    return case
