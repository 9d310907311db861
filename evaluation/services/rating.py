"""Rating a service (国办发〔2019〕51号; GB/T 39735-2020).

`rating_submit` is the only way a rating is made:
1. who: a single-use token bound to this service (tablet, QR code, the invitation link), or the
   logged-in applicant of the service; anyone else is refused;
2. what: the service is finished and, for a first rating, still inside the hall's rating window;
   one first rating and one follow-up (the database refuses a second of either); a follow-up on a
   bad rating only after its rectification outcome was reported;
3. the level is one of the five GB/T 39046 codes, the tags are standard tags of that level, the
   text at most 150 characters; a bad rating says why (a tag or the text);
4. then, in one transaction: the rating, the token used up, the service marked rated, the summary
   figures, and for a bad rating its rectification ticket (or, for a follow-up, the ticket closed).
Anything refused raises ValidationError (PermissionDenied for someone else's service): nothing is stored.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.services._common import _clean_ip

from ..constants import BAD_LEVELS, Level, RatingChannel, RatingKind, TicketState, TokenPurpose
from ..models import TEXT_MAX, Rating, RatingToken, Service
from ..reasons import tag_by_code
from ._common import evaluation_service
from .figures import figure_add, level_field
from .rectification import ticket_follow_up, ticket_open

TOKEN_PURPOSE = {RatingKind.FIRST: TokenPurpose.INVITATION, RatingKind.FOLLOW_UP: TokenPurpose.FOLLOW_UP}


def token_check(token_value: str, *, purpose: str | None = None) -> RatingToken:
    """The unused, unexpired token with this value (read without a lock: for showing the form)."""
    token = RatingToken.objects.select_related("service__hall", "service__clerk").filter(token=token_value).first()
    if token is None:
        raise ValidationError(_("评价链接无效，请核对二维码或链接。"), code="token_unknown")
    if token.used_at is not None:
        raise ValidationError(_("该评价链接已使用过，每个链接只能评价一次。"), code="token_used")
    if token.expires_at <= timezone.now():
        raise ValidationError(_("该评价链接已过期。"), code="token_expired")
    if purpose is not None and token.purpose != purpose:
        raise ValidationError(_("该评价链接不能用于此类评价。"), code="token_purpose")
    return token


def _tags(level: int, codes) -> list[dict]:
    tags = []
    for code in dict.fromkeys(codes or []):
        tag = tag_by_code(str(code))
        if tag is None:
            raise ValidationError(_("评价标签“%(code)s”不存在。"), code="tag_unknown", params={"code": code})
        if tag.level != level:
            raise ValidationError(
                _("标签“%(label)s”不属于“%(level)s”，请重新选择。"),
                code="tag_level",
                params={"label": tag.label, "level": Level(level).label},
            )
        tags.append({"code": tag.code, "label": tag.label})
    return tags


def rating_check_input(*, level, tags, text: str) -> tuple[int, list[dict], str]:
    """The level as a GB/T 39046 code, the tags of that level, the text: or a plain refusal."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = None
    if level not in Level.values:
        raise ValidationError(_("评价等级不存在，请在五个等级中选择一个。"), code="level_unknown")
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(
            _("评价内容不能超过%(max)d个字（现有%(count)d个字）。"),
            code="text_too_long",
            params={"max": TEXT_MAX, "count": len(text)},
        )
    chosen = _tags(level, tags)
    if level in BAD_LEVELS and not chosen and not text:
        raise ValidationError(_("请至少选择一个标签或写明不满意的原因，以便整改。"), code="reason_missing")
    return level, chosen, text


def _rater(service: Service, *, user, token: RatingToken | None):
    """Who rates: the token's service applicant, or the logged-in applicant."""
    if token is not None:
        return service.applicant
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("请登录后评价，或使用评价链接、二维码。"))
    if service.applicant_id != user.pk:
        raise PermissionDenied(_("只能评价本人接受的服务。"))
    return user


def _use_token(token: RatingToken, service: Service, kind: str) -> None:
    if token.service_id != service.pk:
        raise ValidationError(_("评价链接与该服务不符。"), code="token_mismatch")
    if token.purpose != TOKEN_PURPOSE[kind]:
        raise ValidationError(_("该评价链接不能用于此类评价。"), code="token_purpose")
    if token.expires_at <= timezone.now():
        raise ValidationError(_("该评价链接已过期。"), code="token_expired")
    used = RatingToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not used:
        raise ValidationError(_("该评价链接已使用过，每个链接只能评价一次。"), code="token_used")


def _check_kind(service: Service, kind: str, existing: dict) -> None:
    now = timezone.now()
    if not service.is_finished or service.finished_at > now:
        raise ValidationError(_("该服务尚未完成，完成后才能评价。"), code="not_finished")
    if kind == RatingKind.FIRST:
        if RatingKind.FIRST in existing:
            raise ValidationError(_("您已评价过该服务，如需补充请使用追加评价。"), code="already_rated")
        if service.unrated_at is not None or (service.rating_due and service.rating_due <= now):
            raise ValidationError(_("已超过评价期限，该服务已计为“未评价”。"), code="window_closed")
        return
    if kind != RatingKind.FOLLOW_UP:
        raise ValidationError(_("评价类型不存在。"), code="kind_unknown")
    first = existing.get(RatingKind.FIRST)
    if first is None:
        raise ValidationError(_("请先作出首次评价。"), code="no_first")
    if RatingKind.FOLLOW_UP in existing:
        raise ValidationError(_("该服务已追加评价过，每项服务只能追加评价一次。"), code="already_followed_up")
    ticket = getattr(first, "ticket", None) if first.is_bad else None
    if ticket is not None and ticket.state in (TicketState.OPEN, TicketState.APPEALING):
        raise ValidationError(_("整改结果反馈给您之后，才能追加评价。"), code="not_reported")


@evaluation_service
def rating_submit(
    *,
    service: Service,
    level,
    tags=(),
    text: str = "",
    anonymous: bool = False,
    channel: str,
    kind: str = RatingKind.FIRST,
    user=None,
    token: RatingToken | None = None,
    ip: str | None = None,
) -> Rating:
    """Record a rating of `service` (see the module docstring for the steps and refusals)."""
    service = Service.objects.select_for_update().select_related("hall").get(pk=service.pk)
    rater = _rater(service, user=user, token=token)
    level, chosen, text = rating_check_input(level=level, tags=tags, text=text)
    if channel not in RatingChannel.values:
        raise ValidationError(_("评价渠道不存在。"), code="channel_unknown")
    existing = {r.kind: r for r in service.ratings.select_related("ticket")} if service.rated_at else {}
    _check_kind(service, kind, existing)
    if token is not None:
        _use_token(token, service, kind)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                service=service,
                kind=kind,
                level=level,
                level_label=str(Level(level).label),
                tags=chosen,
                text=text,
                anonymous=bool(anonymous),
                rater=rater,
                channel=channel,
                ip=_clean_ip(ip),
            )
    except IntegrityError as exc:  # a second rating of the same kind at the same moment
        raise ValidationError(_("您已评价过该服务。"), code="already_rated") from exc
    if kind == RatingKind.FIRST:
        Service.objects.filter(pk=service.pk).update(rated_at=rating.created_at)
        figure_add(service, rated=1, first_rated=1, first_bad=int(level in BAD_LEVELS), **{level_field(level): 1})
    else:
        _follow_up_figures(service, existing[RatingKind.FIRST], rating)
    if kind == RatingKind.FOLLOW_UP:
        ticket_follow_up(first=existing[RatingKind.FIRST], follow_up=rating)
    if rating.is_bad:
        ticket_open(rating=rating)
    return rating


def _follow_up_figures(service: Service, first: Rating, follow_up: Rating) -> None:
    """The follow-up takes the first rating's place in the figures (unless the first was excluded
    by an upheld appeal, in which case the service is counted again with the follow-up)."""
    ticket = getattr(first, "ticket", None)
    if ticket is not None and ticket.state == TicketState.VOIDED:
        figure_add(service, rated=1, **{level_field(follow_up.level): 1})
        return
    if first.level == follow_up.level:
        return
    figure_add(service, **{level_field(first.level): -1, level_field(follow_up.level): 1})
