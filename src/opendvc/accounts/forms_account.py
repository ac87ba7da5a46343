"""Forms of the account-management pages. Like accounts.forms they only render and keep what people
typed; the rules (valid e-mail, phone numbers, codes) live in services.account, whose field errors are
put back on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.forms import OTP_ATTRS, PHONE_ATTRS, PortalForm


class PersonalInfoForm(PortalForm):
    address = forms.CharField(
        label=_("Địa chỉ liên hệ"),
        required=False,
        help_text=_("Số nhà, đường phố, xã/phường, tỉnh/thành phố – nơi cơ quan gửi giấy tờ cho bạn."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    # A CharField, not an EmailField: the service checks the address and says what is wrong in Vietnamese.
    email = forms.CharField(
        label=_("Thư điện tử"),
        required=False,
        help_text=_("Để nhận thông báo về tài khoản và hồ sơ. Để trống nếu bạn không dùng."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class AddPhoneForm(PortalForm):
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        help_text=_("Mã OTP sẽ được gửi đến số này để xác nhận bạn đang giữ nó."),
        error_messages={"required": _("Vui lòng nhập số điện thoại di động.")},
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )


class ReauthenticatePasswordForm(PortalForm):
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập mật khẩu.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpCodeForm(PortalForm):
    code = forms.CharField(
        label=_("Mã xác thực trong ứng dụng"),
        max_length=6,
        help_text=_("6 chữ số ứng dụng đang hiển thị cho tài khoản Cổng Dịch vụ công."),
        error_messages={"required": _("Vui lòng nhập mã 6 chữ số.")},
        widget=forms.TextInput(attrs=OTP_ATTRS),
    )
