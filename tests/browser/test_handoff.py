"""Browser journey of a cross-county hand-off (全市通办, DOMAIN.md §4): an applicant at the 阳西县 hall applies
for an item of 阳春市 (receive-and-forward there). 阳西县 checks identity, scans and forwards with an EMS
tracking number; 阳春市 confirms receipt (electronic, then the paper by its tracking number), accepts and
grants; the licence is produced and sent back to 阳西县 with tracking; 阳西县's result window confirms its
arrival, counts it in, and hands it out against a signature. The case page shows the custody trail end
to end."""

import pytest
from django.core.cache import cache

from cases.constants import CaseState, HandoffState
from cases.models import Case
from hall.models import Department
from items.constants import CrossAreaMode, CrossAreaScope
from tests.cases.factories import PDF_BYTES
from tests.items.factories import ItemFactory, ItemVersionFactory, MaterialFactory

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLICANT = ("黄小明", "441721199001011232", "13912345678")


@pytest.fixture
def food_licence(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    market = Department.objects.get(region__code="441781", short_name="市场监管")
    version = ItemVersionFactory(
        item=ItemFactory(department=market, region=market.region),
        name="食品经营许可",
        result_name="食品经营许可证",
        materials=0,
        cross_area_scope=CrossAreaScope.CROSS_COUNTY,
        cross_area_mode=CrossAreaMode.RECEIVE_FORWARD,
    )
    MaterialFactory(version=version, order=1, name="食品经营许可申请书")
    return version


def _logout(page):
    page.click("nav form button:has-text('退出')")
    page.wait_for_load_state("networkidle")


def test_apply_at_yangxi_decided_in_yangchun_picked_up_at_yangxi(page, shot, food_licence, cast):
    version = food_licence
    yx, yc = cast.halls["YX"], cast.halls["YC"]
    name, id_number, mobile = APPLICANT

    # 1. 阳西县's window receives the application: identity checked, scanned, pickup at 阳西县 chosen.
    login(page, "yx_clerk", cast.password)
    page.goto(f"/cases/counter/{version.item_id}/")
    page.wait_for_selector("[data-page=counter-apply]")
    page.fill("input[name=applicant-id_number]", id_number)
    page.fill("input[name=applicant-real_name]", name)
    page.fill("input[name=applicant-mobile]", mobile)
    page.check("input[name=applicant-identity_checked]")
    material = version.materials.get()
    page.set_input_files(
        f"input[name=scan-material_{material.pk}]",
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
    )
    page.check(f"input[name=originals-originals_seen][value='{material.pk}']")
    page.check("input[name=delivery_method][value=pickup]")
    page.select_option("select[name=delivery_hall]", str(yx.pk))
    shot(page, "handoff-01-counter")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-page=handoff]")
    case = Case.objects.get()
    assert case.receiving_hall == yx and case.cross_area_mode == CrossAreaMode.RECEIVE_FORWARD
    assert "异地代收" in page.locator("[data-handoff]").inner_text()

    # 2. Paper without a tracking number is refused with a message; then forwarded with one.
    page.select_option("select[name=forward-paper_carrier]", "ems")
    page.click("[data-form=forward] button[type=submit]")
    assert "纸质材料寄递须填写寄递单号" in page.content()
    assert Case.objects.get().handed_to_hall is None
    page.fill("input[name=forward-paper_tracking]", "EM112233445CN")
    shot(page, "handoff-02-forward")
    page.click("[data-form=forward] button[type=submit]")
    page.wait_for_selector(".alert-success")
    case.refresh_from_db()
    assert case.handed_to_hall == yc and case.custodian_hall == yx
    _logout(page)

    # 3. 阳春市 sees it among incoming hand-offs, confirms receipt, and accepts.
    login(page, "yc_clerk", cast.password)
    page.click("[data-nav=handoff]")
    page.wait_for_selector(f"[data-list=incoming] [data-handoff-row='{case.pk}']")
    shot(page, "handoff-03-incoming")
    page.click(f"[data-list=incoming] [data-handoff-row='{case.pk}'] a")
    page.click("[data-form=receive-electronic] button[type=submit]")
    page.wait_for_selector(".alert-success")
    page.fill("[data-form=receive-paper] input[name=tracking_number]", "EM112233445CN")
    page.click("[data-form=receive-paper] button[type=submit]")
    page.wait_for_selector(".alert-success")
    page.click("[data-action=review]")
    page.click("#tab-accept")
    page.click("#do-accept")
    page.wait_for_selector("[data-latest-document]")
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.custodian_hall == yc
    _logout(page)

    # 4. 阳春市's department grants, produces the licence, sends it back with tracking and hands it over.
    login(page, "yc_approver", cast.password)
    page.goto(f"/cases/{case.pk}/decide/")
    page.fill("textarea[name=grant-opinion]", "经审查，符合条件。")
    page.click("#do-grant")
    page.wait_for_selector("[data-latest-document]")
    page.goto("/results/production/")
    page.wait_for_selector("[data-page=production]")
    page.fill(f"[data-produce={case.number}] textarea[name=scope]", "预包装食品销售")
    page.click(f"[data-produce={case.number}] button[type=submit]")
    page.wait_for_selector("[data-form=handover]")
    page.check("input[name=orders]")
    page.fill("input[name=signature]", "阳春市后台审批人员")
    page.click("[data-form=handover] button[type=submit]")
    page.wait_for_selector(".alert-success")
    page.goto(f"/cases/{case.pk}/handoff/")
    page.fill("input[name=result-tracking_number]", "EM998877665CN")
    shot(page, "handoff-04-result-send")
    page.click("[data-form=result-send] button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert case.handoff.legs.filter(kind="result", received_at__isnull=True).exists()
    _logout(page)

    # 5. 阳西县's result window: not yet arrived → no pickup; arrival confirmed, counted in, handed out.
    login(page, "yx_result", cast.password)
    page.goto(f"/cases/{case.pk}/handoff/")
    page.click("[data-action=result-arrive]")
    page.wait_for_selector(".alert-success")
    assert Case.objects.get().handoff.state == HandoffState.RESULT_ARRIVED
    page.goto("/results/?tab=receive")
    page.fill("input[name=count]", "1")
    page.fill("input[name=signature]", "阳西县出件窗口人员")
    page.click("[data-handover] button[type=submit]")
    page.wait_for_selector(f"[data-order={case.number}]")
    page.click(f"[data-order={case.number}] a")
    page.wait_for_selector("[data-page=order]")
    page.check("input[name=identity_checked]")
    page.fill("input[name=recipient_name]", name)
    page.fill("input[name=recipient_id_number]", id_number)
    page.fill("input[name=signature]", name)
    page.check("input[name=signature_confirmed]")
    page.click("[data-form=pickup] button[type=submit]")
    page.wait_for_selector("[data-proof]")
    shot(page, "handoff-05-picked-up")
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED

    # 6. The case page shows the custody trail end to end.
    page.goto(f"/cases/{case.pk}/")
    trail = page.locator("[data-custody-trail]").inner_text()
    for step in ("异地收件", "寄出电子材料", "确认接收电子材料", "寄出纸质原件", "确认接收纸质原件",
                 "寄出办理结果", "确认接收办理结果", "EM112233445CN", "EM998877665CN"):  # fmt: skip
        assert step in trail, step
    assert page.locator("[data-custody-line]").count() == 7
    assert "阳西县政务服务中心" in trail and "阳春市政务服务中心" in trail
    page.locator("[data-handoff-section]").scroll_into_view_if_needed()
    shot(page, "handoff-06-custody-trail")
