"""Security headers not covered by Django's SecurityMiddleware."""

from urllib.parse import urlsplit

from django.conf import settings


def content_security_policy() -> str:
    """Strict: only our own origin, plus the USB-token plug-in's local address when it is elsewhere."""
    plugin = urlsplit(settings.TOKEN_PLUGIN_URL)
    connect = "'self'" + (f" {plugin.scheme}://{plugin.netloc}" if plugin.scheme and plugin.netloc else "")
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"connect-src {connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        # The interactive API docs load their own inline assets; every other page is strict.
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
