"""The national catalogue: agencies, fields, procedures and life events.

Texts people read are stored in Vietnamese (`*_vi`, required) and English (`*_en`, optional);
`translated()` picks the one for the active language and falls back to Vietnamese.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _


def translated(obj, field: str) -> str:
    """The value of `<field>_en` when English is active and it is filled in, else `<field>_vi`."""
    if (get_language() or "vi").startswith("en"):
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, f"{field}_vi")


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class AgencyLevel(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class Audience(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Doanh nghiệp")


class OnlineLevel(models.TextChoices):
    """Decree 42/2022/NĐ-CP art. 11."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Chưa trực tuyến")


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp")
    POST = "post", _("Dịch vụ bưu chính")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    DAYS = "days", _("ngày")
    HOURS = "hours", _("giờ làm việc")
    MONTHS = "months", _("tháng")


class ResultKind(models.TextChoices):
    PAPER = "paper", _("Bản giấy")
    ELECTRONIC = "electronic", _("Bản điện tử")
    BOTH = "both", _("Bản giấy và bản điện tử")


class DocumentKind(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    ORIGINAL_OR_COPY = "original_or_copy", _("Bản chính hoặc bản sao")


class FeeTiming(models.TextChoices):
    """When an applicant pays a procedure's fees (phí, lệ phí)."""

    SUBMISSION = "submission", _("Khi nộp hồ sơ, trước khi cơ quan tiếp nhận")
    RESULT = "result", _("Trước khi nhận kết quả")


class ProcedureStatus(models.TextChoices):
    ACTIVE = "active", _("Đang áp dụng")
    ABOLISHED = "abolished", _("Đã bãi bỏ")


class AgencyKind(models.Model):
    """A kind of agency that exists once nationally or once per province/commune (e.g. Sở Tư pháp)."""

    slug = models.SlugField(max_length=64, unique=True)
    level = models.CharField(max_length=16, choices=AgencyLevel.choices)
    name_vi = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)

    class Meta:
        ordering = ["level", "slug"]
        verbose_name = _("loại cơ quan")
        verbose_name_plural = _("loại cơ quan")

    def __str__(self):
        return self.name_vi

    @property
    def name(self):
        return translated(self, "name")


class Agency(models.Model):
    """An executing agency; its electronic code prefixes the codes of dossiers it receives."""

    code = models.CharField(_("mã định danh điện tử"), max_length=32, unique=True)
    name_vi = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    level = models.CharField(_("cấp"), max_length=16, choices=AgencyLevel.choices, db_index=True)
    kind = models.ForeignKey(AgencyKind, on_delete=models.PROTECT, related_name="agencies")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("trực thuộc"),
    )
    # The province an agency of provincial or commune level belongs to (its top provincial ancestor):
    # kept by services.save_agency so that "choose a province, then a commune" is one indexed query.
    province = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The commune a commune-level agency serves, by its People's Committee (itself for a People's
    # Committee): the commune police of a ward and the ward's committee share it.
    commune = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã, phường"),
    )
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=64, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    opening_hours_vi = models.TextField(_("giờ làm việc"), blank=True)
    opening_hours_en = models.TextField(_("giờ làm việc (tiếng Anh)"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def __str__(self):
        return f"{self.name_vi} ({self.code})"

    def get_absolute_url(self):
        return reverse("catalog:agency", args=[self.code])

    @property
    def name(self):
        return translated(self, "name")

    @property
    def opening_hours(self):
        return translated(self, "opening_hours")


class Field(models.Model):
    """Lĩnh vực: the subject area of a procedure."""

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name_vi = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)

    class Meta:
        ordering = ["name_vi"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self):
        return self.name_vi

    @property
    def name(self):
        return translated(self, "name")


class ProcedureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ProcedureStatus.ACTIVE)


class Procedure(models.Model):
    code = models.CharField(_("mã thủ tục"), max_length=32, unique=True)
    name_vi = models.CharField(_("tên thủ tục"), max_length=500)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=500, blank=True)
    description_vi = models.TextField(_("mô tả"), blank=True)
    description_en = models.TextField(_("mô tả (tiếng Anh)"), blank=True)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("lĩnh vực")
    )
    for_citizens = models.BooleanField(_("dành cho công dân"), default=True)
    for_businesses = models.BooleanField(_("dành cho doanh nghiệp"), default=False)
    online_level = models.CharField(_("mức độ trực tuyến"), max_length=16, choices=OnlineLevel.choices)
    agency_levels = models.JSONField(_("cấp thực hiện"), default=list)
    agency_kinds = models.ManyToManyField(
        AgencyKind, related_name="procedures", verbose_name=_("cơ quan thực hiện")
    )
    channels = models.JSONField(_("cách thức thực hiện"), default=list)
    processing_time = models.PositiveIntegerField(_("thời hạn giải quyết"), null=True, blank=True)
    processing_time_unit = models.CharField(
        max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    processing_time_note_vi = models.TextField(_("ghi chú thời hạn"), blank=True)
    processing_time_note_en = models.TextField(_("ghi chú thời hạn (tiếng Anh)"), blank=True)
    result_vi = models.TextField(_("kết quả"), blank=True)
    result_en = models.TextField(_("kết quả (tiếng Anh)"), blank=True)
    result_kind = models.CharField(max_length=16, choices=ResultKind.choices, default=ResultKind.PAPER)
    fee_timing = models.CharField(
        _("thời điểm nộp phí, lệ phí"), max_length=16, choices=FeeTiming.choices, default=FeeTiming.SUBMISSION
    )
    conditions_vi = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    conditions_en = models.TextField(_("yêu cầu, điều kiện (tiếng Anh)"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True, help_text=_("Mỗi văn bản một dòng."))
    keywords = models.TextField(
        _("từ khóa, tên gọi khác"),
        blank=True,
        help_text=_("Mỗi từ khóa một dòng: tên gọi dân gian, viết tắt."),
    )
    published_on = models.DateField(_("ngày công bố"), null=True, blank=True)
    effective_on = models.DateField(_("ngày hiệu lực"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"),
        max_length=16,
        choices=ProcedureStatus.choices,
        default=ProcedureStatus.ACTIVE,
        db_index=True,
    )
    popularity = models.PositiveIntegerField(_("lượt xem"), default=0, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        indexes = [models.Index(fields=["status", "online_level"])]

    def __str__(self):
        return f"{self.code} – {self.name_vi}"

    def get_absolute_url(self):
        return reverse("catalog:procedure", args=[self.code])

    @property
    def name(self):
        return translated(self, "name")

    @property
    def description(self):
        return translated(self, "description")

    @property
    def result(self):
        return translated(self, "result")

    @property
    def conditions(self):
        return translated(self, "conditions")

    @property
    def has_payable_fees(self) -> bool:
        """Whether some fee may cost something (a fixed amount, or one stated for the case)."""
        return any(fee.amount != 0 for fee in self.fees.all())

    @property
    def processing_time_text(self) -> str:
        """ "5 ngày làm việc" / "1 working day": the number with its unit, singular or plural."""
        n = self.processing_time
        if n is None:
            return ""
        forms = {
            TimeUnit.WORKING_DAYS: ngettext("%(n)d ngày làm việc", "%(n)d ngày làm việc", n),
            TimeUnit.DAYS: ngettext("%(n)d ngày", "%(n)d ngày", n),
            TimeUnit.HOURS: ngettext("%(n)d giờ làm việc", "%(n)d giờ làm việc", n),
            TimeUnit.MONTHS: ngettext("%(n)d tháng", "%(n)d tháng", n),
        }
        return forms[self.processing_time_unit] % {"n": n}

    @property
    def processing_time_note(self):
        return translated(self, "processing_time_note")

    @property
    def audiences(self) -> list[str]:
        return [
            a
            for a, on in ((Audience.CITIZEN, self.for_citizens), (Audience.BUSINESS, self.for_businesses))
            if on
        ]

    @property
    def keyword_list(self) -> list[str]:
        return lines(self.keywords)

    @property
    def legal_basis_list(self) -> list[str]:
        return lines(self.legal_basis)

    @property
    def is_active(self) -> bool:
        return self.status == ProcedureStatus.ACTIVE


class ProcedureStep(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    text_vi = models.TextField(_("nội dung"))
    text_en = models.TextField(_("nội dung (tiếng Anh)"), blank=True)

    class Meta:
        ordering = ["procedure", "position"]
        unique_together = [("procedure", "position")]
        verbose_name = _("bước thực hiện")
        verbose_name_plural = _("trình tự thực hiện")

    def __str__(self):
        return self.text_vi[:80]

    @property
    def text(self):
        return translated(self, "text")


class RequiredDocument(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name_vi = models.TextField(_("tên giấy tờ"))
    name_en = models.TextField(_("tên giấy tờ (tiếng Anh)"), blank=True)
    kind = models.CharField(
        _("loại"), max_length=24, choices=DocumentKind.choices, default=DocumentKind.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    optional = models.BooleanField(_("chỉ nộp trong một số trường hợp"), default=False)
    template = models.FileField(_("mẫu đơn, tờ khai"), upload_to="forms/", blank=True)

    class Meta:
        ordering = ["procedure", "position"]
        unique_together = [("procedure", "position")]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self):
        return self.name_vi[:80]

    @property
    def name(self):
        return translated(self, "name")


class Fee(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    amount = models.PositiveBigIntegerField(
        _("số tiền (đồng)"),
        null=True,
        blank=True,
        help_text=_("Để trống khi mức thu thay đổi theo trường hợp."),
    )
    description_vi = models.TextField(_("mô tả"), blank=True)
    description_en = models.TextField(_("mô tả (tiếng Anh)"), blank=True)
    # Which case of the e-form the fee applies to and how it counts (catalog.fee_rules): {} for always.
    rule = models.JSONField(
        _("trường hợp áp dụng"),
        default=dict,
        blank=True,
        help_text=_(
            'Ví dụ: {"when": {"field": "fee_reduction", "equals": "student"}} hoặc {"per": "copies", '
            '"after": 2}. Để trống khi luôn áp dụng.'
        ),
    )

    class Meta:
        ordering = ["procedure", "position"]
        unique_together = [("procedure", "position")]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self):
        return f"{self.amount} – {self.description_vi[:60]}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from opendvc.catalog.fee_rules import rule_problems

        problems = rule_problems(self.rule)
        if problems:
            raise ValidationError({"rule": problems})

    @property
    def description(self):
        return translated(self, "description")


class LifeEvent(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name_vi = models.CharField(_("tên sự kiện"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    description_vi = models.TextField(_("mô tả"), blank=True)
    description_en = models.TextField(_("mô tả (tiếng Anh)"), blank=True)
    audience = models.CharField(_("đối tượng"), max_length=16, choices=Audience.choices, db_index=True)
    position = models.PositiveSmallIntegerField(_("thứ tự hiển thị"), default=0)
    procedures = models.ManyToManyField(Procedure, through="LifeEventProcedure", related_name="life_events")

    class Meta:
        ordering = ["audience", "position", "slug"]
        verbose_name = _("sự kiện")
        verbose_name_plural = _("sự kiện của công dân, doanh nghiệp")

    def __str__(self):
        return self.name_vi

    def get_absolute_url(self):
        return reverse("catalog:life_event", args=[self.slug])

    @property
    def name(self):
        return translated(self, "name")

    @property
    def description(self):
        return translated(self, "description")


class LifeEventProcedure(models.Model):
    life_event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="steps")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        ordering = ["life_event", "position"]
        unique_together = [("life_event", "procedure")]
        verbose_name = _("thủ tục trong sự kiện")
        verbose_name_plural = _("thủ tục trong sự kiện")

    def __str__(self):
        return f"{self.life_event_id}#{self.position}: {self.procedure_id}"


class ProcedureSearchEntry(models.Model):
    """Search keys of one procedure (see core.text.search_key), kept by catalog.search.index.

    On SQLite an FTS5 table mirrors it through triggers (migration 0002). On PostgreSQL a stored, weighted
    tsvector column and a trigram index are added to it (0002), and a narrow recall table
    `catalog_search_title` is kept from it by trigger (0004). None is declared here: only the search
    backends use them.
    """

    procedure = models.OneToOneField(
        Procedure, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    active = models.BooleanField(default=True)  # the procedure's status, so unfiltered searches need no join
    name = models.TextField()
    keywords = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self):
        return self.name
