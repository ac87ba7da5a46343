from django.conf import settings
from django.conf.urls.static import static
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
    path("captcha/", include("captcha.urls")),
    path("", include("opendvc.accounts.urls")),
    path("", include("opendvc.identity.urls")),
    path("", include("opendvc.notifications.urls")),
    path("", include("opendvc.dossiers.urls")),
    path("", include("opendvc.payments.views")),
    path("", include("opendvc.feedback.urls")),
    path("", include("opendvc.scorecard.urls")),
    path("", include("opendvc.portal.urls")),
    path("", include("opendvc.catalog.urls")),
]

if settings.PAYMENT_SIMULATOR_ENABLED:
    urlpatterns.insert(0, path("", include("opendvc.payments.simulator.urls")))

if settings.DEBUG:
    # `make run` serves uploaded files (blank forms) itself; production serves MEDIA_ROOT from the web
    # server or object storage (docs/operations.md).
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "opendvc.core.views.page_not_found"
handler500 = "opendvc.core.views.server_error"
