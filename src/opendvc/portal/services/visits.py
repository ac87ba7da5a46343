"""Visit counters (today, yesterday, this week, this month, in all) that cost a page nothing noticeable
and store nothing about anyone.

A browser counts once a day: the middleware adds one to the day's number in the cache (Redis: one INCR)
when the browser has no `opendvc_visit` cookie for today, then sets it; the cookie holds only the date.
Robots, API calls, static files and htmx fragments are not counted. The cache's numbers move to
`VisitDay` rows (`flush`: Celery beat every minute, and whenever the figures are read, at most once a
minute), so the total survives restarts. Figures shown are cached for a minute.
"""

from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from opendvc.portal.models import VisitDay

COOKIE = "opendvc_visit"
PENDING_KEY = "portal:visits:{day}"
PENDING_SECONDS = 3 * 24 * 3600
STATS_KEY = "portal:visit-stats"
STATS_SECONDS = 60
NOT_COUNTED = ("/static/", "/media/", "/api/", "/quan-tri/", "/healthz", "/readyz", "/captcha/", "/dev/")
ROBOTS = ("bot", "spider", "crawl", "slurp", "preview", "monitor", "curl", "wget", "python-requests")


def countable(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if request.path.startswith(NOT_COUNTED) or request.headers.get("HX-Request"):
        return False
    agent = request.headers.get("User-Agent", "").lower()
    return bool(agent) and not any(word in agent for word in ROBOTS)


def count(request, response) -> None:
    """Count the visit if this browser has not been counted today, and remember that it has."""
    today = timezone.localdate()
    if request.COOKIES.get(COOKIE) == today.isoformat() or not countable(request, response):
        return
    key = PENDING_KEY.format(day=today.isoformat())
    cache.add(key, 0, PENDING_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, PENDING_SECONDS)
    midnight = datetime.combine(today + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    response.set_cookie(
        COOKIE,
        today.isoformat(),
        max_age=max(60, int((midnight - timezone.now()).total_seconds())),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def flush(days: int = 3) -> int:
    """Move the cache's counts of the last `days` days into the database; returns how many moved."""
    moved = 0
    today = timezone.localdate()
    for back in range(days):
        day = today - timedelta(days=back)
        key = PENDING_KEY.format(day=day.isoformat())
        pending = cache.get(key) or 0
        if pending <= 0:
            continue
        try:
            cache.decr(key, pending)
        except ValueError:
            continue
        with transaction.atomic():
            if not VisitDay.objects.filter(day=day).update(visits=F("visits") + pending):
                VisitDay.objects.create(day=day, visits=pending)
        moved += pending
    return moved


def _stored(since: date | None, until: date) -> int:
    rows = VisitDay.objects.filter(day__lte=until)
    if since is not None:
        rows = rows.filter(day__gte=since)
    return rows.aggregate(total=Sum("visits"))["total"] or 0


def stats() -> dict[str, int]:
    """{"today", "yesterday", "week", "month", "total"}: visits counted so far."""
    figures = cache.get(STATS_KEY)
    if figures is not None:
        return figures
    flush()
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    figures = {
        "today": _stored(today, today),
        "yesterday": _stored(yesterday, yesterday),
        "week": _stored(today - timedelta(days=today.weekday()), today),
        "month": _stored(today.replace(day=1), today),
        "total": _stored(None, today),
    }
    cache.set(STATS_KEY, figures, STATS_SECONDS)
    return figures
