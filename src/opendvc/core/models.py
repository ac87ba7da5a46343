"""What every app needs: the append-only audit trail."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(f"{self.model._meta.label} is append-only.")

    def delete(self):
        raise PermissionDenied(f"{self.model._meta.label} is append-only.")


class AppendOnlyModel(models.Model):
    """A record that is written once: saving it again or deleting it is refused, one at a time or in
    bulk. Pair it with a migration that makes the database refuse UPDATE too (`core.append_only`)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied(f"{self._meta.label} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(f"{self._meta.label} is append-only.")


class AuditEvent(AppendOnlyModel):
    """One state change: who did what to which record, when, from where.

    Append-only: the model refuses updates and deletes, and database triggers (migration 0002) refuse
    UPDATE on both databases. `details` must not hold personal data in clear (use masked values).
    """

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("hành động"), max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_type}:{self.target_id}"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Ngày lễ, Tết")
    DAY_OFF = "day_off", _("Ngày nghỉ bù / nghỉ thêm")
    WORKING_DAY = "working_day", _("Ngày làm việc bù (thứ Bảy/Chủ nhật đi làm)")


class CalendarDay(models.Model):
    """A date an administrator fixes in the working-day calendar (`opendvc.core.calendar`).

    The row's answer wins over the `holidays` package for that date: `working_day` makes it a working day
    (a make-up Saturday), `holiday` and `day_off` make it a day off (an extra day announced for the year).
    """

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại ngày"), max_length=16, choices=CalendarDayKind.choices)
    name_vi = models.CharField(_("tên ngày"), max_length=200)
    name_en = models.CharField(_("tên ngày (tiếng Anh)"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), blank=True, help_text=_("Ví dụ: văn bản thông báo lịch nghỉ."))

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ, ngày làm việc bù")
        verbose_name_plural = _("lịch ngày nghỉ, ngày làm việc bù")

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name_vi}"

    @property
    def is_working_day(self) -> bool:
        return self.kind == CalendarDayKind.WORKING_DAY


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="core.calendarday.changed")
def _calendar_day_changed(sender, **kwargs):
    """Cached calendar years are stale once an administrator changes a day."""
    from opendvc.core.calendar import invalidate_cache

    invalidate_cache()
