"""List rows read as plain values (named tuples from values_list), not model instances: a list page
builds no instance of the case, its applicant or its hall, so nothing is decrypted (SM4) per row and
no select_related chain is built. The clock badge reads a light stand-in of the case.

Used by the case lists (workbenches, supervision, hand-offs), the delivery lists and the back office's
production list."""

from html import escape
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hall import crypto
from hall.pagecache import LocalCopies
from hall.validators import mask_id_number

# What cases.clock reads of a case and of its item version (see cases.sla.SCAN_FIELDS, the scan's copy).
_CLOCK_CASE_FIELDS = (
    "state",
    "intake_due",
    "supplement_due",
    "decision_due",
    "deferred_due",
    "delivery_due",
    "handoff_due",
    "item_version_id",
)
_CLOCK_VERSION_FIELDS = ("case_kind", "yellow_threshold_days", "limit_unit", "intake_unit", "delivery_unit")


def clock_fields(prefix: str = "") -> list[str]:
    """The values_list fields of a case (under `prefix`, e.g. "case__") that clock_case needs."""
    return [prefix + name for name in _CLOCK_CASE_FIELDS] + [
        f"{prefix}item_version__{name}" for name in _CLOCK_VERSION_FIELDS
    ]


def clock_case(row, prefix: str = "") -> SimpleNamespace:
    """A stand-in of the case with the attributes cases.clock reads (its due dates, state, and its item
    version's limits), from a row read with clock_fields(prefix)."""
    case = SimpleNamespace(**{name: getattr(row, prefix + name) for name in _CLOCK_CASE_FIELDS})
    case.item_version = (
        SimpleNamespace(**{name: getattr(row, f"{prefix}item_version__{name}") for name in _CLOCK_VERSION_FIELDS})
        if case.item_version_id
        else None
    )
    return case


def url_maker(name: str, arity: int = 1):
    """A function (pk, …) → the URL of `name` for those arguments, from one reverse() (a list would
    reverse per row). The pattern must take `arity` integer arguments and nothing else."""
    markers = [str(999999937 - n) for n in range(arity)]
    parts = [reverse(name, args=markers)]
    for marker in markers:
        parts[-1:] = parts[-1].split(marker)
    if arity == 1:
        prefix, suffix = parts
        return lambda pk: f"{prefix}{pk}{suffix}"
    return lambda *args: "".join(part + str(arg) for part, arg in zip(parts, (*args, ""), strict=True))


def line(markup: str, **values) -> SimpleNamespace:
    """One line of a list, rendered here rather than cell by cell in the template (Django's template costs
    a node per cell of every row): each value is escaped as the template would (format_html's escaping,
    without its per-value wrappers) unless it is already HTML, and the page prints `{{ line.html }}`. The
    values stay readable as attributes."""
    escaped = {name: value if hasattr(value, "__html__") else escape(str(value)) for name, value in values.items()}
    return SimpleNamespace(html=mark_safe(markup.format(**escaped)), **values)  # noqa: S308 - escaped above


def case_lines(rows, markup: str, url_name: str, cells) -> list[SimpleNamespace]:
    """The lines (see line) of a page of cases read with their number, pk and clock_fields(): each with
    its number, URL of `url_name`, state and state label (translated once) and clock badge, beside the
    values `cells(row)` gives."""
    from .constants import CaseState
    from .templatetags.clock import clock_badge  # the badge's module reads the clock, which reads the rows

    url = url_maker(url_name)
    states = choice_labels(CaseState)
    return [
        line(
            markup,
            number=row.number,
            url=url(row.pk),
            state=row.state,
            state_label=states.get(row.state, row.state),
            badge=clock_badge(clock_case(row)),
            **cells(row),
        )
        for row in rows
    ]


def fields_per_row(request, template: str, form, marker: str):
    """A form's fields that every row of a list repeats but for its names or ids: `form` is made with
    `marker` as its prefix or in its auto_id, rendered once with `template`, and the returned function
    gives a row's copy with `marker` replaced (a form rendered per row was most of such a page's time)."""
    html = render_to_string(template, {"form": form}, request=request)
    return lambda replacement: mark_safe(html.replace(marker, replacement))  # noqa: S308 - our template


def local_minute(value) -> str:
    """A moment as lists show it, in the local time zone ("2026-11-30 09:05"; the date filter "Y-m-d H:i")."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# value → label tables, per TextChoices and language (as small as the portal's choices times its languages).
_choice_labels = LocalCopies(entries=1000)


def choice_labels(choices) -> dict:
    """value → label of a TextChoices in the request's language, translated once per process and language
    rather than once per row (a model's get_FOO_display translates and hashes every label of its choices on
    each call). Shared: read it, never change it."""
    return _choice_labels.kept(
        (choices, get_language()), lambda: {value: str(label) for value, label in choices.choices}
    )


# ID numbers as lists show them (110105********0021), remembered per process by the blind index of the
# number: the index changes whenever the number does, so a remembered mask is never stale, and a list
# decrypts (SM4) a person's number only the first time this process shows them.
_masked_id_numbers = LocalCopies(entries=100_000)


def masked_id_number(index: str, token: str) -> str:
    """The masked ID number of the account whose `id_number_index` is `index`, from its stored SM4
    `token` (read raw: see applicant_id_fields)."""
    if not token:
        return ""
    return _masked_id_numbers.kept(index, lambda: mask_id_number(crypto.decrypt(token)))
