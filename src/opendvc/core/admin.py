from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext_lazy as _

from opendvc.core import audit
from opendvc.core.models import CalendarDay


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Records written by services only (histories, messages, payments): shown, never added, changed or
    deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


WEEKDAYS = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật")]


class CalendarDayForm(forms.ModelForm):
    # Django's Vietnamese locale has no input formats, so "05/04/2026" would be read month first.
    date = forms.DateField(
        label=_("ngày"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=AdminDateWidget(format="%d/%m/%Y"),
        help_text=_("Ngày/tháng/năm, ví dụ 25/04/2026."),
    )

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name_vi", "name_en", "note"]


class YearFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "nam"

    def lookups(self, request, model_admin):
        years = sorted({d.year for d in CalendarDay.objects.dates("date", "year")}, reverse=True)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Days an administrator fixes for a year; they win over the public holidays the calendar knows."""

    list_display = ["date", "weekday", "kind", "name_vi", "note"]
    list_filter = [YearFilter, "kind"]
    search_fields = ["name_vi", "name_en", "note"]
    form = CalendarDayForm
    fields = ["date", "kind", "name_vi", "name_en", "note"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj):
        return WEEKDAYS[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            "calendar.day_saved", target=obj, request=request, date=obj.date.isoformat(), kind=obj.kind
        )

    def delete_model(self, request, obj):
        audit.record(
            "calendar.day_deleted", target=obj, request=request, date=obj.date.isoformat(), kind=obj.kind
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
