"""Rectification of bad ratings: the ticket for the responsible department and clerk, the call-back
within 1 working day for named ratings, the fix (or the explanation) within the configured working
days, the outcome reported to the rater, the appeal decided by a supervisor, the clocks and the scan."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from cases.constants import WarningLevel
from evaluation.constants import RectificationOutcome, TicketState, TicketStepKind, TokenPurpose
from evaluation.models import Appeal, FigureRow, Rating, RatingToken, RectificationTicket, Service
from evaluation.services import (
    appeal_decide,
    ratings_scan,
    ticket_appeal,
    ticket_call_back,
    ticket_clock_recompute,
    ticket_rectify,
)
from evaluation.services.scan import unrated_sweep
from hall.models import Notice
from hall.workdays import add_working_days

from .helpers import counter_service, rate

pytestmark = pytest.mark.django_db


def bad_ticket(cast, *, anonymous=False, level=4) -> RectificationTicket:
    rate(counter_service(cast), level, tags=[f"{level}-01", f"{level}-02"], anonymous=anonymous)
    return RectificationTicket.objects.get()


def test_bad_rating_opens_a_ticket_for_the_department_and_clerk(cast):
    ticket = bad_ticket(cast)
    today = timezone.localdate()
    assert ticket.department == cast.market_jc and ticket.clerk == cast.clerk and ticket.hall == cast.halls["JC"]
    assert ticket.named and ticket.state == TicketState.OPEN
    assert ticket.callback_due == add_working_days(today, 1)
    assert ticket.fix_due == add_working_days(today, 5)
    assert ticket.next_due == ticket.callback_due and ticket.warning_level in (WarningLevel.YELLOW, WarningLevel.GREEN)
    assert list(ticket.steps.values_list("kind", flat=True)) == [TicketStepKind.OPENED]
    told = set(Notice.objects.filter(kind="rating_ticket").values_list("recipient__username", flat=True))
    assert {cast.approver.username, cast.clerk.username, cast.supervisor.username} <= told
    assert FigureRow.objects.get().bad_tickets == 1


def test_fix_days_are_configurable(cast, settings):
    settings.TONGBAN_RECTIFICATION_DAYS = 10
    ticket = bad_ticket(cast)
    assert ticket.fix_due == add_working_days(timezone.localdate(), 10)


def test_good_ratings_open_no_ticket(cast):
    for level in (1, 2, 3):
        rate(counter_service(cast), level)
    assert not RectificationTicket.objects.exists()


def test_anonymous_bad_rating_has_no_call_back(cast):
    ticket = bad_ticket(cast, anonymous=True)
    assert not ticket.named and ticket.callback_due is None and ticket.next_due == ticket.fix_due
    with pytest.raises(ValidationError, match="匿名评价无法回访"):
        ticket_call_back(ticket=ticket, actor=cast.approver, note="…")
    ticket_rectify(ticket=ticket, actor=cast.approver, outcome="fixed", note="已整改")


def test_call_back_then_fix_reports_the_outcome_to_the_rater(cast):
    ticket = bad_ticket(cast)
    with pytest.raises(ValidationError, match="须先回访评价人"):
        ticket_rectify(ticket=ticket, actor=cast.approver, outcome="fixed", note="已整改")
    ticket_call_back(ticket=ticket, actor=cast.approver, note="已电话回访，了解诉求")
    ticket.refresh_from_db()
    assert ticket.called_back_at and ticket.next_due == ticket.fix_due
    ticket_rectify(ticket=ticket, actor=cast.approver, outcome="fixed", note="已在窗口摆放材料样本")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RECTIFIED and ticket.rectify_days == 0
    assert ticket.next_due is None and ticket.warning_level == WarningLevel.NONE
    notice = Notice.objects.get(recipient=cast.citizen, kind="rating_outcome")
    follow_token = RatingToken.objects.get(purpose=TokenPurpose.FOLLOW_UP)
    assert notice.link == f"/ratings/t/{follow_token.token}/" and "已在窗口摆放材料样本" in notice.body
    kinds = list(ticket.steps.values_list("kind", flat=True))
    assert kinds == ["opened", "called_back", "rectified", "reported"]
    row = FigureRow.objects.get()
    assert (row.rectified, row.rectified_in_time, row.rectify_days) == (1, 1, 0)


def test_explanation_where_there_is_no_legal_basis(cast):
    ticket = bad_ticket(cast, level=5)
    ticket_call_back(ticket=ticket, actor=cast.approver, note="已回访")
    ticket_rectify(ticket=ticket, actor=cast.approver, outcome=RectificationOutcome.EXPLAINED,
                   note="该材料为《公司法》第二十九条规定必须提交，已向申请人解释")  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.outcome == "explained" and ticket.steps.filter(kind="explained").exists()


def test_follow_up_closes_the_ticket_and_a_bad_one_opens_another(cast):
    ticket = bad_ticket(cast)
    ticket_call_back(ticket=ticket, actor=cast.approver, note="已回访")
    ticket_rectify(ticket=ticket, actor=cast.approver, outcome="fixed", note="已整改")
    service = ticket.service
    token = RatingToken.objects.get(purpose=TokenPurpose.FOLLOW_UP)
    rate(service, 5, tags=["5-04"], kind="follow_up", token=token)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED and ticket.steps.filter(kind="followed_up").exists()
    assert RectificationTicket.objects.filter(state=TicketState.OPEN).count() == 1
    row = FigureRow.objects.get()
    assert (row.level_4, row.level_5, row.bad_tickets) == (0, 1, 2)


def test_outsiders_cannot_act_on_a_ticket(cast):
    ticket = bad_ticket(cast)
    for outsider in (cast.other_approver, cast.other_clerk, cast.citizen, cast.result_clerk):
        with pytest.raises(PermissionDenied):
            ticket_call_back(ticket=ticket, actor=outsider, note="x")
        with pytest.raises(PermissionDenied):
            ticket_appeal(ticket=ticket, actor=outsider, reason="x")
    ticket_call_back(ticket=ticket, actor=cast.clerk, note="本人回访")  # the clerk rated answers too


def test_steps_need_their_words(cast):
    ticket = bad_ticket(cast)
    with pytest.raises(ValidationError, match="请填写回访情况"):
        ticket_call_back(ticket=ticket, actor=cast.approver, note=" ")
    ticket_call_back(ticket=ticket, actor=cast.approver, note="已回访")
    with pytest.raises(ValidationError, match="已记录过回访"):
        ticket_call_back(ticket=ticket, actor=cast.approver, note="再次")
    with pytest.raises(ValidationError, match="请写明整改情况"):
        ticket_rectify(ticket=ticket, actor=cast.approver, outcome="fixed", note="")
    with pytest.raises(ValidationError, match="请选择整改结果"):
        ticket_rectify(ticket=ticket, actor=cast.approver, outcome="ignored", note="x")


def test_upheld_appeal_excludes_the_rating_but_keeps_it(cast):
    ticket = bad_ticket(cast)
    appeal = ticket_appeal(ticket=ticket, actor=cast.approver, reason="申请人事后承认误点差评，有录音")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.APPEALING
    with pytest.raises(PermissionDenied, match="督查人员"):
        appeal_decide(appeal=appeal, actor=cast.approver, upheld=True, reasons="自己批准")
    with pytest.raises(ValidationError, match="请写明审核理由"):
        appeal_decide(appeal=appeal, actor=cast.supervisor, upheld=True, reasons="")
    appeal_decide(appeal=appeal, actor=cast.supervisor, upheld=True, reasons="录音证实为误评")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.VOIDED and ticket.next_due is None
    assert Rating.objects.filter(pk=ticket.rating_id).exists()  # never deleted
    row = FigureRow.objects.get()
    assert (row.rated, row.level_4, row.excluded, row.bad_tickets) == (0, 0, 1, 0)
    with pytest.raises(ValidationError, match="已审核"):
        appeal_decide(appeal=Appeal.objects.get(), actor=cast.supervisor, upheld=False, reasons="改判")


def test_rejected_appeal_keeps_the_ticket_running(cast):
    ticket = bad_ticket(cast)
    appeal = ticket_appeal(ticket=ticket, actor=cast.clerk, reason="不是我的问题")
    with pytest.raises(ValidationError, match="已申诉过|不能执行此操作"):
        ticket_appeal(ticket=ticket, actor=cast.clerk, reason="再申诉")
    appeal_decide(appeal=appeal, actor=cast.supervisor, upheld=False, reasons="评价人所述属实")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN and ticket.steps.filter(kind="appeal_rejected").exists()
    assert FigureRow.objects.get().level_4 == 1


@pytest.mark.parametrize(
    ("days_from_today", "level"),
    [(3, WarningLevel.GREEN), (1, WarningLevel.YELLOW), (0, WarningLevel.RED), (-1, WarningLevel.OVERDUE)],
)
def test_ticket_clock_reads_like_a_case_clock(cast, days_from_today, level):
    ticket = bad_ticket(cast, anonymous=True)
    today = timezone.localdate()
    ticket.fix_due = add_working_days(today, days_from_today) if days_from_today >= 0 else today - dt.timedelta(days=1)
    ticket_clock_recompute(ticket, today=today)
    assert ticket.warning_level == level


def test_scan_raises_the_level_once_and_tells_the_responsible(cast):
    ticket = bad_ticket(cast, anonymous=True)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    RectificationTicket.objects.filter(pk=ticket.pk).update(fix_due=yesterday, next_due=yesterday)
    Notice.objects.all().delete()
    result = ratings_scan()
    assert result.levels_changed == 1
    ticket.refresh_from_db()
    assert ticket.warning_level == WarningLevel.OVERDUE and ticket.ever_overdue
    told = set(Notice.objects.filter(kind="rating_ticket").values_list("recipient__username", flat=True))
    assert {cast.approver.username, cast.clerk.username, cast.supervisor.username} <= told
    assert ratings_scan().levels_changed == 0  # once per level
    assert ticket.steps.filter(kind="warned").count() == 1


def test_unrated_services_are_counted_apart_once(cast):
    rated = counter_service(cast)
    rate(rated, 1)
    silent = counter_service(cast)
    past = timezone.now() + dt.timedelta(days=30)
    assert unrated_sweep(now=past) == 1
    assert unrated_sweep(now=past) == 0
    silent.refresh_from_db()
    assert silent.unrated_at is not None
    row = FigureRow.objects.aggregate(s=Sum("services"), r=Sum("rated"), u=Sum("unrated"), l1=Sum("level_1"))
    assert (row["s"], row["r"], row["u"], row["l1"]) == (2, 1, 1, 1)
    assert not Rating.objects.filter(service=silent).exists()  # never counted as a level
    Service.objects.filter(pk=silent.pk).update(rating_due=timezone.now() + dt.timedelta(days=1))
    silent.refresh_from_db()
    with pytest.raises(ValidationError, match="计为“未评价”"):
        rate(silent, 1)
