"""The letters the portal issues for a dossier, as PDF (Circular 01/2018/TT-VPCP, forms 01–04):

- "receipt": Giấy tiếp nhận hồ sơ và hẹn trả kết quả (form 01), for the events submit, receive, register;
- "supplement": Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (form 02), items from the event's details;
- "refusal": Phiếu từ chối tiếp nhận giải quyết hồ sơ (form 03), the reason from the event's comment;
- "apology": Phiếu xin lỗi và hẹn lại ngày trả kết quả (form 04), the dates from the event's details.

A letter is rendered on demand, never stored: it is derived from the dossier and the event that issued it
(what the event recorded, documents added up to then, the event's time), so the same letter comes out
whenever it is asked for. Letters are in Vietnamese (settings.LANGUAGE_CODE), the language of the forms.
Each carries a QR code to the public tracking page of the dossier.
"""

import functools
from datetime import datetime

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opendvc.core.errors import NotFound
from opendvc.dossiers.models import Channel, DossierDocument, DossierEvent

KINDS = {
    "receipt": {
        "template": "dossiers/letters/receipt.html",
        "title": _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        "slug": "giay-tiep-nhan-ho-so",
    },
    "supplement": {
        "template": "dossiers/letters/supplement.html",
        "title": _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        "slug": "phieu-yeu-cau-bo-sung",
    },
    "refusal": {
        "template": "dossiers/letters/refusal.html",
        "title": _("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        "slug": "phieu-tu-choi-tiep-nhan",
    },
    "apology": {
        "template": "dossiers/letters/apology.html",
        "title": _("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        "slug": "phieu-xin-loi",
    },
}
RECEIPT_EVENTS = ("submit", "receive", "register")


class NoLetter(NotFound):
    """No such letter: an unknown kind, or an event that issued no letter of that kind."""

    code = "no_letter"


def kind_for_event(event: DossierEvent) -> str | None:
    """The kind of letter `event` issued: the one it recorded, or a receipt for submit/receive/register."""
    kind = (event.details or {}).get("letter")
    if kind in KINDS:
        return kind
    return "receipt" if event.action in RECEIPT_EVENTS else None


def letter_filename(dossier, kind: str) -> str:
    """An ASCII file name, e.g. "giay-tiep-nhan-ho-so-000.00.20.H26-240110-0001.pdf"."""
    return f"{KINDS[kind]['slug']}-{dossier.code}.pdf"


def letter_title(kind: str) -> str:
    return str(KINDS[kind]["title"])


def render_html(dossier, kind: str, event: DossierEvent | None = None) -> str:
    """The letter as the HTML that `render` turns into PDF (for tests and previews)."""
    if kind not in KINDS:
        raise NoLetter(f"unknown letter kind {kind!r}")
    event = event or _latest_event(dossier, kind)
    if event.dossier_id != dossier.pk or kind_for_event(event) != kind:
        raise NoLetter(f"event {event.pk} issued no {kind} letter for {dossier.code}")
    with translation.override(settings.LANGUAGE_CODE):
        context = _common(dossier, kind, event) | _BUILDERS[kind](dossier, event)
        return render_to_string(KINDS[kind]["template"], context)


def render(dossier, kind: str, event: DossierEvent | None = None) -> bytes:
    """The letter `kind` issued by `event` (default: the dossier's latest event of that kind), as PDF.
    Raises NoLetter when there is no such letter."""
    return html_to_pdf(render_html(dossier, kind, event))


# --- HTML to PDF ------------------------------------------------------------------------------------------


@functools.cache
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.cache
def _url_fetcher():
    """Letters are self-contained (inline CSS, data: URIs): nothing else is fetched, whatever the HTML."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint's PDF of `html` (self-contained; DejaVu fonts carry the Vietnamese diacritics)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_url_fetcher()).write_pdf(font_config=_font_config())


# --- the letters' contents --------------------------------------------------------------------------------


def _latest_event(dossier, kind: str) -> DossierEvent:
    for event in DossierEvent.objects.filter(dossier=dossier).order_by("-at", "-id"):
        if kind_for_event(event) == kind:
            return event
    raise NoLetter(f"{dossier.code} has no {kind} letter")


def tracking_url(dossier) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("dossiers:track") + f"?ma={dossier.code}"


def _local(moment) -> datetime | None:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return timezone.localtime(moment) if moment else None


def day_text(moment) -> str:
    """ "ngày 10 tháng 01 năm 2024", the way the forms write a date (local time)."""
    moment = _local(moment)
    if moment is None:
        return ""
    return gettext("ngày %(day)02d tháng %(month)02d năm %(year)d") % {
        "day": moment.day,
        "month": moment.month,
        "year": moment.year,
    }


def moment_text(moment) -> str:
    """ "15 giờ 30 phút, ngày 10 tháng 01 năm 2024"."""
    moment = _local(moment)
    if moment is None:
        return ""
    return gettext("%(hour)02d giờ %(minute)02d phút, %(day)s") % {
        "hour": moment.hour,
        "minute": moment.minute,
        "day": day_text(moment),
    }


def _common(dossier, kind: str, event: DossierEvent) -> dict:
    agency = dossier.agency
    url = tracking_url(dossier)
    return {
        "kind": kind,
        "title": KINDS[kind]["title"],
        "dossier": dossier,
        "agency": agency,
        "parent_agency": agency.parent,
        "procedure": dossier.procedure,
        "event": event,
        "issued_at": _local(event.at),
        "issued_day": day_text(event.at),
        "official": event.actor_name,
        "tracking_url": url,
        "qr": segno.make(url, error="m").svg_data_uri(scale=3, border=1),
    }


def _receipt(dossier, event: DossierEvent) -> dict:
    from opendvc.dossiers.services import deadlines

    # The documents as they were when the event happened: later supplements are not on this receipt.
    documents = DossierDocument.objects.filter(
        dossier=dossier, role=DossierDocument.Role.APPLICATION, added_at__lte=event.at
    ).order_by("slot", "added_at", "id")
    required = {d.position: d for d in dossier.procedure.documents.all()}
    rows: dict = {}
    for document in documents:
        key = document.slot if document.slot in required else f"doc-{document.pk}"
        if key not in rows:
            spec = required.get(document.slot)
            rows[key] = {
                "name": spec.name_vi if spec else document.title,
                "kind": spec.get_kind_display() if spec else "",
                "files": 0,
            }
        rows[key]["files"] += 1
    due = (event.details or {}).get("due_at")
    due_at = _local(due) if due else _local(deadlines.due_date_for(dossier.procedure, event.at))
    return {
        "online": event.action == "submit",
        "documents": list(rows.values()),
        "received_text": moment_text(event.at),
        "due_text": moment_text(due_at),
        "channel": dossier.get_channel_display(),
        "delivery": dossier.get_delivery_display(),
        "by_post": dossier.channel == Channel.POST,
    }


def _supplement(dossier, event: DossierEvent) -> dict:
    return {"items": list((event.details or {}).get("items") or []), "note": event.comment}


def _refusal(dossier, event: DossierEvent) -> dict:
    return {"reason": event.comment}


def _apology(dossier, event: DossierEvent) -> dict:
    details = event.details or {}
    return {
        "reason": event.comment,
        "received_day": day_text(dossier.received_at or dossier.submitted_at),
        "previous_due_text": moment_text(details.get("previous_due_at")),
        "new_due_text": moment_text(details.get("new_due_at")),
    }


_BUILDERS = {"receipt": _receipt, "supplement": _supplement, "refusal": _refusal, "apology": _apology}
