"""URLs of the cases app, included at the site root by hall/urls.py: the pages live under cases/, the
public verification page under verify/ (short, for the QR codes)."""

from django.urls import path

from .views import bundle, citizen, counter, decision, intake, progress, verify, workbench
from .views import commitment as commitment_views

app_name = "cases"

urlpatterns = [
    path("verify/<str:token>/", verify.document_verify, name="verify"),
    # The applicant (B2)
    path("cases/apply/<int:item_pk>/", citizen.apply, name="apply"),
    path("cases/apply/bundle/<int:bundle_pk>/", bundle.apply_bundle, name="apply_bundle"),
    path("cases/progress/", progress.progress, name="progress"),
    path("cases/<int:pk>/", citizen.detail, name="detail"),
    path("cases/<int:pk>/edit/", citizen.edit, name="edit"),
    path("cases/<int:pk>/submit/", citizen.submit, name="submit"),
    path("cases/<int:pk>/materials/<int:submitted_pk>/", citizen.material_file, name="material_file"),
    path("cases/<int:pk>/materials/<int:submitted_pk>/remove/", citizen.remove_material, name="remove_material"),
    path("cases/<int:pk>/withdraw/", citizen.withdraw, name="withdraw"),
    path("cases/<int:pk>/supplement/", citizen.supplement, name="supplement"),
    path("cases/<int:pk>/documents/<int:document_pk>/", citizen.document, name="document"),
    # Window clerks (B2)
    path("cases/desk/", workbench.clerk_workbench, name="clerk_workbench"),
    path("cases/counter/", counter.counter_start, name="counter"),
    path("cases/counter/<int:item_pk>/", counter.counter_apply, name="counter_apply"),
    path("cases/counter/lookup/", counter.counter_lookup, name="counter_lookup"),
    path("cases/<int:pk>/review/", intake.review, name="review"),
    path("cases/<int:pk>/review/accept/", intake.accept, name="accept"),
    path("cases/<int:pk>/review/supplement/", intake.request_supplement, name="request_supplement"),
    path("cases/<int:pk>/review/refuse/", intake.refuse, name="refuse"),
    path("cases/<int:pk>/review/defer/", intake.accept_with_deferral, name="accept_with_deferral"),
    # Approvers and supervisors (B2)
    path("cases/approvals/", workbench.approver_workbench, name="approver_workbench"),
    path("cases/<int:pk>/decide/", decision.decide, name="decide"),
    path("cases/<int:pk>/decide/grant/", decision.grant, name="grant"),
    path("cases/<int:pk>/decide/deny/", decision.deny, name="deny"),
    path("cases/<int:pk>/decide/suspend/", decision.suspend, name="suspend"),
    path("cases/<int:pk>/decide/resume/", decision.resume, name="resume"),
    path("cases/<int:pk>/decide/extension/", decision.request_extension, name="request_extension"),
    path("cases/<int:pk>/decide/inspection/", decision.site_inspection, name="site_inspection"),
    path("cases/extensions/", decision.extensions, name="extensions"),
    path("cases/extensions/<int:extension_pk>/decide/", decision.extension_decide, name="extension_decide"),
    # 告知承诺制: signing, the department's post-checks
    path("cases/<int:pk>/commitment/", commitment_views.sign, name="commitment_sign"),
    path("cases/commitment-checks/", commitment_views.checks, name="commitment_checks"),
    path(
        "cases/commitment-checks/<int:commitment_pk>/",
        commitment_views.check_record,
        name="commitment_check_record",
    ),
]

# The supervisor's page (C): every clock in the supervisor's scope.
from .views import supervision  # noqa: E402

urlpatterns += [path("cases/supervision/", supervision.supervision, name="supervision")]

# Cross-county hand-off (全市通办).
from .views import handoff  # noqa: E402

urlpatterns += [
    path("cases/handoffs/", handoff.desk, name="handoff_desk"),
    path("cases/handoffs/figures/", handoff.figures, name="handoff_figures"),
    path("cases/<int:pk>/handoff/", handoff.handoff_case, name="handoff"),
    path("cases/<int:pk>/handoff/forward/", handoff.forward, name="handoff_forward"),
    path("cases/<int:pk>/handoff/receive/", handoff.receive, name="handoff_receive"),
    path("cases/<int:pk>/handoff/supplement/", handoff.supplement_forward, name="handoff_supplement"),
    path("cases/<int:pk>/handoff/result/send/", handoff.result_send, name="handoff_result_send"),
    path("cases/<int:pk>/handoff/result/arrive/", handoff.result_arrive, name="handoff_result_arrive"),
]
