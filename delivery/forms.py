"""Forms of the result window, the back office's production and hand-over, the archive office and the
public certificate check. They parse input; delivery.services decides and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput
from hall.forms import id_number_field
from items.constants import RetentionPeriod

from .constants import Carrier, PostOutcome, RecipientKind


class ProduceForm(forms.Form):
    scope = forms.CharField(
        label=_("许可范围（内容）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("印在证照上的许可范围或内容；留空按申请内容填写"),
    )
    valid_until = forms.DateField(
        label=_("有效期截止"), required=False, widget=DateInput(), help_text=_("留空表示长期有效")
    )


class SignatureField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("签名（请输入您的姓名）"))
        super().__init__(max_length=50, **kwargs)


class HandoverForm(forms.Form):
    orders = forms.ModelMultipleChoiceField(
        label=_("移交的结果"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择要移交的结果。")},
    )
    signature = SignatureField()

    def __init__(self, *args, orders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].queryset = orders
        # The choices as plain values, read once (the queryset still checks what is posted): no order,
        # case or hall instance per choice, and the page asks nothing more to know whether there are any.
        rows = orders.values_list("pk", "case__number", "case__item_version__name", "case__bundle__name", "hall__name")
        self.fields["orders"].choices = [
            (pk, f"{number} {item or bundle or ''}（{hall}）") for pk, number, item, bundle, hall in rows
        ]


class ReceiveForm(forms.Form):
    count = forms.IntegerField(label=_("清点件数"), min_value=0, max_value=10000)
    signature = SignatureField()


class PickupForm(forms.Form):
    recipient_kind = forms.ChoiceField(
        label=_("领取人身份"), choices=RecipientKind.choices, widget=forms.RadioSelect, initial=RecipientKind.APPLICANT
    )
    recipient_name = forms.CharField(label=_("领取人姓名"), max_length=50, required=False)
    recipient_id_number = id_number_field(_("领取人身份证号"), required=False)
    identity_checked = forms.BooleanField(label=_("已当面核验领取人的身份证件原件"), required=False)
    agent_authority = forms.CharField(
        label=_("授权委托书"),
        max_length=200,
        required=False,
        help_text=_("代理人领取时填写：委托书的出具人、日期和委托事项"),
    )
    signature = forms.CharField(label=_("领取人签名（由领取人输入本人姓名）"), max_length=50, required=False)
    signature_confirmed = forms.BooleanField(label=_("领取人确认已收到上列办理结果"), required=False)


class PostForm(forms.Form):
    carrier = forms.ChoiceField(label=_("寄递企业"), choices=Carrier.choices, initial=Carrier.EMS)
    tracking_number = forms.CharField(label=_("运单号"), max_length=40)


class PostOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("投递结果"), choices=PostOutcome.choices, widget=forms.RadioSelect)
    signed_by = forms.CharField(label=_("签收人"), max_length=50, required=False, help_text=_("妥投时填写"))
    reason = forms.CharField(label=_("退回原因"), max_length=200, required=False, help_text=_("被退回时填写"))


class ArchiveFilterForm(forms.Form):
    year = forms.IntegerField(label=_("归档年度"), required=False, min_value=2000, max_value=2100)
    item = forms.CharField(label=_("事项名称"), max_length=100, required=False)
    retention = forms.ChoiceField(
        label=_("保管期限"), required=False, choices=[("", _("全部"))] + list(RetentionPeriod.choices)
    )


class CertificateVerifyForm(forms.Form):
    number = forms.CharField(label=_("证照编号"), max_length=40)
