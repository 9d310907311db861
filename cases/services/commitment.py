"""告知承诺制 (approval by commitment): for an item that allows it, the applicant signs the
commitment text instead of handing in the proofs it replaces; the application is decided on the
spot (grant notice the same day); the department checks afterwards (事后核查) within the item's
check limit and records the commitment confirmed or false. A false commitment revokes the grant
(行政许可法 Art. 69 ¶2) with a revocation decision carrying appeal rights; public verification of
the grant then reads "revoked", and so does the certificate it issued (the e-certificate library
listens through cases.registry.grant_revoked)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.constants import StaffRole
from hall.models import User
from hall.notices import notice_queue
from items.models import Material

from .. import permissions
from ..clock import add_days
from ..constants import CaseState, CommitmentOutcome, DocumentKind, EventKind
from ..documents import document_issue
from ..models import Case, Commitment
from ..page_reads import case_commitment
from ..registry import grant_revoked
from ._common import case_link, case_service, event_record, notify_applicant, run_transition, save_case, today
from .bundle import bundle_follow
from .limits import delivery_limit_text

# The department's post-check limit when the item sets none (working days).
DEFAULT_CHECK_DAYS = 30


def committed_material_ids(case: Case) -> set[int]:
    """The guide materials the case's signed commitment replaces (none without a commitment)."""
    if case.pk is None:
        return set()
    if Case.commitment.related.is_cached(case):  # the page joined it: no commitment, no query
        commitment = case_commitment(case)
        return set(commitment.replaced_materials.values_list("pk", flat=True)) if commitment else set()
    return set(Commitment.objects.filter(case=case).values_list("replaced_materials", flat=True)) - {None}


def commitment_text_for(case: Case, materials: list[Material]) -> str:
    version = case.item_version
    names = "、".join(m.name for m in materials)
    return (
        f"{version.commitment_text.strip()}\n申请人{case.applicant_name}承诺：本人（单位）符合“{version.name}”的条件，"
        f"以本承诺代替以下证明材料：{names}；所作承诺真实，愿意接受事后核查，承诺不实的，"
        "行政机关依法撤销行政许可，并承担相应法律责任。"
    )


def _check_can_sign(case: Case, actor) -> None:
    if case.item_version_id is None or not case.item_version.commitment_allowed:
        raise ValidationError(_("该事项未实行告知承诺制。"), code="not_allowed")
    if hasattr(case, "commitment"):
        raise ValidationError(_("该办件已签署告知承诺书。"), code="already_signed")
    if case.state == CaseState.DRAFT:
        allowed = permissions.is_applicant(case, actor)
    elif case.state == CaseState.SUBMITTED:
        # At the counter: the clerk records the commitment the applicant signs in front of them.
        allowed = permissions.is_applicant(case, actor) or permissions.is_receiving_clerk(case, actor)
    else:
        raise ValidationError(_("只有提交前或受理前可以签署告知承诺书。"), code="bad_state")
    if not allowed:
        raise PermissionDenied(_("您无权为该办件签署告知承诺书。"))


@case_service
def commitment_sign(*, case: Case, actor, materials: list[Material], ip: str | None = None) -> Commitment:
    """The applicant signs the item's commitment text in place of the listed proofs. Signed on a draft,
    the decision follows the submission; signed at the counter on a submitted case, it follows at once."""
    _check_can_sign(case, actor)
    if not materials:
        raise ValidationError(_("请选择以承诺代替的证明材料。"), code="no_materials")
    for material in materials:
        if material.version_id != case.item_version_id or not material.commitment_replaceable:
            raise ValidationError(
                _("“%(name)s”不在本事项可以承诺代替的证明材料之列。"),
                code="not_replaceable",
                params={"name": material.name},
            )
    commitment = Commitment.objects.create(
        case=case, text=commitment_text_for(case, materials), signed_by=actor, signed_at=timezone.now()
    )
    commitment.replaced_materials.set(materials)
    event_record(
        case=case,
        kind=EventKind.COMMITMENT_SIGNED,
        actor=actor,
        note=f"以告知承诺代替：{'、'.join(m.name for m in materials)}",
        changes={"replaced": [m.name for m in materials]},
        ip=ip,
    )
    if case.state == CaseState.SUBMITTED:
        case_decide_on_commitment(case=case, ip=ip)
    return commitment


def case_decide_on_commitment(*, case: Case, ip: str | None = None) -> Case:
    """Decide a submitted application made by commitment on the spot (runs inside the caller's
    transaction): accepted and granted today by the system, the grant notice says a post-check will
    follow by the check due date, and the department gets the post-check task."""
    from .apply import completeness_check

    check = completeness_check(case)
    if not check.complete:
        names = "、".join(m.name for m in check.missing_mandatory + check.missing_deferrable)
        raise ValidationError(_("告知承诺未代替的材料还缺少：%(names)s。"), code="incomplete", params={"names": names})
    commitment = case.commitment
    version = case.item_version
    on = today()
    from_state = case.state
    run_transition(case, "accept_on_commitment", None)
    case.accepted_on = on
    save_case(case)
    event_record(
        case=case, kind=EventKind.ACCEPTED, actor=None, from_state=from_state, to_state=case.state,
        note="告知承诺制：申请人签署告知承诺书，当场受理", ip=ip,
    )  # fmt: skip
    run_transition(case, "grant_on_commitment", None)
    case.decided_at = timezone.now()
    save_case(case)
    commitment.check_due = add_days(on, version.commitment_check_days or DEFAULT_CHECK_DAYS, "working_day")
    commitment.save(update_fields=["check_due"])
    context = {
        "commitment": commitment,
        "commitment_basis": version.commitment_basis,
        "check_due": commitment.check_due,
        "result_name": version.result_name,
        "delivery_limit": delivery_limit_text(version),
        "officer": "告知承诺制当场决定",
    }
    document = document_issue(case=case, kind=DocumentKind.GRANT, actor=None, context=context)
    event_record(
        case=case, kind=EventKind.GRANTED, actor=None, from_state=CaseState.ACCEPTED, to_state=case.state,
        note=f"告知承诺制当场准予许可；事后核查期限{commitment.check_due:%Y年%m月%d日}", document=document,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_granted",
        subject=f"准予许可（告知承诺）：{case.title}",
        body=f"办件 {case.number} 已按告知承诺制当场作出准予许可的决定。实施部门将于"
        f"{commitment.check_due:%Y年%m月%d日}前核查您的承诺；承诺不实的，将依法撤销许可。",
    )
    for approver in _department_approvers(case):
        notice_queue(
            recipient=approver,
            kind="commitment_check",
            subject=f"事后核查任务：{case.number}",
            body=f"{case.title}（办件 {case.number}）按告知承诺制当场准予许可，请于"
            f"{commitment.check_due:%Y年%m月%d日}前核查申请人的承诺并记录结果。",
            link=case_link(case),
            case_number=case.number or "",
        )
    bundle_follow(case)
    return case


def _department_approvers(case: Case):
    return User.objects.filter(
        assignments__role=StaffRole.APPROVER, assignments__department_id=case.owning_department_id, is_active=True
    ).distinct()


@case_service
def commitment_check_record(
    *, commitment: Commitment, actor, confirmed: bool, finding: str, ip: str | None = None
) -> Commitment:
    """The department records the post-check: confirmed, or false — which revokes the grant
    (撤销行政许可决定书 with appeal rights, Art. 69 ¶2)."""
    from .intake import default_appeal_rights

    commitment = Commitment.objects.select_for_update().select_related("case").get(pk=commitment.pk)
    case = commitment.case
    if not permissions.is_deciding_approver(case, actor):
        raise PermissionDenied(_("只有实施部门的审批人员可以记录事后核查结果。"))
    if commitment.outcome != CommitmentOutcome.PENDING:
        raise ValidationError(_("该告知承诺已核查。"), code="already_checked")
    if not (finding or "").strip():
        raise ValidationError(_("请写明核查情况。"), code="no_finding")
    commitment.outcome = CommitmentOutcome.CONFIRMED if confirmed else CommitmentOutcome.FALSE
    commitment.checked_by = actor
    commitment.checked_at = timezone.now()
    commitment.check_note = finding.strip()
    if confirmed:
        commitment.save(update_fields=["outcome", "checked_by", "checked_at", "check_note"])
        event_record(case=case, kind=EventKind.COMMITMENT_CONFIRMED, actor=actor, note=commitment.check_note, ip=ip)
        return commitment
    commitment.revoked_at = commitment.checked_at
    commitment.save(update_fields=["outcome", "checked_by", "checked_at", "check_note", "revoked_at"])
    grant = case.documents.filter(kind=DocumentKind.GRANT).order_by("-issued_at", "-pk").first()
    context = {
        "grant": grant,
        "finding": commitment.check_note,
        "basis": case.item_version.commitment_basis,
        "appeal_rights": default_appeal_rights(case),
        "officer": actor.real_name or actor.username,
    }
    event_record(case=case, kind=EventKind.COMMITMENT_FALSE, actor=actor, note=commitment.check_note, ip=ip)
    document = document_issue(case=case, kind=DocumentKind.REVOCATION, actor=actor, context=context)
    event_record(
        case=case, kind=EventKind.GRANT_REVOKED, actor=actor,
        note=f"承诺不实，撤销准予许可决定（{grant.number if grant else ''}）", document=document, ip=ip,
    )  # fmt: skip
    grant_revoked(case)  # the certificate in the e-certificate library is revoked in this transaction
    notify_applicant(
        case,
        kind="case_grant_revoked",
        subject=f"撤销行政许可：{case.title}",
        body=f"经事后核查，您在办件 {case.number} 中的承诺与实际情况不符，准予许可的决定已被撤销。"
        f"撤销决定书（含救济途径）可在办件详情中下载。",
    )
    return commitment


def commitment_revoked_grant(document) -> bool:
    """Whether a grant document was revoked after a false commitment (for public verification)."""
    if document.kind != DocumentKind.GRANT:
        return False
    return Commitment.objects.filter(case_id=document.case_id, revoked_at__isnull=False).exists()
