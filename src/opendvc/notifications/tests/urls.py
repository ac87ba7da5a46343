"""The site's URLs plus this app's, so that the page tests do not depend on the project's urls.py."""

from django.urls import include, path

from opendvc.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("", include("opendvc.notifications.urls")), *site_urlpatterns]
