"""The one-stop back office (bộ phận một cửa): the inbox of an official's agency, a dossier's page with the
actions the official may take now, and registering a dossier handed in at the desk or received by post.

Views parse, call `services`/`selectors` and render; they hold no rule of the status machine. Officials see
only their own agency's dossiers (`selectors.agency_dossiers`): another agency's dossier is a 404. An official
without an agency, a citizen or a business gets the 403 page. Every action is a POST carrying the `version`
the page showed, so that a change made meanwhile by someone else is a conflict, never overwritten.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendvc.accounts.forms import apply_errors
from opendvc.accounts.models import OfficialRole
from opendvc.accounts.views.officials import forbidden, official_required
from opendvc.catalog.models import Procedure
from opendvc.core import calendar
from opendvc.core.errors import DomainError, NotFound
from opendvc.core.personal_data import mask, mask_phone
from opendvc.dossiers import forms_backoffice as bo_forms
from opendvc.dossiers import letters, selectors
from opendvc.dossiers.eforms.render import render_summary
from opendvc.dossiers.eforms.schema import load_definition
from opendvc.dossiers.models import Delivery, Status, StoredFile
from opendvc.dossiers.services import actions, submission, transitions
from opendvc.dossiers.services.files import InvalidFile, store_upload
from opendvc.dossiers.signals import panels_for

PAGE_SIZE = 25
DUE_SOON_DAYS = 2  # the inbox tab "due within 2 days", as `selectors.inbox_counts` counts it

# --- Access ------------------------------------------------------------------------------------------------


def backoffice_required(view):
    """An official of an agency; anyone else gets the 403 page (anonymous visitors: the sign-in page)."""

    @official_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_official or not request.user.agency_id:
            return forbidden(
                request,
                _(
                    "Trang một cửa dành cho cán bộ của một cơ quan. Tài khoản của bạn chưa được gán cơ quan; "
                    "vui lòng đề nghị quản trị hệ thống gán cơ quan cho tài khoản."
                ),
            )
        return view(request, *args, **kwargs)

    return wrapper


def _dossier(request, code):
    try:
        return selectors.official_dossier(request.user, code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def agency_procedures(agency):
    """The active procedures `agency` performs (its kind is one of the procedure's executing agencies).

    One query; the same rule as `services.submission.performing_agencies`, read from the agency's side."""
    return list(
        Procedure.objects.active()
        .filter(agency_kinds__id=agency.kind_id)
        .only("code", "name_vi", "name_en")
        .order_by("name_vi", "code")
    )


# --- Deadlines as the inbox shows them -------------------------------------------------------------------


def deadline(dossier, now) -> dict | None:
    """What the deadline column says: remaining working days, "Quá hạn N ngày", paused, on time or late.

    The text itself carries the meaning (the colour only repeats it)."""
    status = dossier.status
    if dossier.due_at is None or status in (Status.NOT_RECEIVED, Status.WITHDRAWN):
        return None
    if status in (Status.PROCESSED, Status.RETURNED, Status.STOPPED):
        if dossier.is_late(now):
            return {"kind": "late", "text": _("Trễ hạn")}
        return {"kind": "done", "text": _("Đúng hạn")}
    if status == Status.SUPPLEMENT_REQUESTED:
        return {"kind": "paused", "text": _("Tạm dừng, chờ bổ sung")}
    if now > dossier.due_at:
        days = calendar.working_days_late(dossier.due_at, now)
        text = ngettext("Quá hạn %(n)d ngày", "Quá hạn %(n)d ngày", days) % {"n": days}
        return {"kind": "overdue", "text": text}
    days = calendar.working_days_between(timezone.localdate(now), timezone.localdate(dossier.due_at))
    if days == 0:
        return {"kind": "soon", "text": _("Đến hạn hôm nay")}
    text = ngettext("Còn %(n)d ngày làm việc", "Còn %(n)d ngày làm việc", days) % {"n": days}
    return {"kind": "soon" if days <= DUE_SOON_DAYS else "ok", "text": text}


# --- Inbox -------------------------------------------------------------------------------------------------


def _tabs(counts: dict, query: dict) -> list[dict]:
    """The inbox tabs: each a link to the inbox with one filter, current when that is the only filter."""
    base = reverse("dossiers:inbox")
    tabs = [
        (_("Tất cả"), None, {}),
        (_("Mới đăng ký"), counts["new"], {"status": str(Status.SUBMITTED)}),
        (_("Quá hạn"), counts["overdue"], {"overdue": "on"}),
        (_("Đến hạn trong 2 ngày"), counts["due_soon"], {"due_within": str(DUE_SOON_DAYS)}),
        (_("Giao cho tôi"), counts["mine"], {"mine": "on"}),
    ]
    return [
        {
            "label": label,
            "count": count,
            "url": f"{base}?{urlencode(params)}" if params else base,
            "current": query == params,
        }
        for label, count, params in tabs
    ]


def _status_links(counts: dict, query: dict) -> list[dict]:
    base = reverse("dossiers:inbox")
    return [
        {
            "label": label,
            "count": counts["by_status"].get(value, 0),
            "url": f"{base}?status={value}",
            "current": query == {"status": str(value)},
        }
        for value, label in Status.choices
    ]


@backoffice_required
@require_GET
def inbox(request):
    official = request.user
    procedures = agency_procedures(official.agency)
    form = bo_forms.InboxFilterForm(request.GET, procedures=procedures)
    filters = form.filters()
    rows = selectors.inbox(official, filters).defer(
        "data", "applicant_id_number", "applicant_phone", "applicant_email", "delivery_address"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for dossier in page.object_list:
        dossier.deadline = deadline(dossier, now)
    params = request.GET.copy()
    params.pop("page", None)
    query = {key: value for key, value in params.items() if value}
    counts = selectors.inbox_counts(official)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "result": {"page": page.number, "pages": page.paginator.num_pages},
        "total": page.paginator.count,
        "querystring": params.urlencode(),
        "tabs": _tabs(counts, query),
        "status_links": _status_links(counts, query),
        "is_desk_clerk": official.has_role(OfficialRole.DESK_CLERK),
        "bo_section": "inbox",
    }
    partial = request.htmx and request.htmx.target == "inbox-results"
    template = "dossiers/backoffice/_inbox_results.html" if partial else "dossiers/backoffice/inbox.html"
    return render(request, template, context)


# --- A dossier's page and its actions ----------------------------------------------------------------------


def _action(name, form_class, slug, success):
    return {"name": name, "form": form_class, "slug": slug, "success": success}


# One form per action of `services.transitions.ACTIONS` that an official takes; the slug is its URL.
ACTION_FORMS = {
    a["name"]: a
    for a in [
        _action("receive", bo_forms.ReceiveForm, "tiep-nhan", gettext_lazy("Đã tiếp nhận hồ sơ %(code)s.")),
        _action(
            "refuse", bo_forms.RefuseForm, "tu-choi", gettext_lazy("Đã từ chối tiếp nhận hồ sơ %(code)s.")
        ),
        _action(
            "assign", bo_forms.AssignForm, "phan-cong", gettext_lazy("Đã phân công xử lý hồ sơ %(code)s.")
        ),
        _action(
            "request_supplement",
            bo_forms.SupplementRequestForm,
            "yeu-cau-bo-sung",
            gettext_lazy("Đã gửi yêu cầu bổ sung hồ sơ %(code)s."),
        ),
        _action(
            "request_payment",
            bo_forms.PaymentRequestForm,
            "nghia-vu-tai-chinh",
            gettext_lazy("Đã gửi yêu cầu thực hiện nghĩa vụ tài chính cho hồ sơ %(code)s."),
        ),
        _action(
            "confirm_payment",
            bo_forms.ConfirmPaymentForm,
            "xac-nhan-nghia-vu-tai-chinh",
            gettext_lazy("Đã xác nhận thực hiện nghĩa vụ tài chính của hồ sơ %(code)s."),
        ),
        _action("stop", bo_forms.StopForm, "dung-xu-ly", gettext_lazy("Đã dừng xử lý hồ sơ %(code)s.")),
        _action(
            "process",
            bo_forms.ProcessForm,
            "hoan-thanh",
            gettext_lazy("Hồ sơ %(code)s đã hoàn thành xử lý."),
        ),
        _action("return", bo_forms.ReturnForm, "tra-ket-qua", gettext_lazy("Đã trả kết quả hồ sơ %(code)s.")),
        _action(
            "apologise",
            bo_forms.ApologyForm,
            "xin-loi-hen-lai",
            gettext_lazy("Đã gửi phiếu xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s."),
        ),
    ]
}
BY_SLUG = {a["slug"]: a for a in ACTION_FORMS.values()}


def _new_form(name, dossier, data=None, files=None):
    extra = {"handlers": actions.handlers_of(dossier.agency)} if name == "assign" else {}
    return ACTION_FORMS[name]["form"](data, files, prefix=name, dossier=dossier, **extra)


def _answers(request, dossier):
    """The form answers as the e-form engine summarises them, or None when the dossier has no e-form."""
    if dossier.form_definition_id is None:
        return None
    spec = load_definition(dossier.form_definition.schema)
    return render_summary(spec, dossier.data, request=request)


def _render_detail(request, dossier, *, bound=None, version=None, problem="", status=200):
    """The dossier's page; `bound` is the (action name, form) posted with errors, shown as typed."""
    official = request.user
    panels = []
    for action in transitions.allowed_actions(dossier, official):
        if action.name not in ACTION_FORMS:
            continue
        is_bound = bound is not None and bound[0] == action.name
        panels.append(
            {
                "action": action,
                "form": bound[1] if is_bound else _new_form(action.name, dossier),
                "url": reverse(
                    "dossiers:backoffice_action", args=[dossier.code, ACTION_FORMS[action.name]["slug"]]
                ),
                "version": version if is_bound and version is not None else dossier.version,
                "multipart": action.name == "process",
                "open": is_bound,
            }
        )
    events = list(selectors.timeline(dossier, for_applicant=False).select_related("actor"))
    for event in events:
        event.label = transitions.event_label(event)
        kind = letters.kind_for_event(event)
        event.letter_title = letters.letter_title(kind) if kind else ""
    documents = dossier.documents.select_related("file").order_by("added_at", "id")
    context = {
        "dossier": dossier,
        "masked_id_number": mask(dossier.applicant_id_number),
        "masked_phone": mask_phone(dossier.applicant_phone),
        "show_address": dossier.delivery == Delivery.POST,
        "late": dossier.is_late(),
        "deadline": deadline(dossier, timezone.now()),
        "answers": _answers(request, dossier),
        "documents": documents,
        "events": events,
        "panels": panels,
        "problem": problem,
        "bound_form": bound[1] if bound else None,
        "bo_section": "inbox",
        "extra_sections": panels_for(request, dossier, "official"),
    }
    return render(request, "dossiers/backoffice/detail.html", context, status=status)


@backoffice_required
@require_GET
def detail(request, code):
    return _render_detail(request, _dossier(request, code))


def _posted_version(request) -> int:
    """The version the page showed; a missing or altered one can only conflict (versions start at 1)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _perform(name, dossier, form, *, actor, version):
    """Call the action's service with what the form parsed (result files are stored first)."""
    data = form.cleaned_data
    if name == "receive":
        return actions.receive_dossier(dossier, actor=actor, version=version, comment=data["comment"])
    if name == "refuse":
        return actions.refuse_dossier(dossier, actor=actor, version=version, reason=data["reason"])
    if name == "assign":
        return actions.assign_dossier(
            dossier,
            actor=actor,
            version=version,
            handler=form.handlers.get(data["handler"]),
            comment=data["comment"],
        )
    if name == "request_supplement":
        return actions.request_supplement(
            dossier, actor=actor, version=version, items=form.item_list(), note=data["note"]
        )
    if name == "request_payment":
        return actions.request_payment(
            dossier, actor=actor, version=version, amount=data["amount"], reason=data["reason"]
        )
    if name == "confirm_payment":
        return actions.confirm_payment(dossier, actor=actor, version=version, comment=data["comment"])
    if name == "stop":
        return actions.stop_dossier(dossier, actor=actor, version=version, reason=data["reason"])
    if name == "process":
        try:
            results = [
                store_upload(upload, owner=dossier.applicant, origin=StoredFile.Origin.RESULT)
                for upload in data["results"]
            ]
        except InvalidFile as exc:
            raise DomainError(exc.message, code=exc.code, fields={"results": [exc.message]}) from exc
        return actions.process_dossier(
            dossier, actor=actor, version=version, results=results, comment=data["comment"]
        )
    if name == "return":
        return actions.return_result(
            dossier, actor=actor, version=version, how=data["how"], comment=data["comment"]
        )
    if name == "apologise":
        return actions.send_apology(
            dossier, actor=actor, version=version, reason=data["reason"], new_due=data["new_due"]
        )
    raise Http404("unknown action")


@backoffice_required
@require_POST
def act(request, code, slug):
    """One action on the dossier. Success: back to its page with a message (post/redirect/get)."""
    spec = BY_SLUG.get(slug)
    if spec is None:
        raise Http404("unknown action")
    dossier = _dossier(request, code)
    name, version = spec["name"], _posted_version(request)
    form = _new_form(name, dossier, request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, dossier, bound=(name, form), version=version, status=400)
    try:
        # Result files stored for a refused action go with it (the service's own transaction is inside).
        with transaction.atomic():
            _perform(name, dossier, form, actor=request.user, version=version)
    except (actions.Conflict, actions.IllegalTransition, actions.NotAllowed) as exc:
        # The page again as it is now, with what happened; the official decides what to do.
        return _render_detail(request, _dossier(request, code), problem=exc.message, status=exc.status)
    except DomainError as exc:
        apply_errors(form, exc.fields, exc.message)
        status = 503 if exc.status == 503 else 400  # 503: no agency seal to sign results with, for now
        return _render_detail(
            request, dossier, bound=(name, form), version=version, problem=exc.message, status=status
        )
    messages.success(request, spec["success"] % {"code": dossier.code})
    return redirect("dossiers:backoffice_detail", dossier.code)


# --- Registering a walk-in or postal dossier ---------------------------------------------------------------


def _desk_clerk_only(request):
    return forbidden(
        request,
        _("Chỉ cán bộ tiếp nhận (một cửa) mới tiếp nhận hồ sơ nộp trực tiếp hoặc qua bưu chính."),
    )


@backoffice_required
@require_http_methods(["GET", "POST"])
def register(request):
    """Step 1 chooses the procedure (GET ?thu_tuc=); step 2 takes the applicant and the documents."""
    official = request.user
    if not official.has_role(OfficialRole.DESK_CLERK):
        return _desk_clerk_only(request)
    procedures = agency_procedures(official.agency)
    source = request.POST if request.method == "POST" else request.GET
    chooser = bo_forms.ProcedureChoiceForm(source if "thu_tuc" in source else None, procedures=procedures)
    procedure = None
    if chooser.is_bound and chooser.is_valid():
        procedure = next(p for p in procedures if p.code == chooser.cleaned_data["thu_tuc"])
    if procedure is None:
        status = 400 if chooser.is_bound else 200
        context = {"chooser": chooser, "bo_section": "register"}
        return render(request, "dossiers/backoffice/register.html", context, status=status)
    documents = list(procedure.documents.order_by("position"))
    form = bo_forms.RegisterForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        documents=documents,
    )
    context = {"chooser": chooser, "procedure": procedure, "form": form, "bo_section": "register"}
    if request.method != "POST":
        return render(request, "dossiers/backoffice/register.html", context)
    if not form.is_valid():
        return render(request, "dossiers/backoffice/register.html", context, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            files = []
            for slot, field, upload in form.uploads():
                try:
                    files.append((slot, store_upload(upload, origin=StoredFile.Origin.UPLOAD)))
                except InvalidFile as exc:
                    raise DomainError(exc.message, code=exc.code, fields={field: [exc.message]}) from exc
            dossier = submission.register_dossier(
                actor=official,
                procedure=procedure,
                channel=data["channel"],
                applicant_name=data["applicant_name"],
                id_number=data["id_number"],
                phone=data["phone"],
                email=data["email"],
                delivery=data["delivery"],
                delivery_address=data["delivery_address"],
                note=data["note"],
                files=files,
            )
    except actions.NotAllowed as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        apply_errors(form, exc.fields, exc.message)
        context["problem"] = exc.message
        return render(request, "dossiers/backoffice/register.html", context, status=400)
    messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect("dossiers:registered", dossier.code)


@backoffice_required
@require_GET
def registered(request, code):
    """After registering: the code to give the applicant and the receipt to print."""
    dossier = _dossier(request, code)
    event = dossier.events.filter(action="register").order_by("at", "id").first()
    return render(
        request,
        "dossiers/backoffice/registered.html",
        {"dossier": dossier, "event": event, "bo_section": "register"},
    )


urlpatterns = [
    path("mot-cua/", inbox, name="inbox"),
    path("mot-cua/tiep-nhan/", register, name="register"),
    path("mot-cua/tiep-nhan/<str:code>/", registered, name="registered"),
    path("mot-cua/ho-so/<str:code>/", detail, name="backoffice_detail"),
    path("mot-cua/ho-so/<str:code>/<slug:slug>/", act, name="backoffice_action"),
]
