"""Dossier pages: applicants (drafts, my dossiers), public tracking and verification, the back office."""

from opendvc.dossiers.views import backoffice, citizen, files, tracking, verify

app_name = "dossiers"
urlpatterns = [
    *citizen.urlpatterns,
    *tracking.urlpatterns,
    *files.urlpatterns,
    *verify.urlpatterns,
    *backoffice.urlpatterns,
]
