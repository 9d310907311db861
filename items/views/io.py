"""Import and export of the item list (items/io.py) for catalogue admins and system admins.
The upload is a POST that redirects to the page, which shows the outcome kept in the session."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases.uploads import TABLE_LABEL, TABLE_TYPES, upload_check
from hall.validators import EARLIEST_RECORD_DATE, validate_date_between

from ..constants import ChangeCause
from ..io import MAX_BYTES, is_system_admin, items_export, items_for_export, items_import
from ..permissions import editable_departments, is_catalogue_admin

RESULT_KEY = "items_import_result"
MAX_SHOWN_ERRORS = 200


class ImportForm(forms.Form):
    file = forms.FileField(label=_("事项清单文件"), help_text=_("从本页导出的 .xlsx 或 .csv 文件，改好后导入"))
    cause = forms.ChoiceField(label=_("调整原因"), choices=ChangeCause.choices, initial=ChangeCause.STANDARDISATION)
    cause_note = forms.CharField(
        label=_("原因说明"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如依据的文件名称和文号"),
    )
    cause_date = forms.DateField(
        label=_("原因发生日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=datetime.date.today,
    )
    publish = forms.BooleanField(
        label=_("初始载入：直接发布（仅系统管理员）"),
        required=False,
        help_text=_("不勾选时，每个有变化的事项生成一项调整草稿，须经合法性审查和目录审核后发布"),
    )

    def __init__(self, *args, system_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not system_admin:
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件超过%(mb)sMB，请分批导入。") % {"mb": MAX_BYTES // 1024 // 1024})
        upload_check(upload, allowed=TABLE_TYPES, allowed_label=TABLE_LABEL, limit=MAX_BYTES)
        return upload

    def clean_cause_date(self):
        value = self.cleaned_data["cause_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("原因发生日期不能晚于今天。"))
        validate_date_between(value, label=_("原因发生日期"), earliest=EARLIEST_RECORD_DATE)
        return value


def _require_io_access(request) -> bool:
    """404 unless the user is a catalogue admin or a system admin."""
    system_admin = is_system_admin(request.user)
    if not system_admin and not is_catalogue_admin(request.user):
        raise Http404(_("没有找到这个页面。"))
    return system_admin


@login_required
def io_page(request, form=None):
    system_admin = _require_io_access(request)
    form = form or ImportForm(system_admin=system_admin)
    departments = list(editable_departments(request.user))
    return render(
        request,
        "items/io/page.html",
        {
            "form": form,
            "system_admin": system_admin,
            "departments": departments,
            "can_import": system_admin or bool(departments),
            "item_count": items_for_export(request.user).count(),
            "result": request.session.pop(RESULT_KEY, None),
        },
    )


@require_POST
@login_required
def io_import(request):
    system_admin = _require_io_access(request)
    form = ImportForm(request.POST, request.FILES, system_admin=system_admin)
    if not form.is_valid():
        return io_page(request, form=form)
    upload = form.cleaned_data["file"]
    try:
        result = items_import(
            user=request.user,
            content=upload.read(),
            filename=upload.name,
            cause=form.cleaned_data["cause"],
            cause_note=form.cleaned_data["cause_note"],
            cause_date=form.cleaned_data["cause_date"],
            publish=form.cleaned_data.get("publish", False),
        )
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("items:io")
    request.session[RESULT_KEY] = {
        "filename": upload.name,
        "ok": result.ok,
        "published": result.published,
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors[:MAX_SHOWN_ERRORS]],
        "error_count": len(result.errors),
        "created": [{"code": c, "change": result.change_ids.get(c)} for c in result.created],
        "changed": [{"code": c, "change": result.change_ids.get(c)} for c in result.changed],
        "unchanged_count": len(result.unchanged),
    }
    if result.ok:
        messages.success(request, _("导入完成。"))
    return redirect("items:io")


@login_required
def io_export(request, fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise Http404(_("没有这种导出格式。"))
    _require_io_access(request)
    region = (request.GET.get("region") or "").strip()
    region = region if region.isdigit() and len(region) == 6 else ""
    content, filename, content_type = items_export(user=request.user, fmt=fmt, region_code=region)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
