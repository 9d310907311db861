"""The catalogue admins' pages: their items, changes under way, editing a draft, the two reviews
and comparing versions. Every page is scoped by items/permissions.py; what a user may not see is
a 404, what they may see but not do is refused with a message."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .. import services
from ..compare import compare_elements, compare_materials
from ..constants import ChangeKind, VersionState
from ..forms import (
    ChangeForm,
    CompareForm,
    MaterialFormSet,
    NewItemForm,
    ReturnForm,
    ReviewForm,
    StepFormSet,
    VersionForm,
)
from ..models import Item, ItemChange, ItemVersion, Material
from ..permissions import can_edit_item, can_review_item, earlier_step_people, editable_departments, is_catalogue_admin
from ..selectors import (
    change_deadlines,
    change_for_user,
    item_versions_for_user,
    items_for_editor,
    open_changes_for_user,
    recent_changes_for_user,
)


def catalogue_admin_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_catalogue_admin(request.user):
            raise Http404(_("没有找到这个页面。"))
        return view(request, *args, **kwargs)

    return wrapper


def _get_change_for_user(request, pk: int) -> ItemChange:
    try:
        return change_for_user(request.user, pk)
    except ItemChange.DoesNotExist:
        raise Http404(_("没有找到这项调整，或您无权查看。")) from None


def _refusal(request, error: Exception) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error) or _("您不能进行此操作。"))


@catalogue_admin_required
def workbench(request):
    user = request.user
    query = (request.GET.get("q") or "").strip()[:50]
    items = items_for_editor(user)
    if query:
        items = items.filter(current_version__name__icontains=query) | items.filter(
            implementation_code__icontains=query
        )
    changes = list(open_changes_for_user(user))
    for change in changes:
        change.next_action = _next_action(user, change)
        change.current_deadline = next((d for d in change_deadlines(change) if d.due and not d.done), None)
    return render(
        request,
        "items/manage/workbench.html",
        {
            "items": items[:200],
            "query": query,
            "changes": changes,
            "recent": recent_changes_for_user(user),
            "can_add": editable_departments(user).exists(),
        },
    )


def _next_action(user, change: ItemChange) -> str:
    """What this user can do with the change now, in words (empty when nothing)."""
    state = change.version.state
    if state == VersionState.DRAFT:
        return _("编辑并提交") if can_edit_item(user, change.item) else ""
    review = {VersionState.LEGAL_REVIEW: _("合法性审查"), VersionState.CATALOGUE_REVIEW: _("目录审核")}.get(state, "")
    if not review or not can_review_item(user, change.item) or user.pk in earlier_step_people(change):
        return ""
    return review


@catalogue_admin_required
def item_new(request):
    departments = editable_departments(request.user)
    form = NewItemForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.change_create(
                user=request.user,
                kind=ChangeKind.ADD,
                cause=data["cause"],
                cause_note=data["cause_note"],
                cause_date=data["cause_date"],
                base_item=data["base_item"],
                implementation_code=data["implementation_code"],
                department=data["department"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已新增事项草稿，请填写办事指南的各项要素。"))
            return redirect("items:change_edit", pk=change.pk)
    return render(request, "items/manage/item_new.html", {"form": form})


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@catalogue_admin_required
def item_manage(request, pk: int):
    try:
        item, versions = item_versions_for_user(request.user, pk)
    except Item.DoesNotExist:
        raise Http404(_("没有找到这个事项，或您无权查看。")) from None
    open_change = next((v.change for v in versions if v.state in _OPEN and hasattr(v, "change")), None)
    return render(
        request,
        "items/manage/item.html",
        {
            "item": item,
            "versions": versions,
            "open_change": open_change,
            "can_edit": can_edit_item(request.user, item),
            "change_form": ChangeForm(),
        },
    )


_OPEN = (VersionState.DRAFT, VersionState.LEGAL_REVIEW, VersionState.CATALOGUE_REVIEW)


@require_POST
@catalogue_admin_required
def change_new(request, pk: int):
    try:
        item, versions = item_versions_for_user(request.user, pk)
    except Item.DoesNotExist:
        raise Http404(_("没有找到这个事项，或您无权查看。")) from None
    form = ChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = services.change_create(
                user=request.user,
                kind=data["kind"],
                cause=data["cause"],
                cause_note=data["cause_note"],
                cause_date=data["cause_date"],
                item=item,
                target_department=data["target_department"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            _refusal(request, error)
            return redirect("items:item_manage", pk=item.pk)
        else:
            messages.success(request, _("已创建调整草稿（复制自现行版本），请修改后提交审查。"))
            return redirect("items:change_edit", pk=change.pk)
    return render(
        request,
        "items/manage/item.html",
        {"item": item, "versions": versions, "can_edit": can_edit_item(request.user, item), "change_form": form},
        status=400,
    )


@catalogue_admin_required
def change_detail(request, pk: int):
    change = _get_change_for_user(request, pk)
    return render(
        request,
        "items/manage/change.html",
        {
            "change": change,
            "version": change.version,
            "deadlines": change_deadlines(change),
            "next_action": _next_action(request.user, change),
            "review_form": ReviewForm(),
            "return_form": ReturnForm(),
        },
    )


def _edit_forms(version: ItemVersion, data=None, files=None):
    materials = Material.objects.filter(version=version).order_by("order", "id")
    return (
        VersionForm(data, files, instance=version),
        MaterialFormSet(data, files, instance=version, prefix="materials", queryset=materials),
        StepFormSet(data, files, instance=version, prefix="steps"),
    )


@catalogue_admin_required
def change_edit(request, pk: int):
    """Edit a draft's elements, materials and steps; "保存并提交" also submits it for legal review."""
    change = _get_change_for_user(request, pk)
    version = change.version
    if version.state != VersionState.DRAFT or not can_edit_item(request.user, change.item):
        messages.info(request, _("只有本部门处于草稿状态的调整可以编辑。"))
        return redirect("items:change", pk=change.pk)
    version = ItemVersion.objects.prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("order", "id")), "steps"
    ).get(pk=version.pk)
    if request.method == "POST":
        form, materials, steps = _edit_forms(version, request.POST, request.FILES)
    else:
        form, materials, steps = _edit_forms(version)
    if request.method == "POST":
        if form.is_valid() and materials.is_valid() and steps.is_valid():
            try:
                services.draft_save(user=request.user, change=change, form=form, materials=materials, steps=steps)
                if "submit" in request.POST:
                    services.change_submit(user=request.user, change=change)
                    messages.success(request, _("已提交合法性审查（5个工作日内完成）。"))
                    return redirect("items:change", pk=change.pk)
            except PermissionDenied as error:
                _refusal(request, error)
                return redirect("items:change", pk=change.pk)
            except ValidationError as error:
                # Saved, but not ready to submit: show each problem next to its field.
                version = ItemVersion.objects.get(pk=version.pk)
                form, materials, steps = _edit_forms(version)
                _attach_problems(error, form, materials, steps)
                messages.error(request, _("草稿已保存，但还不能提交：请按标红的提示修改。"))
                return _render_edit(request, change, form, materials, steps, status=400)
            messages.success(request, _("草稿已保存。"))
            return redirect("items:change_edit", pk=change.pk)
        messages.error(request, _("有内容需要修改，请看标红的提示。"))
        return _render_edit(request, change, form, materials, steps, status=400)
    return _render_edit(request, change, form, materials, steps)


def _attach_problems(error: ValidationError, form, materials, steps) -> None:
    problems = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for key, texts in problems.items():
        if key and key.startswith("materials-"):
            _prefix, index, field = key.split("-", 2)
            target = materials.forms[int(index)] if int(index) < len(materials.forms) else None
            if target is not None:
                target.add_error(field, texts)
                continue
        if key == "steps":
            steps._non_form_errors = steps.error_class(texts)
        elif key in form.fields:
            form.add_error(key, texts)
        else:
            form.add_error(None, texts)


def _render_edit(request, change, form, materials, steps, status=200):
    return render(
        request,
        "items/manage/change_edit.html",
        {
            "change": change,
            "version": change.version,
            "form": form,
            "materials": materials,
            "steps": steps,
            "deadlines": change_deadlines(change),
        },
        status=status,
    )


def _workflow_post(request, pk: int, action, success: str, form_class=None, field: str = ""):
    change = _get_change_for_user(request, pk)
    kwargs = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect("items:change", pk=change.pk)
        kwargs[field] = form.cleaned_data[field]
    try:
        action(user=request.user, change=change, **kwargs)
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
        return redirect("items:change", pk=change.pk)
    messages.success(request, success)
    return redirect("items:change", pk=change.pk)


@require_POST
@catalogue_admin_required
def change_submit(request, pk: int):
    change = _get_change_for_user(request, pk)
    try:
        services.change_submit(user=request.user, change=change)
    except ValidationError:
        messages.error(request, _("还不能提交：请按标红的提示修改后再提交。"))
        return redirect("items:change_edit", pk=change.pk)
    except PermissionDenied as error:
        _refusal(request, error)
        return redirect("items:change", pk=change.pk)
    messages.success(request, _("已提交合法性审查（5个工作日内完成）。"))
    return redirect("items:change", pk=change.pk)


@require_POST
@catalogue_admin_required
def change_legal_approve(request, pk: int):
    return _workflow_post(
        request, pk, services.change_legal_approve, _("合法性审查已通过，转目录审核。"), ReviewForm, "note"
    )


@require_POST
@catalogue_admin_required
def change_catalogue_approve(request, pk: int):
    return _workflow_post(
        request, pk, services.change_catalogue_approve, _("目录审核已通过，新版本已发布。"), ReviewForm, "note"
    )


@require_POST
@catalogue_admin_required
def change_return(request, pk: int):
    return _workflow_post(request, pk, services.change_return, _("已退回起草人修改。"), ReturnForm, "reason")


@require_POST
@catalogue_admin_required
def change_discard(request, pk: int):
    change = _get_change_for_user(request, pk)
    item_pk, kind = change.item_id, change.kind
    try:
        services.change_discard(user=request.user, change=change)
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
        return redirect("items:change", pk=change.pk)
    messages.success(request, _("已撤销这项调整。"))
    if kind == ChangeKind.ADD:
        return redirect("items:workbench")
    return redirect("items:item_manage", pk=item_pk)


@catalogue_admin_required
def compare(request, pk: int):
    try:
        item, versions = item_versions_for_user(request.user, pk)
    except Item.DoesNotExist:
        raise Http404(_("没有找到这个事项，或您无权查看。")) from None
    by_pk = {v.pk: v for v in versions}
    form = CompareForm(request.GET or None)
    context = {"item": item, "versions": versions}
    if form.is_valid() and form.cleaned_data["a"] in by_pk and form.cleaned_data["b"] in by_pk:
        left = _with_related(form.cleaned_data["a"])
        right = _with_related(form.cleaned_data["b"])
        context.update(
            left=left,
            right=right,
            rows=compare_elements(left, right),
            material_rows=compare_materials(left, right),
        )
    elif request.GET:
        messages.error(request, _("请选择这个事项的两个版本进行比较。"))
    elif len(versions) >= 2:
        return redirect(f"{request.path}?a={versions[1].pk}&b={versions[0].pk}")
    return render(request, "items/manage/compare.html", context)


def _with_related(pk: int) -> ItemVersion:
    return (
        ItemVersion.objects.select_related("item__department", "department")
        .prefetch_related("materials", "steps", "themes", "life_events", "receivable_halls")
        .get(pk=pk)
    )
