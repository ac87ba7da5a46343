from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from opendvc.api import api
from opendvc.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("quan-tri/", admin.site.urls),
    path("", include("opendvc.catalog.urls")),
]

handler404 = "opendvc.core.views.page_not_found"
handler500 = "opendvc.core.views.server_error"
