"""Lockout after repeated wrong passwords (django-axes), keyed by the ID number's hash.

Axes counts failures for any ID typed, whether or not it has an account, so a lockout tells an attacker
nothing about which IDs exist.
"""

from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.utils import timezone

from opendvc.core.personal_data import lookup_digest


def login_key(identifier: str) -> str:
    """What axes records as the username: a keyed hash of the ID number / username typed."""
    return lookup_digest((identifier or "").strip().lower(), kind="login")


def axes_username(request, credentials) -> str | None:
    credentials = credentials or {}
    identifier = credentials.get("id_number") or credentials.get("username")
    return login_key(identifier) if identifier else None


def locked_until(identifier: str) -> datetime | None:
    """When the lockout of this identifier ends, or None if it is not locked out."""
    attempts = AccessAttempt.objects.filter(username=login_key(identifier)).order_by("-attempt_time")
    failures = sum(attempt.failures_since_start for attempt in attempts)
    if failures < settings.AXES_FAILURE_LIMIT or not attempts:
        return None
    ends = attempts[0].attempt_time + settings.AXES_COOLOFF_TIME
    return ends if ends > timezone.now() else None


def unlock(identifier: str) -> None:
    """After a successful password reset the person is back in at once."""
    reset(username=login_key(identifier))


def unlock_account(account) -> None:
    for identifier in (account.id_number, account.old_id_number, account.username):
        if identifier:
            unlock(identifier)


__all__ = ["AxesProxyHandler", "axes_username", "locked_until", "login_key", "unlock", "unlock_account"]
