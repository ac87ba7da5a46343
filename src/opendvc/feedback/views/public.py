"""Feedback pages for everyone: send one, read answered ones (search, like/dislike), track by code, and
the sender's own page (reply to a request for information, raise it again).

The sender's page opens with their private link (`?k=<token>`, sent by SMS and e-mail) or when signed in
as the account that sent it; anyone else gets a 404, as for an unknown code.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendvc.accounts.forms import apply_errors
from opendvc.core import devices
from opendvc.core.errors import DomainError, NotFound
from opendvc.core.limits import Limit, RateLimited, enforce
from opendvc.core.lookup import LookupPage
from opendvc.core.request_info import client_ip
from opendvc.dossiers.services.files import InvalidFile, store_upload
from opendvc.feedback import forms, selectors
from opendvc.feedback.models import Attachment, Kind, Status
from opendvc.feedback.services import handling, submission, votes

PER_PAGE = 20


def _stored(uploads, owner) -> list:
    """Check and keep uploaded files; InvalidFile names the file and the rule."""
    owner = owner if owner is not None and owner.is_authenticated else None
    return [store_upload(upload, owner=owner) for upload in uploads]


# --- sending ------------------------------------------------------------------------------------------------


def _initial(request) -> dict:
    initial = {"agency": request.GET.get("co_quan", ""), "procedure": request.GET.get("thu_tuc", "")}
    account = request.user
    if account.is_authenticated and account.kind in ("citizen", "business"):
        phone = account.otp_phone
        initial |= {
            "sender_name": account.full_name,
            "sender_phone": phone.number if phone else "",
            "sender_email": account.email,
            "sender_address": account.address,
        }
    return initial


@require_http_methods(["GET", "POST"])
def send(request):
    if request.method == "GET":
        context = {"form": forms.SendForm(initial=_initial(request)), "section": "send"}
        return render(request, "feedback/send.html", context)
    form = forms.SendForm(request.POST, request.FILES)
    if not form.is_valid():
        return _send_again(request, form)
    data = form.cleaned_data
    try:
        enforce(request, [Limit("feedback-send-ip", client_ip(request) or "?", r) for r in _send_limits()])
        with transaction.atomic():
            feedback = submission.submit(
                kind=data["kind"],
                title=data["title"],
                content=data["content"],
                sender_name=data["sender_name"],
                sender_phone=data["sender_phone"],
                sender_email=data["sender_email"],
                sender_address=data["sender_address"],
                agency_code=data["agency"],
                procedure_code=data["procedure"],
                dossier_code=data["dossier"],
                files=_stored(data["files"], request.user),
                account=request.user,
            )
    except InvalidFile as exc:
        form.add_error("files", exc.message)
        return _send_again(request, form)
    except RateLimited as exc:
        return _send_again(request, form, problem=exc.message, status=429)
    except DomainError as exc:
        apply_errors(form, exc.fields, exc.message)
        return _send_again(request, form, problem=exc.message if not exc.fields else "")
    messages.success(
        request,
        _(
            "Đã gửi phản ánh, kiến nghị. Mã tra cứu của bạn là %(code)s; đường dẫn của trang này đã được "
            "gửi tới số điện thoại của bạn."
        )
        % {"code": feedback.code},
    )
    return redirect(reverse("feedback:sender", args=[feedback.code]) + f"?k={feedback.sender_token}")


def _send_limits() -> list[str]:
    return list(getattr(settings, "FEEDBACK_SUBMIT_LIMITS_PER_IP", ["5/h", "20/d"]))


def _send_again(request, form, *, problem: str = "", status: int = 400):
    """The form as typed (the captcha renewed, files to be chosen again), with what is wrong."""
    fresh = forms.SendForm(_without_captcha(request.POST))
    fresh._errors = form.errors
    context = {"form": fresh, "problem": problem, "section": "send"}
    return render(request, "feedback/send.html", context, status=status)


def _without_captcha(data):
    data = data.copy()
    for name in ("captcha_0", "captcha_1"):
        data.pop(name, None)
    return data


# --- answered feedback --------------------------------------------------------------------------------------


@require_GET
def index(request):
    search = forms.SearchForm(request.GET)
    search.is_valid()
    data = search.cleaned_data if search.is_valid() else {}
    query = (data.get("q") or "").strip()
    rows = selectors.public_list(
        query=query, agency_code=data.get("agency") or "", kind=data.get("kind") or ""
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "feedback/index.html",
        {
            "search": search,
            "query": query,
            "page": page,
            "result": {"page": page.number, "pages": page.paginator.num_pages},
            "querystring": params.urlencode(),
            "kinds": Kind.choices,
            "section": "list",
        },
    )


def _my_vote(request, feedback) -> int:
    key = devices.request_voter(request)
    vote = feedback.votes.filter(voter=key).first() if key else None
    return vote.value if vote else 0


@require_GET
def detail(request, code):
    try:
        feedback = selectors.public_feedback(code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "feedback/detail.html", _detail_context(request, feedback))


def _detail_context(request, feedback, **extra) -> dict:
    return {
        "feedback": feedback,
        "answer_files": feedback.attachments.filter(role=Attachment.Role.ANSWER).select_related("file"),
        "my_vote": _my_vote(request, feedback),
        "reviewing": feedback.status != Status.PUBLISHED,
        "section": "list",
        **extra,
    }


@require_POST
def vote(request, code):
    """One vote per account or device (a reader may change it); htmx swaps the vote box."""
    try:
        feedback = selectors.public_feedback(code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    value = {"like": 1, "dislike": -1}.get(request.POST.get("value", ""), 0)
    device, new_device = devices.device_of(request)
    problem = ""
    try:
        enforce(request, [Limit("feedback-vote-ip", client_ip(request) or "?", r) for r in _vote_limits()])
        feedback = votes.vote(
            feedback, voter=devices.voter_key(account=request.user, device=device), value=value
        )
    except DomainError as exc:
        problem = exc.message
    context = _detail_context(request, feedback, vote_problem=problem)
    if not problem:
        context |= {"my_vote": value, "voted": True}
    template = "feedback/_votes.html" if request.htmx else "feedback/detail.html"
    response = render(request, template, context, status=400 if problem else 200)
    if new_device and not problem:
        devices.remember_device(response, device)
    return response


def _vote_limits() -> list[str]:
    return list(getattr(settings, "FEEDBACK_VOTE_LIMITS_PER_IP", ["60/h"]))


# --- tracking by code ---------------------------------------------------------------------------------------


def _lookup_page() -> LookupPage:
    return LookupPage(
        template="feedback/track.html",
        form=forms.TrackForm,
        captcha_form=forms.TrackCaptchaForm,
        lookup=selectors.track,
        group="feedback-track",
        result_name="tracked",
        not_found=lambda code: _("Không tìm thấy phản ánh, kiến nghị có mã %(code)s.") % {"code": code},
    )


@require_GET
def track(request):
    return _lookup_page().respond(request, {"section": "track"})


# --- the sender ---------------------------------------------------------------------------------------------


def _sender_feedback(request, code):
    token = request.GET.get("k", "") or request.POST.get("k", "")
    try:
        return selectors.sender_feedback(code, account=request.user, token=token), token
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _sender_context(request, feedback, token, **extra) -> dict:
    from opendvc.feedback.transitions import event_label

    events = list(selectors.history(feedback, for_sender=True))
    for event in events:
        event.label = event_label(event)
    request_event = None
    if feedback.status == Status.INFO_REQUESTED:
        request_event = feedback.events.filter(action="request_info").order_by("-at", "-id").first()
    return {
        "feedback": feedback,
        "token": token,
        "events": events,
        "files": feedback.attachments.select_related("file"),
        "info_request": request_event,
        "info_form": forms.ProvideInfoForm(),
        "reraise_form": forms.ReraiseForm(),
        "can_reraise": feedback.status == Status.PUBLISHED,
        "problem": "",
        **extra,
    }


@require_GET
def sender(request, code):
    feedback, token = _sender_feedback(request, code)
    response = render(request, "feedback/sender.html", _sender_context(request, feedback, token))
    response["Referrer-Policy"] = "no-referrer"  # the private link never leaves in a Referer header
    return response


@require_POST
def sender_info(request, code):
    feedback, token = _sender_feedback(request, code)
    form = forms.ProvideInfoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                handling.provide_info(
                    feedback,
                    text=form.cleaned_data["text"],
                    files=_stored(form.cleaned_data["files"], request.user),
                    account=request.user,
                    token=token,
                )
        except InvalidFile as exc:
            form.add_error("files", exc.message)
        except DomainError as exc:
            apply_errors(form, exc.fields, exc.message)
        else:
            messages.success(request, _("Đã gửi thông tin bổ sung. Cơ quan tiếp tục xử lý phản ánh của bạn."))
            return _back_to_sender(feedback, token)
    context = _sender_context(request, feedback, token, info_form=form)
    return render(request, "feedback/sender.html", context, status=400)


@require_POST
def sender_reraise(request, code):
    feedback, token = _sender_feedback(request, code)
    form = forms.ReraiseForm(request.POST)
    if form.is_valid():
        try:
            handling.reraise(feedback, reason=form.cleaned_data["reason"], account=request.user, token=token)
        except DomainError as exc:
            apply_errors(form, exc.fields, exc.message)
        else:
            messages.success(request, _("Đã gửi lại phản ánh. Cơ quan sẽ xem xét và trả lời lại."))
            return _back_to_sender(feedback, token)
    context = _sender_context(request, feedback, token, reraise_form=form, reraise_open=True)
    return render(request, "feedback/sender.html", context, status=400)


def _back_to_sender(feedback, token):
    url = reverse("feedback:sender", args=[feedback.code])
    return redirect(f"{url}?k={token}" if token else url)


@login_required
@require_GET
def mine(request):
    rows = selectors.my_feedback(request.user)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/mine.html",
        {
            "page": page,
            "result": {"page": page.number, "pages": page.paginator.num_pages},
            "querystring": "",
            "section": "mine",
        },
    )


# --- attachments --------------------------------------------------------------------------------------------


@require_GET
def attachment(request, attachment_id: int):
    """An answer's file of a published feedback: anyone. The sender's files: the sender and officials of
    the agency holding it. Anything else: 404."""
    item = Attachment.objects.select_related("feedback", "file").filter(pk=attachment_id).first()
    if item is None or not _may_read(request, item):
        raise Http404("no such file")
    try:
        handle = item.file.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("file missing from storage") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=item.file.name, content_type=item.file.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _may_read(request, item) -> bool:
    feedback = item.feedback
    if item.role == Attachment.Role.ANSWER and feedback.published_at is not None:
        return True
    account = request.user
    if account.is_authenticated and account.is_official and account.agency_id == feedback.agency_id:
        return True
    return submission.is_sender(feedback, account=account, token=request.GET.get("k", ""))
