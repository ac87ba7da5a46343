"""Forms of the applicants' dossier pages and the public tracking page.

They render and keep what people typed; the rules live in `dossiers.services` (the e-form itself is
rendered and parsed by `dossiers.eforms`, not by Django forms).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.captcha import captcha_field
from opendvc.accounts.forms import PortalForm
from opendvc.dossiers.models import Rating


class TrackingForm(PortalForm):
    ma = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=64,
        help_text=_("Mã in trên giấy tiếp nhận hồ sơ và hẹn trả kết quả, ví dụ 000.00.20.H26-250110-0001."),
        error_messages={"required": _("Nhập mã hồ sơ cần tra cứu.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_ma(self):
        return "".join(self.cleaned_data["ma"].split()).upper()


class TrackingCaptchaForm(TrackingForm):
    """After several unknown codes from one address: a person must type the code in the picture."""

    captcha = captcha_field()


class WithdrawForm(PortalForm):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cho biết lý do rút hồ sơ.")},
    )
    confirm = forms.BooleanField(
        label=_("Tôi hiểu rằng hồ sơ đã rút sẽ không được cơ quan tiếp tục giải quyết."),
        error_messages={"required": _("Đánh dấu xác nhận để rút hồ sơ.")},
    )


class RatingForm(PortalForm):
    value = forms.ChoiceField(
        label=_("Bạn có hài lòng với việc giải quyết hồ sơ này không?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn mức độ hài lòng.")},
    )
    comment = forms.CharField(
        label=_("Ý kiến của bạn (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SupplementNoteForm(PortalForm):
    note = forms.CharField(
        label=_("Nội dung bổ sung, giải trình (nếu có)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
