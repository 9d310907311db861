"""Empty forms rendered once per process.

An unbound form's markup depends on the form alone: on its class, prefix, fields, their labels, help,
widgets, choices and initial values, and on the language. Pages print the same empty forms on every
visit (the decisions on a case page, a list's filter bar as it opens), so each distinct one is rendered
once per process and kept (hall.pagecache.LocalCopies); a bound form, with its values and errors, is
rendered every time."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.template.loader import render_to_string
from django.utils.translation import get_language

from .pagecache import LocalCopies

_empty_forms = LocalCopies(entries=2000)


def _form_fingerprint(form) -> tuple:
    fields = tuple(
        (
            name,
            type(field),
            str(field.label),
            str(field.help_text),
            field.required,
            field.disabled,
            repr(form.get_initial_for_field(field, name)),
            type(field.widget),
            repr(field.widget.attrs),
            repr([(value, str(label)) for value, label in getattr(field, "choices", ())]),
        )
        for name, field in form.fields.items()
    )
    return (type(form), form.prefix, form.auto_id, get_language(), fields)


def crispy_once(form):
    """{{ form|crispy }}, rendered once per process for each distinct empty form (a bound form, with its
    values and errors, is rendered every time)."""
    if form.is_bound:
        return as_crispy_form(form)
    return _empty_forms.kept(_form_fingerprint(form), lambda: as_crispy_form(form))


def fields_once(template_name: str, form, request=None):
    """render_to_string(template_name, {"form": form}) of a form's fields laid out by a template of its
    own (a filter bar), kept like crispy_once: once per process for each distinct empty form, every time
    for a bound one."""
    if form.is_bound:
        return render_to_string(template_name, {"form": form}, request=request)
    return _empty_forms.kept(
        (template_name, _form_fingerprint(form)),
        lambda: render_to_string(template_name, {"form": form}, request=request),
    )
