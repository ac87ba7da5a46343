"""Scorecard records: the definition in force, the counters, and what each record contributed to them.

- `Definition`: a version of the index (criteria, points, targets) as JSON data, in force from a date.
- `DayCounter` and `MonthCounter`: per agency, per day (month), per metric (and an optional key such as a
  procedure code), the sum of what the portal's records contribute. The dashboards read only these: never
  the dossiers. A month row is the sum of its days; both are written in the same transaction.
- `Contribution`: what one dossier or feedback currently adds to the counters, so that a change to it
  moves exactly the difference (and `rebuild_scorecard` can recompute everything from the raw records).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Definition(models.Model):
    version = models.SlugField(_("phiên bản"), max_length=64, unique=True)
    title = models.CharField(_("tên"), max_length=255)
    effective_from = models.DateField(_("áp dụng từ ngày"))
    spec = models.JSONField(_("tiêu chí"))
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")

    def __str__(self):
        return f"{self.version} ({self.effective_from:%d/%m/%Y})"


class DayCounter(models.Model):
    agency_id = models.BigIntegerField()
    day = models.DateField()
    metric = models.CharField(max_length=48)
    key = models.CharField(max_length=64, default="", blank=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency_id", "day", "metric", "key"], name="day_counter_unique")
        ]
        # Covering on PostgreSQL: a period's sums are read from the index alone (no table rows).
        indexes = [
            models.Index(
                fields=["metric", "day"], include=["agency_id", "key", "value"], name="day_counter_read"
            )
        ]

    def __str__(self):
        return f"{self.agency_id} {self.day} {self.metric} {self.key} {self.value}"


class MonthCounter(models.Model):
    agency_id = models.BigIntegerField()
    month = models.DateField()  # the first day of the month
    metric = models.CharField(max_length=48)
    key = models.CharField(max_length=64, default="", blank=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "month", "metric", "key"], name="month_counter_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["metric", "month"], include=["agency_id", "key", "value"], name="month_counter_read"
            )
        ]

    def __str__(self):
        return f"{self.agency_id} {self.month:%Y-%m} {self.metric} {self.key} {self.value}"


class Contribution(models.Model):
    class Source(models.TextChoices):
        DOSSIER = "dossier", _("Hồ sơ")
        FEEDBACK = "feedback", _("Phản ánh, kiến nghị")

    source = models.CharField(max_length=16, choices=Source.choices)
    source_id = models.BigIntegerField()
    # [[agency_id, "YYYY-MM-DD", metric, key, value], …]
    rows = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="contribution_unique")]

    def __str__(self):
        return f"{self.source} {self.source_id}"
