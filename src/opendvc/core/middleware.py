"""Security headers not covered by Django's SecurityMiddleware."""

from urllib.parse import urlsplit

from django.conf import settings


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    """Strict: only our own origin, plus the USB-token plug-in's local address when it is elsewhere, and
    the payment gateways' pages a form may lead to (browsers apply form-action to the redirect after
    "Thanh toán")."""
    plugin = _origin(settings.TOKEN_PLUGIN_URL)
    connect = "'self'" + (f" {plugin}" if plugin else "")
    urls = [p.get("payment_url", "") for p in getattr(settings, "PAYMENT_PROVIDERS", {}).values()]
    urls += getattr(settings, "PAYMENT_FORM_ORIGINS", [])
    gateways = sorted({_origin(url) for url in urls} - {""})
    form_action = " ".join(["'self'", *gateways])
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"connect-src {connect}; frame-ancestors 'none'; base-uri 'self'; form-action {form_action}"
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


class ApiErrorEnvelopeMiddleware:
    """Errors of /api/ that do not come from the API's own handlers (an unknown path, a method the
    endpoint does not take) get the same `{"error": {code, message, fields}}` body as every other."""

    CODES = {404: "not_found", 405: "method_not_allowed"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in self.CODES
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            messages = {404: _("Không tìm thấy."), 405: _("Phương thức HTTP này không dùng được ở đây.")}
            status = response.status_code
            envelope = JsonResponse(
                {"error": {"code": self.CODES[status], "message": messages[status], "fields": {}}},
                status=status,
            )
            if "Allow" in response:
                envelope["Allow"] = response["Allow"]
            return envelope
        return response
