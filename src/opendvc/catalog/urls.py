from django.urls import path

from opendvc.catalog import views
from opendvc.catalog.models import Audience

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("cong-dan/", views.audience_page, {"audience": Audience.CITIZEN}, name="citizen"),
    path("doanh-nghiep/", views.audience_page, {"audience": Audience.BUSINESS}, name="business"),
    path("tim-kiem/", views.search, name="search"),
    path("tim-kiem/goi-y/", views.suggest, name="suggest"),
    path("dich-vu-cong/", views.online_services, name="online_services"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    path("thu-tuc/<str:code>/nop-ho-so/", views.submit_dossier, name="submit"),
    path("su-kien/", views.life_event_list, name="life_events"),
    path("su-kien/<slug:slug>/", views.life_event_detail, name="life_event"),
    path("co-quan/", views.agency_directory, name="agencies"),
    path("co-quan/<str:code>/", views.agency_detail, name="agency"),
]
