"""The typed code (mã xác thực) of sign-in and public forms: django-simple-captcha, images made here.

Pages use `CaptchaField` in their forms; the API hands out a key and an image URL (`new_challenge`) and
checks the answer with `verify` — the same rules as the form field (one try per challenge, 5 minutes).
"""

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendvc.core.errors import DomainError


class CaptchaInvalid(DomainError):
    code = "captcha_invalid"


class PortalCaptchaInput(CaptchaTextInput):
    """The image, "Đổi mã khác" and one text box; the field's label names the text box."""

    template_name = "captcha/portal_captcha.html"
    use_fieldset = False


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label=gettext_lazy("Mã xác thực"),
        help_text=gettext_lazy("Nhập các ký tự trong hình."),
        widget=PortalCaptchaInput(),
        error_messages={
            "invalid": gettext_lazy("Mã xác thực không đúng. Vui lòng nhập mã trong hình mới."),
            "required": gettext_lazy("Vui lòng nhập mã xác thực."),
            "incomplete": gettext_lazy("Vui lòng nhập mã xác thực."),
        },
    )


def new_challenge() -> dict:
    key = CaptchaStore.generate_key()
    return {"key": key, "image_url": reverse("captcha-image", kwargs={"key": key})}


def verify(key: str, answer: str) -> None:
    """Accept the answer once, or raise CaptchaInvalid. The challenge is used up either way."""
    answer = (answer or "").strip().lower()
    CaptchaStore.remove_expired()
    store = CaptchaStore.objects.filter(hashkey=key or "", expiration__gt=timezone.now()).first()
    if store is not None:
        store.delete()
    if captcha_settings.CAPTCHA_TEST_MODE and answer == "passed":
        return
    if store is None or not answer or store.response != answer:
        message = _("Mã xác thực không đúng hoặc đã hết hạn. Vui lòng lấy mã mới.")
        raise CaptchaInvalid(message, fields={"captcha": [message]})
