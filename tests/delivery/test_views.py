"""The delivery pages: who sees what (404 for everyone else), POST → redirect, bad input next to the
form with nothing changed, and a constant number of queries per list page."""

import io
import zipfile

import pytest
from django.urls import reverse

from cases.constants import CaseState, DeliveryMethod
from delivery import services as delivery
from delivery.constants import OrderState
from delivery.models import DeliveryProof

from .helpers import at_window, granted_case, picked_up, produced

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_result_window_workbench_lists_its_hall_only(client, window):
    case = granted_case(window)
    at_window(window, case)
    page = _login(client, window.result_clerk).get(reverse("delivery:workbench"))
    assert page.status_code == 200 and case.number in page.content.decode()
    other = _login(client, window.result_yd).get(reverse("delivery:workbench"))
    assert other.status_code == 200 and case.number not in other.content.decode()
    for tab in ("receive", "collect", "post", "posted", "electronic", "archive", "bogus"):
        assert client.get(reverse("delivery:workbench"), {"tab": tab}).status_code == 200
    assert _login(client, window.citizen).get(reverse("delivery:workbench")).status_code == 404


def test_result_clerk_lands_on_the_workbench(client, window):
    response = _login(client, window.result_clerk).get(reverse("workbench"))
    assert response.url == reverse("delivery:workbench")
    response = _login(client, window.archivist).get(reverse("workbench"))
    assert response.url == reverse("delivery:archive")


def test_workbench_queries_do_not_grow_with_rows(client, window, django_assert_max_num_queries):
    for _ in range(3):
        at_window(window, granted_case(window))
    _login(client, window.result_clerk)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("delivery:workbench"), {"tab": "collect"})
    for _ in range(3):
        at_window(window, granted_case(window))
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("delivery:workbench"), {"tab": "collect"})


def test_pickup_page_refuses_bad_input_next_to_the_form(client, window):
    case = granted_case(window)
    order = at_window(window, case)
    _login(client, window.result_clerk)
    assert client.get(reverse("delivery:order", args=[order.pk])).status_code == 200
    data = {"recipient_kind": "applicant", "recipient_name": "张三", "recipient_id_number": window.citizen.id_number,
            "signature": "张三", "signature_confirmed": "on"}  # fmt: skip
    response = client.post(reverse("delivery:pickup", args=[order.pk]), data)
    assert response.status_code == 400 and "请先当面核验" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.AT_WINDOW and not DeliveryProof.objects.exists()
    response = client.post(reverse("delivery:pickup", args=[order.pk]), {**data, "identity_checked": "on"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.DELIVERED
    page = client.get(reverse("delivery:order", args=[order.pk])).content.decode()
    assert "打印送达回证" in page


def test_order_pages_are_for_the_cases_staff_only(client, window):
    order = at_window(window, granted_case(window))
    for outsider in (window.citizen, window.other_citizen, window.result_yd, window.other_clerk):
        _login(client, outsider)
        assert client.get(reverse("delivery:order", args=[order.pk])).status_code == 404
        assert client.post(reverse("delivery:pickup", args=[order.pk]), {}).status_code == 404
        assert client.post(reverse("delivery:post", args=[order.pk]), {}).status_code == 404


def test_malformed_tracking_number_on_the_page(client, window):
    case = granted_case(
        window, method=DeliveryMethod.POST, address="阳江市江城区新江北路1号", recipient="张三", mobile="13900001111"
    )
    order = at_window(window, case)
    _login(client, window.result_clerk)
    response = client.post(reverse("delivery:post", args=[order.pk]), {"carrier": "ems", "tracking_number": "123"})
    assert response.status_code == 400 and "运单号格式不正确" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.AT_WINDOW


def test_production_and_handover_pages(client, window):
    case = granted_case(window)
    _login(client, window.approver)
    page = client.get(reverse("delivery:production"))
    assert page.status_code == 200 and case.number in page.content.decode()
    assert client.post(reverse("delivery:produce", args=[case.pk]), {"scope": "小吃"}).status_code == 302
    order = case.delivery_order
    response = client.post(reverse("delivery:handover"), {"orders": [order.pk], "signature": "别人"})
    assert response.status_code == 400 and "签名须与" in response.content.decode()
    response = client.post(reverse("delivery:handover"), {"orders": [order.pk], "signature": window.approver.real_name})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.HANDED
    for outsider in (window.citizen, window.result_clerk, window.other_approver):
        _login(client, outsider)
        assert client.post(reverse("delivery:produce", args=[case.pk]), {}).status_code == 404


def test_applicant_sees_result_and_proof_and_finished_list(client, window):
    case = granted_case(window)
    picked_up(window, case)
    _login(client, window.citizen)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-section="delivery"' in detail and "送达回证" in detail
    home = client.get(reverse("workbench")).content.decode()
    assert 'data-section="finished"' in home and 'data-finished-document="delivery_proof"' in home
    assert 'data-finished-document="result"' in home
    certificates = client.get(reverse("delivery:my_certificates")).content.decode()
    assert case.certificates.get().number in certificates
    _login(client, window.other_citizen)
    assert window.citizen.real_name not in client.get(reverse("delivery:my_certificates")).content.decode()


def test_choice_page_until_produced(client, window):
    case = granted_case(window)
    _login(client, window.citizen)
    url = reverse("delivery:choose", args=[case.pk])
    response = client.post(url, {"delivery_method": "post", "delivery_recipient": "张三", "delivery_mobile": "1",
                                 "delivery_address": "x"})  # fmt: skip
    assert response.status_code == 400 and "手机号" in response.content.decode()
    response = client.post(url, {"delivery_method": "electronic"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.delivery_method == DeliveryMethod.ELECTRONIC
    produced(window, case)
    response = client.post(url, {"delivery_method": "pickup", "delivery_hall": case.receiving_hall_id})
    assert response.status_code == 400 and "不能再更改" in response.content.decode()
    _login(client, window.other_citizen)
    assert client.get(url).status_code == 404


def test_electronic_download_is_the_delivery(client, window):
    case = granted_case(window, method=DeliveryMethod.ELECTRONIC)
    produced(window, case)
    _login(client, window.other_citizen)
    assert client.post(reverse("delivery:electronic_download", args=[case.pk])).status_code == 404
    _login(client, window.citizen)
    assert client.get(reverse("delivery:electronic_download", args=[case.pk])).status_code == 405
    response = client.post(reverse("delivery:electronic_download", args=[case.pk]))
    assert response.status_code == 302 and "/documents/" in response.url
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED


def test_public_certificate_check_shows_state_and_print_only(client, window):
    case = granted_case(window)
    produced(window, case, scope="小吃店经营")
    certificate = case.certificates.get()
    page = client.get(reverse("delivery:certificate_verify"), {"number": certificate.number}).content.decode()
    assert "有效" in page and "小吃店经营" in page and certificate.holder_name in page
    assert window.citizen.id_number not in page and case.number not in page
    missing = client.get(reverse("delivery:certificate_verify"), {"number": "NOPE"}).content.decode()
    assert "未找到" in missing
    by_qr = client.get(reverse("cases:verify", args=[certificate.document.token])).content.decode()
    assert 'data-certificate-state="valid"' in by_qr


def test_archive_office_reads_packages_of_its_halls(client, window, django_assert_max_num_queries):
    case = granted_case(window)
    picked_up(window, case)
    package = delivery.case_archive(case=case, actor=window.result_clerk)
    _login(client, window.archivist)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("delivery:archive"), {"year": package.year, "retention": package.retention})
    assert case.number in page.content.decode()
    export = client.get(reverse("delivery:archive_export"), {"year": package.year})
    names = zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    assert f"{case.number}.zip" in names and "list.csv" in names
    assert client.get(reverse("delivery:package_download", args=[package.pk])).status_code == 200
    assert 'data-verify="ok"' in client.get(reverse("delivery:package_check", args=[package.pk])).content.decode()
    for outsider in (window.archivist_yd, window.other_citizen, window.other_clerk):
        _login(client, outsider)
        assert client.get(reverse("delivery:package_download", args=[package.pk])).status_code == 404
    assert (
        window.archivist_yd
        and case.number not in _login(client, window.archivist_yd).get(reverse("delivery:archive")).content.decode()
    )
    _login(client, window.citizen)
    assert client.get(reverse("delivery:package_download", args=[package.pk])).status_code == 200
    assert client.get(reverse("delivery:archive")).status_code == 404
