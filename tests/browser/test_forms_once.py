"""A form is sent once however often its button is pressed, and an upload shows its progress;
without JavaScript the same forms work as plain forms."""

import pytest

from cases.models import Case
from tests.cases.factories import PDF_BYTES
from tests.items.factories import ItemVersionFactory, MaterialFactory

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = ItemVersionFactory(name="个体工商户设立登记", materials=0, receivable_halls=[cast.halls["JC"]])
    MaterialFactory(version=version, order=1, name="个体工商户登记（备案）申请书")
    return version


def test_a_double_click_sends_the_application_once_and_the_upload_shows_progress(page, shot, cast, item):
    material = item.materials.get()
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/cases/apply/{item.item_id}/")
    page.fill("textarea[name=description]", "开一家小吃店")
    page.set_input_files(
        f"input[name=material_{material.pk}]",
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
    )
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.dblclick("button[value=submit]")
    page.wait_for_selector(".upload-progress progress", state="attached")
    page.wait_for_selector("[data-page=detail]")
    shot(page, "forms-once-detail")
    assert len(posts) == 1
    assert Case.objects.count() == 1 and Case.objects.get().state == "submitted"


def test_without_javascript_the_application_is_a_plain_form(browser, live_server, cast, item):
    material = item.materials.get()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/cases/apply/{item.item_id}/")
    page.fill("textarea[name=description]", "开一家小吃店")
    page.set_input_files(
        f"input[name=material_{material.pk}]",
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
    )
    page.click("button[value=submit]")
    page.wait_for_selector("[data-page=detail]")
    assert Case.objects.get().state == "submitted"
    context.close()
