"""Forms of the feedback pages. They render and keep what people typed; the rules are the services'
(`feedback.services`), whose field errors are put back on these forms (field names match their keys)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.captcha import captcha_field
from opendvc.accounts.forms import PHONE_ATTRS, PortalForm
from opendvc.catalog.models import Agency, AgencyLevel
from opendvc.dossiers.forms_backoffice import MultipleFileField, MultipleFileInput
from opendvc.dossiers.services.files import ALLOWED_TEXT
from opendvc.feedback.models import Kind

ACCEPT = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx"


def agency_choices(exclude=None) -> list:
    """Agencies grouped by level (central, provinces, communes), names in the current language."""
    groups = []
    agencies = Agency.objects.select_related("province").order_by("level", "province__name_vi", "name_vi")
    if exclude is not None:
        agencies = agencies.exclude(pk=exclude.pk)
    for level, label in AgencyLevel.choices:
        options = [(a.code, a.name) for a in agencies if a.level == level]
        if options:
            groups.append((label, options))
    return [("", _("– Chọn cơ quan –")), *groups]


def _text(label, rows=4, max_length=5000, required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _files(label, help_text=""):
    return MultipleFileField(
        label=label,
        required=False,
        help_text=help_text or _("Tối đa 5 tệp %(types)s, mỗi tệp đến 10 MB.") % {"types": ALLOWED_TEXT},
        widget=MultipleFileInput(attrs={"multiple": True, "accept": ACCEPT}),
    )


class SendForm(PortalForm):
    kind = forms.ChoiceField(
        label=_("Bạn phản ánh, kiến nghị về"), choices=Kind.choices, widget=forms.RadioSelect
    )
    agency = forms.ChoiceField(
        label=_("Cơ quan nhận phản ánh, kiến nghị"),
        help_text=_("Cơ quan ban hành quy định, hoặc cơ quan nơi bạn được phục vụ."),
    )
    procedure = forms.CharField(
        label=_("Mã thủ tục hành chính liên quan (nếu có)"),
        required=False,
        max_length=32,
        help_text=_("Ví dụ 1.001193. Mã có trên trang của thủ tục."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    dossier = forms.CharField(
        label=_("Mã hồ sơ liên quan (nếu có)"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    title = forms.CharField(label=_("Tiêu đề"), max_length=200)
    content = _text(_("Nội dung"), rows=8, required=True, help_text=_("Tối đa 5.000 ký tự."))
    files = _files(_("Tài liệu kèm theo"))
    sender_name = forms.CharField(
        label=_("Họ và tên"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    sender_phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        help_text=_("Mã tra cứu và kết quả được gửi tới số này."),
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )
    sender_email = forms.CharField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    sender_address = forms.CharField(
        label=_("Địa chỉ"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    captcha = captcha_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agency_choices()
        self.fields["agency"].error_messages["invalid_choice"] = _("Chọn cơ quan nhận phản ánh, kiến nghị.")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm trong các phản ánh, kiến nghị đã trả lời"), required=False, max_length=200
    )
    agency = forms.CharField(required=False, max_length=32)
    kind = forms.ChoiceField(required=False, choices=[("", _("Tất cả")), *Kind.choices])


# --- the sender's page --------------------------------------------------------------------------------------


class ProvideInfoForm(PortalForm):
    text = _text(_("Thông tin bổ sung"), rows=5)
    files = _files(_("Tài liệu bổ sung"))


class ReraiseForm(PortalForm):
    reason = _text(_("Vì sao câu trả lời chưa giải quyết được vấn đề của bạn?"), max_length=2000)


# --- the back office ----------------------------------------------------------------------------------------


class ActionForm(PortalForm):
    def __init__(self, *args, feedback=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.feedback = feedback


class ReceiveForm(ActionForm):
    comment = _text(_("Ghi chú"), rows=2, max_length=2000)


class RefuseForm(ActionForm):
    reason = _text(
        _("Lý do từ chối tiếp nhận"), rows=3, max_length=2000, help_text=_("Gửi cho người phản ánh.")
    )


class ForwardForm(ActionForm):
    agency = forms.ChoiceField(label=_("Cơ quan có thẩm quyền"))
    note = _text(_("Lý do chuyển"), rows=3, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agency_choices(
            exclude=self.feedback.agency if self.feedback else None
        )


class RequestInfoForm(ActionForm):
    question = _text(_("Thông tin cần người gửi bổ sung"), rows=3, max_length=2000)


class AnswerForm(ActionForm):
    answer = _text(_("Nội dung trả lời"), rows=8, max_length=10_000)
    files = _files(_("Văn bản trả lời (nếu có)"))


class ReturnAnswerForm(ActionForm):
    note = _text(_("Nội dung cần sửa"), rows=3, max_length=2000)


class ApproveForm(ActionForm):
    public_title = forms.CharField(label=_("Tiêu đề công khai"), max_length=200, required=False)
    public_content = _text(
        _("Nội dung công khai"),
        rows=6,
        help_text=_(
            "Đã lược bỏ số điện thoại, thư điện tử và số giấy tờ; bỏ thêm thông tin cá nhân khác nếu có."
        ),
    )
    publish_now = forms.BooleanField(
        label=_("Công khai ngay sau khi phê duyệt"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.feedback is not None and not self.is_bound:
            from opendvc.core.personal_data import redact

            self.initial.setdefault("public_title", redact(self.feedback.title))
            self.initial.setdefault("public_content", redact(self.feedback.content))


class PublishForm(ActionForm):
    pass


class TrackForm(PortalForm):
    ma = forms.CharField(
        label=_("Mã phản ánh, kiến nghị"),
        max_length=32,
        help_text=_("Mã trong tin nhắn khi bạn gửi, ví dụ PA-261207-K7Q2M9."),
        error_messages={"required": _("Nhập mã phản ánh, kiến nghị cần tra cứu.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_ma(self):
        return "".join(self.cleaned_data["ma"].split()).upper()


class TrackCaptchaForm(TrackForm):
    captcha = captcha_field()
