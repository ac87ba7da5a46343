"""One vote per person or device without knowing who anyone is: a signed-in account votes as itself, a
signed-out reader as a random cookie set at their first vote, stored only as a hash (feedback likes, the
opinion poll)."""

import hashlib
import secrets

from django.conf import settings

DEVICE_COOKIE = "opendvc_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


def device_of(request) -> tuple[str, bool]:
    """The signed-out visitor's device id (the cookie), and whether it is new (to be set on the response)."""
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    if request.user.is_authenticated or device:
        return device, False
    return secrets.token_urlsafe(24), True


def voter_key(*, account=None, device: str = "") -> str:
    """ "a:<account id>" when signed in, else "d:<hash of the device cookie>" ("" without either)."""
    if account is not None and account.is_authenticated:
        return f"a:{account.pk}"
    if device:
        return "d:" + hashlib.sha256(device.encode()).hexdigest()[:40]
    return ""


def request_voter(request) -> str:
    """The voter key of the request as it comes (its device cookie, if any)."""
    return voter_key(account=request.user, device=request.COOKIES.get(DEVICE_COOKIE, ""))


def remember_device(response, device: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
