"""Where a request comes from: the client's IP address and a short description of its device."""

from functools import lru_cache

from django.conf import settings


def client_ip(request) -> str | None:
    """The client IP; behind a trusted proxy (settings.TRUSTED_PROXY_COUNT > 0) read from X-Forwarded-For."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request) -> str:
    return (request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:500]


@lru_cache(maxsize=1024)
def describe_device(user_agent_string: str) -> str:
    """'Chrome 131 · Windows 10' from a User-Agent string (ua-parser), or '' when unknown."""
    if not user_agent_string:
        return ""
    from ua_parser import parse

    result = parse(user_agent_string)
    parts = []
    if result.user_agent and result.user_agent.family != "Other":
        parts.append(" ".join(filter(None, [result.user_agent.family, result.user_agent.major])))
    if result.os and result.os.family != "Other":
        parts.append(" ".join(filter(None, [result.os.family, result.os.major])))
    if result.device and result.device.family not in ("Other", "Mac", "Spider") and result.device.family:
        parts.append(result.device.family)
    return " · ".join(parts)
