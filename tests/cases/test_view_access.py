"""Access matrix of the case pages: role × page × case. Outsiders get 404 (a guessed number looks like a
missing one), anonymous visitors are sent to the login page, and no outsider's POST changes anything."""

import importlib
import pkgutil

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases import views as case_views
from cases.constants import CaseState

from .helpers import accepted_case, draft_case

pytestmark = pytest.mark.django_db

WHO = [
    "citizen",
    "other_citizen",
    "clerk",
    "other_clerk",
    "approver",
    "other_approver",
    "agency_head",
    "other_agency_head",
    "anonymous",
]

# page → who may open it (everyone else: 404; anonymous: login)
READ_PAGES = {
    "detail": {"citizen", "clerk", "approver", "agency_head"},
    "document": {"citizen", "clerk", "approver", "agency_head"},
    "material_file": {"citizen", "clerk", "approver", "agency_head"},
    "review": {"clerk"},
    "decide": {"approver"},
}
# POSTs that would change the accepted case: nobody but its own people may even reach them.
WRITE_PAGES = {
    "withdraw": {"citizen"},
    "grant": {"approver"},
    "deny": {"approver"},
    "suspend": {"approver"},
    "request_extension": {"approver"},
    "accept": {"clerk"},
    "refuse": {"clerk"},
    "request_supplement": {"clerk"},
    "accept_with_deferral": {"clerk"},
    "supplement": {"citizen", "clerk"},
}


@pytest.fixture
def case(cast):
    return accepted_case(cast)


def _user(cast, who):
    return None if who == "anonymous" else getattr(cast, who)


def _url(name, case):
    if name == "document":
        return reverse("cases:document", args=[case.pk, case.documents.first().pk])
    if name == "material_file":
        return reverse("cases:material_file", args=[case.pk, case.materials.first().pk])
    return reverse(f"cases:{name}", args=[case.pk])


def _login(client, cast, who):
    user = _user(cast, who)
    if user is not None:
        client.force_login(user)


def _expected(who, allowed) -> set[int]:
    if who == "anonymous":
        return {302}
    return {200} if who in allowed else {404}


@pytest.mark.parametrize("who", WHO)
def test_read_matrix(client, cast, case, who):
    """Every page for one role (one case per role keeps the PDF rendering down)."""
    _login(client, cast, who)
    for page, allowed in READ_PAGES.items():
        response = client.get(_url(page, case))
        assert response.status_code in _expected(who, allowed), (page, who, response.status_code)
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def services_reached(monkeypatch):
    """Replace every service a case view calls with a recorder that refuses like the service would: an
    outsider's POST must be stopped by the view's own access helper (404) before any service runs."""
    reached = []
    for module_info in pkgutil.iter_modules(case_views.__path__):
        module = importlib.import_module(f"{case_views.__name__}.{module_info.name}")
        for name, value in list(vars(module).items()):
            if callable(value) and getattr(value, "__module__", "").startswith("cases.services"):

                def refuse(*args, _name=f"{module_info.name}.{name}", **kwargs):
                    reached.append(_name)
                    raise PermissionDenied

                monkeypatch.setattr(module, name, refuse)
    return reached


@pytest.mark.parametrize("who", WHO)
def test_outsiders_cannot_post(client, cast, case, who, services_reached):
    events = case.events.count()
    documents = case.documents.count()
    _login(client, cast, who)
    for page, allowed in WRITE_PAGES.items():
        if who in allowed:
            continue  # an insider: covered by the page's own tests
        response = client.post(_url(page, case), {"confirm": "on"})
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), page
        else:
            assert response.status_code == 404, (page, who, response.status_code)
    assert services_reached == []
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.events.count() == events and case.documents.count() == documents


@pytest.mark.parametrize("who", ["citizen", "clerk", "approver"])
def test_url_guessing(client, cast, case, who):
    """Numbers next to a real one, another case's document under this case, a document of a case one
    cannot see: all 404."""
    _login(client, cast, who)
    for name in ("detail", "review", "decide", "supplement"):
        assert client.get(reverse(f"cases:{name}", args=[case.pk + 1000])).status_code == 404
    other = accepted_case(cast.__class__(**{**vars(cast), "citizen": cast.other_citizen}))
    foreign_document = other.documents.first()
    assert client.get(reverse("cases:document", args=[case.pk, foreign_document.pk])).status_code == 404
    foreign_file = other.materials.first()
    assert client.get(reverse("cases:material_file", args=[case.pk, foreign_file.pk])).status_code == 404


def test_a_draft_is_the_applicants_own(client, cast):
    draft = draft_case(cast)
    for who in ("clerk", "approver", "other_citizen"):
        _login(client, cast, who)
        assert client.get(reverse("cases:detail", args=[draft.pk])).status_code == 404
        assert client.get(reverse("cases:review", args=[draft.pk])).status_code == 404
    client.force_login(cast.citizen)
    assert client.get(reverse("cases:edit", args=[draft.pk])).status_code == 200
    client.force_login(cast.other_citizen)
    assert client.get(reverse("cases:edit", args=[draft.pk])).status_code == 404


def test_another_citizens_draft_cannot_be_submitted_or_emptied(client, cast):
    draft = draft_case(cast)
    client.force_login(cast.other_citizen)
    assert client.post(reverse("cases:submit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("cases:withdraw", args=[draft.pk]), {"confirm": "on"}).status_code == 404
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT


def test_counter_pages_are_for_window_clerks(client, cast):
    for who in ("citizen", "approver", "other_approver"):
        _login(client, cast, who)
        assert client.get(reverse("cases:counter")).status_code == 404
    client.get(reverse("logout"))


def test_the_agency_head_reads_the_cases_of_their_department(client, cast, case):
    """The 机关负责人 who decides an extension (行政许可法 Art. 42) opens the case page from the 延期审批
    list, read-only; another county's head, and any head before submission, get 404."""
    from cases import services

    services.case_request_extension(case=case, actor=cast.approver, days=10, reason="需征求有关部门意见")
    client.force_login(cast.agency_head)
    page = client.get(reverse("cases:extensions")).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in page
    for name in ("detail", "document", "material_file"):
        assert client.get(_url(name, case)).status_code == 200, name
    for name in ("review", "decide"):  # read-only: no intake or decision page
        assert client.get(_url(name, case)).status_code == 404, name
    draft = draft_case(cast)
    assert client.get(reverse("cases:detail", args=[draft.pk])).status_code == 404
    client.force_login(cast.other_agency_head)
    for name in ("detail", "document", "material_file"):
        assert client.get(_url(name, case)).status_code == 404, name
