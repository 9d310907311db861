"""Every form of the portal, posted with the shared list of hostile values (tests/fuzz/hostile.py) by the role
that sees it, answers 200, 302 or 4xx, never 500; a refused POST changes nothing; and afterwards nothing
stored breaks the portal's rules (identifiers normalised, no NUL, no far date, no file that fails the
upload check).

The forms are found, not listed: each role's pages are crawled from its start pages and every
<form method="post"> is collected. Every URL of the URLconf that accepts a POST and that no crawled page
offers a form for is posted too, with the field names seen anywhere, so that a new form cannot escape.
"""

import datetime
import time
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from cases import services
from cases.models import Case, CaseEvent, Document, SubmittedMaterial
from cases.uploads import upload_check
from hall.models import Enterprise, Notice, User
from hall.validators import normalise_identifier
from hall.workdays import calendar_seed
from items.models import ItemChange, ItemVersion
from tests.cases.helpers import accepted_case, draft_case, submitted_case, version_with_materials
from tests.items.factories import ItemVersionFactory

from .hostile import HOSTILE_VALUES, SKIP_PREFIXES, FoundForm, crawl, parse_page, payload

pytestmark = pytest.mark.django_db(transaction=False)

# Staff first: a citizen's hostile POST may withdraw a case that a clerk's page would have shown.
ROLES = [
    "clerk",
    "approver",
    "result_clerk",
    "supervisor",
    "agency_head",
    "catalogue_admin",
    "admin",
    "citizen",
    "anonymous",
]
# Actions whose success ends the role's session or its second factor (the rest of the run needs them);
# they are still posted, once per role, with a fresh session, in the second part.
SESSION_ENDING = {"logout", "sessions_end", "otp_disable"}


def _fingerprint() -> tuple:
    """What a refused POST must leave as it was."""
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        SubmittedMaterial.objects.count(),
        Document.objects.count(),
        Notice.objects.count(),
        User.objects.count(),
        Enterprise.objects.count(),
        ItemChange.objects.count(),
        ItemVersion.objects.count(),
        tuple(Case.objects.order_by("pk").values_list("state", flat=True)),
    )


@pytest.fixture
def scenario(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar_seed(years=[datetime.date.today().year, datetime.date.today().year + 1])
    version = version_with_materials()
    other_version = version_with_materials(name="个体工商户登记")
    draft = draft_case(cast, version)
    submitted = submitted_case(cast, version)
    accepted = accepted_case(cast, version)
    supplement = submitted_case(cast, other_version)
    first = supplement.item_version.materials.order_by("order").first()
    services.case_request_supplement(
        case=supplement,
        actor=cast.clerk,
        items=[{"material": first, "name": first.name, "reason": "复印件不清晰"}],
        due=datetime.date.today() + datetime.timedelta(days=10),
    )
    published = ItemVersionFactory(name="食品经营许可")
    from items import services as item_services

    change = item_services.change_create(
        user=cast.catalogue_admin,
        kind="change",
        cause="law_revised",
        cause_note="条例修订",
        cause_date=datetime.date.today() - datetime.timedelta(days=3),
        item=published.item,
    )
    return {
        "cases": [draft, submitted, accepted, supplement],
        "items": [version.item, other_version.item, published.item],
        "change": change,
    }


def _start_urls(scenario) -> list[str]:
    urls = ["/", "/workbench/", "/login/", "/register/", "/register/enterprise/", "/cases/progress/"]
    for case in scenario["cases"]:
        base = f"/cases/{case.pk}/"
        urls += [base, base + "edit/", base + "review/", base + "decide/", base + "supplement/", base + "handoff/"]
    for item in scenario["items"]:
        urls += [f"/cases/apply/{item.pk}/", f"/cases/counter/{item.pk}/", f"/items/manage/items/{item.pk}/"]
    change = scenario["change"]
    urls += [f"/items/manage/changes/{change.pk}/", f"/items/manage/changes/{change.pk}/edit/"]
    return urls


def _client(cast, role) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    return client


def _url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _all_routes(resolver=None, prefix="", namespace=""):
    """(path with <converters> filled, view name) for every route of the URLconf."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _all_routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), namespace + entry.name


def _fill(pattern: str, ids: list[int]) -> str | None:
    """A concrete path for a route pattern: every <int:…> gets the first scenario id, <str:…> a word."""
    import re

    if pattern.startswith("^") or "(?P" in pattern:
        return None
    path = re.sub(r"<int:\w+>", str(ids[0]), pattern)
    path = re.sub(r"<(str|slug):\w+>", "x", path)
    path = re.sub(r"<\w+:\w+>|<\w+>", "x", path)
    return "/" + path.lstrip("/")


def _check_stored_data() -> list[str]:
    """Nothing stored breaks the rules the forms enforce."""
    problems = []
    for user in User.objects.exclude(kind="staff"):
        for name in ("id_number", "mobile"):
            value = getattr(user, name) or ""
            if value != normalise_identifier(value) or not value.isascii():
                problems.append(f"user {user.pk} {name} stored un-normalised: {value!r}")
    for case in Case.objects.all():
        for name in ("intake_due", "decision_due", "supplement_due", "next_due"):
            value = getattr(case, name, None)
            if value and not (1949 <= value.year <= datetime.date.today().year + 5):
                problems.append(f"case {case.pk} {name} = {value}")
        if "\x00" in str(case.form_data):
            problems.append(f"case {case.pk} form data holds NUL")
    for submitted in SubmittedMaterial.objects.all():
        try:
            with submitted.file.open("rb") as handle:
                content = handle.read()
            upload_check(SimpleUploadedFile(submitted.original_name, content))
        except Exception as error:  # noqa: BLE001 - any refusal is a problem here
            problems.append(f"stored material {submitted.pk} fails the upload check: {error}")
    return problems


def test_every_form_survives_hostile_input(cast, scenario):
    failures: list[str] = []
    timings: list[str] = []
    covered: set[str] = set()
    seen_fields: dict[str, str] = {}
    starts = _start_urls(scenario)
    for role in ROLES:
        client = _client(cast, role)
        started = time.monotonic()
        forms = crawl(client, starts)
        crawled = time.monotonic()
        known = None  # the fingerprint after the last refused POST: the next POST's "before"
        for action, form in sorted(forms.items()):
            name = _url_name(action)
            if name is None or name.split(":")[-1] in SESSION_ENDING:
                continue
            covered.add(name)
            for field_name, kind, _value in form.fields:
                seen_fields.setdefault(field_name, kind)
            for label, value in HOSTILE_VALUES.items():
                before = known or _fingerprint()
                response = client.post(action, payload(form, value))
                known = None  # a 302 (or a 500) may have changed anything
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {role} {name} {action} [{label}]")
                elif response.status_code != 302:
                    known = _fingerprint()  # what the next POST starts from, unless this one changed it
                    if known != before:
                        failures.append(f"refused but changed data: {role} {name} {action} [{label}]")
        timings.append(
            f"{role}: crawl {crawled - started:.0f}s, {len(forms)} forms posted in {time.monotonic() - crawled:.0f}s"
        )

    # Routes no crawled page offered a form for: a page (GET answers 200 and shows no POST form) is left
    # alone; anything else is posted with every field name seen, by each kind of role.
    ids = [case.pk for case in scenario["cases"]]
    generic = FoundForm(action="", fields=[(n, k, "") for n, k in seen_fields.items()])
    uncovered = []
    for pattern, name in _all_routes():
        path = _fill(pattern, ids)
        if path is None or path.startswith(SKIP_PREFIXES) or name in covered or name.split(":")[-1] == "logout":
            continue
        for role in ("citizen", "clerk", "admin"):
            client = _client(cast, role)
            page = client.get(path)
            if page.status_code == 200 and "text/html" in page.get("Content-Type", ""):
                forms_here, _links = parse_page(page.content.decode(errors="replace"))
                if not any(urlsplit(urljoin(path, f.action or path)).path == path for f in forms_here):
                    continue  # a page; its forms post elsewhere (those routes are posted in their turn)
            for label in ("nul", "ten_thousand_chars", "far_future_date"):
                response = client.post(path, payload(generic, HOSTILE_VALUES[label]))
                if response.status_code == 405:
                    break
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {role} {name} {path} [{label}] (no crawled form)")
            else:
                uncovered.append(name)
    print("\n".join(timings))
    print("Routes posted without a crawled form (by some role):", sorted(set(uncovered)))
    failures += _check_stored_data()
    assert not failures, "\n".join(failures)
    # The crawl found the forms that matter (a broken crawler must not pass silently).
    for name in ("login", "register", "cases:apply", "cases:edit", "cases:accept", "cases:grant", "items:change_edit"):
        assert name in covered, (name, sorted(covered))
    assert connection.vendor in ("postgresql", "sqlite")
