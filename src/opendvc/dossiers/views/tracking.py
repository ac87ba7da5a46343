"""Public tracking by dossier code (seed 002 §7): status only, no personal data, for any dossier.

Lookups are rate-limited per IP address; after a few unknown codes from one address within 15 minutes a
captcha is asked, so codes cannot be guessed in bulk (settings `TRACKING_LIMITS_PER_IP`,
`TRACKING_MISSES_BEFORE_CAPTCHA`).
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import get_usage

from opendvc.core.errors import NotFound
from opendvc.core.limits import Limit, RateLimited, enforce
from opendvc.core.request_info import client_ip
from opendvc.dossiers import selectors
from opendvc.dossiers.forms import TrackingCaptchaForm, TrackingForm

MISS_WINDOW = "15m"
TEMPLATE = "dossiers/tracking.html"


def _limits_per_ip() -> list[str]:
    return getattr(settings, "TRACKING_LIMITS_PER_IP", ["60/h", "300/d"])


def _misses_allowed() -> int:
    return getattr(settings, "TRACKING_MISSES_BEFORE_CAPTCHA", 3)


def _misses(request, ip: str, *, add: bool = False) -> int:
    """Unknown codes looked up from `ip` in the current 15-minute window (counting one more with add)."""
    usage = get_usage(
        request,
        group="track-miss-ip",
        key=lambda group, req: ip,
        rate=f"{_misses_allowed()}/{MISS_WINDOW}",
        increment=add,
    )
    return usage["count"] if usage else 0


@require_GET
def track(request):
    ip = client_ip(request) or "unknown"
    captcha_needed = _misses(request, ip) >= _misses_allowed()
    form_class = TrackingCaptchaForm if captcha_needed else TrackingForm
    context = {"captcha_needed": captcha_needed}
    if "ma" not in request.GET or (captcha_needed and "captcha_1" not in request.GET):
        # A link from an SMS (?ma=…) fills the code in; with a captcha due, the person types it first.
        form = form_class(initial={"ma": request.GET.get("ma", "")})
        return render(request, TEMPLATE, context | {"form": form})
    try:
        enforce(request, [Limit("track-ip", ip, rate) for rate in _limits_per_ip()])
    except RateLimited as exc:
        response = render(
            request, TEMPLATE, context | {"form": form_class(), "problem": exc.message}, status=429
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    form = form_class(request.GET)
    if not form.is_valid():
        return render(request, TEMPLATE, context | {"form": _without_answer(form, request)}, status=400)
    code = form.cleaned_data["ma"]
    try:
        status = selectors.public_status(code)
    except NotFound:
        captcha_needed = _misses(request, ip, add=True) >= _misses_allowed()
        problem = _(
            "Không tìm thấy hồ sơ có mã %(code)s. "
            "Kiểm tra lại mã trên giấy tiếp nhận hồ sơ và hẹn trả kết quả."
        ) % {"code": code}
        next_form = (TrackingCaptchaForm if captcha_needed else TrackingForm)(initial={"ma": code})
        return render(
            request,
            TEMPLATE,
            {"captcha_needed": captcha_needed, "form": next_form, "not_found": problem, "code": code},
            status=404,
        )
    return render(request, TEMPLATE, context | {"form": form_class(initial={"ma": code}), "status": status})


def _without_answer(form, request):
    """The form again with its errors, but a new captcha instead of the used-up one."""
    data = request.GET.copy()
    for name in ("captcha_0", "captcha_1"):
        data.pop(name, None)
    fresh = type(form)(data)
    fresh._errors = form.errors
    return fresh


urlpatterns = [
    path("tra-cuu-ho-so/", track, name="track"),
]
