"""A year of generated history for the demo and the benchmarks: dossiers, their documents, timelines,
supplement requests, fees and payments, ratings, and feedback, for every agency that performs procedures,
with the scorecard's counters written from the same contribution function the live updates use.

Realism: each agency has its own way of serving people (how many dossiers, how many online, how many on
time, how often paid online, how satisfied people are), drawn once from the seed and improving slowly over
the year; dossiers arrive on working days (none on Sundays or during Tết) in office hours; due dates follow
the working-day calendar; a dossier received recently may still be open, some of them overdue. Dossier
codes use the real format and the per-agency, per-day sequences are moved past them, so real dossiers
made later never collide. Everything is written with COPY (PostgreSQL) or one prepared INSERT (SQLite):
the demo year (about 200,000 dossiers) takes well under a minute and the benchmark's 10 million some
minutes.

`lean=True` (benchmarks) leaves out timelines and documents: the counters then say so (no digital
documents, no electronic results), so a rebuild still gives the same numbers.
"""

import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from opendvc.catalog.models import Agency, OnlineLevel, Procedure, ResultKind
from opendvc.core import audit, calendar
from opendvc.dossiers.models import (
    Channel,
    Delivery,
    Dossier,
    DossierCodeSequence,
    DossierDocument,
    DossierEvent,
    DossierRating,
    Rating,
    Source,
    Status,
    StoredFile,
    SupplementRequest,
)
from opendvc.scorecard import counters
from opendvc.scorecard.facts import (
    dossier_contributions,
    facts_from_row,
    feedback_contributions,
    feedback_facts,
)
from opendvc.scorecard.models import Contribution

CHUNK = 20_000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh", "Hữu", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Giang",
    "Hải",
    "Hoa",
    "Khánh",
    "Lan",
    "Minh",
    "Ngọc",
    "Phúc",
    "Quyên",
]
GIVEN += ["Sơn", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Long", "Hùng", "Mai", "Nam", "Oanh"]


@dataclass
class Profile:
    """How an agency serves people, at the start of the year (it improves by `gain` a month)."""

    volume: float
    online: float
    on_time: float
    digital: float
    reuse: float
    e_result: float
    pay_online: float
    rated: float
    satisfied: float
    verified: float
    feedback_on_time: float
    gain: float

    def at(self, value: float, month: int) -> float:
        return min(0.995, value + self.gain * month)


def _profile(rng: random.Random, agency: Agency) -> Profile:
    volume = {"province": 3.0, "central": 1.2, "commune": 1.0}.get(agency.level, 1.0) * rng.uniform(0.5, 1.5)
    return Profile(
        volume=volume,
        online=rng.uniform(0.25, 0.75),
        on_time=rng.uniform(0.6, 0.95),
        digital=rng.uniform(0.5, 0.95),
        reuse=rng.uniform(0.05, 0.4),
        e_result=rng.uniform(0.3, 0.9),
        pay_online=rng.uniform(0.2, 0.8),
        rated=rng.uniform(0.1, 0.4),
        satisfied=rng.uniform(0.7, 0.95),
        verified=rng.uniform(0.4, 0.9),
        feedback_on_time=rng.uniform(0.6, 0.98),
        gain=rng.uniform(-0.005, 0.02),
    )


@dataclass
class ProcedureInfo:
    id: int
    code: str
    amount: int | None
    unit: str
    online: bool
    electronic: bool
    fee: int  # the first fee line's amount (0: none)
    fee_position: int | None
    fee_text: str


def _procedures() -> dict[int, list[ProcedureInfo]]:
    """Per agency kind, the active procedures it performs."""
    by_kind = defaultdict(list)
    for p in Procedure.objects.active().prefetch_related("fees", "agency_kinds").order_by("pk"):
        fees = [f for f in p.fees.all() if f.amount]
        info = ProcedureInfo(
            id=p.pk,
            code=p.code,
            amount=p.processing_time,
            unit=p.processing_time_unit,
            online=p.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL),
            electronic=p.result_kind in (ResultKind.ELECTRONIC, ResultKind.BOTH),
            fee=fees[0].amount if fees else 0,
            fee_position=fees[0].position if fees else None,
            fee_text=(fees[0].description_vi or p.name_vi)[:500] if fees else "",
        )
        for kind in p.agency_kinds.all():
            by_kind[kind.pk].append(info)
    return by_kind


# --- writing many rows at once


def _converter(field):
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":  # what adapt_datetimefield_value does, without its checks
            zone = connection.timezone
            return lambda value: str(value.astimezone(zone).replace(tzinfo=None))
        return None  # psycopg sends aware datetimes as they are
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    return None


def insert(model, fields: list[str], rows: list[tuple], *, prepared: frozenset = frozenset()) -> None:
    """Insert `rows` (values in `fields` order, as Python values) into `model`'s table: COPY on PostgreSQL,
    one prepared INSERT on SQLite. Every other column gets its field's default (as `Model()` would), the
    primary key excepted. Values go in as they are: encrypted fields must be given prepared, and so must the
    fields named in `prepared` (a JSON text rather than a dict)."""
    if not rows:
        return
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    names = {f.name for f in given}
    defaults = [
        f
        for f in meta.concrete_fields
        if f.name not in names
        and not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    ]
    columns = [f.column for f in given] + [f.column for f in defaults]
    filled = tuple(f.get_db_prep_save(f.get_default(), connection) for f in defaults)
    converters = [(i, c) for i, f in enumerate(given) if f.name not in prepared and (c := _converter(f))]
    ready = []
    for row in rows:
        row = list(row)
        for i, convert in converters:
            if row[i] is not None:
                row[i] = convert(row[i])
        ready.append((*row, *filled))
    table = connection.ops.quote_name(meta.db_table)
    names_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names_sql}) FROM STDIN") as copy:
                for row in ready:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names_sql}) VALUES ({marks})", ready)


def _next_ids(*models_) -> dict:
    return {m: (m.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1 for m in models_}


def _reset_sequences(*models_) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id inserted
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(statement)


# --- the generator


class Generator:
    def __init__(self, *, dossiers: int, days: int, seed: int, lean: bool, today: date | None = None):
        self.target = dossiers
        self.lean = lean
        self.rng = random.Random(seed)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self.first_day = self.today - timedelta(days=days)
        self.working_days = [
            self.first_day + timedelta(days=i)
            for i in range(days)
            if calendar.is_working_day(self.first_day + timedelta(days=i))
        ]
        self.totals: Counter = Counter()
        self.stats: Counter = Counter()
        self._due_cache: dict = {}
        self.sequences: dict[tuple[int, date], int] = {}
        self.empty_data = Dossier._meta.get_field("data").get_prep_value({})

    # -- set-up

    def plan(self):
        by_kind = _procedures()
        agencies = [a for a in Agency.objects.order_by("pk") if by_kind.get(a.kind_id)]
        self.agencies = agencies
        self.procedures = {a.pk: by_kind[a.kind_id] for a in agencies}
        self.profiles = {a.pk: _profile(self.rng, a) for a in agencies}
        volume = sum(p.volume for p in self.profiles.values()) or 1
        self.per_day = {
            a.pk: self.target * self.profiles[a.pk].volume / volume / len(self.working_days) for a in agencies
        }
        for agency_id, day, last in DossierCodeSequence.objects.filter(
            day__gte=self.first_day, day__lt=self.today
        ).values_list("agency_id", "day", "last"):
            self.sequences[(agency_id, day)] = last

    def applicants(self, count: int = 2000) -> None:
        """Citizens who filed online (no password: they cannot sign in); about three in four verified."""
        from django.contrib.auth.hashers import make_password

        from opendvc.accounts.models import Account, AccountKind

        start = Account.objects.filter(username__startswith="lichsu-").count()
        people = []
        for i in range(start, count):
            people.append(
                Account(
                    username=f"lichsu-{i:06d}",
                    kind=AccountKind.CITIZEN,
                    full_name=self.name(),
                    assurance_level=2 if self.rng.random() < 0.75 else 1,
                    password=make_password(None),  # unusable: nobody signs in as a generated person
                    is_active=True,
                )
            )
        Account.objects.bulk_create(people, batch_size=1000)
        pool = Account.objects.filter(username__startswith="lichsu-").values_list("pk", "assurance_level")
        self.verified = [pk for pk, level in pool if (level or 0) >= 2]
        self.unverified = [pk for pk, level in pool if (level or 0) < 2]
        self.levels = dict(pool)

    def shared_files(self) -> None:
        """One application document for every dossier, and per agency one result signed with its seal."""
        from opendvc.dossiers.services.files import store_bytes

        self.application_file = store_bytes(
            _pdf("Tờ khai (bản điện tử) – dữ liệu lịch sử minh họa của bản demo"), name="to-khai.pdf"
        ).pk
        content = _pdf("Kết quả giải quyết thủ tục hành chính – dữ liệu lịch sử minh họa của bản demo")
        self.result_files = {}
        self.signed = {}
        for agency in self.agencies:
            stored, signed = _result_for(agency, content)
            self.result_files[agency.pk] = stored
            self.signed[agency.pk] = signed

    def name(self) -> str:
        r = self.rng
        return f"{r.choice(FAMILY)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"

    # -- time

    def moment(self, day: date, start_hour: float = 7.5, hours: float = 9.5) -> datetime:
        seconds = int((start_hour + self.rng.random() * hours) * 3600)
        return datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(seconds=seconds)

    def due(self, procedure: ProcedureInfo, received: datetime) -> datetime | None:
        if procedure.amount is None:
            return None
        local = received.astimezone(self.zone)
        key = (procedure.amount, procedure.unit, local.date(), local.hour >= 15)
        if procedure.unit == "hours":
            return calendar.due_at(received, procedure.amount, procedure.unit)
        if key not in self._due_cache:
            self._due_cache[key] = calendar.due_at(received, procedure.amount, procedure.unit)
        return self._due_cache[key]

    # -- one dossier

    def dossier(self, agency: Agency, day: date, month_index: int, ids: dict) -> dict:
        r, profile = self.rng, self.profiles[agency.pk]
        procedure = r.choice(self.procedures[agency.pk])
        received = self.moment(day)
        online = procedure.online and r.random() < profile.at(profile.online, month_index)
        channel = Channel.ONLINE if online else (Channel.COUNTER if r.random() < 0.9 else Channel.POST)
        submitted = received - timedelta(minutes=r.randint(20, 60 * 20)) if online else received
        due = self.due(procedure, received)
        number = self.sequences.get((agency.pk, day), 0) + 1
        self.sequences[(agency.pk, day)] = number
        d = {
            "id": ids["dossier"],
            "name": self.name(),
            "code": f"{agency.code}-{day:%y%m%d}-{number:04d}",
            "agency": agency,
            "procedure": procedure,
            "channel": channel,
            "submitted_at": submitted,
            "received_at": received,
            "due_at": due,
            "processed_at": None,
            "returned_at": None,
            "closed_at": None,
            "paused_since": None,
            "marked_late": False,
            "requests": [],
            "status": Status.PROCESSING,
            "applicant": None,
            "external_id": None,
        }
        ids["dossier"] += 1
        if online:
            pool = (
                self.verified if r.random() < profile.at(profile.verified, month_index) else self.unverified
            )
            d["applicant"] = r.choice(pool or self.verified or self.unverified)
        # Supplement requests: one in twelve; one in ten of those needs a second one (late by rule). A
        # request answered moves the due date on by the wait; one not answered yet keeps the dossier waiting.
        span = (due - received) if due else timedelta(days=7)
        if r.random() < 1 / 12:
            first = received + span * r.uniform(0.1, 0.4)
            d["requests"].append([first, first + timedelta(days=r.randint(1, 6))])
            if r.random() < 0.1:
                second = d["requests"][0][1] + timedelta(days=r.randint(1, 3))
                d["requests"].append([second, second + timedelta(days=r.randint(1, 6))])
        d["requests"] = [[a, b if b <= self.now else None] for a, b in d["requests"] if a <= self.now]
        d["marked_late"] = len(d["requests"]) > 1
        waited = sum(((b - a) for a, b in d["requests"] if b is not None), timedelta())
        if due is not None:
            d["due_at"] = due = due + waited
        on_time = r.random() < profile.at(profile.on_time, month_index)
        if on_time or due is None:
            finish = received + waited + span * r.uniform(0.3, 0.98)
            if due is not None:
                finish = min(finish, due - timedelta(minutes=5))
        else:
            finish = due + timedelta(hours=r.randint(4, 24 * 12))
        fate = r.random()
        if any(b is None for _a, b in d["requests"]):
            d["status"] = Status.SUPPLEMENT_REQUESTED
            d["paused_since"] = next(a for a, b in d["requests"] if b is None)
        elif fate < 0.01 and received + timedelta(days=2) < self.now:
            d["status"], d["closed_at"] = Status.WITHDRAWN, received + timedelta(days=r.randint(1, 2))
        elif fate < 0.02 and finish < self.now:
            d["status"], d["closed_at"] = Status.STOPPED, finish
        elif finish < self.now:
            d["processed_at"] = finish
            returned = finish + timedelta(hours=r.randint(1, 72))
            if returned < self.now:
                d["status"], d["returned_at"], d["closed_at"] = Status.RETURNED, returned, None
            else:
                d["status"] = Status.PROCESSED
        d["documents"] = []
        if not self.lean:
            if online:
                reused = r.random() < profile.reuse
                d["documents"].append(
                    (DossierDocument.Role.APPLICATION, self.application_file, reused, False)
                )
            if (
                d["processed_at"]
                and procedure.electronic
                and r.random() < profile.at(profile.e_result, month_index)
            ):
                d["documents"].append(
                    (DossierDocument.Role.RESULT, self.result_files[agency.pk], False, self.signed[agency.pk])
                )
        d["delivery"] = (
            Delivery.ELECTRONIC
            if any(doc[0] == DossierDocument.Role.RESULT for doc in d["documents"])
            else (Delivery.POST if channel == Channel.POST else Delivery.DESK)
        )
        # Fees: charged when the procedure has them, paid at receipt, online when the applicant chose to.
        d["charge"] = None
        if procedure.fee and d["status"] != Status.WITHDRAWN:
            paid_online = online and r.random() < profile.at(profile.pay_online, month_index)
            paid_at = (submitted if paid_online else received) + timedelta(minutes=r.randint(1, 30))
            d["charge"] = (procedure.fee, procedure.fee_text, procedure.fee_position, paid_online, paid_at)
        # Ratings: some applicants rate after the result.
        d["rating"] = None
        end = d["returned_at"] or d["processed_at"]
        if end is not None and r.random() < profile.rated:
            at = end + timedelta(hours=r.randint(1, 96))
            if at < self.now:
                draw = r.random()
                satisfied = profile.at(profile.satisfied, month_index)
                value = (
                    Rating.SATISFIED
                    if draw < satisfied
                    else Rating.ACCEPTABLE
                    if draw < satisfied + (1 - satisfied) * 0.6
                    else Rating.UNSATISFIED
                )
                d["rating"] = (value, at)
        return d

    # -- writing a chunk

    def write(self, chunk: list[dict], ids: dict) -> None:
        dossiers, events, documents, requests, ratings = [], [], [], [], []
        charges, orders, links, contributions = [], [], [], []
        for d in chunk:
            agency, procedure = d["agency"], d["procedure"]
            applicant = d["applicant"]
            dossiers.append(
                (
                    d["id"], d["code"], procedure.id, agency.pk, applicant, d["name"], "", "", "", "",
                    d["channel"], Source.PORTAL, d["external_id"], d["status"], self.empty_data,
                    d["delivery"], "", d["submitted_at"], d["received_at"], d["due_at"], d["processed_at"],
                    d["returned_at"],
                    d["closed_at"], d["paused_since"], len(d["requests"]), 0, d["marked_late"], 1,
                    d["returned_at"] or d["processed_at"] or d["closed_at"] or d["received_at"],
                )
            )  # fmt: skip
            for requested, answered in d["requests"]:
                requests.append(
                    (d["id"], requested, ["Bản sao giấy tờ còn thiếu"], "", Status.PROCESSING, answered, "")
                )
            for role, file_id, reused, signed in d["documents"]:
                title = "Tờ khai" if role == DossierDocument.Role.APPLICATION else "Kết quả giải quyết"
                at = d["submitted_at"] if role == DossierDocument.Role.APPLICATION else d["processed_at"]
                documents.append((d["id"], role, title, file_id, reused, signed, at))
            paid_online_at = None
            if d["charge"] is not None:
                amount, text, position, online, paid_at = d["charge"]
                charge_id, order_id = ids["charge"], ids["order"]
                ids["charge"] += 1
                ids["order"] += 1
                method = "online" if online else "counter"
                orders.append(
                    (
                        order_id, f"{paid_at.astimezone(self.zone):%y%m%d}LS{order_id:08d}", d["id"], method,
                        "vnpay" if online else "", amount, "paid", paid_at, paid_at, paid_at,
                        "ipn" if online else "counter",
                    )
                )  # fmt: skip
                charges.append(
                    (
                        charge_id,
                        d["id"],
                        "fee",
                        text or "Lệ phí",
                        amount,
                        position,
                        "paid",
                        order_id,
                        paid_at,
                        paid_at,
                    )
                )
                links.append((order_id, charge_id))
                paid_online_at = paid_at if online else None
            if d["rating"] is not None:
                ratings.append((d["id"], d["rating"][0], "", d["rating"][1]))
            if not self.lean:
                events += self.timeline(d)
            facts = facts_from_row(
                {
                    "id": d["id"],
                    "agency_id": agency.pk,
                    "procedure__code": procedure.code,
                    "channel": d["channel"],
                    "status": d["status"],
                    "received_at": d["received_at"],
                    "processed_at": d["processed_at"],
                    "closed_at": d["closed_at"],
                    "due_at": d["due_at"],
                    "paused_since": d["paused_since"],
                    "marked_late": d["marked_late"],
                    "external_id": d["external_id"],
                    "applicant__assurance_level": self.levels.get(applicant) if applicant else None,
                    "has_digital": any(doc[0] == DossierDocument.Role.APPLICATION for doc in d["documents"]),
                    "has_reused": any(doc[2] for doc in d["documents"]),
                    "has_result": any(
                        doc[0] == DossierDocument.Role.RESULT and doc[3] for doc in d["documents"]
                    ),
                    "owes": d["charge"] is not None,
                    "paid_online": paid_online_at,
                    "rating_value": d["rating"][0] if d["rating"] else None,
                    "rating_at": d["rating"][1] if d["rating"] else None,
                    "second_request": d["requests"][1][0] if len(d["requests"]) > 1 else None,
                }
            )
            rows = counters.keyed(dossier_contributions(facts))
            self.totals.update(rows)
            contributions.append(
                (
                    Contribution.Source.DOSSIER,
                    d["id"],
                    [[a, dd, m, k, v] for (a, dd, m, k), v in sorted(rows.items()) if v],
                )
            )
        from opendvc.payments.models import Charge, PaymentOrder

        insert(Dossier, DOSSIER_FIELDS, dossiers)
        insert(SupplementRequest, REQUEST_FIELDS, requests)
        insert(DossierDocument, DOCUMENT_FIELDS, documents)
        insert(DossierEvent, EVENT_FIELDS, events, prepared=frozenset({"details"}))
        insert(DossierRating, ["dossier", "value", "comment", "at"], ratings)
        insert(PaymentOrder, ORDER_FIELDS, orders)
        insert(Charge, CHARGE_FIELDS, charges)
        insert(PaymentOrder.charges.through, ["paymentorder", "charge"], links)
        insert(Contribution, ["source", "source_id", "rows"], contributions)
        self.stats.update(
            dossiers=len(dossiers), events=len(events), documents=len(documents), payments=len(orders),
            ratings=len(ratings), supplement_requests=len(requests),
        )  # fmt: skip

    def timeline(self, d: dict) -> list[tuple]:
        """The dossier's timeline, as the actions of the back office would have written it."""
        out = []
        S = Status

        def add(at, action, before, after):
            actor = d["name"] if action in ("submit", "rate") else d["agency"].name_vi[:255]
            out.append((d["id"], at, actor, action, before, after, "", "{}", True))

        if d["channel"] == Channel.ONLINE:
            add(d["submitted_at"], "submit", None, S.SUBMITTED)
            add(d["received_at"], "receive", S.SUBMITTED, S.RECEIVED)
        else:
            add(d["received_at"], "register", None, S.RECEIVED)
        for requested, answered in d["requests"]:
            add(requested, "request_supplement", S.PROCESSING, S.SUPPLEMENT_REQUESTED)
            if answered is not None:
                add(answered, "supplement", S.SUPPLEMENT_REQUESTED, S.PROCESSING)
        if d["status"] == S.WITHDRAWN:
            add(d["closed_at"], "withdraw", S.PROCESSING, S.WITHDRAWN)
        elif d["status"] == S.STOPPED:
            add(d["closed_at"], "stop", S.PROCESSING, S.STOPPED)
        if d["processed_at"]:
            add(d["processed_at"], "process", S.PROCESSING, S.PROCESSED)
        if d["returned_at"]:
            add(d["returned_at"], "return", S.PROCESSED, S.RETURNED)
        if d["rating"]:
            add(d["rating"][1], "rate", d["status"], d["status"])
        return out

    # -- the whole year

    def run(self, progress=None) -> Counter:
        ids = {"dossier": 0, "charge": 0, "order": 0}
        from opendvc.payments.models import Charge, PaymentOrder

        nxt = _next_ids(Dossier, Charge, PaymentOrder)
        ids.update(dossier=nxt[Dossier], charge=nxt[Charge], order=nxt[PaymentOrder])
        chunk = []
        start_month = self.first_day.year * 12 + self.first_day.month
        for day in self.working_days:
            month_index = day.year * 12 + day.month - start_month
            for agency in self.agencies:
                expected = self.per_day[agency.pk]
                count = int(expected) + (1 if self.rng.random() < expected - int(expected) else 0)
                for _ in range(count):
                    chunk.append(self.dossier(agency, day, month_index, ids))
                if len(chunk) >= CHUNK:
                    self.write(chunk, ids)
                    chunk = []
                    if progress:
                        progress(self.stats["dossiers"])
        self.write(chunk, ids)
        _reset_sequences(Dossier, Charge, PaymentOrder)
        self.feedback()
        self.save_sequences()
        counters.apply(self.totals)
        return self.stats

    def save_sequences(self) -> None:
        existing = set(
            DossierCodeSequence.objects.filter(day__gte=self.first_day, day__lt=self.today).values_list(
                "agency_id", "day"
            )
        )
        new = [(a, d, last) for (a, d), last in self.sequences.items() if (a, d) not in existing]
        insert(DossierCodeSequence, ["agency", "day", "last"], new)
        for (a, d), last in self.sequences.items():
            if (a, d) in existing:
                DossierCodeSequence.objects.filter(agency_id=a, day=d, last__lt=last).update(last=last)

    def feedback(self) -> None:
        """About one feedback per 150 dossiers: most answered and published, some refused, some open."""
        from opendvc.feedback.models import Feedback
        from opendvc.feedback.models import Status as FeedbackStatus
        from opendvc.feedback.search import index_text

        r, items, contributions = self.rng, [], []
        count = max(len(self.agencies), self.stats["dossiers"] // 150)
        weights = [self.profiles[a.pk].volume for a in self.agencies]
        for agency in r.choices(self.agencies, weights=weights, k=count):
            profile = self.profiles[agency.pk]
            topic = r.choice(FEEDBACK_TOPICS)
            day = r.choice(self.working_days)
            submitted = self.moment(day, 0, 24)
            on_time = r.random() < profile.feedback_on_time
            answered = submitted + timedelta(days=r.randint(2, 14) if on_time else r.randint(22, 40))
            published = answered + timedelta(days=r.randint(0, 2))
            status = FeedbackStatus.PUBLISHED
            if r.random() < 0.08:
                status, published = FeedbackStatus.REFUSED, None
            elif published > self.now:
                status, published = FeedbackStatus.PROCESSING, None
            votes = r.randint(0, 40) if published else 0
            liked = r.random() < profile.satisfied
            item = Feedback(
                code=f"PA-{day:%y%m%d}-" + "".join(r.choice(CODE_ALPHABET) for _ in range(6)),
                kind=topic[0],
                title=topic[1],
                content=topic[2],
                sender_name=self.name(),
                agency_id=agency.pk,
                first_agency_id=agency.pk,
                status=status,
                submitted_at=submitted,
                arrived_at=submitted,
                decide_due_at=submitted + timedelta(days=2),
                answer_due_at=submitted + timedelta(days=21),
                decided_at=submitted + timedelta(days=1) if status != FeedbackStatus.PROCESSING else None,
                answer=topic[3] if published else "",
                answered_at=answered if published else None,
                approved_at=published,
                published_at=published,
                refusal_reason="Nội dung không thuộc thẩm quyền giải quyết của cơ quan."
                if status == FeedbackStatus.REFUSED
                else "",
                public_title=topic[1] if published else "",
                public_content=topic[2] if published else "",
                public_answer=topic[3] if published else "",
                likes=votes if liked else votes // 4,
                dislikes=votes // 4 if liked else votes,
                decided_on_time=True if status != FeedbackStatus.PROCESSING else None,
                answered_on_time=on_time if published else None,
                published_on_time=True if published else None,
                updated_at=published or submitted,
            )
            item.search_text = index_text(item)
            items.append(item)
        Feedback.objects.bulk_create(items, batch_size=1000)
        for item in Feedback.objects.filter(code__in=[i.code for i in items]).order_by():
            rows = counters.keyed(feedback_contributions(feedback_facts(item)))
            self.totals.update(rows)
            contributions.append(
                (
                    Contribution.Source.FEEDBACK,
                    item.pk,
                    [[a, d, m, k, v] for (a, d, m, k), v in sorted(rows.items()) if v],
                )
            )
        insert(Contribution, ["source", "source_id", "rows"], contributions)
        self.stats.update(feedback=len(items))


DOSSIER_FIELDS = [
    "id", "code", "procedure", "agency", "applicant", "applicant_name", "applicant_id_number",
    "applicant_id_digest", "applicant_phone", "applicant_email", "channel", "source", "external_id", "status",
    "data", "delivery", "delivery_address", "submitted_at", "received_at", "due_at", "processed_at",
    "returned_at", "closed_at", "paused_since", "supplement_requests", "apologies", "marked_late", "version",
    "updated_at",
]  # fmt: skip

REQUEST_FIELDS = ["dossier", "requested_at", "items", "note", "resume_status", "answered_at", "answer_note"]
DOCUMENT_FIELDS = ["dossier", "role", "title", "file", "reused", "signed", "added_at"]
EVENT_FIELDS = [
    "dossier",
    "at",
    "actor_name",
    "action",
    "from_status",
    "to_status",
    "comment",
    "details",
    "public",
]
ORDER_FIELDS = [
    "id", "reference", "dossier", "method", "provider", "amount", "status", "created_at", "paid_at",
    "settled_at", "settled_via",
]  # fmt: skip
CHARGE_FIELDS = [
    "id", "dossier", "kind", "description", "amount", "fee_position", "state", "order", "created_at",
    "settled_at",
]  # fmt: skip

FEEDBACK_TOPICS = [
    (
        "service",
        "Hồ sơ đăng ký khai sinh trả kết quả chậm",
        "Tôi nộp hồ sơ đăng ký khai sinh cho con nhưng đã quá ngày hẹn mà chưa nhận được kết quả.",
        "Cơ quan đã kiểm tra: hồ sơ bị chậm do thiếu xác minh nơi cư trú. Kết quả đã được trả, cơ quan xin "
        "lỗi vì sự chậm trễ và đã nhắc nhở cán bộ liên quan.",
    ),
    (
        "regulation",
        "Đề nghị hướng dẫn rõ thành phần hồ sơ cấp giấy phép xây dựng",
        "Thành phần hồ sơ trên Cổng chưa nói rõ cần bản vẽ thiết kế bản chính hay bản sao.",
        "Theo quy định, người nộp cần 02 bộ bản vẽ thiết kế (bản chính hoặc bản sao có chứng thực). Cơ quan "
        "đã cập nhật hướng dẫn trên Cổng.",
    ),
    (
        "service",
        "Cán bộ một cửa hướng dẫn chưa tận tình",
        "Khi đến nộp hồ sơ, tôi được yêu cầu bổ sung nhiều lần mà không được hướng dẫn một lần đầy đủ.",
        "Cơ quan ghi nhận phản ánh, đã chấn chỉnh việc hướng dẫn một lần, đầy đủ theo quy định.",
    ),
    (
        "regulation",
        "Kiến nghị giảm giấy tờ khi đăng ký thường trú",
        "Đề nghị không yêu cầu nộp bản sao giấy tờ đã có trong Cơ sở dữ liệu quốc gia về dân cư.",
        "Cơ quan đã khai thác dữ liệu dân cư, người dân không phải nộp lại các giấy tờ này.",
    ),
    (
        "service",
        "Không thanh toán được lệ phí trực tuyến",
        "Tôi thanh toán lệ phí qua Cổng nhưng giao dịch báo lỗi, tài khoản đã bị trừ tiền.",
        "Giao dịch đã được đối soát, khoản tiền được ghi nhận cho hồ sơ. Cơ quan xin lỗi vì sự bất tiện.",
    ),
    (
        "regulation",
        "Đề nghị cho phép nhận kết quả qua bưu chính",
        "Tôi ở xa, đề nghị cho phép nhận kết quả cấp đổi giấy phép lái xe qua dịch vụ bưu chính công ích.",
        "Thủ tục này đã cho phép nhận kết quả qua bưu chính; người dân chọn hình thức nhận khi nộp hồ sơ.",
    ),
]


@lru_cache(maxsize=4)
def _pdf(title: str) -> bytes:
    """A one-page PDF saying what it is."""
    from weasyprint import HTML

    return HTML(
        string=f"<html lang='vi'><meta charset='utf-8'><body><h1 style='font-size:16pt'>{title}</h1>"
        "<p>Tệp này thay cho các giấy tờ của hồ sơ do bộ sinh dữ liệu lịch sử tạo ra.</p></body></html>"
    ).write_pdf()


_SIGNED: dict[
    str, bytes
] = {}  # agency code -> the signed result, kept for the process (tests generate often)


def _result_for(agency: Agency, content: bytes) -> tuple[int, bool]:
    """A result file signed with the agency's seal (its own certificate), or unsigned if it has none."""
    from opendvc.dossiers.services.files import store_bytes
    from opendvc.dossiers.signing import SealUnavailable, sign_pdf

    if agency.code not in _SIGNED:
        try:
            _SIGNED[agency.code] = sign_pdf(content, agency=agency)
        except SealUnavailable:
            return store_bytes(content, name="ket-qua.pdf", origin=StoredFile.Origin.RESULT).pk, False
    return store_bytes(_SIGNED[agency.code], name="ket-qua.pdf", origin=StoredFile.Origin.RESULT).pk, True


@transaction.atomic
def generate(*, dossiers: int = 200_000, days: int = 365, seed: int = 766, lean: bool = False, progress=None):
    """Generate the history and its counters; returns counts and seconds taken."""
    started = time.perf_counter()
    generator = Generator(dossiers=dossiers, days=days, seed=seed, lean=lean)
    generator.plan()
    if not generator.agencies:
        return Counter(), 0.0
    generator.applicants()
    if not lean:
        generator.shared_files()
    stats = generator.run(progress=progress)
    audit.record(
        "scorecard.history_generated",
        first_day=generator.first_day.isoformat(),
        last_day=(generator.today - timedelta(days=1)).isoformat(),
        **{k: int(v) for k, v in stats.items()},
    )
    return stats, time.perf_counter() - started
