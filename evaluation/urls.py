"""URLs of the ratings app, included under ratings/ by hall/urls.py."""

from django.urls import path

from .views import figures, rate, supervision, tickets

app_name = "evaluation"

urlpatterns = [
    # Public: the figures (公示) and the rating pages behind links, QR codes and tablets
    path("", figures.figures, name="figures"),
    path("figures.csv", figures.figures_csv, name="figures_csv"),
    path("t/<str:token>/", rate.rate_token, name="rate_token"),
    path("thanks/", rate.thanks, name="thanks"),
    path("tablet/<str:key>/", rate.tablet, name="tablet"),
    # The applicant
    path("services/<int:pk>/rate/", rate.rate_service, name="rate_service"),
    # Staff: tickets, supervision, assessment
    path("tickets/", tickets.ticket_list, name="tickets"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/call-back/", tickets.call_back, name="call_back"),
    path("tickets/<int:pk>/rectify/", tickets.rectify, name="rectify"),
    path("tickets/<int:pk>/appeal/", tickets.appeal, name="appeal"),
    path("tickets/<int:pk>/appeal/decide/", tickets.appeal_decision, name="appeal_decide"),
    path("supervision/", supervision.supervision, name="supervision"),
    path("assessment/", supervision.assessment, name="assessment"),
]
