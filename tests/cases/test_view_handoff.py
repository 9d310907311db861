"""The hand-off pages: forwarding with bad input, the desk's lists (constant queries), the figures."""

import pytest
from django.urls import reverse

from cases import services
from cases.constants import HandoffState
from cases.handoff_selectors import handoff_figures
from cases.models import Handoff

from .handoff_cast import forwarded, make_cast, receive_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def hc(cast):
    return make_cast(cast)


def test_forward_page_and_bad_input(client, hc):
    case = receive_at(hc)
    client.force_login(hc.yx_clerk)
    page = client.get(reverse("cases:handoff", args=[case.pk]))
    assert page.status_code == 200 and 'data-form="forward"' in page.content.decode()
    url = reverse("cases:handoff_forward", args=[case.pk])
    response = client.post(
        url, {"forward-to_hall": hc.yc.pk, "forward-paper_carrier": "ems", "forward-paper_tracking": ""}
    )
    assert response.status_code == 400 and "寄递单号" in response.content.decode()
    response = client.post(url, {"forward-to_hall": hc.jc.pk})
    assert response.status_code == 400
    assert Handoff.objects.get(case=case).state == HandoffState.AWAITING_FORWARD
    response = client.post(
        url, {"forward-to_hall": hc.yc.pk, "forward-paper_carrier": "ems", "forward-paper_tracking": "EM1CN"}
    )
    assert response.status_code == 302
    assert Handoff.objects.get(case=case).state == HandoffState.FORWARDED


def test_desk_lists_in_constant_queries(client, hc, django_assert_max_num_queries):
    for _ in range(3):
        forwarded(hc)
    client.force_login(hc.yc_clerk)
    with django_assert_max_num_queries(20):
        body = client.get(reverse("cases:handoff_desk")).content.decode()
    assert body.count("data-handoff-row") == 3
    for _ in range(3):
        forwarded(hc)
    with django_assert_max_num_queries(20):
        body = client.get(reverse("cases:handoff_desk")).content.decode()
    assert body.count("data-handoff-row") == 6
    client.force_login(hc.yx_clerk)
    assert client.get(reverse("cases:handoff_desk")).content.decode().count("data-handoff-row") == 6
    client.force_login(hc.jc_clerk)
    assert client.get(reverse("cases:handoff_desk")).content.decode().count("data-handoff-row") == 0


def test_figures_per_pair_own_county_and_city(client, hc, django_assert_max_num_queries):
    case = forwarded(hc)
    services.handoff_receive(case=case, actor=hc.yc_clerk)
    services.handoff_receive(case=case, actor=hc.yc_clerk, leg_kind="paper", tracking_number="EM123456789CN")
    receive_at(hc, hall=hc.jc, clerk=hc.jc_clerk)  # 江城区 → 阳春市
    with django_assert_max_num_queries(4):
        city = handoff_figures(hc.city_supervisor)
    pairs = {(f.receiving, f.owning): f for f in city}
    assert set(pairs) == {("阳西县", "阳春市"), ("江城区", "阳春市")}
    yx = pairs[("阳西县", "阳春市")]
    assert yx.handoffs == 1 and yx.transit_count == 1 and yx.p90_hours == 4 and yx.average_hours is not None
    own = {(f.receiving, f.owning) for f in handoff_figures(hc.yx_supervisor)}
    assert own == {("阳西县", "阳春市")}
    assert handoff_figures(hc.cast.supervisor) == [] or all(
        "江城区" in (f.receiving, f.owning) for f in handoff_figures(hc.cast.supervisor)
    )
    client.force_login(hc.city_supervisor)
    body = client.get(reverse("cases:supervision")).content.decode()
    assert "data-handoff-figures" in body
    assert client.get(reverse("cases:handoff_figures")).status_code == 200
    client.force_login(hc.yc_approver)
    assert client.get(reverse("cases:handoff_figures")).status_code == 404


def test_overdue_handoffs_are_counted_and_warned(hc):
    import datetime as dt

    from cases.models import Case
    from cases.sla import sla_scan
    from hall.models import ClockWarning

    case = receive_at(hc)
    past = dt.date.today() - dt.timedelta(days=7)
    Handoff.objects.filter(case=case).update(forward_due=past, next_due=past)
    Case.objects.filter(pk=case.pk).update(handoff_due=past, next_due=past)
    figures = {(f.receiving, f.owning): f for f in handoff_figures(hc.city_supervisor)}
    assert figures[("阳西县", "阳春市")].overdue == 1
    result = sla_scan()
    assert ClockWarning.objects.filter(case_id=case.pk, clock="handoff", level="overdue").exists()
    assert result.recorded >= 1
    from hall.models import Notice

    assert Notice.objects.filter(recipient=hc.yx_clerk, kind="clock_warning").exists()
