"""The delivery pages (result window, production, order, archive office, 我的证照, public check) meet
WCAG 2.1 AA (axe-core: no serious or critical violation) and do not scroll sideways at 375 px, in both
languages and text sizes, on the demo data (seed_delivery)."""

import pytest
from django.core.management import call_command

from delivery.models import ArchivePackage, Certificate, DeliveryOrder
from hall.demo import DEMO_PASSWORD

from . import a11y
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_delivery_pages_meet_wcag_aa(browser, live_server, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for command in ("seed_catalogue", "seed_cases", "seed_delivery"):
        call_command(command, verbosity=0)
    order = DeliveryOrder.objects.filter(hall__code="JC", state="at_window").first()
    package = ArchivePackage.objects.first()
    certificate = Certificate.objects.first()
    pages = {
        "jc_result": ["/results/", "/results/?tab=receive", "/results/?tab=archive", f"/results/orders/{order.pk}/"],
        "jc_approver": ["/results/production/", f"/cases/{order.case_id}/"],
        "jc_archivist": ["/archive/", f"/archive/{package.pk}/check/"],
        "13800000001": ["/certificates/", f"/cases/{package.case_id}/", f"/cases/{package.case_id}/delivery/"],
        None: [f"/certificates/verify/?number={certificate.number}", f"/verify/{certificate.document.token}/"],
    }
    axe_source = a11y.AXE_JS.read_text()
    findings = []
    for account, urls in pages.items():
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        page = context.new_page()
        if account:
            login(page, account, DEMO_PASSWORD)
        for variant in a11y.VARIANTS:
            a11y.set_variant(context, live_server.url, variant)
            for url in urls:
                findings.extend(a11y.check_page(page, f"{live_server.url}{url}", variant, axe_source))
        context.close()
    report = "\n".join(f"{f.url} {f.variant}: {f.problem}" for f in findings)
    assert not findings, f"{len(findings)} accessibility problems:\n{report}"
