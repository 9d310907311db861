"""Forms of the case pages: they parse and check input; the services in cases/services.py write.

Every check gives a plain-words message that crispy renders next to its field. Uploaded files are
checked by their content (magic bytes), not by their name, before any service sees them.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hall.forms import IdentifierField, credit_code_field, id_number_field, mobile_field
from hall.models import Hall
from hall.selectors import user_by_id_number, user_by_mobile
from hall.validators import normalise_identifier
from hall.validators import validate_mobile as validate_mobile_number

from .constants import CaseState, DeliveryMethod, SpecialProcedureKind, WarningLevel
from .uploads import ALLOWED_LABEL, upload_check

UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png"


def max_upload_bytes() -> int:
    return settings.TONGBAN_MAX_UPLOAD_BYTES


def validate_material_file(upload) -> None:
    """Refuse empty, oversize, unsupported files and files whose content is not what their name says
    (B1's upload_check, run here too so that the message sits next to the file's own input)."""
    if upload:
        upload_check(upload)


class MaterialFileInput(forms.FileInput):
    def __init__(self, attrs=None):
        super().__init__({"accept": UPLOAD_ACCEPT, **(attrs or {})})


def material_file_field(material, *, required: bool = False) -> forms.FileField:
    """One file input for one guide material, labelled with what the guide says about it."""
    tags = [gettext("必备") if material.mandatory else gettext("非必备")]
    if material.deferrable:
        tags.append(gettext("可容缺"))
    help_parts = [
        gettext("%(types)s，不超过 %(mb)s MB")
        % {"types": gettext(ALLOWED_LABEL), "mb": max_upload_bytes() // 1024 // 1024}
    ]
    if getattr(material, "filling_notes", ""):
        help_parts.insert(0, material.filling_notes)
    return forms.FileField(
        label=gettext("%(name)s（%(tags)s）") % {"name": material.name, "tags": gettext("、").join(tags)},
        required=required,
        validators=[validate_material_file],
        widget=MaterialFileInput(),
        help_text=gettext("；").join(help_parts),
        error_messages={
            "required": _("请上传这份材料。"),
            "empty": _("文件是空的（0 字节），请重新选择。"),
            "invalid": _("没有收到文件，请重新选择。"),
        },
    )


def material_field_name(material) -> str:
    return f"material_{material.pk}"


class MaterialUploadForm(forms.Form):
    """One optional file input per guide material (a draft may be saved with some files missing:
    the completeness check, not this form, says what is still needed)."""

    def __init__(self, *args, materials=(), only=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        if only is not None:
            self.materials = [m for m in self.materials if m.pk in only]
        for material in self.materials:
            self.fields[material_field_name(material)] = material_file_field(material)

    def note_current(self, current_files) -> None:
        """Tell next to each input which file is already there (a new one replaces it)."""
        for submitted in current_files:
            field = self.fields.get(f"material_{submitted.material_id}")
            if field is not None:
                field.help_text = f"已上传：{submitted.original_name}（再次选择文件将替换）；{field.help_text}"

    def uploaded(self) -> dict:
        """{material: UploadedFile} for the inputs that received a file."""
        return {
            material: self.cleaned_data[material_field_name(material)]
            for material in self.materials
            if self.cleaned_data.get(material_field_name(material))
        }

    def passed(self) -> dict:
        """After validation, {material: UploadedFile} for the files that passed their checks, even when
        another input of the form was refused: they are kept on the draft, not dropped."""
        cleaned = getattr(self, "cleaned_data", {})
        return {
            material: cleaned[material_field_name(material)]
            for material in self.materials
            if material_field_name(material) not in self.errors and cleaned.get(material_field_name(material))
        }

    def refused(self) -> list:
        """[(material, file name)] for the files chosen but refused: they must be chosen again."""
        result = []
        for material in self.materials:
            name = material_field_name(material)
            upload = self.files.get(self.add_prefix(name)) if self.files else None
            if name in self.errors and upload:
                result.append((material, getattr(upload, "name", "")))
        return result


class BundleUploadForm(forms.Form):
    """一件事: one file input per line of the bundle's combined material list (asked once, handed to
    every item that needs it)."""

    def __init__(self, *args, combined=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(combined)
        for index, line in enumerate(self.lines):
            field = material_file_field(line)
            field.help_text = f"用于：{'、'.join(line.item_names)}；{field.help_text}"
            self.fields[f"line_{index}"] = field

    def uploaded(self) -> list:
        """[(CombinedMaterial, UploadedFile)] for the inputs that received a file."""
        return [
            (line, self.cleaned_data[f"line_{index}"])
            for index, line in enumerate(self.lines)
            if self.cleaned_data.get(f"line_{index}")
        ]


class ListedItems:
    """The free items of a supplement notice, named like a guide material in the page's messages."""

    def __init__(self, name: str):
        self.name = name


class SupplementUploadForm(MaterialUploadForm):
    """补正 (or the deferred 容缺 materials): a file for each listed material, required until one has been
    received for this request (`received`: the SubmittedMaterial rows already handed in for it; a new
    file replaces one); and, when the notice lists things outside the guide, one optional file for them."""

    def __init__(self, *args, free_items=(), received=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.base_help = {name: field.help_text for name, field in self.fields.items()}
        self.free_items = list(free_items)
        if free_items:
            self.fields["extra_file"] = forms.FileField(
                label=gettext("其他补正材料（%(items)s）") % {"items": gettext("、").join(free_items)},
                required=False,
                validators=[validate_material_file],
                widget=MaterialFileInput(),
                help_text=_("可选；%(types)s，不超过 %(mb)s MB，多份请合并为一个文件")
                % {"types": gettext(ALLOWED_LABEL), "mb": max_upload_bytes() // 1024 // 1024},
                error_messages={"empty": _("文件是空的（0 字节），请重新选择。")},
            )
        self.note_received(received)

    def note_received(self, received) -> None:
        """A listed material with a file already received for this request: its input is no longer
        required, and says which file is there (choosing another replaces it)."""
        names = {submitted.material_id: submitted.original_name for submitted in received}
        for material in self.materials:
            field = self.fields[material_field_name(material)]
            field.required = material.pk not in names
            field.help_text = self.base_help[material_field_name(material)]
            if material.pk in names:
                note = gettext("已收到：%(name)s（再次选择文件将替换）") % {"name": names[material.pk]}
                field.help_text = f"{note}；{field.help_text}"

    def extra_file(self):
        return self.cleaned_data.get("extra_file")

    def passed(self) -> dict:
        """The files that passed, the free items' file under the key None (it is not a guide material)."""
        kept = super().passed()
        extra = getattr(self, "cleaned_data", {}).get("extra_file")
        if extra and "extra_file" not in self.errors:
            kept[None] = extra
        return kept

    def refused(self) -> list:
        result = super().refused()
        upload = self.files.get(self.add_prefix("extra_file")) if self.files else None
        if "extra_file" in self.errors and upload:
            result.append((ListedItems(gettext("、").join(self.free_items)), getattr(upload, "name", "")))
        return result


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=500, required=False)
    confirm = forms.BooleanField(
        label=_("我确认撤回本次申请（撤回后不能恢复，如需办理须重新申请）"),
        error_messages={"required": _("请勾选确认后再撤回。")},
    )


def appeal_rights_text(department=None) -> str:
    """The remedies printed on refusals and denials (DOMAIN.md §3), prefilled and editable."""
    from .constants import LAWSUIT_MONTHS, RECONSIDERATION_DAYS

    government = f"{department.region.name}人民政府" if department is not None else "本级人民政府"
    return (
        f"如不服本决定，可自收到本决定书之日起{RECONSIDERATION_DAYS}日内向{government}申请行政复议，"
        f"或者自收到本决定书之日起{LAWSUIT_MONTHS}个月内依法向人民法院提起行政诉讼。"
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _future_date(value: datetime.date | None, *, label: str, max_days: int) -> None:
    """A deadline: after today, and no further ahead than the hall allows (max_days calendar days)."""
    if value is None:
        return
    if value <= timezone.localdate():
        raise ValidationError(_("%(label)s应晚于今天。"), code="past", params={"label": label})
    latest = timezone.localdate() + datetime.timedelta(days=max_days)
    if value > latest:
        raise ValidationError(
            _("%(label)s最长为 %(days)s 天，不能晚于 %(latest)s。"),
            code="too_far",
            params={"label": label, "days": max_days, "latest": latest.isoformat()},
        )


class ApplicationForm(forms.Form):
    """The application itself: who applies (prefilled from the account) and for whom."""

    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=50, disabled=True, required=False)
    applicant_id_number = id_number_field(_("申请人身份证号"), help_text=_("须与账号实名登记的身份证号一致"))
    contact_mobile = mobile_field(_("联系手机"), help_text=_("办理进度和通知发送到此号码"))
    as_enterprise = forms.BooleanField(
        label=_("以企业名义申请"), required=False, help_text=_("以账号绑定的企业作为申请人，您作为经办人")
    )
    has_agent = forms.BooleanField(label=_("委托代理人办理"), required=False)
    agent_name = forms.CharField(label=_("代理人姓名"), max_length=50, required=False)
    agent_id_number = id_number_field(_("代理人身份证号"), required=False)
    agent_mobile = mobile_field(_("代理人手机"), required=False)
    description = forms.CharField(
        label=_("申请事项说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("简要说明申请的内容，如申请的经营范围、地址等"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["applicant_name"].initial = user.real_name
        self.fields["applicant_id_number"].initial = user.id_number
        if not self.initial.get("contact_mobile"):
            self.fields["contact_mobile"].initial = user.mobile
        self.enterprise = getattr(user, "enterprise", None)
        if self.enterprise is None:
            del self.fields["as_enterprise"]
        else:
            self.fields["as_enterprise"].label = f"以“{self.enterprise.name}”名义申请"
            self.fields["as_enterprise"].initial = True

    def clean_applicant_id_number(self):
        value = self.cleaned_data.get("applicant_id_number")
        if self.user.id_number and value != normalise_identifier(self.user.id_number):
            raise ValidationError(_("填写的身份证号与账号实名登记的身份证号不一致，请核对。"), code="id_mismatch")
        return value

    def clean(self):
        data = super().clean()
        if data.get("has_agent"):
            for name in ("agent_name", "agent_id_number", "agent_mobile"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("委托代理人办理时，请填写代理人的姓名、身份证号和手机。"))
        return data

    def valid_form_data(self) -> dict:
        """The fields that passed their checks, for a draft saved to keep files while the form is refused."""
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[name]
            for name in ("applicant_id_number", "contact_mobile", "description")
            if data.get(name) and name not in self.errors
        }

    def form_data(self) -> dict:
        """What goes into the case's form data (everything but the account's own identity)."""
        data = self.cleaned_data
        result = {
            "applicant_id_number": data["applicant_id_number"],
            "contact_mobile": data["contact_mobile"],
            "description": data.get("description", ""),
        }
        if data.get("has_agent"):
            result["agent"] = {
                "name": data["agent_name"],
                "id_number": data["agent_id_number"],
                "mobile": data["agent_mobile"],
            }
        return result

    @classmethod
    def initial_from(cls, form_data: dict | None) -> dict:
        form_data = form_data or {}
        agent = form_data.get("agent") or {}
        return {
            "contact_mobile": form_data.get("contact_mobile", ""),
            "description": form_data.get("description", ""),
            "has_agent": bool(agent),
            "agent_name": agent.get("name", ""),
            "agent_id_number": agent.get("id_number", ""),
            "agent_mobile": agent.get("mobile", ""),
        }


class ProgressLookupForm(forms.Form):
    number = IdentifierField(label=_("办件编号"), max_length=64, help_text=_("受理通知书或短信中的编号"))
    mobile = IdentifierField(label=_("申请人手机号"), help_text=_("申请时填写的手机号"))


class ItemChoiceForm(forms.Form):
    """A clerk picks an item the hall may receive."""

    item = forms.ModelChoiceField(label=_("办理事项"), queryset=None, empty_label=_("请选择事项"))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: (
            f"{item.current_version.name}（{item.department.name}）" if item.current_version_id else str(item)
        )


class CounterApplicantForm(forms.Form):
    """A walk-in applicant: found by ID number when they have an account, else recorded here."""

    id_number = id_number_field(_("申请人身份证号"))
    real_name = forms.CharField(label=_("申请人姓名"), max_length=50)
    mobile = mobile_field(_("申请人手机"))
    identity_checked = forms.BooleanField(
        label=_("已当面核验申请人身份证件原件，人证一致"),
        required=True,
        error_messages={"required": _("请先当面核验申请人的身份证件，再收件。")},
    )
    credit_code = credit_code_field(
        _("申请单位统一社会信用代码"),
        required=False,
        help_text=_("以企业名义申请时填写；企业须已在本网站登记，且申请人是其经办人"),
    )
    description = forms.CharField(
        label=_("申请事项说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_credit_code(self):
        from hall.models import Enterprise

        value = self.cleaned_data.get("credit_code") or ""
        self.enterprise = None
        if value:
            self.enterprise = Enterprise.objects.select_related("agent").filter(credit_code=value).first()
            if self.enterprise is None:
                raise ValidationError(
                    _("没有找到该统一社会信用代码的企业，请核对或先办理企业注册。"), code="no_enterprise"
                )
        return value

    def clean(self):
        data = super().clean()
        id_number = data.get("id_number")
        self.existing = user_by_id_number(id_number) if id_number else None
        if self.existing is not None:
            if not self.existing.is_citizen:
                self.add_error("id_number", _("该身份证号属于工作人员账号，不能作为申请人。"))
            elif data.get("real_name") and data["real_name"].strip() != self.existing.real_name:
                self.add_error("real_name", _("姓名与该身份证号已登记的账号不一致，请核对证件。"))
        elif id_number and data.get("mobile") and user_by_mobile(data["mobile"]) is not None:
            self.add_error("mobile", _("该手机号已被另一个账号使用，请核对身份证号或更换手机号。"))
        enterprise = getattr(self, "enterprise", None)
        if enterprise is not None and (self.existing is None or enterprise.agent_id != self.existing.pk):
            self.add_error("credit_code", _("申请人不是该企业登记的经办人，不能以企业名义申请。"))
        return data


class OriginalsSeenForm(forms.Form):
    """Which originals the clerk held in hand (one checkbox per guide material)."""

    originals_seen = forms.MultipleChoiceField(
        label=_("已核验原件的材料"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["originals_seen"].choices = [(str(m.pk), m.name) for m in materials]

    def material_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("originals_seen", [])]


# ---- intake review outcomes -------------------------------------------------------------------


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=_("受理意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SupplementRequestForm(forms.Form):
    """一次性告知: a row per guide material (tick + reason) plus free items, and a deadline."""

    extra_items = forms.CharField(
        label=_("其他需补正的事项"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一项，写明材料和原因，如“营业场所证明：租赁合同已过期”"),
    )
    deadline = forms.DateField(label=_("补正期限"), widget=DateInput(), help_text=_("申请人应在此日期前补齐材料"))

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        for material in self.materials:
            self.fields[f"pick_{material.pk}"] = forms.BooleanField(label=material.name, required=False)
            self.fields[f"reason_{material.pk}"] = forms.CharField(
                label=f"“{material.name}”的补正原因", max_length=300, required=False
            )

    def rows(self):
        for material in self.materials:
            yield material, self[f"pick_{material.pk}"], self[f"reason_{material.pk}"]

    def clean_deadline(self):
        value = self.cleaned_data.get("deadline")
        _future_date(value, label=_("补正期限"), max_days=settings.TONGBAN_SUPPLEMENT_MAX_DAYS)
        return value

    def clean(self):
        data = super().clean()
        for material in self.materials:
            if data.get(f"pick_{material.pk}") and not (data.get(f"reason_{material.pk}") or "").strip():
                self.add_error(f"reason_{material.pk}", _("请写明这份材料需要补正的原因。"))
        if not self.items() and not self.errors:
            raise ValidationError(_("请至少勾选一份需要补正的材料，或在“其他需补正的事项”中写明。"))
        return data

    def items(self) -> list[dict]:
        """[{"material": Material | None, "name": str, "reason": str}] for the service."""
        data = getattr(self, "cleaned_data", {})
        result = []
        for material in self.materials:
            if data.get(f"pick_{material.pk}"):
                result.append(
                    {"material": material, "name": material.name, "reason": data.get(f"reason_{material.pk}", "")}
                )
        for line in (data.get("extra_items") or "").splitlines():
            line = line.strip()
            if line:
                name, _sep, reason = line.replace(":", "：").partition("：")
                result.append({"material": None, "name": name.strip(), "reason": reason.strip() or "需补正"})
        return result


class RefuseForm(forms.Form):
    reasons = forms.CharField(label=_("不予受理的理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    competent_authority = forms.CharField(
        label=_("有权受理的机关"),
        max_length=200,
        required=False,
        help_text=_("申请事项不属于本机关职权范围时，写明应向哪个机关申请"),
    )
    appeal_rights = forms.CharField(label=_("救济途径"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class DeferralForm(forms.Form):
    """容缺受理: only materials the guide marks deferrable, a deadline and the undertaking."""

    deferred = forms.MultipleChoiceField(
        label=_("容缺的材料"),
        widget=forms.CheckboxSelectMultiple,
        choices=(),
        error_messages={"required": _("请勾选容缺的材料。")},
    )
    deadline = forms.DateField(label=_("补齐期限"), widget=DateInput(), help_text=_("不得晚于承诺办结日期"))
    undertaking = forms.BooleanField(
        label=_("申请人已签署容缺承诺书，承诺在期限内补齐"),
        error_messages={"required": _("容缺受理须有申请人签署的承诺书。")},
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = {str(m.pk): m for m in materials if m.deferrable}
        self.fields["deferred"].choices = [(pk, m.name) for pk, m in self.materials.items()]
        if not self.materials:
            self.fields["deferred"].help_text = "该事项没有可容缺的材料。"

    def clean_deadline(self):
        value = self.cleaned_data.get("deadline")
        _future_date(value, label=_("补齐期限"), max_days=settings.TONGBAN_DEFERRAL_MAX_DAYS)
        return value

    def deferred_materials(self) -> list:
        return [self.materials[pk] for pk in self.cleaned_data.get("deferred", [])]


# ---- decision ---------------------------------------------------------------------------------


class GrantForm(forms.Form):
    opinion = forms.CharField(
        label=_("审查意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DenyForm(forms.Form):
    reasons = forms.CharField(label=_("不予许可的理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    appeal_rights = forms.CharField(label=_("救济途径"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("特别程序"),
        choices=SpecialProcedureKind.choices,
        help_text=_("仅限行政许可法第四十五条所列程序，或本事项适用的法律规定的程序"),
    )
    name = forms.CharField(
        label=_("其他法律规定的程序名称"),
        max_length=60,
        required=False,
        help_text=_("选择“其他法律规定的特别程序”时，填写办事指南列明的程序名称"),
    )
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    expected_days = forms.IntegerField(
        label=_("预计所需时间（工作日）"), min_value=1, max_value=365, help_text=_("特别程序所需时间不计入办理时限")
    )


class ResumeForm(forms.Form):
    note = forms.CharField(
        label=_("特别程序结果"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionRequestForm(forms.Form):
    # The cap is the item's (ItemVersion.extension_max_days, default Art. 42: 10 working days):
    # case_request_extension refuses a longer one, naming the article.
    days = forms.IntegerField(
        label=_("延长天数"),
        min_value=1,
        max_value=365,
        error_messages={"min_value": _("延长天数至少 1 天。")},
    )
    reason = forms.CharField(label=_("延期理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批意见"),
        choices=[("1", _("批准延期")), ("0", _("不批准"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


# ---- workbenches ------------------------------------------------------------------------------

# The first is the default: a queue is worked oldest first.
SORTS = {
    "oldest": ("received_at", _("最早收件在前")),
    "urgent": ("urgency", _("最紧急在前")),
    "due": ("next_due", _("最早到期在前")),
    "newest": ("-received_at", _("最新收件在前")),
    "number": ("number", _("按办件编号")),
}
# Warning levels a workbench filters by, most urgent first (cases without a running clock are not a level).
LEVELS = [WarningLevel.OVERDUE, WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.GREEN]
AGES = {
    "": ("", _("不限")),
    "3": (3, _("超过 3 天")),
    "7": (7, _("超过 7 天")),
    "15": (15, _("超过 15 天")),
    "30": (30, _("超过 30 天")),
}


class WorkbenchFilterForm(forms.Form):
    q = forms.CharField(
        label=_("查找"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("编号、姓名或身份证号"),
                "title": _("办件编号、申请人姓名或身份证号"),
                "type": "search",
            }
        ),
    )
    state = forms.ChoiceField(label=_("状态"), required=False)
    item = forms.ModelChoiceField(label=_("事项"), queryset=None, required=False, empty_label=_("全部事项"))
    age = forms.ChoiceField(label=_("收件时长"), required=False, choices=[(k, v[1]) for k, v in AGES.items()])
    level = forms.ChoiceField(
        label=_("预警"),
        required=False,
        choices=[("", _("全部预警"))] + [(lvl.value, lvl.label) for lvl in LEVELS],
    )
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=[(k, v[1]) for k, v in SORTS.items()])

    def __init__(self, *args, states, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部状态"))] + [(s, CaseState(s).label) for s in states]
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: (
            item.current_version.name if item.current_version_id else str(item)
        )


class DeliveryChoiceForm(forms.Form):
    """送达方式, asked at application (online and at the counter) and changeable until the result is
    produced: pickup at any hall of the city, post (address, recipient, mobile), or electronic. Only the
    ways the item allows are offered."""

    delivery_method = forms.ChoiceField(label=_("结果送达方式"), widget=forms.RadioSelect, required=False)
    delivery_hall = forms.ModelChoiceField(
        label=_("领取大厅"),
        queryset=None,
        required=False,
        empty_label=None,
        help_text=_("全市任一政务服务大厅均可领取"),
    )
    delivery_recipient = forms.CharField(label=_("收件人"), max_length=50, required=False)
    delivery_mobile = forms.CharField(label=_("收件人手机号"), max_length=20, required=False)
    delivery_address = forms.CharField(label=_("邮寄地址"), max_length=200, required=False)

    def __init__(self, *args, methods=(), default_hall=None, case=None, **kwargs):
        if case is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "delivery_method": case.delivery_method or DeliveryMethod.PICKUP,
                "delivery_hall": case.delivery_hall_id or case.receiving_hall_id,
                "delivery_recipient": case.delivery_recipient,
                "delivery_mobile": case.delivery_mobile,
                "delivery_address": case.delivery_address,
            }
        super().__init__(*args, **kwargs)
        methods = list(methods) or [DeliveryMethod.PICKUP]
        # Not answered (an older form, a script): the first way the item allows, at the default hall.
        self.default_method, self.default_hall = methods[0], default_hall
        self.fields["delivery_method"].choices = [(code, DeliveryMethod(code).label) for code in methods]
        self.fields["delivery_hall"].queryset = Hall.objects.order_by("-is_city_hall", "code")
        self.initial.setdefault("delivery_method", methods[0])
        if default_hall is not None:
            self.initial.setdefault("delivery_hall", default_hall.pk)

    def clean(self):
        data = super().clean()
        method = data["delivery_method"] = data.get("delivery_method") or self.default_method
        if method == DeliveryMethod.PICKUP and not data.get("delivery_hall"):
            data["delivery_hall"] = self.default_hall
        if method == DeliveryMethod.PICKUP and not data.get("delivery_hall"):
            self.add_error("delivery_hall", _("请选择领取结果的大厅。"))
        if method == DeliveryMethod.POST:
            for name, message in (
                ("delivery_recipient", _("请填写收件人。")),
                ("delivery_address", _("请填写邮寄地址。")),
            ):
                if not (data.get(name) or "").strip():
                    self.add_error(name, message)
            mobile = normalise_identifier(data.get("delivery_mobile"))
            try:
                validate_mobile_number(mobile)
            except ValidationError as error:
                self.add_error("delivery_mobile", error)
            data["delivery_mobile"] = mobile
        return data

    def choice(self) -> dict:
        """Keyword arguments for cases.services.case_delivery_choose."""
        data = self.cleaned_data
        return {
            "method": data["delivery_method"],
            "hall": data.get("delivery_hall"),
            "address": data.get("delivery_address", ""),
            "recipient": data.get("delivery_recipient", ""),
            "mobile": data.get("delivery_mobile", ""),
        }
