"""The portal's public pages: guides and news (search, read, comment), the opinion poll."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendvc.accounts.forms import apply_errors
from opendvc.core import devices
from opendvc.core.errors import DomainError
from opendvc.core.limits import Limit, RateLimited, enforce
from opendvc.core.request_info import client_ip
from opendvc.portal.forms import CommentForm, SearchForm
from opendvc.portal.models import ArticleKind, CommentStatus
from opendvc.portal.services import articles as article_service
from opendvc.portal.services import comments, polls

PER_PAGE = 12


@require_GET
def article_list(request):
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    kind = request.GET.get("loai", "")
    rows = article_service.published()
    if kind in ArticleKind.values:
        rows = rows.filter(kind=kind)
    if text:
        ids = article_service.search(text)
        order = {pk: i for i, pk in enumerate(ids)}
        found = sorted(rows.filter(pk__in=ids), key=lambda a: order[a.pk])
        page = Paginator(found, PER_PAGE).get_page(request.GET.get("trang"))
    else:
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("trang"))
    return render(
        request,
        "portal/articles.html",
        {"form": form, "page": page, "text": text, "kind": kind, "kinds": ArticleKind.choices},
    )


def _comment_limits() -> list[str]:
    return list(getattr(settings, "PORTAL_COMMENT_LIMITS_PER_IP", ["5/h", "20/d"]))


@require_http_methods(["GET", "POST"])
def article(request, slug):
    item = get_object_or_404(article_service.published(), slug=slug)
    form = CommentForm(request.POST or None)
    status, problem = 200, ""
    if request.method == "POST":
        if form.is_valid():
            try:
                enforce(
                    request,
                    [Limit("portal-comment-ip", client_ip(request) or "?", r) for r in _comment_limits()],
                )
                comments.submit(
                    item, name=form.cleaned_data["name"], body=form.cleaned_data["body"], request=request
                )
            except RateLimited as exc:
                problem = exc.message
            except DomainError as exc:
                problem = exc.message
                apply_errors(form, exc.fields)
            else:
                messages.success(
                    request, _("Cảm ơn bạn. Bình luận sẽ được hiển thị sau khi cán bộ kiểm duyệt.")
                )
                return redirect(f"{item.get_absolute_url()}#binh-luan")
        status = 400
    published = item.comments.filter(status=CommentStatus.PUBLISHED)
    related = article_service.published().filter(kind=item.kind).exclude(pk=item.pk)[:5]
    return render(
        request,
        "portal/article.html",
        {"article": item, "form": form, "problem": problem, "comments": published, "related": related},
        status=status,
    )


def _poll_context(request, poll, **extra) -> dict:
    ballot = polls.voted(poll, devices.request_voter(request)) if poll else None
    context = {"poll": poll, "ballot": ballot, "show_results": bool(poll and (ballot or not poll.is_open()))}
    if context["show_results"]:
        context["results"], context["total"] = polls.results(poll)
    return context | extra


@require_GET
def poll(request):
    return render(request, "portal/poll.html", _poll_context(request, polls.current()))


def _vote_limits() -> list[str]:
    return list(getattr(settings, "PORTAL_VOTE_LIMITS_PER_IP", ["30/h"]))


@require_POST
def poll_vote(request, poll_id: int):
    current = polls.current()
    if current is None or current.pk != poll_id:
        raise Http404(_("Cuộc thăm dò không còn mở."))
    device, new_device = devices.device_of(request)
    problem = ""
    try:
        enforce(request, [Limit("portal-vote-ip", client_ip(request) or "?", r) for r in _vote_limits()])
        polls.vote(
            current,
            voter=devices.voter_key(account=request.user, device=device),
            choice_id=request.POST.get("choice", ""),
        )
    except DomainError as exc:
        problem = exc.message
    else:
        request.COOKIES[devices.DEVICE_COOKIE] = device  # the results below are this voter's
    context = _poll_context(request, current, problem=problem, just_voted=not problem)
    template = "portal/_poll.html" if request.htmx else "portal/poll.html"
    response = render(request, template, context, status=400 if problem else 200)
    if new_device and not problem:
        devices.remember_device(response, device)
    return response
