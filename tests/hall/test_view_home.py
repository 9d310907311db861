"""The home page: the catalogue search box, the bundles link and the public progress lookup side by side."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_links_the_progress_lookup_next_to_the_catalogue_search(client):
    html = client.get(reverse("home")).content.decode()
    search = html.index('id="home-search"')
    progress = html.index('id="home-progress"')
    assert search < progress < html.index("</form>", search)  # inside the search block, under the box
    assert f'href="{reverse("cases:progress")}" id="home-progress"' in html
    assert "办件进度查询" in html
    # what was there stays
    assert f'action="{reverse("items:catalogue")}"' in html and 'name="q"' in html
    assert f'href="{reverse("items:bundles")}"' in html


def test_the_linked_progress_lookup_opens_without_login(client):
    assert client.get(reverse("cases:progress")).status_code == 200


def test_signed_in_users_see_the_link_too(client, cast):
    client.force_login(cast.citizen)
    assert 'id="home-progress"' in client.get(reverse("home")).content.decode()
