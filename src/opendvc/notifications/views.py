"""The development outbox page: what the embedded default "sent", for the developer to read OTPs."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from opendvc.notifications import selectors

OUTBOX_SIZE = 100


@require_GET
@never_cache
def outbox(request):
    """The last messages, newest first; htmx polls it and swaps in the table only. 404 unless DEBUG."""
    if not settings.DEBUG:
        raise Http404
    template = "notifications/_outbox_table.html" if request.htmx else "notifications/outbox.html"
    return render(request, template, {"outbox": selectors.recent_messages(OUTBOX_SIZE)})
