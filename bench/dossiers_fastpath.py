"""A prototype of a cheaper public status lookup, served only by the benchmark (bench/dossiers_urls.py).

It answers `GET /bench/dossiers/{code}/status` with the same JSON fields and the same rules as the API's
`dossier_status` (60 lookups a minute per IP address; after 20 unknown codes in 10 minutes every lookup
from the address waits; names in the request's language; the same `Dossier.is_late` rule), but:

1. one SQL statement, written once, on the dossier table alone, instead of an ORM query compiled on every
   request with two joins and an ORDER BY for `.first()`; procedure and agency names come from a small
   in-process table kept for `NAMES_SECONDS` (they change a few times a year);
2. one Redis round trip (a Lua script that checks both limits and counts the lookup) instead of four to
   six django-ratelimit calls; an unknown code adds one more, to count the miss;
3. a plain Django view building the JSON, instead of django-ninja's parameter and response validation.

`/bench/dossiers/{code}/status-cached` also keeps each answer in Redis for CACHE_SECONDS and reads it in
the same round trip as the limits, so a repeated lookup needs no SQL at all.

It exists to put numbers on those three suggestions (docs/benchmarks.md); the API's module is unchanged.
"""

import json
import time
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opendvc.core.limits import retry_message
from opendvc.core.request_info import client_ip
from opendvc.dossiers.models import Dossier, Status

STATUS_LIMIT, STATUS_WINDOW = 60, 60  # "60/m", as api.STATUS_RATE
MISS_LIMIT, MISS_WINDOW = 20, 600  # "20/10m", as api.MISS_RATE
NAMES_SECONDS = 300
COLUMNS = (
    "code",
    "status",
    "submitted_at",
    "received_at",
    "due_at",
    "processed_at",
    "closed_at",
    "paused_since",
    "marked_late",
    "channel",
    "procedure_id",
    "agency_id",
)
LOOKUP = (
    "SELECT code, status, submitted_at, received_at, due_at, processed_at, closed_at, paused_since, "
    "marked_late, channel, procedure_id, agency_id FROM dossiers_dossier WHERE code = %s"
)
# Both limits in one round trip: refuse while the misses are used up or the lookups are, else count.
LIMITS = """
local misses = tonumber(redis.call('GET', KEYS[2]) or '0')
if misses >= tonumber(ARGV[3]) then return math.max(redis.call('TTL', KEYS[2]), 1) end
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return math.max(redis.call('TTL', KEYS[1]), 1) end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if KEYS[3] then return redis.call('GET', KEYS[3]) or 0 end
return 0
"""
CACHE_SECONDS = 60  # the cached variant: a status may be this old (or deleted on change, see the docs)
_names: dict[tuple[str, int], tuple[float, tuple[str, str, str]]] = {}
_script = None


def _limits():
    global _script
    if _script is None:
        from django_redis import get_redis_connection

        _script = get_redis_connection("default").register_script(LIMITS)
    return _script


def _name(table: str, pk: int) -> tuple[str, str, str]:
    """(code, name_vi, name_en) of a procedure or agency, read at most every NAMES_SECONDS."""
    now = time.monotonic()
    hit = _names.get((table, pk))
    if hit is None or now - hit[0] > NAMES_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT code, name_vi, name_en FROM {table} WHERE id = %s", [pk])
            hit = (now, cursor.fetchone())
        _names[(table, pk)] = hit
    return hit[1]


def _json(payload: dict, status: int = 200, **headers) -> HttpResponse:
    return _json_bytes(json.dumps(payload, cls=DjangoJSONEncoder).encode(), status, **headers)


def _json_bytes(body: bytes, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(
        body,
        content_type="application/json; charset=utf-8",  # as django-ninja answers
        status=status,
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _error(status: int, code: str, message: str, **headers) -> HttpResponse:
    return _json({"error": {"code": code, "message": message, "fields": {}}}, status, **headers)


def _iso(moment):
    return timezone.localtime(moment) if moment is not None else None


def cached_status_view(request, code: str):
    """The same, with each answer kept in Redis for CACHE_SECONDS and read in the limits' round trip."""
    return status_view(request, code, cached=True)


def status_view(request, code: str, cached: bool = False):
    if len(code) > 64 or "\x00" in code:
        return _error(400, "invalid_parameters", _("Mã hồ sơ không hợp lệ."))
    lang = request.GET.get("lang")
    if lang and lang not in ("vi", "en"):
        return _error(400, "invalid_parameters", "Unknown language.")
    ip = client_ip(request) or "unknown"
    window = int(time.time()) // STATUS_WINDOW
    per_ip, misses = f"opendvc:fast:ip:{ip}:{window}", f"opendvc:fast:miss:{ip}"
    language = lang or translation.get_language()
    keys = [per_ip, misses]
    if cached:
        keys.append(f"opendvc:fast:status:{language}:{code.strip().upper()}")
    wait = _limits()(keys=keys, args=[STATUS_LIMIT, STATUS_WINDOW, MISS_LIMIT])
    if isinstance(wait, bytes):  # the cached answer
        return _json_bytes(wait)
    if wait:
        return _error(429, "rate_limited", retry_message(wait), Retry_After=str(wait))
    with connection.cursor() as cursor:
        cursor.execute(LOOKUP, [code.strip().upper()])
        row = cursor.fetchone()
    with translation.override(language):
        if row is None:
            from django_redis import get_redis_connection

            pipe = get_redis_connection("default").pipeline(transaction=False)
            pipe.incr(misses)
            pipe.expire(misses, MISS_WINDOW, nx=True)
            pipe.execute()
            message = _("Không tìm thấy hồ sơ có mã này. Vui lòng kiểm tra lại mã hồ sơ.")
            return _error(404, "not_found", message)
        d = SimpleNamespace(**dict(zip(COLUMNS, row, strict=True)))
        english = (translation.get_language() or "vi").startswith("en")
        p_code, p_vi, p_en = _name("catalog_procedure", d.procedure_id)
        a_code, a_vi, a_en = _name("catalog_agency", d.agency_id)
        response = _json(
            {
                "code": d.code,
                "procedure": {"code": p_code, "name": (english and p_en) or p_vi},
                "agency": {"code": a_code, "name": (english and a_en) or a_vi},
                "status": {"code": d.status, "label": str(Status(d.status).label)},
                "submitted_at": _iso(d.submitted_at),
                "received_at": _iso(d.received_at),
                "due_at": _iso(d.due_at),
                "finished_at": _iso(d.processed_at or d.closed_at),
                "late": Dossier.is_late(d),
                "channel": d.channel,
            }
        )
    if cached:
        from django_redis import get_redis_connection

        get_redis_connection("default").set(keys[2], response.content, ex=CACHE_SECONDS)
    return response
