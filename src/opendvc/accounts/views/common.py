"""What the account pages share: flow tokens in the session, safe redirects, form errors."""

from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from opendvc.accounts.errors import AccountExists, FlowExpired
from opendvc.accounts.forms import apply_errors
from opendvc.core.errors import DomainError

FLOW_KEY = "opendvc_flow_{}"


def keep_flow(request, name: str, token: str) -> None:
    request.session[FLOW_KEY.format(name)] = token


def flow_token(request, name: str) -> str | None:
    return request.session.get(FLOW_KEY.format(name))


def drop_flow(request, name: str) -> None:
    request.session.pop(FLOW_KEY.format(name), None)


def safe_next(request, default: str) -> str:
    """The `next` the request asks for when it is a path on this site, else `default`.

    Only an absolute path is taken: `redirect()` reads any other string without a slash ("abc") as the
    name of a URL pattern and fails, and nothing links here with a relative or absolute URL anyway."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def refused(request, template: str, context: dict, form, exc: DomainError, *, restart_url: str | None = None):
    """Render the form again with the service's refusal on it (what the person typed is kept)."""
    if isinstance(exc, FlowExpired) and restart_url:
        return redirect(restart_url)
    apply_errors(form, exc.fields, exc.message)
    context = context | {
        "form": form,
        "problem": exc.message,
        "account_exists": isinstance(exc, AccountExists),
    }
    status = 429 if exc.status == 429 else (503 if exc.status == 503 else 400)
    return render(request, template, context, status=status)
