"""Limits read with their unit everywhere: 即办, N个工作日, N个自然日, never a bare number."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from items.constants import LimitUnit
from tests.items.factories import ItemVersionFactory

pytestmark = pytest.mark.django_db


def _render(version, name):
    return Template("{% load limits %}{{ v|" + name + " }}").render(Context({"v": version}))


def test_limits_in_words(cast):
    assert _render(ItemVersionFactory(promised_days=3), "promised_limit") == "3个工作日"
    assert _render(ItemVersionFactory(promised_days=30, statutory_days=30, limit_unit=LimitUnit.NATURAL_DAY), "promised_limit") == "30个自然日"  # fmt: skip
    instant = ItemVersionFactory(instant=True)
    assert _render(instant, "promised_limit") == "即办"
    assert _render(instant, "statutory_limit") == "即办"


def test_catalogue_admin_list_shows_the_unit(client, cast):
    ItemVersionFactory(item__department=cast.market_jc, promised_days=7, statutory_days=20)
    client.force_login(cast.catalogue_admin)
    body = client.get(reverse("items:workbench")).content.decode()
    assert "7个工作日" in body
