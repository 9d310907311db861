"""Build the POST data of the draft editing page from a version, as the browser would send it."""

from items.forms import CodesField, MaterialFormSet, StepFormSet, VersionForm


def _put(data: dict, name: str, value) -> None:
    if value is None or value is False:
        return
    if value is True:
        data[name] = "on"
    elif isinstance(value, list | tuple):
        data[name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
    elif hasattr(value, "pk"):
        data[name] = str(value.pk)
    elif hasattr(value, "url") or hasattr(value, "name") and hasattr(value, "storage"):
        return
    else:
        data[name] = str(value)


def _form_data(form, data: dict) -> None:
    for bound in form:
        field = form.fields[bound.name]
        value = bound.value()
        if isinstance(field, CodesField):
            value = field.prepare_value(value)
        if bound.name in ("blank_form", "sample", "result_sample"):
            continue
        _put(data, bound.html_name, value)


def edit_post_data(version, **overrides) -> dict:
    data: dict = {}
    _form_data(VersionForm(instance=version), data)
    for formset in (
        MaterialFormSet(instance=version, prefix="materials", queryset=version.materials.order_by("order", "id")),
        StepFormSet(instance=version, prefix="steps"),
    ):
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{name}"] = str(management[name].value())
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.initial_form_count())
        for form in formset.initial_forms:
            _form_data(form, data)
    data.update(overrides)
    return data
