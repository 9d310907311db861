"""Rectification of bad ratings (差评整改, 国办发〔2019〕51号, GB/T 39735-2020):

1. a bad rating (不满意, 非常不满意) opens a ticket for the responsible department and clerk, with a
   call-back due within 1 working day for a named rating and the fix due within
   TONGBAN_RECTIFICATION_DAYS working days (default 5, seed 004);
2. the responsible side records the call-back, then the fix or, where the demand has no legal
   basis, the explanation; the outcome is reported to the rater with a link to rate again;
3. the rater's follow-up closes the ticket (a bad follow-up opens a new one);
4. an appeal against a mistaken or malicious rating is decided by a supervisor with reasons: an
   upheld appeal voids the ticket and takes the rating out of the figures, never out of the table.
The clocks read like a case's (cases.clock.level_for); the scan in evaluation.services.scan keeps
the stored warning level current.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.clock import LEVEL_RANK, level_for
from cases.constants import WarningLevel
from hall.notices import notice_queue
from hall.pdf import absolute_url
from hall.workdays import add_working_days, working_days_between

from ..constants import (
    OPEN_TICKET_STATES,
    AppealDecision,
    RatingChannel,
    RectificationOutcome,
    TicketState,
    TicketStepKind,
    TokenPurpose,
)
from ..models import Appeal, Rating, RatingToken, RectificationTicket, TicketStep
from ..permissions import can_decide_appeal, can_handle_ticket
from ._common import callback_days, evaluation_service, rectification_days, staff_for, ticket_link, token_link
from .figures import figure_add, level_field, ticket_figures, ticket_figures_move

FOLLOW_UP_DAYS = 15  # calendar days the rater has to rate again after the outcome is reported


# The clock ---------------------------------------------------------------------------------------


def ticket_open_clocks(ticket: RectificationTicket) -> list[tuple[str, dt.date]]:
    """(clock, due) of the ticket's running clocks: the call-back (named ratings) and the fix."""
    if ticket.state not in OPEN_TICKET_STATES:
        return []
    clocks = []
    if ticket.named and ticket.called_back_at is None and ticket.callback_due:
        clocks.append(("callback", ticket.callback_due))
    clocks.append(("fix", ticket.fix_due))
    return clocks


def ticket_clock_recompute(ticket: RectificationTicket, *, today: dt.date | None = None) -> None:
    """Set `next_due` and `warning_level` from the open clocks (does not save)."""
    today = today or timezone.localdate()
    clocks = ticket_open_clocks(ticket)
    ticket.next_due = min((due for _, due in clocks), default=None)
    levels = [level_for(due, today)[0] for _, due in clocks]
    ticket.warning_level = min(levels, key=LEVEL_RANK.__getitem__, default=WarningLevel.NONE)
    if ticket.warning_level == WarningLevel.OVERDUE:
        ticket.ever_overdue = True


CLOCK_LABELS = {"callback": gettext_lazy("回访"), "fix": gettext_lazy("整改")}


def ticket_clock_readings(ticket: RectificationTicket, *, today: dt.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    readings = []
    for clock, due in ticket_open_clocks(ticket):
        level, left = level_for(due, today)
        readings.append({"clock": clock, "label": CLOCK_LABELS[clock], "due": due, "level": level, "days_left": left})
    return readings


# Steps -------------------------------------------------------------------------------------------


def _step(ticket, kind: str, actor=None, note: str = "") -> TicketStep:
    name = (actor.real_name or actor.username) if actor is not None else _("系统")
    return TicketStep.objects.create(ticket=ticket, kind=kind, actor=actor, actor_name=name, note=note)


def _locked(ticket: RectificationTicket) -> RectificationTicket:
    return RectificationTicket.objects.select_for_update().select_related("rating", "service").get(pk=ticket.pk)


def _save(ticket: RectificationTicket) -> None:
    ticket_clock_recompute(ticket)
    ticket.save()


def _notify_staff(ticket: RectificationTicket, *, subject: str, body: str, supervisors: bool = False) -> None:
    recipients = {u.pk: u for u in staff_for(hall_id=ticket.hall_id, department_id=ticket.department_id,
                                             supervisors=supervisors or not ticket.department_id)}  # fmt: skip
    if ticket.clerk_id and ticket.clerk.is_active:
        recipients.setdefault(ticket.clerk_id, ticket.clerk)
    case_number = (ticket.service.case.number or "") if ticket.service.case_id else ""
    for user in recipients.values():
        notice_queue(recipient=user, kind="rating_ticket", subject=subject, body=body, link=ticket_link(ticket),
                     case_number=case_number)  # fmt: skip


def ticket_open(*, rating: Rating) -> RectificationTicket:
    """Open the ticket of a bad rating (inside rating_submit's transaction)."""
    service = rating.service
    today = timezone.localdate()
    named = not rating.anonymous and rating.rater_id is not None
    ticket = RectificationTicket(
        rating=rating,
        service=service,
        hall_id=service.hall_id,
        department_id=service.department_id,
        clerk_id=service.clerk_id,
        window_id=service.window_id,
        named=named,
        opened_on=today,
        callback_due=add_working_days(today, callback_days()) if named else None,
        fix_due=add_working_days(today, rectification_days()),
    )
    _save(ticket)
    _step(ticket, TicketStepKind.OPENED, note=f"{rating.level_label}：{'、'.join(t['label'] for t in rating.tags)}")
    figure_add(service, bad_tickets=1)
    ticket_figures_move(ticket, {})
    _notify_staff(
        ticket,
        subject=_("差评整改：%(title)s") % {"title": service.title or service.get_kind_display()},
        body=_("收到一条“%(level)s”评价，请于%(due)s前完成整改%(callback)s。")
        % {
            "level": rating.level_label,
            "due": f"{ticket.fix_due:%Y-%m-%d}",
            "callback": _("，并于%(day)s前回访评价人") % {"day": f"{ticket.callback_due:%Y-%m-%d}"} if named else "",
        },
        supervisors=True,
    )
    return ticket


def _require_handler(ticket: RectificationTicket, actor) -> None:
    if not can_handle_ticket(ticket, actor):
        raise PermissionDenied(_("您不是该整改工单的责任部门或督查人员。"))


def _require_open(ticket: RectificationTicket, states=(TicketState.OPEN,)) -> None:
    if ticket.state not in states:
        raise ValidationError(
            _("该整改工单当前状态为“%(state)s”，不能执行此操作。"),
            code="invalid_state",
            params={"state": TicketState(ticket.state).label},
        )


@evaluation_service
def ticket_call_back(*, ticket: RectificationTicket, actor, note: str) -> RectificationTicket:
    """Record the call-back to a named rater (within 1 working day)."""
    ticket = _locked(ticket)
    _require_handler(ticket, actor)
    _require_open(ticket, OPEN_TICKET_STATES)
    if not ticket.named:
        raise ValidationError(_("匿名评价无法回访。"), code="anonymous")
    if ticket.called_back_at is not None:
        raise ValidationError(_("已记录过回访。"), code="already_called_back")
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("请填写回访情况。"), code="note_missing")
    before = ticket_figures(ticket)
    ticket.called_back_at = timezone.now()
    ticket.callback_note = note
    _save(ticket)
    ticket_figures_move(ticket, before)
    _step(ticket, TicketStepKind.CALLED_BACK, actor, note)
    return ticket


@evaluation_service
def ticket_rectify(*, ticket: RectificationTicket, actor, outcome: str, note: str) -> RectificationTicket:
    """Record the fix, or the explanation where the demand has no legal basis, and report the
    outcome to the rater with a link to rate again."""
    ticket = _locked(ticket)
    _require_handler(ticket, actor)
    _require_open(ticket)
    if outcome not in RectificationOutcome.values:
        raise ValidationError(_("请选择整改结果。"), code="outcome_unknown")
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("请写明整改情况或解释说明（无法律依据的诉求须说明理由）。"), code="note_missing")
    if ticket.named and ticket.called_back_at is None:
        raise ValidationError(_("实名差评须先回访评价人，再记录整改结果。"), code="callback_first")
    before = ticket_figures(ticket)
    now = timezone.now()
    today = timezone.localdate(now)
    ticket.rectified_at = now
    ticket.outcome = outcome
    ticket.outcome_note = note
    ticket.rectify_days = working_days_between(ticket.opened_on, today)
    ticket.state = TicketState.RECTIFIED
    _save(ticket)
    ticket_figures_move(ticket, before)
    kind = TicketStepKind.RECTIFIED if outcome == RectificationOutcome.FIXED else TicketStepKind.EXPLAINED
    _step(ticket, kind, actor, note)
    figure_add(ticket.service, rectified=1, rectify_days=ticket.rectify_days,
               rectified_in_time=1 if today <= ticket.fix_due else 0)  # fmt: skip
    _report_outcome(ticket, actor)
    return ticket


def _report_outcome(ticket: RectificationTicket, actor) -> None:
    rater = ticket.rating.rater
    if rater is None:
        _step(ticket, TicketStepKind.REPORTED, actor, _("评价人未登记身份，整改结果在公示中体现"))
        return
    token = RatingToken.objects.create(
        service=ticket.service,
        purpose=TokenPurpose.FOLLOW_UP,
        channel=RatingChannel.SMS,
        expires_at=timezone.now() + dt.timedelta(days=FOLLOW_UP_DAYS),
    )
    link = token_link(token)
    notice_queue(
        recipient=rater,
        kind="rating_outcome",
        subject=_("您的评价已整改反馈"),
        body=_("您对“%(title)s”的评价已处理：%(outcome)s。%(note)s 您可以追加评价：%(link)s")
        % {
            "title": ticket.service.title or ticket.service.get_kind_display(),
            "outcome": RectificationOutcome(ticket.outcome).label,
            "note": ticket.outcome_note,
            "link": absolute_url(link),
        },
        link=link,
        case_number=(ticket.service.case.number or "") if ticket.service.case_id else "",
    )
    _step(ticket, TicketStepKind.REPORTED, actor, _("已通知评价人，并邀请其追加评价"))


def ticket_follow_up(*, first: Rating, follow_up: Rating) -> None:
    """The rater's follow-up closes the reported ticket (inside rating_submit's transaction)."""
    ticket = getattr(first, "ticket", None)
    if ticket is None or ticket.state != TicketState.RECTIFIED:
        return
    ticket = _locked(ticket)
    before = ticket_figures(ticket)
    ticket.state = TicketState.CLOSED
    ticket.closed_at = timezone.now()
    _save(ticket)
    ticket_figures_move(ticket, before)
    _step(ticket, TicketStepKind.FOLLOWED_UP, follow_up.rater, f"{follow_up.level_label}")


@evaluation_service
def ticket_appeal(*, ticket: RectificationTicket, actor, reason: str) -> Appeal:
    """The responsible side contests a mistaken or malicious rating; a supervisor decides."""
    ticket = _locked(ticket)
    _require_handler(ticket, actor)
    _require_open(ticket)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请写明申诉理由和依据。"), code="reason_missing")
    if Appeal.objects.filter(ticket=ticket).exists():
        raise ValidationError(_("该工单已申诉过，不能重复申诉。"), code="already_appealed")
    appeal = Appeal.objects.create(ticket=ticket, filed_by=actor, reason=reason)
    before = ticket_figures(ticket)
    ticket.state = TicketState.APPEALING
    _save(ticket)
    ticket_figures_move(ticket, before)
    _step(ticket, TicketStepKind.APPEALED, actor, reason)
    recipients = staff_for(hall_id=ticket.hall_id, department_id=None, supervisors=True)
    for user in recipients:
        notice_queue(recipient=user, kind="rating_appeal", subject=_("差评申诉待审核"),
                     body=_("整改工单 #%(pk)s 提出申诉：%(reason)s") % {"pk": ticket.pk, "reason": reason},
                     link=ticket_link(ticket))  # fmt: skip
    return appeal


@evaluation_service
def appeal_decide(*, appeal: Appeal, actor, upheld: bool, reasons: str) -> Appeal:
    """A supervisor decides the appeal with reasons. Upheld: the ticket is voided and the rating
    leaves the figures (it stays in the table). Rejected: the ticket runs on."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    ticket = _locked(appeal.ticket)
    if not can_decide_appeal(ticket, actor):
        raise PermissionDenied(_("只有该大厅的督查人员可以审核申诉。"))
    if appeal.decision:
        raise ValidationError(_("该申诉已审核。"), code="already_decided")
    _require_open(ticket, (TicketState.APPEALING,))
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError(_("请写明审核理由。"), code="reasons_missing")
    appeal.decision = AppealDecision.UPHELD if upheld else AppealDecision.REJECTED
    appeal.decided_by = actor
    appeal.decision_reasons = reasons
    appeal.decided_at = timezone.now()
    appeal.save()
    before = ticket_figures(ticket)
    if upheld:
        ticket.state = TicketState.VOIDED
        ticket.closed_at = appeal.decided_at
        _step(ticket, TicketStepKind.APPEAL_UPHELD, actor, reasons)
        rating = ticket.rating
        figure_add(ticket.service, rated=-1, excluded=1, bad_tickets=-1, **{level_field(rating.level): -1})
    else:
        ticket.state = TicketState.OPEN
        _step(ticket, TicketStepKind.APPEAL_REJECTED, actor, reasons)
    _save(ticket)
    ticket_figures_move(ticket, before)
    _notify_staff(ticket, subject=_("申诉审核结果：%(decision)s") % {"decision": appeal.get_decision_display()},
                  body=reasons)  # fmt: skip
    return appeal
