"""My drafts and my dossiers: the dossier page with its timeline, supplements, withdrawal and rating."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opendvc.core import audit
from opendvc.core.errors import DomainError, NotFound
from opendvc.dossiers import letters, selectors
from opendvc.dossiers.forms import RatingForm, SupplementNoteForm, WithdrawForm
from opendvc.dossiers.models import DossierDocument, Status
from opendvc.dossiers.services import actions
from opendvc.dossiers.services import files as file_service
from opendvc.dossiers.services.transitions import allowed_actions, event_label
from opendvc.dossiers.signals import panels_for
from opendvc.dossiers.views.citizen.common import PER_PAGE, applicant_required, optional_url
from opendvc.dossiers.views.citizen.wizard import _draft

# --- My drafts ------------------------------------------------------------------------------------------


@applicant_required
@require_GET
def drafts(request):
    rows = list(selectors.my_drafts(request.user).order_by("-updated_at"))
    return render(request, "dossiers/citizen/drafts.html", {"drafts": rows})


@applicant_required
@require_POST
def draft_delete(request, draft_id: int):
    draft = _draft(request, draft_id)
    name = draft.procedure.name
    audit.record("dossier.draft_deleted", request=request, target=draft, procedure=draft.procedure.code)
    # A draft is the applicant's own scratch copy: deleting it is theirs alone and touches nothing else.
    draft.delete()
    messages.success(request, _("Đã xóa hồ sơ nháp “%(name)s”.") % {"name": name})
    return redirect("dossiers:drafts")


# --- My dossiers ----------------------------------------------------------------------------------------

FILTERS = (
    ("", gettext_lazy("Tất cả")),
    ("open", gettext_lazy("Đang giải quyết")),
    ("action", gettext_lazy("Cần bạn bổ sung, thực hiện")),
    ("done", gettext_lazy("Đã xong")),
)


def _my_dossier(request, code: str):
    try:
        return selectors.my_dossier(request.user, code)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@applicant_required
@require_GET
def mine(request):
    status = request.GET.get("trang_thai", "")
    status = status if status in {key for key, _label in FILTERS} else ""
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.my_dossiers(request.user, status=status, query=query), PER_PAGE).get_page(
        request.GET.get("page")
    )
    tabs = [
        {
            "key": key,
            "label": label,
            "url": reverse("dossiers:mine") + (f"?trang_thai={key}" if key else ""),
            "current": key == status,
        }
        for key, label in FILTERS
    ]
    querystring = urlencode({k: v for k, v in (("trang_thai", status), ("q", query)) if v})
    context = {"page": page, "tabs": tabs, "status": status, "query": query, "querystring": querystring}
    return render(request, "dossiers/citizen/mine.html", context)


def _detail_context(request, dossier, **extra) -> dict:
    account = request.user
    events = list(selectors.timeline(dossier, for_applicant=True))
    for event in events:
        event.label = event_label(event)
    documents = list(dossier.documents.select_related("file").order_by("added_at", "id"))
    names = {action.name for action in allowed_actions(dossier, account)}
    open_request = None
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        open_request = dossier.supplements.filter(answered_at__isnull=True).order_by("-requested_at").first()
    issued = [(e, letters.kind_for_event(e)) for e in events]
    letter_links = [
        {
            "event": e,
            "label": letters.letter_title(kind),
            "url": optional_url("dossiers:letter", dossier.code, e.pk),
        }
        for e, kind in issued
        if kind is not None
    ]
    is_owner = dossier.applicant_id == account.pk
    can_rate = is_owner and dossier.status == Status.RETURNED and not hasattr(dossier, "rating")
    store = selectors.document_store(account) if open_request and "supplement" in names else []
    context = {
        "dossier": dossier,
        "late": dossier.is_late(),
        "events": events,
        "application_documents": [
            d
            for d in documents
            if d.role in (DossierDocument.Role.APPLICATION, DossierDocument.Role.SUPPLEMENT)
        ],
        "results": [d for d in documents if d.role == DossierDocument.Role.RESULT],
        "agency_documents": [
            d for d in documents if d.role in (DossierDocument.Role.LETTER, DossierDocument.Role.RECEIPT)
        ],
        "letters": [link for link in letter_links if link["url"]],
        "verify_url": optional_url("dossiers:verify"),
        "open_request": open_request if "supplement" in names else None,
        "supplement_items": [
            {"index": i, "text": text, "errors": []}
            for i, text in enumerate(open_request.items if open_request else [])
        ],
        "store": store,
        "can_withdraw": "withdraw" in names,
        "can_rate": can_rate,
        "supplement_form": SupplementNoteForm(),
        "withdraw_form": WithdrawForm(),
        "rating_form": RatingForm(),
        "problem": "",
        "extra_sections": panels_for(request, dossier, "applicant"),
    }
    context.update(extra)
    return context


@applicant_required
@require_GET
def mine_detail(request, code: str):
    dossier = _my_dossier(request, code)
    return render(request, "dossiers/citizen/detail.html", _detail_context(request, dossier))


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _refused(request, code, exc: DomainError, **extra):
    """The page again, fresh from the database, with the refusal: 409 for a conflict, else 400/403."""
    dossier = _my_dossier(request, code)
    status = exc.status if exc.status in (403, 409) else 400
    context = _detail_context(request, dossier, problem=exc.message, **extra)
    return render(request, "dossiers/citizen/detail.html", context, status=status)


@applicant_required
@require_POST
def mine_supplement(request, code: str):
    dossier = _my_dossier(request, code)
    context = _detail_context(request, dossier)
    items = context["supplement_items"]
    form = SupplementNoteForm(request.POST)
    form.is_valid()
    by_id = {str(f.pk): f for f in context["store"]}
    files, failed = [], False
    for item in items:
        try:
            for upload in request.FILES.getlist(f"tep-{item['index']}"):
                files.append((None, file_service.store_upload(upload, owner=request.user)))
            chosen = request.POST.get(f"kho-{item['index']}", "")
            if chosen:
                if chosen not in by_id:
                    raise DomainError(_("Không tìm thấy tệp đã chọn trong kho dữ liệu."), code="not_found")
                files.append((None, by_id[chosen]))
        except DomainError as exc:
            item["errors"].append(exc.message)
            failed = True
    if failed:
        problem = _("Có tệp chưa đính kèm được. Vui lòng xem lại các mục được đánh dấu.")
        context.update(problem=problem, supplement_form=form)
        return render(request, "dossiers/citizen/detail.html", context, status=400)
    try:
        actions.submit_supplement(
            dossier,
            actor=request.user,
            version=_version(request),
            files=files,
            note=form.cleaned_data.get("note", ""),
        )
    except DomainError as exc:
        return _refused(request, code, exc, supplement_form=form)
    messages.success(request, _("Đã gửi hồ sơ bổ sung. Cơ quan tiếp tục giải quyết hồ sơ của bạn."))
    return redirect("dossiers:mine_detail", dossier.code)


@applicant_required
@require_POST
def mine_withdraw(request, code: str):
    dossier = _my_dossier(request, code)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, dossier, withdraw_form=form, withdraw_open=True)
        return render(request, "dossiers/citizen/detail.html", context, status=400)
    try:
        actions.withdraw_dossier(
            dossier, actor=request.user, version=_version(request), reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _refused(request, code, exc, withdraw_form=form, withdraw_open=True)
    messages.success(request, _("Đã rút hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect("dossiers:mine_detail", dossier.code)


@applicant_required
@require_POST
def mine_rate(request, code: str):
    dossier = _my_dossier(request, code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, dossier, rating_form=form)
        return render(request, "dossiers/citizen/detail.html", context, status=400)
    try:
        actions.rate_dossier(
            dossier,
            actor=request.user,
            value=form.cleaned_data["value"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        return _refused(request, code, exc, rating_form=form)
    messages.success(request, _("Cảm ơn bạn đã đánh giá."))
    return redirect("dossiers:mine_detail", dossier.code)
