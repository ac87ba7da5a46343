"""Online submissions for bench/dossiers.py, in process, against the benchmark database.

Citizens are created directly (no password hashing: it is not part of submitting), each starts a draft of
the demo birth registration with a small published e-form, fills it in and chooses an agency and delivery;
then `submission.submit_draft` is timed, one after the other and from 4 threads. The baseline is the bare
write a submission cannot do without: one `Dossier.objects.create` with the same values (personal data
encrypted the same way) and one `DossierEvent` insert, in one transaction.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import count

BIRTH = "1.001193"
FORM = {
    "version": 1,
    "title_vi": "Tờ khai đăng ký khai sinh (bản rút gọn cho đo hiệu năng)",
    "steps": [
        {
            "key": "child",
            "title_vi": "Người được khai sinh",
            "title_en": "Child",
            "fields": [
                {
                    "key": "child_name",
                    "type": "text",
                    "label_vi": "Họ, chữ đệm, tên của trẻ",
                    "label_en": "Child's full name",
                    "required": True,
                },
                {
                    "key": "birth_place",
                    "type": "text",
                    "label_vi": "Nơi sinh",
                    "label_en": "Place of birth",
                    "required": True,
                },
            ],
        }
    ],
}
_citizens = count(1)


@dataclass
class Timing:
    label: str
    count: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def procedure_with_form():
    from opendvc.catalog.models import Procedure
    from opendvc.dossiers.services.forms import publish_form

    procedure = Procedure.objects.get(code=BIRTH)
    publish_form(procedure=procedure, schema=FORM)
    return procedure


def agencies(procedure) -> list:
    from opendvc.dossiers.services.submission import performing_agencies

    return performing_agencies(procedure)


def _citizen():
    from django.utils import timezone

    from opendvc.accounts.models import (
        Account,
        AccountKind,
        AssuranceLevel,
        Phone,
        RegistrationMethod,
        new_public_username,
    )

    n = next(_citizens)
    account = Account(
        username=new_public_username("cd"),
        kind=AccountKind.CITIZEN,
        full_name=f"Nguyễn Văn Thử {n}",
        id_number=f"0019{n:08d}",
        assurance_level=AssuranceLevel.LEVEL_2,
        registration_method=RegistrationMethod.MOBILE,
        verified_at=timezone.now(),
        email=f"thu{n}@example.vn",
    )
    account.set_unusable_password()
    account.save()
    Phone.objects.create(
        account=account,
        number=f"09{n % 100_000_000:08d}",
        is_default=True,
        carrier_verified_at=timezone.now(),
    )
    return account


def prepare(procedure, agency_codes: list[str], k: int) -> list:
    """`k` complete drafts by `k` new citizens, spread over `agency_codes` in turn."""
    from opendvc.dossiers.models import Delivery
    from opendvc.dossiers.services import submission

    drafts = []
    for i in range(k):
        draft = submission.start_draft(applicant=_citizen(), procedure=procedure)
        draft, errors = submission.save_draft_step(
            draft, step="child", values={"child_name": f"Nguyễn Bé {i}", "birth_place": "Bệnh viện Phụ sản"}
        )
        assert not errors, errors
        draft, errors = submission.set_delivery(
            draft, agency_code=agency_codes[i % len(agency_codes)], delivery=Delivery.ELECTRONIC, address=""
        )
        assert not errors, errors
        assert not submission.check_complete(draft), submission.check_complete(draft)
        drafts.append(draft)
    return drafts


def _run(label: str, work, items: list, threads: int) -> Timing:
    """Time `work` over `items`, in `threads` threads that each keep one database connection."""
    from django.db import connection

    def chunk(part: list) -> list[float]:
        latencies = []
        try:
            for item in part:
                t0 = time.perf_counter()
                work(item)
                latencies.append((time.perf_counter() - t0) * 1000)
        finally:
            if threads > 1:
                connection.close()
        return latencies

    started = time.perf_counter()
    if threads == 1:
        latencies = chunk(items)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(chunk, [items[i::threads] for i in range(threads)]))
        latencies = [ms for part in parts for ms in part]
    return Timing(label, len(items), time.perf_counter() - started, latencies)


def submit(label: str, drafts: list, *, threads: int) -> Timing:
    from opendvc.dossiers.services import submission

    return _run(label, lambda d: submission.submit_draft(d, declaration=True), drafts, threads)


_bare = count(1)


def bare(label: str, procedure, agency_list: list, k: int, *, threads: int) -> Timing:
    """The baseline: the dossier row and its first event, nothing else."""
    from django.db import transaction
    from django.utils import timezone

    from opendvc.core.personal_data import lookup_digest
    from opendvc.dossiers.models import Channel, Delivery, Dossier, DossierEvent, Status

    form = procedure.form_definitions.order_by("-version").first()

    def write(i):
        n = next(_bare)
        agency = agency_list[i % len(agency_list)]
        now = timezone.now()
        with transaction.atomic():
            dossier = Dossier.objects.create(
                code=f"BENCH-BARE-{n:07d}",
                procedure=procedure,
                agency=agency,
                applicant=None,
                applicant_name=f"Nguyễn Văn Thử {n}",
                applicant_id_number=f"0029{n:08d}",
                applicant_id_digest=lookup_digest(f"0029{n:08d}", kind="id"),
                applicant_phone=f"08{n:08d}",
                applicant_email=f"bare{n}@example.vn",
                channel=Channel.ONLINE,
                status=Status.SUBMITTED,
                form_definition=form,
                data={"child_name": f"Nguyễn Bé {i}", "birth_place": "Bệnh viện Phụ sản"},
                delivery=Delivery.ELECTRONIC,
                submitted_at=now,
                due_at=now,
                updated_at=now,
            )
            DossierEvent.objects.create(dossier=dossier, action="submit", to_status=Status.SUBMITTED)

    return _run(label, write, list(range(k)), threads)
