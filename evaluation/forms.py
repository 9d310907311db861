"""Forms of the ratings app. The rules live in the services (evaluation.services); the forms parse
and show the services' refusals next to the field they concern."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import AppealDecision, Level, RectificationOutcome
from .models import TEXT_MAX
from .reasons import reason_tags
from .services import rating_check_input

# Which field a refusal of rating_check_input belongs to.
FIELD_OF_CODE = {
    "level_unknown": "level",
    "tag_unknown": "tags",
    "tag_level": "tags",
    "reason_missing": "tags",
    "text_too_long": "text",
}


class AnyChoiceField(forms.ChoiceField):
    """The service checks the value: an unknown level gets its plain message, not Django's."""

    def valid_value(self, value):
        return True


class AnyMultipleChoiceField(forms.MultipleChoiceField):
    def valid_value(self, value):
        return True


def _tag_choices():
    return [(tag.code, tag.label) for tags in reason_tags().values() for tag in tags]


class RatingForm(forms.Form):
    level = AnyChoiceField(
        label=_("评价等级"), choices=Level.choices, widget=forms.RadioSelect,
        error_messages={"required": _("请选择评价等级。")},
    )  # fmt: skip
    tags = AnyMultipleChoiceField(label=_("评价标签"), choices=_tag_choices, required=False,
                                  widget=forms.CheckboxSelectMultiple)  # fmt: skip
    text = forms.CharField(
        label=_("评价内容（选填，不超过150字）"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX, "data-counter": TEXT_MAX}),
    )
    anonymous = forms.BooleanField(label=_("匿名评价（工作人员看不到您的姓名，也无法回访您）"), required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            level, tags, text = rating_check_input(
                level=data.get("level"), tags=data.get("tags"), text=data.get("text")
            )
        except ValidationError as exc:
            self.add_error(FIELD_OF_CODE.get(exc.code), exc)
            return data
        data.update(level=level, tag_codes=[t["code"] for t in tags], text=text)
        return data


class CallBackForm(forms.Form):
    note = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class RectifyForm(forms.Form):
    outcome = forms.ChoiceField(label=_("整改结果"), choices=RectificationOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("整改情况或解释说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("诉求无法律依据的，写明依据和解释；整改结果将反馈给评价人。"),
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("误评、恶意差评等，写明事实和依据，由督查人员审核。"),
    )  # fmt: skip


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结果"), choices=AppealDecision.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("审核理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
