"""Rate limits (django-ratelimit, kept in the cache: Redis in production) with a time to tell people.

`enforce` checks every limit first and counts only when none is exceeded, so a refused request does not
use up the allowance.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

from opendvc.core.errors import DomainError


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    group: str  # what is limited, e.g. "otp-send-phone"
    key: str  # whose allowance: a digest, an account id, an IP address
    rate: str  # "5/h", "10/d"


def _usage(request, limit: Limit, increment: bool):
    return get_usage(
        request, group=limit.group, key=lambda group, req: limit.key, rate=limit.rate, increment=increment
    )


def enforce(request, limits: list[Limit], message: str | None = None) -> None:
    """Raise RateLimited if any limit is used up; otherwise count one use against each."""
    worst = 0
    for limit in limits:
        usage = _usage(request, limit, increment=False)
        if usage and usage["count"] >= usage["limit"]:
            worst = max(worst, int(usage["time_left"]))
    if worst:
        raise RateLimited(message or retry_message(worst), retry_after=worst)
    for limit in limits:
        _usage(request, limit, increment=True)


def misses(request, *, group: str, key: str, allowed: int, window: str, add: bool = False) -> int:
    """How many misses (unknown codes looked up) `key` has in the current window, counting one more with
    `add`. Lookup pages ask for a captcha once `allowed` misses are reached, so codes cannot be guessed."""
    usage = get_usage(
        request, group=group, key=lambda _group, _request: key, rate=f"{allowed}/{window}", increment=add
    )
    return usage["count"] if usage else 0


def duration(seconds: int) -> str:
    """'45 giây', '3 phút', '2 giờ' (English plural forms through ngettext)."""
    if seconds <= 90:
        return ngettext("%(n)d giây", "%(n)d giây", seconds) % {"n": seconds}
    minutes = (seconds + 59) // 60
    if minutes >= 120:
        hours = (minutes + 59) // 60  # "try again in 3 hours" for 2 h 59 min: never sooner than true
        return ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours}
    return ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes}


def retry_message(seconds: int) -> str:
    return _("Bạn đã thử quá nhiều lần. Vui lòng thử lại sau %(wait)s.") % {"wait": duration(seconds)}
