"""Writes to the catalogue: changes and their review workflow, and publication.

A change (add / cancel / delegate / transfer / change elements) produces one draft version, which
goes draft → legal review → catalogue review → published, each step by a different person.
Publishing supersedes the item's current version; a published row is never written again.
Every step writes a `ChangeEvent`. Refusals raise `ValidationError` (field → messages, shown next
to the field) or `PermissionDenied`, both in plain words, and change nothing.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from hall.models import Department
from hall.validators import validate_credit_code

from .cache import catalogue_cache_clear
from .constants import (
    ChangeAction,
    ChangeCause,
    ChangeKind,
    CrossAreaScope,
    HandlingForm,
    VersionState,
)
from .models import BaseItem, ChangeEvent, Item, ItemChange, ItemVersion, Material, ProcessStep
from .permissions import can_edit_item, can_review_item, earlier_step_people, editable_department_ids
from .search import fill_search_fields
from .validators import is_catch_all_material_name

# Fields of ItemVersion that are not copied into a new draft.
_NOT_COPIED = {"id", "item", "number", "state", "published_at", "superseded_at", "created_at", "updated_at"}


# ---------------------------------------------------------------- creating a change


@transaction.atomic
def change_create(
    *,
    user,
    kind: str,
    cause: str,
    cause_note: str,
    cause_date: datetime.date,
    item: Item | None = None,
    base_item: BaseItem | None = None,
    implementation_code: str = "",
    department: Department | None = None,
    target_department: Department | None = None,
) -> ItemChange:
    """File a change and create its draft version.

    1. `add`: a new implementation of `base_item` for `department` (one of the user's), with a
       blank draft named after the base item.
    2. Every other kind: a draft copied from the item's current published version, with its
       materials, steps, themes, life events and halls.
    3. `delegate` / `transfer` name the department that takes the item over.
    """
    _check_choice(kind, ChangeKind, "kind", "请选择调整类型。")
    _check_choice(cause, ChangeCause, "cause", "请选择调整原因。")
    if not (cause_note or "").strip():
        raise ValidationError({"cause_note": "请写明调整原因，如修订的法规名称、文号和条款。"})
    if cause_date > timezone.localdate():
        raise ValidationError({"cause_date": "原因发生日期不能晚于今天。"})
    if kind == ChangeKind.ADD:
        item = _item_create(user=user, base_item=base_item, code=implementation_code, department=department)
        version = _blank_version(item=item)
    else:
        if item is None:
            raise ValidationError({"item": "请选择要调整的事项。"})
        if not can_edit_item(user, item):
            raise PermissionDenied(_("您只能调整本部门的事项。"))
        if item.current_version_id is None:
            raise ValidationError({"item": "该事项目前没有已发布的版本，不能调整；如需重新设立请新增事项。"})
        if item.versions.filter(state__in=_OPEN_STATES).exists():
            raise ValidationError({"item": "该事项已有一个正在办理的调整，请先完成或撤销它。"})
        _check_target(kind=kind, item=item, target=target_department)
        version = version_copy(source=item.current_version)
        if target_department is not None:
            version.department = target_department
            version.save(update_fields=["department"])
    change = ItemChange.objects.create(
        item=item,
        version=version,
        kind=kind,
        cause=cause,
        cause_note=cause_note.strip(),
        cause_date=cause_date,
        target_department=target_department if kind in (ChangeKind.DELEGATE, ChangeKind.TRANSFER) else None,
        filed_by=user,
    )
    _event(change, user, ChangeAction.FILED, VersionState.DRAFT, VersionState.DRAFT)
    return change


_OPEN_STATES = (VersionState.DRAFT, VersionState.LEGAL_REVIEW, VersionState.CATALOGUE_REVIEW)


def _check_choice(value, choices, field, message):
    if value not in choices.values:
        raise ValidationError({field: message})


def _item_create(*, user, base_item: BaseItem | None, code: str, department: Department | None) -> Item:
    errors = {}
    if base_item is None:
        errors["base_item"] = "请选择基本目录事项。"
    if department is None or department.pk not in editable_department_ids(user):
        errors["department"] = "请选择您所在的部门作为实施主体。"
    code = (code or "").strip().upper()
    item = Item(implementation_code=code, base_item=base_item, department=department)
    if department is not None:
        item.region = department.region
    try:
        item.full_clean(exclude=["current_version", "base_item", "department", "region"])
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    item.save()
    return item


def _blank_version(*, item: Item) -> ItemVersion:
    base = item.base_item
    return ItemVersion.objects.create(
        item=item,
        number=1,
        department=item.department,
        name=base.name,
        legal_basis=base.legal_basis,
        statutory_days=20,
        promised_days=20,
        acceptance_conditions="",
        result_name="",
    )


def _check_target(*, kind: str, item: Item, target: Department | None) -> None:
    if kind not in (ChangeKind.DELEGATE, ChangeKind.TRANSFER):
        return
    if target is None:
        raise ValidationError({"target_department": "下放或划转事项时，请选择承接部门。"})
    if target.pk == item.department_id:
        raise ValidationError({"target_department": "承接部门不能是原实施部门。"})
    if kind == ChangeKind.DELEGATE and target.region.parent_id != item.region_id:
        raise ValidationError({"target_department": "下放事项时，承接部门应属于下一级行政区划。"})
    if kind == ChangeKind.TRANSFER and target.region_id != item.region_id:
        raise ValidationError({"target_department": "划转事项时，承接部门应属于同一行政区划。"})


def version_copy(*, source: ItemVersion, item: Item | None = None) -> ItemVersion:
    """A new draft of `item` (default: the source's own item) with every element of `source`,
    its materials (and their files) and steps."""
    item = item or source.item
    values = {
        f.attname: getattr(source, f.attname)
        for f in ItemVersion._meta.concrete_fields
        if f.name not in _NOT_COPIED and f.attname not in _NOT_COPIED
    }
    number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = ItemVersion.objects.create(item=item, number=number, state=VersionState.DRAFT, **values)
    draft.themes.set(source.themes.all())
    draft.life_events.set(source.life_events.all())
    draft.receivable_halls.set(source.receivable_halls.all())
    for model in (Material, ProcessStep):
        rows = []
        for row in model.objects.filter(version=source):
            row.pk = None
            row.version = draft
            rows.append(row)
        model.objects.bulk_create(rows)
    return draft


# ---------------------------------------------------------------- validation


def version_problems(version: ItemVersion) -> dict[str, list[str]]:
    """Everything that keeps `version` from being submitted, as field → plain-words messages.
    Material problems are keyed `materials-<n>-<field>` (n = row index, as in the formset)."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    for field, label in (
        ("name", gettext_noop("事项名称")),
        ("legal_basis", gettext_noop("设定依据")),
        ("acceptance_conditions", gettext_noop("受理条件")),
        ("result_name", gettext_noop("审批结果名称")),
    ):
        if not str(getattr(version, field) or "").strip():
            add(field, gettext("请填写%(label)s。") % {"label": gettext(label)})
    if version.promised_days > version.statutory_days:
        add(
            "promised_days",
            gettext("承诺办结时限（%(n)s个工作日）不得超过法定办结时限。") % {"n": version.promised_days},
        )
    if version.case_kind == "instant" and version.promised_days != 0:
        add("promised_days", gettext("即办件当场办结，承诺办结时限应为0。"))
    if version.online_application and not {HandlingForm.ONLINE_PC, HandlingForm.MOBILE} & set(
        version.handling_forms.split(",")
    ):
        add("handling_forms", gettext("可在线申请的事项，办理形式应包含网上办理或掌上办理。"))
    if version.charges_fee and not version.fee_basis.strip():
        add("fee_basis", gettext("收费的事项请写明收费依据。"))
    department = version.implementing_department
    try:
        validate_credit_code(department.credit_code)
    except ValidationError as error:
        add(
            "department",
            gettext("实施主体“%(name)s”的%(problem)s") % {"name": department, "problem": error.messages[0]},
        )
    _hall_problems(version, add)
    if not version.steps.exists():
        add("steps", gettext("请至少填写一个办理环节。"))
    for index, material in enumerate(version.materials.all()):
        if is_catch_all_material_name(material.name):
            add(
                f"materials-{index}-name",
                gettext("“%(name)s”是兜底表述，请写出具体材料的名称。") % {"name": material.name},
            )
        if not material.basis.strip():
            add(f"materials-{index}-basis", gettext("请写明要求提供“%(name)s”的依据。") % {"name": material.name})
    return problems


def _hall_problems(version: ItemVersion, add) -> None:
    halls = list(version.receivable_halls.all())
    if not halls:
        add("receivable_halls", gettext("请至少选择一个可受理的大厅。"))
    elif version.cross_area_scope == CrossAreaScope.NONE:
        outside = [h.name for h in halls if h.region_id != version.item.region_id]
        if outside:
            add(
                "receivable_halls",
                gettext("不通办的事项只能在属地大厅受理，请去掉：%(halls)s，或选择通办范围。")
                % {"halls": gettext("、").join(outside)},
            )


# ---------------------------------------------------------------- workflow


def _locked_change(change: ItemChange) -> ItemChange:
    """The change with its version, re-read under a row lock so two reviewers cannot both act."""
    locked = ItemVersion.objects.select_for_update().get(pk=change.version_id)
    change = ItemChange.objects.select_related("item", "version").get(pk=change.pk)
    change.version.state = locked.state
    return change


def _require_state(change: ItemChange, state: str) -> None:
    if change.version.state != state:
        raise ValidationError(
            f"该调整当前处于“{change.version.get_state_display()}”状态，不能进行此操作（可能已被他人处理）。"
        )


def _require_reviewer(user, change: ItemChange) -> None:
    if not can_review_item(user, change.item):
        raise PermissionDenied(_("您不能审核该区域的事项。"))
    if user.pk in earlier_step_people(change):
        raise PermissionDenied(_("起草、合法性审查和目录审核须由不同的人员完成，您已经办理过本调整的前一环节。"))


@transaction.atomic
def change_submit(*, user, change: ItemChange) -> ItemChange:
    """Draft → legal review, after the whole guide passes `version_problems`."""
    change = _locked_change(change)
    if not can_edit_item(user, change.item):
        raise PermissionDenied(_("您只能提交本部门的事项调整。"))
    _require_state(change, VersionState.DRAFT)
    problems = version_problems(change.version)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    change.submitted_by, change.submitted_at = user, now
    change.save(update_fields=["submitted_by", "submitted_at"])
    _move(change, user, ChangeAction.SUBMITTED, VersionState.LEGAL_REVIEW)
    return change


@transaction.atomic
def change_legal_approve(*, user, change: ItemChange, note: str = "") -> ItemChange:
    change = _locked_change(change)
    _require_state(change, VersionState.LEGAL_REVIEW)
    _require_reviewer(user, change)
    change.legal_reviewer, change.legal_reviewed_at = user, timezone.now()
    change.save(update_fields=["legal_reviewer", "legal_reviewed_at"])
    _move(change, user, ChangeAction.LEGAL_APPROVED, VersionState.CATALOGUE_REVIEW, note)
    return change


@transaction.atomic
def change_catalogue_approve(*, user, change: ItemChange, note: str = "") -> ItemChange:
    """Catalogue review passes and the version is published at once (see `_publish`)."""
    change = _locked_change(change)
    _require_state(change, VersionState.CATALOGUE_REVIEW)
    _require_reviewer(user, change)
    now = timezone.now()
    change.catalogue_reviewer, change.catalogue_reviewed_at, change.published_at = user, now, now
    change.save(update_fields=["catalogue_reviewer", "catalogue_reviewed_at", "published_at"])
    _move(change, user, ChangeAction.CATALOGUE_APPROVED, VersionState.PUBLISHED, note)
    _publish(change, now)
    return change


@transaction.atomic
def change_return(*, user, change: ItemChange, reason: str) -> ItemChange:
    """A reviewer sends the change back to draft with a reason; the review starts over."""
    change = _locked_change(change)
    if change.version.state not in (VersionState.LEGAL_REVIEW, VersionState.CATALOGUE_REVIEW):
        _require_state(change, VersionState.LEGAL_REVIEW)
    _require_reviewer(user, change)
    if not (reason or "").strip():
        raise ValidationError({"reason": "退回时请写明退回理由，让起草人知道要改什么。"})
    change.submitted_by = change.submitted_at = change.legal_reviewer = change.legal_reviewed_at = None
    change.save(update_fields=["submitted_by", "submitted_at", "legal_reviewer", "legal_reviewed_at"])
    _move(change, user, ChangeAction.RETURNED, VersionState.DRAFT, reason.strip())
    return change


@transaction.atomic
def change_discard(*, user, change: ItemChange) -> None:
    """The drafter abandons a draft: the draft, its change and (for a new item) the item go."""
    change = _locked_change(change)
    if not can_edit_item(user, change.item):
        raise PermissionDenied(_("您只能撤销本部门的事项调整。"))
    _require_state(change, VersionState.DRAFT)
    version, item = change.version, change.item
    change.delete()
    version.delete()
    if change.kind == ChangeKind.ADD and not item.versions.exists():
        item.delete()


def _move(change: ItemChange, user, action: str, to_state: str, note: str = "") -> None:
    from_state = change.version.state
    ItemVersion.objects.filter(pk=change.version_id).update(state=to_state, updated_at=timezone.now())
    change.version.state = to_state
    _event(change, user, action, from_state, to_state, note)


def _event(change: ItemChange, user, action: str, from_state: str, to_state: str, note: str = "") -> None:
    ChangeEvent.objects.create(
        change=change, actor=user, action=action, from_state=from_state, to_state=to_state, note=note
    )


def _publish(change: ItemChange, now) -> None:
    """1. fill the search columns of the new version and mark it published;
    2. supersede the item's current version (its row is otherwise untouched);
    3. point the item at the new version (none after a cancellation), move it to the new
       department after a delegation or transfer;
    4. clear the cached public pages once the transaction commits."""
    version = ItemVersion.objects.select_related("item__base_item").get(pk=change.version_id)
    fill_search_fields(version)
    version.published_at = now
    version.save(update_fields=["pinyin_initials", "search_text", "published_at"])
    item = change.item
    if item.current_version_id:
        ItemVersion.objects.filter(pk=item.current_version_id).update(state=VersionState.SUPERSEDED, superseded_at=now)
    if change.kind == ChangeKind.CANCEL:
        item.current_version = None
        item.cancelled_on = timezone.localdate()
    else:
        item.current_version = version
        item.cancelled_on = None
    if change.target_department_id:
        item.department = change.target_department
        item.region = change.target_department.region
    item.save(update_fields=["current_version", "cancelled_on", "department", "region"])
    transaction.on_commit(catalogue_cache_clear)


@transaction.atomic
def draft_save(*, user, change: ItemChange, form, materials, steps) -> ItemVersion:
    """Save the edited elements, materials and steps of a draft (forms already valid)."""
    locked = _locked_change(change)
    if not can_edit_item(user, locked.item):
        raise PermissionDenied(_("您只能编辑本部门的事项。"))
    _require_state(locked, VersionState.DRAFT)
    version = form.save()
    materials.instance = steps.instance = version
    materials.save()
    steps.save()
    return version
