"""What a dossier or a feedback contributes to the counters: one pure function of a few facts.

`dossier_facts` / `feedback_facts` read the facts of one record; `contributions` turns facts into counter
rows `(agency_id, day, metric, key, value)`. The same function serves the real-time updates (one record at
a time), `rebuild_scorecard` (every record) and the demo history generator (facts made up in memory), so
the three cannot disagree.

Days are local (Asia/Ho_Chi_Minh). The on-time rule (domain.md): a dossier is finished on time when its
result (or stop) came by its due date; time waiting for a supplement is excluded because the due date
moves by it (dossiers.services.deadlines); a second supplement request makes it late; a dossier still open
at the end of a period counts as on time unless it was already late then (`late_from`), which the
counters `open` and `overdue` answer for any period end.
"""

import threading
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from opendvc.dossiers.models import Channel, DossierDocument, Rating, Status, is_late

Row = tuple[int, date, str, str, int]


@dataclass(frozen=True)
class DossierFacts:
    agency_id: int
    procedure_code: str
    channel: str
    received_on: date | None  # None: never received (refused at the desk, or not yet received)
    finished_on: date | None  # processed, or processing stopped
    finished_late: bool
    processed: bool  # finished with a result (not stopped)
    closed_on: date | None  # withdrawn after receipt: leaves the open dossiers without being finished
    late_from: date | None  # the first day at whose end it is late while still open
    external: bool = False  # exchanged with the agency's own system (sync API)
    digital_documents: bool = False
    reused_documents: bool = False
    electronic_result: bool = False
    registry_verified: bool = False
    fee_owed: bool = False
    paid_online_on: date | None = None
    rated_on: date | None = None
    rating: str = ""


@dataclass(frozen=True)
class FeedbackFacts:
    agency_id: int
    handled_on: date | None  # answered (published) or refused
    handled_on_time: bool
    published_on: date | None
    likes: int = 0
    dislikes: int = 0
    reraised: bool = False


def _day(moment) -> date | None:
    """The portal's local day of a moment (the default time zone, whatever a request activated)."""
    return moment.astimezone(timezone.get_default_timezone()).date() if moment is not None else None


def dossier_contributions(f: DossierFacts) -> list[Row]:
    if f.received_on is None:
        return []
    a, rows = f.agency_id, []

    def add(day, metric, value=1, key=""):
        rows.append((a, day, metric, key, value))

    add(f.received_on, "received")
    if f.channel == Channel.ONLINE:
        add(f.received_on, "received_online")
    for flag, metric in (
        (f.external, "external"),
        (f.digital_documents, "digital_documents"),
        (f.reused_documents, "reused_documents"),
        (f.registry_verified, "registry_verified"),
        (f.fee_owed, "fee_owed"),
    ):
        if flag:
            add(f.received_on, metric)
    end = f.finished_on or f.closed_on
    add(f.received_on, "open")
    if end is not None:
        add(end, "open", -1)
    if f.late_from is not None and (end is None or f.late_from <= end):
        add(f.late_from, "overdue")
        if end is not None:
            add(end, "overdue", -1)
    if f.finished_on is not None:
        add(f.finished_on, "finished_late" if f.finished_late else "finished_on_time")
        if f.processed:
            add(f.finished_on, "processed")
            if f.electronic_result:
                add(f.finished_on, "electronic_result")
    if f.paid_online_on is not None:
        add(f.paid_online_on, "paid_online")
        add(f.paid_online_on, "paid_online_procedure", key=f.procedure_code)
    if f.rated_on is not None:
        add(f.rated_on, "rated")
        if f.rating == Rating.SATISFIED:
            add(f.rated_on, "rated_satisfied")
        elif f.rating == Rating.ACCEPTABLE:
            add(f.rated_on, "rated_acceptable")
    return rows


def feedback_contributions(f: FeedbackFacts) -> list[Row]:
    a, rows = f.agency_id, []
    if f.handled_on is not None:
        rows.append((a, f.handled_on, "feedback_handled", "", 1))
        if f.handled_on_time:
            rows.append((a, f.handled_on, "feedback_handled_on_time", "", 1))
    if f.published_on is not None:
        if f.likes:
            rows.append((a, f.published_on, "feedback_likes", "", f.likes))
        if f.dislikes:
            rows.append((a, f.published_on, "feedback_dislikes", "", f.dislikes))
        if f.reraised:
            rows.append((a, f.published_on, "feedback_reraised", "", 1))
    return rows


# --- reading the facts of stored records

DOSSIER_FIELDS = (
    "id",
    "agency_id",
    "procedure__code",
    "channel",
    "status",
    "received_at",
    "processed_at",
    "closed_at",
    "due_at",
    "paused_since",
    "marked_late",
    "external_id",
    "applicant__assurance_level",
)


def _facts_query(dossiers):
    """The facts' columns of `dossiers` (a queryset): documents, charges, rating and supplement requests
    come as correlated subqueries on their foreign-key indexes."""
    from django.db.models import Exists, OuterRef, Subquery

    from opendvc.dossiers.models import DossierRating, SupplementRequest
    from opendvc.payments.models import Charge, ChargeState, Method

    documents = DossierDocument.objects.filter(dossier_id=OuterRef("pk"))
    charges = Charge.objects.filter(dossier_id=OuterRef("pk"))
    rating = DossierRating.objects.filter(dossier_id=OuterRef("pk"))
    requests = SupplementRequest.objects.filter(dossier_id=OuterRef("pk")).order_by("requested_at", "id")
    return dossiers.annotate(
        has_digital=Exists(
            documents.filter(role__in=[DossierDocument.Role.APPLICATION, DossierDocument.Role.SUPPLEMENT])
        ),
        has_reused=Exists(documents.filter(reused=True)),
        has_result=Exists(documents.filter(role=DossierDocument.Role.RESULT, signed=True)),
        owes=Exists(charges.exclude(state=ChargeState.CANCELLED)),
        paid_online=Subquery(
            charges.filter(state=ChargeState.PAID, order__method=Method.ONLINE)
            .order_by("settled_at")
            .values("settled_at")[:1]
        ),
        rating_value=Subquery(rating.values("value")[:1]),
        rating_at=Subquery(rating.values("at")[:1]),
        second_request=Subquery(requests.values("requested_at")[1:2]),
    ).values(*DOSSIER_FIELDS, *FACT_COLUMNS)


FACT_COLUMNS = (
    "has_digital",
    "has_reused",
    "has_result",
    "owes",
    "paid_online",
    "rating_value",
    "rating_at",
    "second_request",
)


def load_dossier_facts(ids) -> dict[int, DossierFacts]:
    """The facts of these dossiers, read in one query however many they are (thousands at a time when
    rebuilding)."""
    from opendvc.dossiers.models import Dossier

    return {r["id"]: facts_from_row(r) for r in _facts_query(Dossier.objects.filter(pk__in=list(ids)))}


class _OneDossier(threading.local):
    """The query of one dossier's facts compiled once per thread, then run with the dossier's id on the
    thread's current connection: a change in the back office refreshes its dossier's counters without
    building and compiling the ORM query again (most of the cost of a refresh). The compiler's converters
    turn the columns into what `load_dossier_facts` reads (tested)."""

    SENTINEL = -7_660_766

    def prepare(self, connection) -> None:
        from opendvc.dossiers.models import Dossier

        query = _facts_query(Dossier.objects.filter(pk=self.SENTINEL)).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        self.vendor, self.sql, self.params = connection.vendor, sql, list(params)
        self.at = self.params.index(self.SENTINEL)
        self.names = [alias for _expression, _sql, alias in compiler.select]
        self.compiler = compiler
        self.converters = compiler.get_converters(
            [column[0] for column in compiler.select[: compiler.col_count]]
        )

    def run(self, dossier_id: int) -> dict | None:
        from django.db import connection

        if getattr(self, "vendor", None) != connection.vendor:
            self.prepare(connection)
        params = list(self.params)
        params[self.at] = dossier_id
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return dict(zip(self.names, rows[0], strict=True))


_one = _OneDossier()


def load_one_dossier_facts(dossier_id: int) -> DossierFacts | None:
    """`load_dossier_facts([dossier_id])[dossier_id]`, faster (the real-time path)."""
    row = _one.run(dossier_id)
    return facts_from_row(row) if row is not None else None


def facts_from_row(r: dict) -> DossierFacts:
    status = r["status"]
    received = r["received_at"] is not None and status != Status.NOT_RECEIVED
    finished_at = r["processed_at"] or (r["closed_at"] if status == Status.STOPPED else None)
    late_days = []
    if r["marked_late"] and r["second_request"] is not None:
        late_days.append(_day(r["second_request"]))
    waiting_in_time = r["paused_since"] is not None and r["due_at"] and r["paused_since"] <= r["due_at"]
    if r["due_at"] is not None and not waiting_in_time:
        late_days.append(_day(r["due_at"]))
    level = r["applicant__assurance_level"]
    return DossierFacts(
        agency_id=r["agency_id"],
        procedure_code=r["procedure__code"],
        channel=r["channel"],
        received_on=_day(r["received_at"]) if received else None,
        finished_on=_day(finished_at),
        finished_late=bool(finished_at)
        and is_late(
            status=status,
            due_at=r["due_at"],
            processed_at=r["processed_at"],
            closed_at=r["closed_at"],
            paused_since=r["paused_since"],
            marked_late=r["marked_late"],
        ),
        processed=r["processed_at"] is not None,
        closed_on=_day(r["closed_at"]) if status == Status.WITHDRAWN else None,
        late_from=min(late_days) if late_days else None,
        external=bool(r["external_id"]),
        digital_documents=r["has_digital"],
        reused_documents=r["has_reused"],
        electronic_result=r["has_result"],
        registry_verified=level is not None and level >= 2,
        fee_owed=r["owes"],
        paid_online_on=_day(r["paid_online"]),
        rated_on=_day(r["rating_at"]),
        rating=r["rating_value"] or "",
    )


def dossier_facts(dossier) -> DossierFacts:
    """The facts of one stored dossier as the database has them."""
    return load_dossier_facts([dossier.pk])[dossier.pk]


def feedback_facts(feedback) -> FeedbackFacts:
    from opendvc.feedback.models import Status as FeedbackStatus

    handled_at = feedback.published_at or (
        feedback.decided_at if feedback.status == FeedbackStatus.REFUSED else None
    )
    on_time = (
        feedback.decided_on_time is not False
        and feedback.answered_on_time is not False
        and feedback.published_on_time is not False
        and not feedback.late_info_request
    )
    return FeedbackFacts(
        agency_id=feedback.agency_id,
        handled_on=_day(handled_at),
        handled_on_time=on_time,
        published_on=_day(feedback.published_at),
        likes=feedback.likes,
        dislikes=feedback.dislikes,
        reraised=feedback.reraise_count > 0,
    )
