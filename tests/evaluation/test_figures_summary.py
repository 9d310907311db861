"""The supervisor's figures read from the summary the services keep (FigureRow's clerk, window and
ticket counters) equal the same figures aggregated straight from the tickets and services, for a mix
of ratings, follow-ups, fixes, appeals upheld and rejected, overdue tickets and a ticket opened in
the month before; and `figures_rebuild` (the data migration, the generator) sums the same rows."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from cases.constants import CaseState, Channel, EventKind
from cases.services._common import event_record
from evaluation.assessment import staff_assessment
from evaluation.constants import BAD_LEVELS, OPEN_TICKET_STATES, RatingKind, TicketState
from evaluation.models import FigureRow, RectificationTicket, Service
from evaluation.selectors import UNITS, double_zero, supervised_hall_ids, tickets_for_user
from evaluation.services import appeal_decide, services_collect, ticket_appeal, ticket_call_back, ticket_rectify
from evaluation.services.figures import figures_rebuild
from evaluation.services.scan import tickets_scan, unrated_sweep
from tests.cases.factories import CaseFactory

from .helpers import counter_service, delivered_case, rate

pytestmark = pytest.mark.django_db


def _last_month_start() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _opened_last_month():
    """ticket_open's today falls in the month before (the service and its rating stay in this one)."""
    real = timezone.localdate
    day = _last_month_start() + dt.timedelta(days=9)
    return mock.patch.object(
        timezone, "localdate", lambda value=None, timezone=None: real(value, timezone) if value else day
    )


def _fix(cast, ticket, *, follow_up=None):
    ticket_call_back(ticket=ticket, actor=cast.approver, note="已回访")
    ticket_rectify(ticket=ticket, actor=cast.approver, outcome="fixed", note="已整改")
    if follow_up is not None:
        rate(ticket.service, follow_up, kind="follow_up")


def _other_clerk_service(cast) -> None:
    """A counter intake at 阳东 by its own clerk (another hall, window and clerk)."""
    case = CaseFactory(submitted=True, channel=Channel.COUNTER, applicant=cast.citizen, receiving_hall=cast.halls["YD"])
    event_record(case=case, kind=EventKind.COUNTER_RECEIVED, actor=cast.other_clerk, from_state=CaseState.DRAFT,
                 to_state=CaseState.SUBMITTED)  # fmt: skip
    services_collect()


def _build(cast):
    """Services of two clerks at the counter and of the result window, rated every way."""
    services = [counter_service(cast) for _ in range(10)]
    _other_clerk_service(cast)
    delivered_case(cast)
    services += list(Service.objects.exclude(pk__in=[s.pk for s in services]))
    levels = [1, 2, 4, 5, 4, 5, 4, 3, None, 4] + [5] * (len(services) - 10)
    tickets = {}
    for service, level in zip(services, levels, strict=True):
        if level is None:
            continue
        if service is services[6]:
            with _opened_last_month():
                rate(service, level)
        else:
            rate(service, level)
        if level in BAD_LEVELS:
            tickets[service.pk] = RectificationTicket.objects.get(rating__service=service, rating__kind="first")
    # 4 → fixed and confirmed; 5 → fixed, a bad follow-up opens a second ticket; 4 → appeal upheld;
    # 5 → appeal rejected and fixed, no follow-up yet; the last-month 4 → fixed late; the rest stay open.
    _fix(cast, tickets[services[2].pk], follow_up=2)
    _fix(cast, tickets[services[3].pk], follow_up=4)
    appeal = ticket_appeal(ticket=tickets[services[4].pk], actor=cast.approver, reason="恶意差评")
    appeal_decide(appeal=appeal, actor=cast.supervisor, upheld=True, reasons="查实")
    appeal = ticket_appeal(ticket=tickets[services[5].pk], actor=cast.approver, reason="与事实不符")
    appeal_decide(appeal=appeal, actor=cast.supervisor, upheld=False, reasons="不成立")
    _fix(cast, RectificationTicket.objects.get(pk=tickets[services[5].pk].pk))
    _fix(cast, tickets[services[6].pk])
    # A week on, the open tickets run overdue; one is under appeal when the scan finds it.
    ticket_appeal(ticket=tickets[services[9].pk], actor=cast.approver, reason="申请核实")
    tickets_scan(mock.Mock(tickets_scanned=0, levels_changed=0), today=timezone.localdate() + dt.timedelta(days=14))
    unrated_sweep(now=timezone.now() + dt.timedelta(days=60))
    assert RectificationTicket.objects.filter(state=TicketState.VOIDED).exists()
    assert RectificationTicket.objects.filter(ever_overdue=True, state__in=OPEN_TICKET_STATES).exists()
    assert RectificationTicket.objects.filter(opened_on__lt=timezone.localdate().replace(day=1)).exists()


def double_zero_from_tickets(user, unit, *, since=None) -> list[dict]:
    """双归零 aggregated over every ticket row, as the page did before the summary."""
    key, label = UNITS[unit]
    qs = tickets_for_user(user).exclude(state=TicketState.VOIDED)
    if since is not None:
        qs = qs.filter(opened_on__gte=since)
    rows = qs.values(key, label).annotate(
        total=Count("pk"),
        causes_open=Count("pk", filter=Q(state__in=OPEN_TICKET_STATES)),
        ratings_open=Count("pk", filter=Q(state__in=[*OPEN_TICKET_STATES, TicketState.RECTIFIED])),
        overdue=Count("pk", filter=Q(ever_overdue=True)),
    )
    return sorted((row["total"], row["causes_open"], row["ratings_open"], row["overdue"]) for row in rows)


def assessment_from_rows(clerk_ids, month) -> dict:
    """Per clerk: (services, rated, bad, rectified, in time, overdue tickets) over the month's rows."""
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    lines = {clerk: [0] * 6 for clerk in clerk_ids}
    services = (
        Service.objects.filter(clerk_id__in=clerk_ids, month=start)
        .values("clerk_id")
        .annotate(
            total=Count("pk", distinct=True),
            rated=Count("pk", filter=Q(ratings__kind=RatingKind.FIRST), distinct=True),
            bad=Count("pk", filter=Q(ratings__kind=RatingKind.FIRST, ratings__level__in=BAD_LEVELS), distinct=True),
        )
    )
    for row in services:
        lines[row["clerk_id"]][:3] = [row["total"], row["rated"], row["bad"]]
    tickets = (
        RectificationTicket.objects.filter(clerk_id__in=clerk_ids, opened_on__gte=start, opened_on__lt=end)
        .exclude(state=TicketState.VOIDED)
        .values("clerk_id")
        .annotate(
            rectified=Count("pk", filter=Q(rectified_at__isnull=False)),
            in_time=Count("pk", filter=Q(rectified_at__isnull=False, rectify_days__isnull=False, ever_overdue=False)),
            overdue=Count("pk", filter=Q(ever_overdue=True)),
        )
    )
    for row in tickets:
        lines[row["clerk_id"]][3:] = [row["rectified"], row["in_time"], row["overdue"]]
    return lines


def test_double_zero_from_the_summary_equals_the_tickets(cast):
    _build(cast)
    this_month = timezone.localdate().replace(day=1)
    for user in (cast.supervisor, cast.approver, cast.clerk):
        for unit in UNITS:
            for since in (None, this_month.replace(month=1), _last_month_start(), this_month):
                summary = sorted(
                    (r["total"], r["causes_open"], r["ratings_open"], r["overdue"])
                    for r in double_zero(user, unit, since=since)
                )
                assert summary == double_zero_from_tickets(user, unit, since=since), (user, unit, since)
    # Cleared only where nothing waits: the page's own flag follows the counts.
    for row in double_zero(cast.supervisor, "clerk"):
        assert row["cleared"] == (row["causes_open"] == 0 and row["ratings_open"] == 0)


def test_assessment_from_the_summary_equals_the_rows(cast):
    _build(cast)
    halls = supervised_hall_ids(cast.supervisor)
    for month in (timezone.localdate(), _last_month_start()):
        lines = staff_assessment(hall_ids=halls, month=month)
        expected = assessment_from_rows([line.clerk_id for line in lines], month)
        for line in lines:
            got = [line.services, line.rated, line.bad, line.rectified, line.rectified_in_time, line.overdue_tickets]
            assert got == expected[line.clerk_id], (line.name, month)
            assert line.good == line.rated - line.bad
    this_month = {line.clerk_id: line for line in staff_assessment(hall_ids=halls, month=timezone.localdate())}
    assert this_month[cast.clerk.pk].services == 10 and this_month[cast.clerk.pk].bad == 6


def test_rebuild_sums_the_rows_the_services_keep(cast):
    _build(cast)
    names = [f.name for f in FigureRow._meta.concrete_fields if f.name not in ("id",)]

    def rows():
        return {row["key"]: row for row in FigureRow.objects.values(*names) if any(
            row[name] for name in names if name not in ("key", "month", "hall", "department", "item", "clerk", "window")
        )}  # fmt: skip

    kept = rows()
    assert kept and any(row["tickets"] and not row["services"] for row in kept.values())
    with connection.cursor() as cursor:
        written = figures_rebuild(cursor)
    assert written == len(kept)
    assert rows() == kept


def test_assessment_reads_a_few_summary_rows(cast, django_assert_max_num_queries):
    _build(cast)
    halls = supervised_hall_ids(cast.supervisor)
    with django_assert_max_num_queries(3) as reads:
        staff_assessment(hall_ids=halls, month=timezone.localdate())
    assert not any("evaluation_service" in q["sql"] or "evaluation_rectificationticket" in q["sql"]
                   for q in reads.captured_queries)  # fmt: skip
    with django_assert_max_num_queries(1) as reads:
        double_zero(cast.supervisor, "window", since=timezone.localdate().replace(month=1, day=1))
    assert "evaluation_rectificationticket" not in reads.captured_queries[0]["sql"]
