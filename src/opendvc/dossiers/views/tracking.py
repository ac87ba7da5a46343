"""Public tracking by dossier code (seed 002 §7): status only, no personal data, for any dossier.

Lookups are rate-limited per IP address; after a few unknown codes from one address within 15 minutes a
captcha is asked, so codes cannot be guessed in bulk (settings `TRACKING_LIMITS_PER_IP`,
`TRACKING_MISSES_BEFORE_CAPTCHA`; the mechanism is `core.lookup`).
"""

from django.conf import settings
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opendvc.core.lookup import LookupPage
from opendvc.dossiers import selectors
from opendvc.dossiers.forms import TrackingCaptchaForm, TrackingForm


def _page() -> LookupPage:
    return LookupPage(
        template="dossiers/tracking.html",
        form=TrackingForm,
        captcha_form=TrackingCaptchaForm,
        lookup=selectors.public_status,
        group="track",
        result_name="status",
        not_found=lambda code: (
            _(
                "Không tìm thấy hồ sơ có mã %(code)s. "
                "Kiểm tra lại mã trên giấy tiếp nhận hồ sơ và hẹn trả kết quả."
            )
            % {"code": code}
        ),
        limits_per_ip=tuple(getattr(settings, "TRACKING_LIMITS_PER_IP", ["60/h", "300/d"])),
        misses_allowed=getattr(settings, "TRACKING_MISSES_BEFORE_CAPTCHA", 3),
    )


@require_GET
def track(request):
    return _page().respond(request)


urlpatterns = [
    path("tra-cuu-ho-so/", track, name="track"),
]
