"""Forms of the cross-county hand-off pages: forwarding, confirming receipt, sending the result back."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import Carrier, LegKind

PAPER_CARRIERS = [(value, label) for value, label in Carrier.choices if value != Carrier.NETWORK]


class ForwardForm(forms.Form):
    to_hall = forms.ModelChoiceField(
        label=_("转交属地大厅"), queryset=None, empty_label=None, help_text=_("只能转交给事项所属县区的大厅")
    )
    paper_carrier = forms.ChoiceField(
        label=_("纸质原件寄递方式"),
        choices=[("", _("无纸质原件需寄递"))] + PAPER_CARRIERS,
        required=False,
    )
    paper_tracking = forms.CharField(
        label=_("寄递单号"), max_length=40, required=False, help_text=_("寄递纸质原件时必填")
    )
    note = forms.CharField(label=_("转交说明"), max_length=200, required=False)

    def __init__(self, *args, halls=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_hall"].queryset = halls

    def clean(self):
        data = super().clean()
        if data.get("paper_carrier") and not (data.get("paper_tracking") or "").strip():
            self.add_error("paper_tracking", _("纸质材料寄递须填写寄递单号。"))
        return data


class ReceiveForm(forms.Form):
    leg_kind = forms.ChoiceField(label=_("接收的材料"), choices=LegKind.choices[:3], widget=forms.HiddenInput)
    tracking_number = forms.CharField(
        label=_("所收邮件的寄递单号"),
        max_length=40,
        required=False,
        help_text=_("纸质材料到达时，核对并填写（扫描）单号"),
    )


class ResultSendForm(forms.Form):
    carrier = forms.ChoiceField(label=_("寄递方式"), choices=PAPER_CARRIERS, initial=Carrier.EMS)
    tracking_number = forms.CharField(label=_("寄递单号"), max_length=40)


class SupplementForwardForm(forms.Form):
    carrier = forms.ChoiceField(
        label=_("转交方式"),
        choices=[(Carrier.NETWORK, Carrier.NETWORK.label)] + PAPER_CARRIERS,
        initial=Carrier.NETWORK,
    )
    tracking_number = forms.CharField(label=_("寄递单号"), max_length=40, required=False)
