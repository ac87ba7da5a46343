"""Session limits: 30 minutes idle, 12 hours at most after sign-in (settings.SESSION_*_TIMEOUT)."""

import time

from django.conf import settings
from django.contrib.auth import logout

SIGNED_IN_AT = "opendvc_signed_in_at"
LAST_SEEN = "opendvc_last_seen"
SESSION_EXPIRED = "opendvc_session_expired"


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.get(SIGNED_IN_AT, now)
            last_seen = request.session.get(LAST_SEEN, now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                logout(request)
                # The new, empty session remembers why, so the sign-in page can say so.
                request.session[SESSION_EXPIRED] = True
            elif now - last_seen > 30 or LAST_SEEN not in request.session:
                # Write at most every 30 s: a busy page does not save the session on every request.
                request.session[LAST_SEEN] = now
                request.session.setdefault(SIGNED_IN_AT, now)
        return self.get_response(request)
