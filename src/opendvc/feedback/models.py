"""Feedback records. Writes go through `services`; reads that depend on who asks through `selectors`.

The sender's phone, e-mail and address are personal data, encrypted at rest (core.personal_data); what
the public sees of a feedback is its public title and content (personal data removed) and the answer.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opendvc.core.models import AppendOnlyModel
from opendvc.core.personal_data import EncryptedField


class Kind(models.TextChoices):
    REGULATION = "regulation", _("Quy định hành chính")
    SERVICE = "service", _("Hành vi, cách phục vụ của cơ quan, cán bộ")


class Status(models.TextChoices):
    NEW = "new", _("Chờ tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    INFO_REQUESTED = "info_requested", _("Chờ người gửi bổ sung thông tin")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ phê duyệt câu trả lời")
    APPROVED = "approved", _("Đã duyệt, chờ công khai")
    PUBLISHED = "published", _("Đã trả lời")
    REFUSED = "refused", pgettext_lazy("feedback status", "Từ chối tiếp nhận")


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.PROCESSING, Status.INFO_REQUESTED, Status.AWAITING_APPROVAL, Status.APPROVED}
)


class Feedback(models.Model):
    code = models.CharField(_("mã phản ánh"), max_length=32, unique=True)
    kind = models.CharField(_("loại phản ánh, kiến nghị"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("tiêu đề"), max_length=200)
    content = models.TextField(_("nội dung"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    sender_name = models.CharField(_("họ và tên"), max_length=255)
    sender_phone = EncryptedField(_("số điện thoại"), blank=True, default="")
    sender_email = EncryptedField(_("thư điện tử"), blank=True, default="")
    sender_address = EncryptedField(_("địa chỉ"), blank=True, default="")
    # The sender's private link (?k=…) answers requests for information and re-raises: a secret, encrypted.
    sender_token = EncryptedField(blank=True, default="")
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.PROTECT, related_name="feedback", verbose_name=_("cơ quan xử lý")
    )
    first_agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(
        "catalog.Procedure", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, db_index=True)
    submitted_at = models.DateTimeField(_("ngày gửi"), default=timezone.now)
    # The clock: it starts when the feedback reaches an agency (again after a forward or a re-raise) and
    # pauses while the sender is asked for more information.
    arrived_at = models.DateTimeField(default=timezone.now)
    paused_since = models.DateTimeField(null=True, blank=True)
    pauses = models.JSONField(default=list, blank=True)  # [[start, end], …] ISO, at the current agency
    decide_due_at = models.DateTimeField(null=True, blank=True)  # receive, refuse or forward by
    info_due_at = models.DateTimeField(null=True, blank=True)  # ask for more information by
    answer_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    publish_due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("ngày công khai"), null=True, blank=True, db_index=True)
    refusal_reason = models.TextField(blank=True)
    # What the public reads: set when the answer is approved, personal data removed.
    public_title = models.CharField(max_length=200, blank=True)
    public_content = models.TextField(blank=True)
    public_answer = models.TextField(blank=True)  # the answer as last published (a new round drafts anew)
    search_text = models.TextField(blank=True)  # " <folded title> \n <folded content and answer> "
    likes = models.PositiveIntegerField(default=0)
    dislikes = models.PositiveIntegerField(default=0)
    round = models.PositiveSmallIntegerField(default=1)  # 2, 3…: raised again after an answer
    reraise_count = models.PositiveSmallIntegerField(default=0)
    # For the scorecard: each deadline met or not, decided when the step is done (None: not done yet).
    decided_on_time = models.BooleanField(null=True, blank=True)
    answered_on_time = models.BooleanField(null=True, blank=True)
    published_on_time = models.BooleanField(null=True, blank=True)
    late_info_request = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "answer_due_at"]),
            models.Index(fields=["status", "published_at"]),
        ]
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")

    def __str__(self):
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Attachment(models.Model):
    class Role(models.TextChoices):
        SENDER = "sender", _("Tài liệu của người gửi")
        ANSWER = "answer", _("Văn bản trả lời")

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    role = models.CharField(max_length=16, choices=Role.choices)
    file = models.ForeignKey("dossiers.StoredFile", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self):
        return f"{self.feedback_id} {self.role} {self.file_id}"


class Event(AppendOnlyModel):
    """The feedback's history: who did what, at which agency, with which comment. Append-only."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=255, blank=True)
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    comment = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True)  # shown to the sender

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.feedback_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Vote(models.Model):
    """One reader's like or dislike of a published answer: one per account, or per device when signed out."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=80)  # "a:<account id>" or "d:<hash of the device cookie>"
    value = models.SmallIntegerField()  # 1 like, -1 dislike
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feedback", "voter"], name="one_vote_per_voter")]

    def __str__(self):
        return f"{self.feedback_id} {self.voter} {self.value}"
