"""Feedback in the one-stop back office: the agency's inbox with its deadlines, a feedback's page with the
actions the official may take now. Officials see only what their agency holds (another's is a 404); every
action posts the `version` the page showed, so that a change made meanwhile is a conflict."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opendvc.accounts.forms import apply_errors
from opendvc.catalog.models import Agency
from opendvc.core.errors import DomainError, NotFound
from opendvc.core.personal_data import mask_phone
from opendvc.dossiers.services.files import InvalidFile, store_upload
from opendvc.dossiers.views.backoffice import backoffice_required
from opendvc.feedback import forms, selectors
from opendvc.feedback.services import handling
from opendvc.feedback.transitions import allowed_actions, event_label

PAGE_SIZE = 25

TABS = (
    ("", gettext_lazy("Tất cả")),
    ("new", gettext_lazy("Chờ tiếp nhận")),
    ("open", gettext_lazy("Đang xử lý")),
    ("late", gettext_lazy("Quá hạn")),
    ("approval", gettext_lazy("Chờ phê duyệt")),
    ("done", gettext_lazy("Đã xong")),
)


def _action(form, slug, success):
    return {"form": form, "slug": slug, "success": success}


ACTION_FORMS = {
    "receive": _action(forms.ReceiveForm, "tiep-nhan", gettext_lazy("Đã tiếp nhận phản ánh %(code)s.")),
    "refuse": _action(forms.RefuseForm, "tu-choi", gettext_lazy("Đã từ chối tiếp nhận phản ánh %(code)s.")),
    "forward": _action(forms.ForwardForm, "chuyen", gettext_lazy("Đã chuyển phản ánh %(code)s.")),
    "request_info": _action(
        forms.RequestInfoForm, "de-nghi-bo-sung", gettext_lazy("Đã đề nghị người gửi bổ sung thông tin.")
    ),
    "answer": _action(forms.AnswerForm, "tra-loi", gettext_lazy("Đã gửi dự thảo trả lời để phê duyệt.")),
    "return_answer": _action(forms.ReturnAnswerForm, "tra-lai", gettext_lazy("Đã trả lại dự thảo trả lời.")),
    "approve": _action(
        forms.ApproveForm, "phe-duyet", gettext_lazy("Đã phê duyệt câu trả lời phản ánh %(code)s.")
    ),
    "publish": _action(
        forms.PublishForm, "cong-khai", gettext_lazy("Đã công khai câu trả lời phản ánh %(code)s.")
    ),
}
BY_SLUG = {spec["slug"]: name for name, spec in ACTION_FORMS.items()}
LATE_TEXT = {
    "decide": gettext_lazy("Quá hạn tiếp nhận"),
    "answer": gettext_lazy("Quá hạn trả lời"),
    "publish": gettext_lazy("Quá hạn công khai"),
}


def _feedback(request, code):
    try:
        return selectors.official_feedback(request.user, code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@backoffice_required
@require_GET
def inbox(request):
    show = request.GET.get("xem", "")
    show = show if show in selectors.INBOX_FILTERS else ""
    query = request.GET.get("q", "").strip()[:100]
    rows = selectors.inbox(request.user, show=show, query=query)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for feedback in page.object_list:
        feedback.late = [LATE_TEXT[step] for step in selectors.late_steps(feedback, now)]
    counts = selectors.inbox_counts(request.user)
    base = reverse("feedback:inbox")
    tabs = [
        {
            "label": label,
            "count": counts.get(key) if key else None,
            "url": f"{base}?xem={key}" if key else base,
            "current": key == show,
        }
        for key, label in TABS
    ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "tabs": tabs,
        "query": query,
        "show": show,
        "result": {"page": page.number, "pages": page.paginator.num_pages},
        "querystring": params.urlencode(),
        "bo_section": "feedback",
    }
    return render(request, "feedback/backoffice/inbox.html", context)


def _render_detail(request, feedback, *, bound=None, version=None, problem="", status=200):
    panels = []
    for action in allowed_actions(feedback, request.user):
        spec = ACTION_FORMS.get(action.name)
        if spec is None:
            continue
        is_bound = bound is not None and bound[0] == action.name
        panels.append(
            {
                "action": action,
                "form": bound[1] if is_bound else spec["form"](prefix=action.name, feedback=feedback),
                "url": reverse("feedback:act", args=[feedback.code, spec["slug"]]),
                "version": version if is_bound and version is not None else feedback.version,
                "multipart": action.name == "answer",
                "open": is_bound,
            }
        )
    events = list(selectors.history(feedback, for_sender=False).select_related("actor"))
    for event in events:
        event.label = event_label(event)
    context = {
        "feedback": feedback,
        "masked_phone": mask_phone(feedback.sender_phone),
        "late": [LATE_TEXT[step] for step in selectors.late_steps(feedback)],
        "files": feedback.attachments.select_related("file"),
        "events": events,
        "panels": panels,
        "problem": problem,
        "bound_form": bound[1] if bound else None,
        "bo_section": "feedback",
    }
    return render(request, "feedback/backoffice/detail.html", context, status=status)


@backoffice_required
@require_GET
def detail(request, code):
    return _render_detail(request, _feedback(request, code))


def _perform(name, feedback, form, *, actor, version):
    data = form.cleaned_data
    if name == "receive":
        return handling.receive(feedback, actor=actor, version=version, comment=data["comment"])
    if name == "refuse":
        return handling.refuse(feedback, actor=actor, version=version, reason=data["reason"])
    if name == "forward":
        agency = Agency.objects.filter(code=data["agency"]).first()
        return handling.forward(feedback, actor=actor, version=version, agency=agency, note=data["note"])
    if name == "request_info":
        return handling.request_info(feedback, actor=actor, version=version, question=data["question"])
    if name == "answer":
        try:
            files = [store_upload(upload) for upload in data["files"]]
        except InvalidFile as exc:
            raise DomainError(exc.message, code=exc.code, fields={"files": [exc.message]}) from exc
        return handling.draft_answer(
            feedback, actor=actor, version=version, answer=data["answer"], files=files
        )
    if name == "return_answer":
        return handling.return_answer(feedback, actor=actor, version=version, note=data["note"])
    if name == "approve":
        return handling.approve(
            feedback,
            actor=actor,
            version=version,
            public_title=data["public_title"],
            public_content=data["public_content"],
            publish_now=data["publish_now"],
        )
    return handling.publish(feedback, actor=actor, version=version)


@backoffice_required
@require_POST
def act(request, code, slug):
    name = BY_SLUG.get(slug)
    if name is None:
        raise Http404("unknown action")
    feedback = _feedback(request, code)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    form = ACTION_FORMS[name]["form"](request.POST, request.FILES, prefix=name, feedback=feedback)
    if not form.is_valid():
        return _render_detail(request, feedback, bound=(name, form), version=version, status=400)
    try:
        with transaction.atomic():
            _perform(name, feedback, form, actor=request.user, version=version)
    except (handling.Conflict, handling.IllegalTransition, handling.NotAllowed) as exc:
        return _render_detail(request, _feedback(request, code), problem=exc.message, status=exc.status)
    except DomainError as exc:
        apply_errors(form, exc.fields, exc.message)
        return _render_detail(
            request, feedback, bound=(name, form), version=version, problem=exc.message, status=400
        )
    messages.success(request, ACTION_FORMS[name]["success"] % {"code": feedback.code})
    if name == "forward":  # no longer this agency's: back to the inbox
        return redirect("feedback:inbox")
    return redirect("feedback:backoffice_detail", feedback.code)


urlpatterns = [
    path("mot-cua/phan-anh/", inbox, name="inbox"),
    path("mot-cua/phan-anh/<str:code>/", detail, name="backoffice_detail"),
    path("mot-cua/phan-anh/<str:code>/<slug:slug>/", act, name="act"),
]
