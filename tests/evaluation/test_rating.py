"""A rating: the GB/T 39046 code and label, standard tags of that level, text up to 150 characters,
anonymous or named, the channel; one first and one follow-up per service; only the person served.
Every bad input is refused with a plain message and stores nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import ImmutableError
from evaluation.constants import Level, RatingKind, TicketState
from evaluation.models import FigureRow, Rating, RatingToken, RectificationTicket, Service
from evaluation.services import rating_submit, ticket_call_back, ticket_rectify
from tests.factories import CitizenFactory

from .helpers import counter_service, rate

pytestmark = pytest.mark.django_db


def test_rating_stores_the_standard_code_and_label(cast):
    service = counter_service(cast)
    rating = rate(service, 1, tags=["1-01", "1-03"], text="很快办完", channel="mobile")
    assert rating.level == 1 and rating.level_label == "非常满意"  # GB/T 39046: 1 is the best
    assert [t["label"] for t in rating.tags] == ["一窗受理一次办结", "不用提交证明"]
    assert rating.kind == RatingKind.FIRST and rating.rater == cast.citizen and rating.channel == "mobile"
    service.refresh_from_db()
    assert service.rated_at == rating.created_at
    row = FigureRow.objects.get()
    assert (row.rated, row.level_1) == (1, 1)


def test_worst_level_is_code_five_and_opens_a_ticket(cast):
    rating = rate(counter_service(cast), 5, tags=["5-04"])
    assert rating.level_label == "非常不满意" and rating.is_bad
    assert RectificationTicket.objects.get().rating == rating


def test_levels_and_labels_follow_the_standard():
    assert [(c, str(label)) for c, label in Level.choices] == [
        (1, "非常满意"), (2, "满意"), (3, "基本满意"), (4, "不满意"), (5, "非常不满意"),
    ]  # fmt: skip


def test_every_level_has_eight_standard_tags():
    from evaluation.reasons import reason_tags

    tags = reason_tags()
    assert sorted(tags) == [1, 2, 3, 4, 5] and all(len(v) == 8 for v in tags.values())
    assert "在办事指南之外增加新的审批条件" in [t.label for t in tags[5]]
    assert "没有提供材料样本" in [t.label for t in tags[4]]


def test_token_rating_uses_the_token_once(cast):
    service = counter_service(cast)
    token = RatingToken.objects.get(service=service)
    rating = rate(service, 2, token=token, channel="qr")
    token.refresh_from_db()
    assert token.used_at is not None and rating.rater == cast.citizen


def test_follow_up_replaces_the_first_in_the_figures(cast):
    service = counter_service(cast)
    rate(service, 3)
    follow = rate(service, 1, kind="follow_up")
    assert follow.kind == RatingKind.FOLLOW_UP
    row = FigureRow.objects.get()
    assert (row.rated, row.level_3, row.level_1) == (1, 0, 1)


def test_ratings_are_append_only(cast):
    rating = rate(counter_service(cast), 2)
    with pytest.raises(ImmutableError):
        rating.save()
    with pytest.raises(ImmutableError):
        rating.delete()
    with pytest.raises(ImmutableError):
        Rating.objects.all().delete()


def test_database_refuses_a_second_first_rating(cast):
    service = counter_service(cast)
    rate(service, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(service=service, kind="first", level=1, level_label="非常满意", channel="pc")


def test_database_refuses_a_level_outside_the_standard(cast):
    service = counter_service(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(service=service, kind="first", level=6, level_label="?", channel="pc")


# Bad input: refused with a clear message, nothing stored --------------------------------------------


def _nothing_stored(service, tokens_unused=True):
    assert not Rating.objects.filter(service=service).exists()
    assert not RectificationTicket.objects.exists()
    service.refresh_from_db()
    assert service.rated_at is None
    assert not FigureRow.objects.filter(rated__gt=0).exists()
    if tokens_unused:
        assert not RatingToken.objects.filter(service=service, used_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level": 0}, "评价等级不存在"),
        ({"level": "good"}, "评价等级不存在"),
        ({"level": 6}, "评价等级不存在"),
        ({"tags": ["4-99"]}, "评价标签“4-99”不存在"),
        ({"tags": ["1-01"]}, "不属于“不满意”"),
        ({"text": "差" * 151}, "不能超过150个字（现有151个字）"),
        ({"tags": [], "text": ""}, "请至少选择一个标签或写明不满意的原因"),
        ({"channel": "fax"}, "评价渠道不存在"),
    ],
)
def test_bad_rating_input_is_refused(cast, changes, message):
    service = counter_service(cast)
    arguments = {"level": 4, "tags": ["4-01"], "text": "", "channel": "pc"} | changes
    with pytest.raises(ValidationError, match=message):
        rating_submit(service=service, user=cast.citizen, **arguments)
    _nothing_stored(service)


def test_text_of_150_characters_is_accepted(cast):
    rating = rate(counter_service(cast), 2, text="好" * 150)
    assert len(rating.text) == 150


def test_forged_token_is_refused(cast):
    from evaluation.services import token_check

    with pytest.raises(ValidationError, match="评价链接无效"):
        token_check("forged-token-value")


def test_token_of_another_service_is_refused(cast):
    mine = counter_service(cast)
    other = counter_service(cast, applicant=cast.other_citizen)
    token = RatingToken.objects.get(service=other)
    with pytest.raises(ValidationError, match="评价链接与该服务不符"):
        rate(mine, 2, token=token)
    _nothing_stored(mine)
    token.refresh_from_db()
    assert token.used_at is None


def test_reused_token_is_refused(cast):
    service = counter_service(cast)
    token = RatingToken.objects.get(service=service)
    rate(service, 2, token=token)
    with pytest.raises(ValidationError, match="已评价过该服务"):
        rate(service, 1, token=token)
    second = RatingToken.objects.create(
        service=service, purpose="follow_up", expires_at=service.rating_due, used_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="已使用过"):
        rating_submit(service=service, level=1, channel="qr", token=second, kind="follow_up")
    assert Rating.objects.filter(service=service).count() == 1


def test_expired_token_is_refused(cast):
    service = counter_service(cast)
    token = RatingToken.objects.get(service=service)
    RatingToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    token.refresh_from_db()
    with pytest.raises(ValidationError, match="已过期"):
        rate(service, 2, token=token)
    _nothing_stored(service)


def test_someone_elses_service_is_refused(cast):
    service = counter_service(cast)
    with pytest.raises(PermissionDenied, match="只能评价本人接受的服务"):
        rate(service, 2, user=cast.other_citizen)
    with pytest.raises(PermissionDenied):
        rate(service, 2, user=cast.clerk)
    _nothing_stored(service)


def test_anonymous_visitor_without_token_is_refused(cast):
    from django.contrib.auth.models import AnonymousUser

    service = counter_service(cast)
    with pytest.raises(PermissionDenied, match="请登录后评价"):
        rate(service, 2, user=AnonymousUser())
    _nothing_stored(service)


def test_second_first_rating_is_refused(cast):
    service = counter_service(cast)
    rate(service, 2)
    with pytest.raises(ValidationError, match="您已评价过该服务"):
        rate(service, 1)
    assert Rating.objects.filter(service=service).count() == 1


def test_second_follow_up_is_refused(cast):
    service = counter_service(cast)
    rate(service, 2)
    rate(service, 1, kind="follow_up")
    with pytest.raises(ValidationError, match="只能追加评价一次"):
        rate(service, 1, kind="follow_up")


def test_follow_up_before_a_first_rating_is_refused(cast):
    service = counter_service(cast)
    with pytest.raises(ValidationError, match="请先作出首次评价"):
        rate(service, 1, kind="follow_up")
    _nothing_stored(service)


def test_service_not_yet_finished_is_refused(cast):
    service = counter_service(cast)
    Service.objects.filter(pk=service.pk).update(finished_at=None)
    with pytest.raises(ValidationError, match="该服务尚未完成"):
        rate(service, 2)
    Service.objects.filter(pk=service.pk).update(finished_at=timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="该服务尚未完成"):
        rate(service, 2)
    _nothing_stored(service)


def test_rating_after_the_window_is_refused(cast):
    service = counter_service(cast)
    Service.objects.filter(pk=service.pk).update(rating_due=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="已超过评价期限"):
        rate(service, 2)
    _nothing_stored(service)


def test_follow_up_on_a_bad_rating_waits_for_the_reported_outcome(cast):
    service = counter_service(cast)
    rate(service, 4)
    with pytest.raises(ValidationError, match="整改结果反馈给您之后"):
        rate(service, 2, kind="follow_up")
    ticket = RectificationTicket.objects.get()
    ticket_call_back(ticket=ticket, actor=cast.approver, note="已电话联系")
    ticket_rectify(ticket=ticket, actor=cast.approver, outcome="fixed", note="已补充材料样本")
    rate(service, 2, kind="follow_up")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED


def test_window_is_configurable_per_hall(cast, settings):
    settings.TONGBAN_RATING_WINDOW_DAYS = 15
    settings.TONGBAN_RATING_WINDOW_DAYS_BY_HALL = {"JC": 3}
    service = counter_service(cast)
    assert (service.rating_due - service.finished_at).days == 3


def test_a_walk_in_without_an_account_rates_only_with_the_tablet_token(cast):
    from evaluation.selectors import tablet_token

    service = counter_service(cast)
    Service.objects.filter(pk=service.pk).update(applicant=None)
    service.refresh_from_db()
    token = tablet_token(service)
    rating = rating_submit(service=service, level=4, tags=["4-08"], channel="tablet", token=token)
    assert rating.rater is None and not RectificationTicket.objects.get().named
    stranger = CitizenFactory()
    with pytest.raises(PermissionDenied):
        rate(service, 2, user=stranger, kind="follow_up")
