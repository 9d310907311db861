from django import forms
from django.utils.translation import gettext_lazy as _

from ..constants import AccessKind, SecurityEventKind


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("动态口令或恢复码"),
        max_length=20,
        help_text=_("手机验证器应用中当前显示的6位数字；手机不在身边时可输入一个8位恢复码（每个只能用一次）"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("6位动态口令"),
        max_length=10,
        help_text=_("扫描二维码后，输入应用中显示的6位数字以完成绑定"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class OtpResetForm(forms.Form):
    username = forms.CharField(label=_("工作人员登录名"), max_length=150)
    reason = forms.CharField(
        label=_("重置原因"),
        max_length=500,
        help_text=_("如：手机遗失，已当面核实本人身份"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件"), required=False, choices=[("", _("全部"))] + SecurityEventKind.choices)
    username = forms.CharField(label=_("登录名"), required=False, max_length=150)
    day = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AccessFilterForm(forms.Form):
    case_number = forms.CharField(label=_("办件编号"), required=False, max_length=40)
    username = forms.CharField(label=_("工作人员登录名"), required=False, max_length=150)
    kind = forms.ChoiceField(label=_("查看内容"), required=False, choices=[("", _("全部"))] + AccessKind.choices)
    day = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
