"""Forms of the officials' and Vietnam Post pages, and of the citizen's activation page. As in forms.py,
they render and keep what people typed; the rules live in services.officials and services.post."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.captcha import captcha_field
from opendvc.accounts.forms import PortalForm, id_number_field, phone_field
from opendvc.accounts.models import Gender

TOTP_ATTRS = {
    "inputmode": "numeric",
    "autocomplete": "one-time-code",
    "maxlength": "6",
    "pattern": "[0-9]{6}",
    "spellcheck": "false",
}
CODE_ATTRS = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class StaffForm(PortalForm):
    """A missing field says what to enter, rather than Django's generic "this field is required"."""

    required_messages: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.required_messages.items():
            self.fields[name].error_messages["required"] = message


class TotpForm(PortalForm):
    code = forms.CharField(
        label=_("Mã xác thực từ ứng dụng"),
        max_length=8,
        help_text=_(
            "6 chữ số đang hiện trong ứng dụng xác thực (Google Authenticator, Microsoft Authenticator…)."
        ),
        widget=forms.TextInput(attrs=TOTP_ATTRS),
        error_messages={"required": _("Vui lòng nhập mã xác thực từ ứng dụng.")},
    )


class RecoveryCodeForm(PortalForm):
    code = forms.CharField(
        label=_("Mã khôi phục"),
        max_length=20,
        help_text=_(
            "Một trong các mã khôi phục bạn đã lưu khi thiết lập ứng dụng xác thực, ví dụ ABCDE-FGH23."
        ),
        widget=forms.TextInput(attrs=CODE_ATTRS),
        error_messages={"required": _("Vui lòng nhập mã khôi phục.")},
    )


class PostRegistrationForm(StaffForm):
    id_number = id_number_field()
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày sinh không hợp lệ."), "required": _("Vui lòng nhập ngày sinh.")},
    )
    gender = forms.ChoiceField(label=_("Giới tính"), choices=Gender.choices, widget=forms.RadioSelect)
    phone = phone_field(help_text=_("Số điện thoại của công dân; tin nhắn kích hoạt được gửi đến số này."))
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    id_card_checked = forms.BooleanField(
        label=_("Tôi đã kiểm tra bản gốc thẻ căn cước / CMND của người đăng ký"),
        help_text=_("Đối chiếu ảnh và thông tin trên thẻ với người đang có mặt tại quầy."),
        error_messages={"required": _("Vui lòng kiểm tra bản gốc thẻ căn cước / CMND và đánh dấu xác nhận.")},
    )

    required_messages = {
        "id_number": _("Vui lòng nhập số định danh cá nhân / CMND."),
        "full_name": _("Vui lòng nhập họ và tên."),
        "gender": _("Vui lòng chọn giới tính."),
        "phone": _("Vui lòng nhập số điện thoại di động."),
    }


class ActivationForm(StaffForm):
    id_number = id_number_field()
    code = forms.CharField(
        label=_("Mã kích hoạt"),
        max_length=20,
        help_text=_("8 ký tự trong tin nhắn của Cổng Dịch vụ công gửi đến điện thoại của bạn."),
        widget=forms.TextInput(attrs=CODE_ATTRS),
        error_messages={"required": _("Vui lòng nhập mã kích hoạt trong tin nhắn.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, gồm chữ thường, chữ in hoa, chữ số và ký tự đặc biệt."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    captcha = captcha_field()

    required_messages = {
        "id_number": _("Vui lòng nhập số định danh cá nhân / CMND."),
        "password": _("Vui lòng nhập mật khẩu mới."),
        "password_confirm": _("Vui lòng nhập lại mật khẩu mới."),
    }
