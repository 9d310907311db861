"""The case page reads as a path: a step indicator of where the case stands, a timeline that says
what each edit changed and can be read newest first, and the documents first on phones."""

import pytest
from django.urls import reverse

from cases.constants import EventKind
from cases.models import CaseEvent
from cases.templatetags.case_page import case_path, event_changes
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _statuses(case):
    return [(step.key, step.status) for step in case_path(case)]


@pytest.mark.parametrize(
    ("trait", "expected"),
    [
        ("submitted", [("apply", "done"), ("intake", "current"), ("decision", "todo"), ("delivery", "todo"), ("archive", "todo")]),
        ("rejected", [("apply", "done"), ("intake", "stopped"), ("decision", "todo"), ("delivery", "todo"), ("archive", "todo")]),
        ("accepted", [("apply", "done"), ("intake", "done"), ("decision", "current"), ("delivery", "todo"), ("archive", "todo")]),
        ("approved", [("apply", "done"), ("intake", "done"), ("decision", "done"), ("delivery", "current"), ("archive", "todo")]),
        ("archived", [("apply", "done"), ("intake", "done"), ("decision", "done"), ("delivery", "done"), ("archive", "done")]),
    ],
)  # fmt: skip
def test_step_indicator_follows_the_state(cast, trait, expected):
    assert _statuses(CaseFactory(**{trait: True})) == expected


def test_a_case_received_in_another_county_shows_the_handoff_step(cast):
    case = CaseFactory(submitted=True, cross_area_mode="receive_forward")
    assert _statuses(case)[:3] == [("apply", "done"), ("handoff", "current"), ("intake", "todo")]
    case.handed_to_hall = cast.halls["JC"]
    assert _statuses(case)[:3] == [("apply", "done"), ("handoff", "done"), ("intake", "current")]


def test_an_edit_event_lists_what_changed(cast):
    case = CaseFactory()
    event = CaseEvent(
        case=case,
        kind=EventKind.UPDATED,
        changes={
            "before": {"description": "开一家小吃店", "agent": {"name": ""}},
            "after": {"description": "开一家面馆", "agent": {"name": "王五"}},
        },
    )
    assert event_changes(event) == [("代理人 · 姓名", "—", "王五"), ("申请事由", "开一家小吃店", "开一家面馆")]


def test_case_page_shows_steps_and_reads_newest_first(client, cast):
    case = CaseFactory(submitted=True, applicant=cast.citizen)
    for note in ("第一件", "第二件"):
        CaseEvent.objects.create(case=case, kind=EventKind.UPDATED, note=note, actor=cast.citizen)
    client.force_login(cast.citizen)
    url = reverse("cases:detail", args=[case.pk])
    body = client.get(url).content.decode()
    assert 'data-step="intake" data-status="current"' in body
    assert body.index("第一件") < body.index("第二件")
    newest = client.get(url, {"timeline": "newest"}).content.decode()
    assert newest.index("第二件") < newest.index("第一件")


def test_a_change_of_case_fields_reads_in_words(cast):
    case = CaseFactory()
    hall = cast.halls["JC"]
    event = CaseEvent(
        case=case,
        kind=EventKind.UPDATED,
        changes={"before": {"delivery_hall_id": None}, "after": {"delivery_hall_id": hall.pk}},
    )
    assert event_changes(event) == [("领取大厅", "—", hall.name)]


def test_a_timeline_line_prints_what_the_event_holds_escaped(client, cast):
    """The timeline is printed from plain values (cases.page_reads.timeline_lines): the change of state,
    who and where, the note with its line breaks, what an edit changed and the material."""
    case = CaseFactory(submitted=True, applicant=cast.citizen)
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.UPDATED,
        from_state="draft",
        to_state="submitted",
        actor=cast.citizen,
        actor_name="<b>张三</b>",
        hall=cast.halls["JC"],
        note="第一行\n<第二行>",
        changes={
            "before": {"description": "开一家小吃店"},
            "after": {"description": "开一家<面馆>"},
            "material": "营业执照",
            "added": {"name": "执照.pdf"},
        },
    )
    client.force_login(cast.citizen)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    item = body[body.index('<li class="timeline-item" data-event="updated">') :]
    item = item[: item.index("</li>")]
    assert "<strong>修改申请信息</strong>" in item
    assert '<span class="small text-muted">（草稿 → 待受理）</span>' in item
    assert f'<span class="small text-muted">· &lt;b&gt;张三&lt;/b&gt; · {cast.halls["JC"].name}</span>' in item
    assert '<div class="small">第一行<br>&lt;第二行&gt;</div>' in item
    assert '<div class="timeline-change">申请事由：开一家小吃店 → 开一家&lt;面馆&gt;</div>' in item
    assert '<div class="small text-muted">材料：营业执照（执照.pdf）</div>' in item
