"""Dossier records. Writes go through `services`; reads that depend on who asks go through `selectors`."""

import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opendvc.core.models import AppendOnlyModel
from opendvc.core.personal_data import EncryptedField, encrypt, mask


class Status(models.IntegerChoices):
    """The statuses agency systems exchange with the national portal (domain.md); "overdue" is derived."""

    SUBMITTED = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Đã tiếp nhận")
    NOT_RECEIVED = 3, _("Từ chối tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung hồ sơ")
    AWAITING_PAYMENT = 6, _("Chờ thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    PROCESSED = 9, _("Đã giải quyết xong")
    RETURNED = 10, _("Đã trả kết quả")


# Statuses after which nothing more happens to a dossier except returning a processed result.
CLOSED_STATUSES = frozenset({Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
# Statuses in which the processing clock is running (or paused, for 5) against the due date.
OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT}
)


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp tại bộ phận một cửa")
    POST = "post", _("Qua dịch vụ bưu chính")


class Source(models.TextChoices):
    PORTAL = "portal", _("Cổng Dịch vụ công")
    AGENCY_SYSTEM = "agency_system", _("Hệ thống của cơ quan")


class Delivery(models.TextChoices):
    DESK = "desk", _("Nhận tại bộ phận một cửa")
    POST = "post", _("Nhận qua dịch vụ bưu chính công ích")
    ELECTRONIC = "electronic", _("Nhận bản điện tử trên Cổng")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    ACCEPTABLE = "acceptable", _("Chấp nhận được")
    UNSATISFIED = "unsatisfied", _("Không hài lòng")


class JsonText(EncryptedField):
    """A dict stored as encrypted JSON text: form answers hold personal data, protected at rest."""

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return json.loads(text) if text else {}

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        return json.loads(value) if value else {}

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value or {}, ensure_ascii=False, sort_keys=True))


class FormDefinition(models.Model):
    """One published version of a procedure's e-form (schema: dossiers/eforms, docs/eforms.md).

    A new version is a new row; dossiers keep the version they were filed with."""

    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.CASCADE, related_name="form_definitions"
    )
    version = models.PositiveIntegerField(_("phiên bản"))
    schema = models.JSONField(_("định nghĩa biểu mẫu"))
    allow_registry_changes = models.BooleanField(
        _("cho sửa dữ liệu lấy từ CSDL dân cư"),
        default=False,
        help_text=_("Chỉ bật khi thủ tục là để thay đổi chính các thông tin đó."),
    )
    published_at = models.DateTimeField(_("công bố lúc"), default=timezone.now)

    class Meta:
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="form_definition_version_unique")
        ]
        verbose_name = _("biểu mẫu điện tử")
        verbose_name_plural = _("biểu mẫu điện tử")

    def __str__(self):
        return f"{self.procedure.code} v{self.version}"


class StoredFile(models.Model):
    """A file in an applicant's document store (kho dữ liệu): uploads, electronic results, letters.

    The bytes live in Django storage under an unguessable name; they are served only by a view that checks
    permission (`selectors.can_read_file`)."""

    class Origin(models.TextChoices):
        UPLOAD = "upload", _("Tải lên")
        RESULT = "result", _("Kết quả điện tử")
        LETTER = "letter", _("Văn bản của cơ quan")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stored_files",
    )
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.UPLOAD)
    name = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(upload_to="dossiers/%Y/%m/", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # A random reference printed (as a QR code) on a sealed result before it is signed, so the result
    # itself carries the address of its verification page.
    reference = models.CharField(max_length=32, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tệp")
        verbose_name_plural = _("tệp")

    def __str__(self):
        return self.name


class Draft(models.Model):
    """A dossier being filled in online: saved as the applicant goes, resumed later, expires after 30 days."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    form_definition = models.ForeignKey(
        FormDefinition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(
        "catalog.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = JsonText(default=dict, blank=True)
    origins = models.JSONField(default=dict, blank=True)  # field key -> where its prefilled value came from
    locked = models.JSONField(default=list, blank=True)  # keys of registry values that may not be changed
    attachments = models.JSONField(default=dict, blank=True)  # slot -> [StoredFile ids]
    step = models.CharField(max_length=64, blank=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, blank=True)
    delivery_address = EncryptedField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")

    def __str__(self):
        return f"draft {self.pk} {self.procedure_id}"


class DossierCodeSequence(models.Model):
    """The last dossier number given per agency per day (Circular 01/2018/TT-VPCP art. 19)."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_sequence_unique")]

    def __str__(self):
        return f"{self.agency_id} {self.day} {self.last}"


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="dossiers")
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="dossiers")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="dossiers"
    )
    applicant_name = models.CharField(_("người nộp"), max_length=255)
    applicant_id_number = EncryptedField(_("số định danh người nộp"), blank=True, default="")
    applicant_id_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    applicant_phone = EncryptedField(_("điện thoại"), blank=True, default="")
    applicant_email = EncryptedField(_("thư điện tử"), blank=True, default="")
    channel = models.CharField(_("kênh nộp"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.PORTAL)
    external_id = models.CharField(max_length=100, null=True, blank=True)  # the agency system's own id
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices, db_index=True)
    form_definition = models.ForeignKey(
        FormDefinition, null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers"
    )
    data = JsonText(default=dict, blank=True)
    delivery = models.CharField(_("hình thức nhận kết quả"), max_length=16, choices=Delivery.choices)
    delivery_address = EncryptedField(blank=True, default="")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_dossiers",
    )
    submitted_at = models.DateTimeField(_("ngày nộp"), default=timezone.now)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    due_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True, db_index=True)
    processed_at = models.DateTimeField(_("ngày có kết quả"), null=True, blank=True)
    returned_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)  # waiting for a supplement since
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    apologies = models.PositiveSmallIntegerField(default=0)
    # A second supplement request makes the dossier late whatever the dates (the scorecard's rule).
    marked_late = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking: a stale action gets a conflict
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="dossier_external_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"]),
            models.Index(fields=["applicant", "submitted_at"]),
        ]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dossiers:mine_detail", args=[self.code])

    @property
    def masked_id_number(self) -> str:
        return mask(self.applicant_id_number) if self.applicant_id_number else ""

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def finished_at(self):
        """When processing ended (result ready, or closed without one), for the on-time rule."""
        return self.processed_at or (self.closed_at if self.status != Status.RETURNED else self.returned_at)

    def is_late(self, now=None) -> bool:
        """Late = a second supplement request, finished after the due date, or still open past it."""
        return is_late(
            status=self.status,
            due_at=self.due_at,
            processed_at=self.processed_at,
            closed_at=self.closed_at,
            paused_since=self.paused_since,
            marked_late=self.marked_late,
            now=now,
        )


def is_late(*, status, due_at, processed_at, closed_at, paused_since, marked_late, now=None) -> bool:
    """The on-time rule on a dossier's dates (domain.md), for a dossier or for its columns read in bulk."""
    if marked_late:
        return True
    if due_at is None or status in (Status.NOT_RECEIVED, Status.WITHDRAWN):
        return False
    end = processed_at or closed_at
    if end is not None:
        return end > due_at
    if paused_since is not None:
        return paused_since > due_at
    return (now or timezone.now()) > due_at


class DossierDocument(models.Model):
    """A file attached to a dossier: the applicant's documents, supplements, results, letters, the receipt."""

    class Role(models.TextChoices):
        APPLICATION = "application", _("Thành phần hồ sơ")
        SUPPLEMENT = "supplement", _("Tài liệu bổ sung")
        RESULT = "result", _("Kết quả giải quyết")
        LETTER = "letter", _("Văn bản, phiếu")
        RECEIPT = "receipt", _("Giấy tiếp nhận và hẹn trả kết quả")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    role = models.CharField(max_length=16, choices=Role.choices)
    slot = models.PositiveSmallIntegerField(null=True, blank=True)  # RequiredDocument.position
    title = models.CharField(max_length=500)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="uses")
    reused = models.BooleanField(default=False)  # taken from the applicant's document store
    signed = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self):
        return f"{self.dossier_id} {self.role} {self.title}"


class SupplementRequest(models.Model):
    """One request for more documents: everything missing listed at once; the clock pauses until answered."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    items = models.JSONField(default=list)  # [str]: what is missing and why
    note = models.TextField(blank=True)
    resume_status = models.PositiveSmallIntegerField(choices=Status.choices)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self):
        return f"{self.dossier_id} {self.requested_at:%Y-%m-%d}"


class DossierEvent(AppendOnlyModel):
    """The dossier's timeline: who did what, when, with which comment. Append-only."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=32)
    from_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    comment = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True)  # shown to the applicant

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self):
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class DossierRating(models.Model):
    """The applicant's satisfaction once the result is returned (kept for the scorecard)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    value = models.CharField(_("mức độ hài lòng"), max_length=16, choices=Rating.choices)
    comment = models.TextField(_("ý kiến"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.dossier_id} {self.value}"


class AgencyApiKey(models.Model):
    """A key an agency's own system uses to push its dossiers (sync API); only its hash is stored."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("tên hệ thống"), max_length=255)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khóa API đồng bộ")
        verbose_name_plural = _("khóa API đồng bộ")

    def __str__(self):
        return f"{self.agency_id} {self.name} {self.prefix}…"
