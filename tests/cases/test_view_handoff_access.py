"""Access matrix of a cross-county case (全市通办): received at 阳西县 (YX) for an item of 阳春市 (YC),
forwarded. The receiving side sees what it received, the owning side what was handed to it, a third
county (江城区, JC) neither; nobody's POST outside their own stage changes anything."""

import pytest
from django.urls import reverse

from cases.constants import CaseState, HandoffState
from cases.models import Handoff
from cases.selectors import cases_for_user

from .handoff_cast import forwarded, make_cast

pytestmark = pytest.mark.django_db

RECEIVING = {"yx_clerk", "yx_result", "yx_supervisor"}
OWNING = {"yc_clerk", "yc_result", "yc_approver", "yc_supervisor"}
THIRD = {"jc_clerk", "jc_result", "jc_approver", "jc_supervisor"}
WHO = sorted(RECEIVING | OWNING | THIRD | {"city_supervisor", "applicant", "other_citizen", "anonymous"})

# page → who may open it (everyone else 404; anonymous: login)
READ_PAGES = {
    "detail": RECEIVING | OWNING | {"city_supervisor", "applicant"},
    "handoff": RECEIVING | OWNING | {"city_supervisor"},
}
# POSTs: who may take the step in the case's current state (forwarded, not yet received).
WRITE_PAGES = {
    "handoff_receive": {"yc_clerk"},
    "handoff_forward": set(),
    "handoff_result_send": set(),
    "handoff_result_arrive": set(),
    "handoff_supplement": set(),
    "accept": set(),
    "refuse": set(),
}


# Complete forms for every step, so that only the right to take it stops the step.
POSTED = {
    "leg_kind": "electronic",
    "accept-note": "",
    "refuse-reasons": "不符合法定条件",
    "refuse-appeal_rights": "可申请行政复议",
    "forward-to_hall": "",
    "result-carrier": "ems",
    "result-tracking_number": "EM1CN",
    "supplement-carrier": "network",
}


@pytest.fixture
def hc(cast):
    return make_cast(cast)


@pytest.fixture
def case(hc):
    return forwarded(hc)


def _user(hc, who):
    if who == "anonymous":
        return None
    if who == "applicant":
        return None  # set by the test from the case
    if who == "other_citizen":
        return hc.cast.other_citizen
    return getattr(hc, who)


def _login(client, hc, case, who):
    user = case.applicant if who == "applicant" else _user(hc, who)
    if user is not None:
        client.force_login(user)
    return user


def test_scope_of_each_side(hc, case):
    for who in RECEIVING | OWNING | {"city_supervisor"}:
        assert cases_for_user(getattr(hc, who)).filter(pk=case.pk).exists(), who
    for who in THIRD:
        assert not cases_for_user(getattr(hc, who)).filter(pk=case.pk).exists(), who


@pytest.mark.parametrize("who", WHO)
def test_read_matrix(client, hc, case, who):
    _login(client, hc, case, who)
    for page, allowed in READ_PAGES.items():
        response = client.get(reverse(f"cases:{page}", args=[case.pk]))
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), page
        else:
            assert response.status_code == (200 if who in allowed else 404), (page, who, response.status_code)


@pytest.mark.parametrize("who", WHO)
def test_nobody_acts_outside_their_stage(client, hc, case, who):
    before = (case.state, case.custodian_hall_id, Handoff.objects.get(case=case).state, case.events.count())
    _login(client, hc, case, who)
    for page, allowed in WRITE_PAGES.items():
        if who in allowed:
            continue
        response = client.post(reverse(f"cases:{page}", args=[case.pk]), POSTED)
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), page
        else:
            # refused: 404 for outsiders, a message (302) or the form again (200/400) for insiders
            assert response.status_code in (200, 302, 400, 403, 404), (page, who, response.status_code)
    case.refresh_from_db()
    after = (case.state, case.custodian_hall_id, Handoff.objects.get(case=case).state, case.events.count())
    assert after == before, who


def test_the_section_shows_the_custody_trail_to_both_sides_only(client, hc, case):
    for who in ("yx_clerk", "yc_clerk", "yc_approver"):
        client.force_login(getattr(hc, who))
        body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "data-custody-trail" in body and hc.yx.name in body and hc.yc.name in body, who
        assert body.count("data-handoff-section") == 1
    client.force_login(case.applicant)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "data-handoff-section" in body and "data-custody-trail" not in body


def test_owner_confirms_receipt_through_the_page_and_a_second_time_is_refused(client, hc, case):
    client.force_login(hc.yc_clerk)
    url = reverse("cases:handoff_receive", args=[case.pk])
    response = client.post(url, {"leg_kind": "electronic"})
    assert response.status_code == 302
    assert Handoff.objects.get(case=case).state == HandoffState.RECEIVED
    response = client.post(url, {"leg_kind": "electronic"})
    assert response.status_code == 400
    assert "不能重复确认" in response.content.decode() or "没有待接收" in response.content.decode()


def test_paper_receipt_without_tracking_number_says_so(client, hc, case):
    client.force_login(hc.yc_clerk)
    url = reverse("cases:handoff_receive", args=[case.pk])
    response = client.post(url, {"leg_kind": "paper", "tracking_number": ""})
    assert response.status_code == 400 and "寄递单号" in response.content.decode()


def test_receiving_clerk_accepting_is_refused_with_a_message(client, hc, case):
    client.force_login(hc.yx_clerk)
    response = client.post(reverse("cases:accept", args=[case.pk]), {"accept-note": ""}, follow=True)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert response.status_code in (200, 404)


def test_the_owning_department_sees_the_case_once_forwarded(hc):
    from cases import services

    from .handoff_cast import receive_at

    case = receive_at(hc)
    assert not cases_for_user(hc.yc_approver).filter(pk=case.pk).exists()
    assert not cases_for_user(hc.yc_clerk).filter(pk=case.pk).exists()
    services.handoff_forward(case=case, actor=hc.yx_clerk)
    assert cases_for_user(hc.yc_approver).filter(pk=case.pk).exists()
    assert cases_for_user(hc.yc_clerk).filter(pk=case.pk).exists()
