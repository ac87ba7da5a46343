"""The period chooser of the scorecard pages: a month, quarter or year from the list, or a range of days."""

import contextlib
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendvc.scorecard import periods


def period_choices(today: date) -> list:
    months = periods.recent_months(12, until=today)[::-1]
    quarters, seen = [], set()
    for m in months:
        q = periods.quarter(m.start)
        if q.code not in seen:
            seen.add(q.code)
            quarters.append(q)
    years = [periods.year(today.year - i) for i in range(3)]
    return [
        (_("Tháng"), [(p.code, p.label) for p in months]),
        (_("Quý"), [(p.code, p.label) for p in quarters[:4]]),
        (_("Năm"), [(p.code, p.label) for p in years]),
    ]


class PeriodForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Kỳ đánh giá"), required=False, widget=forms.Select)
    start = forms.DateField(
        label=gettext_lazy("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        choices = period_choices(self.today)
        asked = (self.data.get("period") or "").strip()
        if asked and all(asked != code for _label, group in choices for code, _text in group):
            with contextlib.suppress(periods.InvalidPeriod):
                choices.insert(0, (_("Kỳ đã chọn"), [(asked, periods.parse(asked).label)]))
        self.fields["period"].widget.choices = choices
        self.fields["start"].help_text = _("Để xem một khoảng thời gian tùy chọn, nhập cả hai ngày.")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start or end:
            if not (start and end):
                self.add_error("end" if start else "start", _("Nhập cả ngày bắt đầu và ngày kết thúc."))
                return data
            if end < start:
                self.add_error("end", _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
                return data
            code = f"{start.isoformat()}..{end.isoformat()}"
        else:
            code = data.get("period") or ""
        try:
            data["result"] = periods.parse(code, today=self.today)
        except periods.InvalidPeriod as error:
            self.add_error("start" if start else "period", str(error))
        return data

    def chosen(self) -> periods.Period:
        """The period asked for (call after is_valid())."""
        return self.cleaned_data["result"]
