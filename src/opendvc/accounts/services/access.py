"""Signing in and out: the access history, browser sessions and API tokens."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login, logout
from django.db.models import F
from django.utils import timezone

from opendvc.accounts import lockout
from opendvc.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from opendvc.accounts.models import AccessEvent, Account, ApiToken, token_hash
from opendvc.core import audit
from opendvc.core.request_info import client_ip, describe_device, user_agent

BACKEND = "opendvc.accounts.backends.AccountBackend"
ACCESS_HISTORY_DAYS = 90


def record_access(request, account: Account, method: str, *, success: bool, reason: str = "") -> AccessEvent:
    agent = user_agent(request)
    return AccessEvent.objects.create(
        account=account,
        ip_address=client_ip(request),
        user_agent=agent,
        device=describe_device(agent),
        method=method,
        success=success,
        reason=reason[:200],
    )


def sign_in(request, account: Account, method: str) -> None:
    """Start a browser session: a new session id (no fixation), the limits' clock, the access history."""
    login(request, account, backend=BACKEND)
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session["opendvc_auth_method"] = method
    request.session["opendvc_reauthenticated_at"] = now
    record_access(request, account, method, success=True)
    lockout.unlock_account(account)


def sign_out(request) -> None:
    user = request.user
    if user.is_authenticated:
        record_access(request, user, "logout", success=True)
    logout(request)


def sign_out_everywhere(request, account: Account) -> None:
    """End every browser session and API token of the account, this one included."""
    Account.objects.filter(pk=account.pk).update(session_epoch=F("session_epoch") + 1)
    ApiToken.objects.filter(account=account, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record("account.signed_out_everywhere", actor=account, target=account, request=request)
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)


def issue_api_token(request, account: Account, method: str) -> str:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        account=account, token_hash=token_hash(token), session_epoch=account.session_epoch, method=method
    )
    record_access(request, account, method, success=True)
    lockout.unlock_account(account)
    return token


def account_for_api_token(token: str) -> Account | None:
    """The account of a live token: not revoked, same epoch, within the idle and absolute limits."""
    api_token = (
        ApiToken.objects.select_related("account")
        .filter(token_hash=token_hash(token or ""), revoked_at__isnull=True)
        .first()
    )
    if api_token is None:
        return None
    now = timezone.now()
    account = api_token.account
    if (
        not account.is_active
        or api_token.session_epoch != account.session_epoch
        or now - api_token.last_used_at > timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
        or now - api_token.created_at > timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT)
    ):
        return None
    if now - api_token.last_used_at > timedelta(seconds=30):
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return account


def revoke_api_token(token: str) -> None:
    ApiToken.objects.filter(token_hash=token_hash(token or "")).update(revoked_at=timezone.now())


def purge_access_history() -> int:
    """Keep the access history for 90 days (run daily by Celery beat)."""
    cutoff = timezone.now() - timedelta(days=ACCESS_HISTORY_DAYS)
    deleted, _ = AccessEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
