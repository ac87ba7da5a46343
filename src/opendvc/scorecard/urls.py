"""Public scorecard pages (Chỉ số phục vụ người dân, doanh nghiệp)."""

from django.urls import path

from opendvc.scorecard import views

app_name = "scorecard"
urlpatterns = [
    path("chi-so-phuc-vu/", views.ranking, name="ranking"),
    path("chi-so-phuc-vu/so-sanh/", views.compare, name="compare"),
    path("chi-so-phuc-vu/co-quan/<str:code>/", views.agency, name="agency"),
]
