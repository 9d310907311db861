"""Forms of the catalogue editing pages. They parse and check input next to each field; the
services in items/services.py write."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.uploads import GUIDE_FILE_LABEL, GUIDE_FILE_TYPES, upload_check
from hall.models import Department, Hall
from hall.validators import EARLIEST_RECORD_DATE, validate_date_between

from .constants import CaseKind, ChangeCause, ChangeKind, CrossAreaMode, DeliveryMethod, HandlingForm, ServiceObject
from .models import BaseItem, Item, ItemVersion, LifeEvent, Material, ProcessStep, Theme
from .validators import validate_implementation_code


def validate_guide_file(upload) -> None:
    """A blank form or sample that every citizen will download: the portal's one upload check, by
    content (a file named .jpg must be a complete JPEG with nothing appended)."""
    if isinstance(upload, UploadedFile):
        upload_check(upload, allowed=GUIDE_FILE_TYPES, allowed_label=GUIDE_FILE_LABEL)


class CodesField(forms.MultipleChoiceField):
    """Several national codes stored as one comma-separated string ("1,2")."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value):
        if isinstance(value, str):
            return [code for code in value.split(",") if code]
        return value

    def clean(self, value):
        return ",".join(sorted(super().clean(value)))


class NewItemForm(forms.Form):
    """新增事项: a county implements a base item."""

    base_item = forms.ModelChoiceField(
        BaseItem.objects.all(), label=_("基本目录事项"), error_messages={"required": _("请选择基本目录事项。")}
    )
    implementation_code = forms.CharField(
        label=_("实施编码"),
        max_length=24,
        help_text=_("不超过24位的数字或大写字母"),
        validators=[validate_implementation_code],
        error_messages={"max_length": _("实施编码不能超过24位。"), "required": _("请填写实施编码。")},
    )
    department = forms.ModelChoiceField(
        Department.objects.none(), label=_("实施主体"), error_messages={"required": _("请选择实施主体。")}
    )
    cause = forms.ChoiceField(label=_("调整原因"), choices=ChangeCause.choices)
    cause_note = forms.CharField(
        label=_("原因说明"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("如依据的法规名称、文号和条款")
    )
    cause_date = forms.DateField(
        label=_("原因发生日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("自该日起10个工作日内须提交调整"),
        error_messages={"invalid": _("请按“年-月-日”填写日期，如 2026-01-31。")},
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Department.objects.none()

    def clean_implementation_code(self):
        code = self.cleaned_data["implementation_code"].strip().upper()
        if Item.objects.filter(implementation_code=code).exists():
            raise ValidationError(_("这个实施编码已经被另一个事项使用。"))
        return code

    def clean_cause_date(self):
        return _not_in_future(self.cleaned_data["cause_date"])


class ChangeForm(forms.Form):
    """An adjustment of a published item: cancel, delegate, transfer or change elements."""

    kind = forms.ChoiceField(
        label=_("调整类型"), choices=[(k, label) for k, label in ChangeKind.choices if k != ChangeKind.ADD]
    )
    cause = forms.ChoiceField(label=_("调整原因"), choices=ChangeCause.choices)
    cause_note = forms.CharField(
        label=_("原因说明"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("如修订的法规名称、文号和条款")
    )
    cause_date = forms.DateField(
        label=_("原因发生日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("自该日起10个工作日内须提交调整"),
        error_messages={"invalid": _("请按“年-月-日”填写日期，如 2026-01-31。")},
    )
    target_department = forms.ModelChoiceField(
        Department.objects.select_related("region"),
        label=_("承接部门"),
        required=False,
        help_text=_("仅下放或划转时填写"),
    )

    def clean_cause_date(self):
        return _not_in_future(self.cleaned_data["cause_date"])


def _not_in_future(day: datetime.date) -> datetime.date:
    if day > timezone.localdate():
        raise ValidationError(_("原因发生日期不能晚于今天。"))
    validate_date_between(day, label=_("原因发生日期"), earliest=EARLIEST_RECORD_DATE)
    return day


class VersionForm(forms.ModelForm):
    """Every element of the guide a catalogue admin edits."""

    service_objects = CodesField(label=_("服务对象"), choices=ServiceObject.choices)
    handling_forms = CodesField(label=_("办理形式"), choices=HandlingForm.choices)
    delivery_methods = CodesField(
        label=_("结果送达方式"), choices=DeliveryMethod.choices, help_text=_("申请人可以选择的送达方式")
    )
    accept_halls = forms.ModelMultipleChoiceField(
        label=_("可代为受理的其他县区大厅"),
        queryset=Hall.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "勾选的大厅代属地受理（远程办理、全城收件）；其余可受理的其他县区大厅只能代收转交（异地代收），"
            "不能受理、补正告知或不予受理。"
        ),
    )

    class Meta:
        model = ItemVersion
        fields = [
            "name",
            "business_code",
            "keywords",
            "legal_basis",
            "exercise_level",
            "power_division",
            "exercise_content",
            "body_nature",
            "joint_departments",
            "handling_unit",
            "entrusting_department",
            "case_kind",
            "limit_unit",
            "statutory_days",
            "statutory_note",
            "promised_days",
            "promised_note",
            "yellow_threshold_days",
            "visits_required",
            "special_procedure",
            "special_procedure_note",
            "acceptance_conditions",
            "process_description",
            "intermediary_services",
            "quantity_limit",
            "result_name",
            "result_sample",
            "charges_fee",
            "fee_basis",
            "fee_standard",
            "delivery_methods",
            "retention_period",
            "service_objects",
            "themes",
            "life_events",
            "handling_forms",
            "online_application",
            "appointment",
            "online_payment",
            "express_delivery",
            "cross_area_scope",
            "cross_area_mode",
            "receivable_halls",
            "handling_location",
            "handling_hours",
            "consultation",
            "complaint",
            "faq",
        ]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "life_events": forms.CheckboxSelectMultiple,
            "receivable_halls": forms.CheckboxSelectMultiple,
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "power_division": forms.Textarea(attrs={"rows": 2}),
            "exercise_content": forms.Textarea(attrs={"rows": 2}),
            "acceptance_conditions": forms.Textarea(attrs={"rows": 3}),
            "process_description": forms.Textarea(attrs={"rows": 3}),
            "fee_basis": forms.Textarea(attrs={"rows": 2}),
            "fee_standard": forms.Textarea(attrs={"rows": 2}),
            "handling_location": forms.Textarea(attrs={"rows": 2}),
            "consultation": forms.Textarea(attrs={"rows": 2}),
            "complaint": forms.Textarea(attrs={"rows": 2}),
            "faq": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "name": {"required": _("请填写事项名称。"), "max_length": _("事项名称不能超过200个字。")},
            "legal_basis": {"required": _("请填写设定依据。")},
            "acceptance_conditions": {"required": _("请填写受理条件。")},
            "result_name": {"required": _("请填写审批结果名称。")},
            "statutory_days": {"required": _("请填写法定办结时限。"), "invalid": _("请填写整数个工作日。")},
            "promised_days": {"required": _("请填写承诺办结时限。"), "invalid": _("请填写整数个工作日。")},
        }

    SECTIONS = (
        (
            _("事项名称与依据"),
            (
                "name",
                "business_code",
                "keywords",
                "legal_basis",
                "exercise_level",
                "power_division",
                "exercise_content",
            ),
        ),
        (_("实施主体"), ("body_nature", "handling_unit", "joint_departments", "entrusting_department")),
        (
            _("办理时限"),
            (
                "case_kind",
                "limit_unit",
                "statutory_days",
                "promised_days",
                "statutory_note",
                "promised_note",
                "yellow_threshold_days",
                "visits_required",
                "special_procedure",
                "special_procedure_note",
            ),
        ),
        (
            _("受理条件与流程"),
            ("acceptance_conditions", "process_description", "intermediary_services", "quantity_limit"),
        ),
        (
            _("审批结果与收费"),
            (
                "result_name",
                "result_sample",
                "charges_fee",
                "fee_basis",
                "fee_standard",
                "delivery_methods",
                "retention_period",
            ),
        ),
        (_("服务对象与主题"), ("service_objects", "themes", "life_events")),
        (
            _("办理形式与通办"),
            (
                "handling_forms",
                "online_application",
                "appointment",
                "online_payment",
                "express_delivery",
                "cross_area_scope",
                "cross_area_mode",
                "receivable_halls",
                "accept_halls",
            ),
        ),
        (_("办理地点、时间与咨询"), ("handling_location", "handling_hours", "consultation", "complaint", "faq")),
    )

    def sections(self):
        """(title, [(bound field, wide?)]) in the order of the guide, for the editing page."""
        wide_widgets = (forms.Textarea, forms.CheckboxSelectMultiple)
        return [
            (title, [(self[name], isinstance(self.fields[name].widget, wide_widgets)) for name in names])
            for title, names in self.SECTIONS
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.all()
        self.fields["life_events"].queryset = LifeEvent.objects.all()
        self.fields["receivable_halls"].queryset = Hall.objects.select_related("region")
        self.fields["accept_halls"].queryset = Hall.objects.select_related("region")
        if self.instance.pk and self.instance.item_id:
            halls = self.instance.receivable_halls.select_related("region")
            self.initial["accept_halls"] = [h.pk for h in halls if self.instance.mode_for(h) == CrossAreaMode.ACCEPT]
        self.fields["result_sample"].validators.append(validate_guide_file)

    def clean(self):
        data = super().clean()
        statutory, promised = data.get("statutory_days"), data.get("promised_days")
        if statutory is not None and promised is not None and promised > statutory:
            self.add_error(
                "promised_days",
                _("承诺办结时限（%(promised)s）不得超过法定办结时限（%(statutory)s）。")
                % {"promised": promised, "statutory": statutory},
            )
        if data.get("case_kind") == CaseKind.INSTANT and promised:
            self.add_error("promised_days", _("即办件当场办结，承诺办结时限应为0。"))
        if data.get("charges_fee") and not (data.get("fee_basis") or "").strip():
            self.add_error("fee_basis", _("收费的事项请写明收费依据。"))
        self._hall_modes(data)
        return data

    def _hall_modes(self, data) -> None:
        """Each receivable hall of another county: 代为受理 if ticked, else 代收转交 (ItemVersion.hall_modes)."""
        receivable, accepting = data.get("receivable_halls"), data.get("accept_halls") or []
        if receivable is None or not self.instance.item_id:
            return
        outside = [h for h in accepting if h not in receivable]
        if outside:
            self.add_error(
                "accept_halls",
                _("代为受理的大厅须是可受理大厅：%(halls)s") % {"halls": "、".join(h.name for h in outside)},
            )
            return
        region = self.instance.item.region_id
        self.instance.hall_modes = {
            h.code: CrossAreaMode.ACCEPT if h in accepting else CrossAreaMode.RECEIVE_FORWARD
            for h in receivable
            if h.region_id != region
        }


MATERIAL_FIELDS = (
    "order",
    "name",
    "material_type",
    "material_form",
    "original_copies",
    "copy_copies",
    "paper_spec",
    "mandatory",
    "deferrable",
    "source_channel",
    "source_note",
    "issuing_body",
    "basis",
    "acceptance_standard",
    "filling_notes",
    "blank_form",
    "sample",
    "note",
)


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = list(MATERIAL_FIELDS)  # a copy: inline formsets append their foreign key
        widgets = {
            "basis": forms.Textarea(attrs={"rows": 2}),
            "acceptance_standard": forms.Textarea(attrs={"rows": 2}),
            "filling_notes": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "name": {"required": _("请填写材料名称。")},
            "basis": {"required": _("请写明要求提供该材料的法律、法规或规章依据。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blank_form"].validators.append(validate_guide_file)
        self.fields["sample"].validators.append(validate_guide_file)


class StepForm(forms.ModelForm):
    class Meta:
        model = ProcessStep
        fields = ["order", "name", "handler", "time_limit", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 1})}
        error_messages = {"name": {"required": _("请填写环节名称。")}}


MaterialFormSet = inlineformset_factory(
    ItemVersion, Material, form=MaterialForm, extra=1, can_delete=True, max_num=60, validate_max=True
)
StepFormSet = inlineformset_factory(
    ItemVersion, ProcessStep, form=StepForm, extra=1, can_delete=True, max_num=20, validate_max=True
)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("退回时请写明退回理由，让起草人知道要改什么。")},
    )


class CompareForm(forms.Form):
    a = forms.IntegerField(min_value=1)
    b = forms.IntegerField(min_value=1)
