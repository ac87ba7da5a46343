"""Multi-step flows (registration, sign-in, recovery): a server-side record addressed by a random token.

The token is the only handle a browser session or an API client holds; its hash is what is stored. A
flow lives `AUTH_FLOW_LIFETIME` seconds and is finished at most once.
"""

import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from opendvc.accounts.errors import FlowExpired, WrongStep
from opendvc.accounts.models import AuthFlow, PkiChallenge, token_hash


def start_flow(purpose: str, *, step: str, account=None, **data) -> tuple[AuthFlow, str]:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    flow = AuthFlow.objects.create(
        token_hash=token_hash(token),
        purpose=purpose,
        account=account,
        step=step,
        data=json.dumps(data, default=str),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.AUTH_FLOW_LIFETIME),
    )
    return flow, token


def get_flow(token: str | None, purpose: str | tuple[str, ...], *, step: str | tuple[str, ...] | None = None):
    """The live flow of this token and purpose, at one of the given steps; FlowExpired otherwise."""
    purposes = (purpose,) if isinstance(purpose, str) else purpose
    flow = (
        AuthFlow.objects.select_related("account")
        .filter(token_hash=token_hash(token or ""), purpose__in=purposes, completed_at__isnull=True)
        .first()
    )
    if flow is None or flow.expires_at <= timezone.now():
        raise FlowExpired()
    if step is not None and flow.step not in ((step,) if isinstance(step, str) else step):
        raise WrongStep(_wrong_step_message(), code="wrong_step")
    return flow


def _wrong_step_message() -> str:
    from django.utils.translation import gettext as _

    return _("Bước này không còn hợp lệ. Vui lòng làm theo thứ tự trên màn hình.")


def flow_data(flow: AuthFlow) -> dict:
    return json.loads(flow.data or "{}")


def update_flow(flow: AuthFlow, *, step: str | None = None, account=None, **data) -> None:
    merged = flow_data(flow) | data
    flow.data = json.dumps(merged, default=str)
    fields = ["data"]
    if step is not None:
        flow.step = step
        fields.append("step")
    if account is not None:
        flow.account = account
        fields.append("account")
    flow.save(update_fields=fields)


def finish_flow(flow: AuthFlow) -> None:
    flow.completed_at = timezone.now()
    flow.save(update_fields=["completed_at"])


def purge_expired_flows() -> int:
    """Delete flows (and their codes) and certificate challenges a day after they expired (Celery beat)."""
    cutoff = timezone.now() - timedelta(days=1)
    _total, flows = AuthFlow.objects.filter(expires_at__lt=cutoff).delete()
    challenges, _ = PkiChallenge.objects.filter(expires_at__lt=cutoff).delete()
    return flows.get(AuthFlow._meta.label, 0) + challenges
