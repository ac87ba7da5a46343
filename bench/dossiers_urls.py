"""The project's URLs plus the benchmark's prototype lookup (bench/dossiers_fastpath.py), put first (as
/healthz is) so that it does not pay for trying the other hundred patterns; every other route costs one
more failed prefix match, a microsecond."""

import dossiers_fastpath
from django.urls import path

from opendvc.urls import handler404, handler500, urlpatterns  # noqa: F401 - the project's error views

urlpatterns = [
    path("bench/dossiers/<str:code>/status", dossiers_fastpath.status_view),
    path("bench/dossiers/<str:code>/status-cached", dossiers_fastpath.cached_status_view),
    *urlpatterns,
]
