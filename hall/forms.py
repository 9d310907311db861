from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Enterprise
from .selectors import user_by_id_number, user_by_mobile
from .validators import normalise_identifier, validate_credit_code, validate_id_number, validate_mobile

# Room for what people paste (spaces, full-width digits) before normalisation shortens it.
IDENTIFIER_INPUT_LENGTH = 40


class IdentifierField(forms.CharField):
    """A typed ID number, credit code or mobile: normalised (hall.validators.normalise_identifier) before
    any check runs, so the checks and the stored value see plain ASCII."""

    def __init__(self, *, max_length=IDENTIFIER_INPUT_LENGTH, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        return normalise_identifier(super().to_python(value))


def id_number_field(label, **kwargs) -> IdentifierField:
    return IdentifierField(label=label, validators=[validate_id_number], **kwargs)


def mobile_field(label, **kwargs) -> IdentifierField:
    return IdentifierField(label=label, validators=[validate_mobile], **kwargs)


def credit_code_field(label, **kwargs) -> IdentifierField:
    return IdentifierField(label=label, validators=[validate_credit_code], **kwargs)


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("手机号或身份证号"), max_length=50)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": _("账号或密码不正确。请检查手机号（或身份证号）和密码后重试；连续输错5次将锁定30分钟。"),
        "inactive": _("该账号已停用，请联系大厅工作人员。"),
    }


class PersonRegistrationForm(forms.Form):
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = id_number_field(_("身份证号"), help_text=_("18位居民身份证号，末位X请大写"))
    mobile = mobile_field(_("手机号"))
    password1 = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput, help_text=_("至少8位，不能全是数字，不能太常见")
    )
    password2 = forms.CharField(label=_("确认密码"), strip=False, widget=forms.PasswordInput)

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if user_by_id_number(value) is not None:
            raise forms.ValidationError(_("该身份证号已注册，请直接登录；如忘记密码请到大厅窗口办理。"))
        return value

    def clean_mobile(self):
        value = self.cleaned_data["mobile"]
        if user_by_mobile(value) is not None:
            raise forms.ValidationError(_("该手机号已注册，请直接登录或换一个手机号。"))
        return value

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            from .models import User

            probe = User(
                real_name=cleaned.get("real_name", ""),
                mobile=cleaned.get("mobile", ""),
                username=cleaned.get("mobile", ""),
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        if not {"password1", "password2"} & set(self.errors):
            # The passwords passed: an error elsewhere (a mistyped ID number) should not make the
            # applicant type them again. A refused password is never sent back to the page.
            for name in ("password1", "password2"):
                self.fields[name].widget.render_value = True
        return cleaned


class EnterpriseRegistrationForm(PersonRegistrationForm):
    """The agent registers with their own identity, for the enterprise they act for."""

    enterprise_name = forms.CharField(label=_("单位名称"), max_length=200)
    credit_code = credit_code_field(_("统一社会信用代码"))
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=50)

    field_order = [
        "enterprise_name",
        "credit_code",
        "legal_representative",
        "real_name",
        "id_number",
        "mobile",
        "password1",
        "password2",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["real_name"].label = _("经办人姓名")
        self.fields["id_number"].label = _("经办人身份证号")
        self.fields["mobile"].label = _("经办人手机号")

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"]
        if Enterprise.objects.filter(credit_code=value).exists():
            raise forms.ValidationError(_("该统一社会信用代码已注册。如需更换经办人，请到大厅窗口办理。"))
        return value
