"""Downloading a stored file: only for whoever `selectors.can_read_file` allows; everyone else gets a 404.

A file's id is never proof of anything: an unknown id and somebody else's file give the same answer, so the
page does not tell whether a file exists. Anonymous visitors are sent to sign in first (for every id alike).
"""

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.urls import path
from django.views.decorators.http import require_GET

from opendvc.core.errors import NotFound
from opendvc.dossiers import selectors

# Shown in the browser when asked (?xem=1): their bytes were checked at upload, so they are what they say.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


@require_GET
def download(request, file_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        stored = selectors.readable_file(request.user, file_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("file missing from storage") from exc
    inline = request.GET.get("xem") == "1" and stored.content_type in INLINE_TYPES
    response = FileResponse(
        handle, as_attachment=not inline, filename=stored.name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if stored.content_type != "application/pdf":
        # Shown inline, an image runs nothing and cannot be framed (browsers refuse PDFs in a sandbox,
        # so PDFs keep the site's strict policy instead).
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'none'"
    return response


urlpatterns = [
    path("tep/<int:file_id>/", download, name="file"),
]
