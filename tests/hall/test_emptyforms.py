"""hall.emptyforms: an empty form is rendered once per process and kept; what it depends on is its key."""

from unittest import mock

from django import forms
from django.utils import translation

from hall import emptyforms


class Filter(forms.Form):
    kind = forms.ChoiceField(label="查看内容", required=False, choices=[("", "全部"), ("a", "甲")])


def test_an_empty_form_is_rendered_once_and_a_bound_one_every_time():
    emptyforms._empty_forms.clear()
    with mock.patch.object(emptyforms, "as_crispy_form", wraps=emptyforms.as_crispy_form) as render:
        first = emptyforms.crispy_once(Filter())
        second = emptyforms.crispy_once(Filter())
        assert first == second and "查看内容" in first
        assert render.call_count == 1
        emptyforms.crispy_once(Filter({"kind": "a"}))
        emptyforms.crispy_once(Filter({"kind": "a"}))
        assert render.call_count == 3


def test_the_language_and_the_choices_are_part_of_the_key():
    emptyforms._empty_forms.clear()
    with translation.override("zh-hans"):
        chinese = emptyforms.crispy_once(Filter())
    with translation.override("en"):
        english = emptyforms.crispy_once(Filter())
    assert chinese is not english
    changed = Filter()
    changed.fields["kind"].choices = [("", "全部"), ("b", "乙")]
    assert "乙" in emptyforms.crispy_once(changed)
    assert "乙" not in emptyforms.crispy_once(Filter())


def test_fields_laid_out_by_a_template_of_their_own_are_kept_per_template():
    emptyforms._empty_forms.clear()
    html = emptyforms.fields_once("security/_access_filters.html", Filter())
    assert "查看内容" in html
    assert emptyforms.fields_once("security/_access_filters.html", Filter()) is html
    bound = emptyforms.fields_once("security/_access_filters.html", Filter({"kind": "a"}))
    assert bound is not html
