"""What the applicant pages share: who may use them, the wizard's page names, optional links."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from opendvc.accounts.models import AccountKind

APPLICANT_KINDS = frozenset({AccountKind.CITIZEN, AccountKind.BUSINESS})
# The pages after the form's own steps. Step keys never hold a dash, so these never clash with them.
FILES, DELIVERY, REVIEW = "giay-to", "noi-nhan", "xem-lai"
STEP = r"(?P<step>[a-z][a-z0-9_]{0,63})"
PER_PAGE = 20


def applicant_required(view):
    """Signed in as a citizen or a business; officials are told to use a personal account."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.kind not in APPLICANT_KINDS:
            return render(request, "dossiers/citizen/not_applicant.html", {}, status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def optional_url(name: str, *args) -> str:
    """The URL of a page another part of the portal provides, or "" while it is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
