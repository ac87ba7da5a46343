"""Forms of the one-stop back office: inbox filters, one form per action, registering a walk-in dossier.

They only parse what the official typed; the rules (required reasons, who may act, which status) are the
services' (`services.actions`, `services.submission`), whose field errors are put back on these forms.
Field names match the services' error keys (`reason`, `items`, `handler`, `amount`, `new_due`, …).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.forms import ID_NUMBER_ATTRS, PHONE_ATTRS, PortalForm
from opendvc.dossiers.models import Channel, Delivery, Status
from opendvc.dossiers.selectors import InboxFilters

MAX_DUE_WITHIN_DAYS = 60


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the list may be empty when the field is optional."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        files = [clean_one(item, initial) for item in items if item]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


def _textarea(rows=3, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


# --- Inbox -------------------------------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    """GET filters of the inbox; an unknown value is dropped rather than refused (links get stale)."""

    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    procedure = forms.ChoiceField(label=_("Thủ tục"), required=False)
    channel = forms.ChoiceField(
        label=_("Kênh nộp"), required=False, choices=[("", _("Tất cả")), *Channel.choices]
    )
    due_within = forms.IntegerField(
        label=_("Đến hạn trong (ngày)"),
        required=False,
        min_value=0,
        max_value=MAX_DUE_WITHIN_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    overdue = forms.BooleanField(label=_("Chỉ hồ sơ quá hạn"), required=False)
    mine = forms.BooleanField(label=_("Chỉ hồ sơ được giao cho tôi"), required=False)
    q = forms.CharField(
        label=_("Mã hồ sơ hoặc tên người nộp"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false"}),
    )

    def __init__(self, *args, procedures=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "f-%s")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Tất cả")),
            ("open", _("Đang giải quyết (chưa xong)")),
            *[(str(value), label) for value, label in Status.choices],
        ]
        self.fields["procedure"].choices = [("", _("Tất cả")), *[(p.code, p.name) for p in procedures]]

    def filters(self) -> InboxFilters:
        """The filters to apply: the valid ones; a field with a bad value counts as not set."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return InboxFilters(
            status=data.get("status") or "",
            procedure=data.get("procedure") or "",
            channel=data.get("channel") or "",
            due_within=data.get("due_within"),
            overdue=bool(data.get("overdue")),
            mine=bool(data.get("mine")),
            query=(data.get("q") or "").strip(),
        )


# --- Actions on a dossier ----------------------------------------------------------------------------------


class ActionForm(PortalForm):
    """The fields of one action; the page's `version` is posted beside them, outside the form."""

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier


COMMENT_LABEL = _("Ghi chú")


def _comment_field(label=COMMENT_LABEL):
    return forms.CharField(label=label, required=False, max_length=2000, widget=_textarea(2))


def _reason_field(label, help_text=""):
    # Required by the service, which says what the letter needs; the form only keeps the text.
    return forms.CharField(
        label=label, required=False, max_length=2000, help_text=help_text, widget=_textarea(3)
    )


class ReceiveForm(ActionForm):
    comment = _comment_field()


class RefuseForm(ActionForm):
    reason = _reason_field(_("Lý do từ chối tiếp nhận"), _("Ghi vào phiếu từ chối gửi người nộp."))


class AssignForm(ActionForm):
    handler = forms.TypedChoiceField(label=_("Cán bộ xử lý"), coerce=int, empty_value=None)
    comment = _comment_field()

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.handlers = {h.pk: h for h in handlers}
        self.fields["handler"].choices = [("", _("Chọn cán bộ")), *[(h.pk, h.full_name) for h in handlers]]
        self.fields["handler"].error_messages["required"] = _("Chọn một cán bộ xử lý của cơ quan.")


class SupplementRequestForm(ActionForm):
    items = forms.CharField(
        label=_("Giấy tờ, nội dung cần bổ sung"),
        required=False,
        max_length=5000,
        help_text=_("Mỗi dòng một giấy tờ hoặc nội dung, ghi rõ lý do. Liệt kê đầy đủ trong một lần."),
        widget=_textarea(4),
    )
    note = _comment_field(_("Ghi chú thêm cho người nộp"))

    def item_list(self) -> list[str]:
        return (self.cleaned_data.get("items") or "").splitlines()


class AmountField(forms.CharField):
    """An amount in đồng written the Vietnamese way: "1.500.000", "1 500 000" or "1500000"."""

    def to_python(self, value):
        text = super().to_python(value)
        digits = "".join(ch for ch in text if ch not in " .,_\u00a0")
        if not digits:
            return None
        if not digits.isdigit() or len(digits) > 15:
            raise forms.ValidationError(_("Nhập số tiền bằng chữ số, ví dụ 1.500.000."), code="invalid")
        return int(digits)


class PaymentRequestForm(ActionForm):
    amount = AmountField(
        label=_("Số tiền (đồng)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "25"}),
    )
    reason = _reason_field(_("Khoản phải nộp và căn cứ"))


class ConfirmPaymentForm(ActionForm):
    comment = _comment_field()


class StopForm(ActionForm):
    reason = _reason_field(_("Lý do dừng xử lý"), _("Nêu căn cứ pháp lý; người nộp nhận được nội dung này."))


class ProcessForm(ActionForm):
    results = MultipleFileField(
        label=_("Tệp kết quả"),
        required=False,
        help_text=_("Có thể chọn nhiều tệp. Tệp PDF được ký số bằng chứng thư của cơ quan."),
    )
    comment = _comment_field()


class ReturnForm(ActionForm):
    how = forms.ChoiceField(
        label=_("Hình thức trả kết quả"), choices=Delivery.choices, widget=forms.RadioSelect, required=False
    )
    comment = _comment_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.dossier is not None and not self.is_bound:
            self.initial.setdefault("how", self.dossier.delivery)


class ApologyForm(ActionForm):
    reason = _reason_field(_("Lý do chậm trễ"), _("Ghi vào phiếu xin lỗi và hẹn lại ngày trả kết quả."))
    new_due = forms.DateField(
        label=_("Ngày hẹn trả mới"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


# --- Registering a dossier handed in at the desk or received by post ----------------------------------------


class ProcedureChoiceForm(forms.Form):
    """Step 1 (GET): which procedure; the next step asks for the documents of that procedure."""

    thu_tuc = forms.ChoiceField(label=_("Thủ tục hành chính"))

    def __init__(self, *args, procedures=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["thu_tuc"].choices = [("", _("Chọn thủ tục")), *[(p.code, p.name) for p in procedures]]


REGISTER_CHANNELS = [(Channel.COUNTER, Channel.COUNTER.label), (Channel.POST, Channel.POST.label)]


class RegisterForm(PortalForm):
    """Step 2: the applicant, how the result is received, and one optional file input per document."""

    channel = forms.ChoiceField(
        label=_("Kênh tiếp nhận"),
        choices=REGISTER_CHANNELS,
        widget=forms.RadioSelect,
        initial=Channel.COUNTER,
        required=False,
    )
    applicant_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=255, required=False)
    id_number = forms.CharField(
        label=_("Số định danh cá nhân"),
        required=False,
        max_length=20,
        help_text=_(
            "12 chữ số. Nếu người nộp có tài khoản trên Cổng, hồ sơ hiện trong “Hồ sơ của tôi” của họ."
        ),
        widget=forms.TextInput(attrs=ID_NUMBER_ATTRS),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        required=False,
        max_length=20,
        help_text=_("Để nhận tin nhắn về tình trạng hồ sơ."),
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    delivery = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        initial=Delivery.DESK,
        required=False,
    )
    delivery_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả qua bưu chính"),
        required=False,
        max_length=500,
        help_text=_("Chỉ khi nhận kết quả qua bưu chính: số nhà, đường, xã/phường, tỉnh/thành phố."),
    )
    note = _comment_field(_("Ghi chú khi tiếp nhận"))

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.slot_fields = []
        for document in documents:
            name = f"slot_{document.position}"
            self.fields[name] = MultipleFileField(label=document.name, required=False)
            self.slot_fields.append((document.position, name))
        self.fields["other_files"] = MultipleFileField(label=_("Giấy tờ khác"), required=False)
        self.slot_fields.append((None, "other_files"))

    # Groups of fields for the page's sections.
    def channel_fields(self):
        return [self["channel"]]

    def applicant_fields(self):
        return [self[name] for name in ("applicant_name", "id_number", "phone", "email")]

    def delivery_fields(self):
        return [self["delivery"], self["delivery_address"]]

    def document_fields(self):
        return [self[name] for _slot, name in self.slot_fields]

    def note_fields(self):
        return [self["note"]]

    def uploads(self) -> list[tuple[int | None, str, object]]:
        """(slot, field name, uploaded file) for every chosen file, in the form's order."""
        return [
            (slot, name, upload)
            for slot, name in self.slot_fields
            for upload in self.cleaned_data.get(name, [])
        ]
