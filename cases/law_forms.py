"""Forms of the steps the law adds to the decision and intake pages: on-site inspection (a review
step), the post-check of a commitment (事后核查), and signing a commitment (告知承诺书)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SiteInspectionForm(forms.Form):
    findings = forms.CharField(
        label=_("现场核查情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("现场核查是审查环节，不是特别程序，办理期限照常计算"),
    )


class CommitmentCheckForm(forms.Form):
    confirmed = forms.TypedChoiceField(
        label=_("核查结论"),
        choices=[("1", _("承诺属实")), ("0", _("承诺不实（撤销准予许可决定）"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(label=_("核查情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CommitmentSignForm(forms.Form):
    """The applicant picks the proofs the commitment replaces and confirms having read the text."""

    materials = forms.MultipleChoiceField(
        label=_("以承诺代替的证明材料"), widget=forms.CheckboxSelectMultiple, required=True
    )
    agree = forms.BooleanField(
        label=_("本人已阅读告知承诺书，承诺所填信息真实，愿意接受事后核查，承诺不实的依法承担责任"), required=True
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.material_objects = {str(m.pk): m for m in materials}
        self.fields["materials"].choices = [(str(m.pk), m.name) for m in materials]
        self.fields["materials"].initial = list(self.material_objects)

    def chosen(self) -> list:
        return [self.material_objects[pk] for pk in self.cleaned_data["materials"]]
