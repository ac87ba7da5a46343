"""Forms of the account pages. They render and keep what people typed; the rules live in services,
whose field errors are put back on these forms (`apply_errors`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.captcha import captcha_field
from opendvc.accounts.models import Gender

ID_NUMBER_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "maxlength": "12", "spellcheck": "false"}
PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "tel-national", "maxlength": "15"}
OTP_ATTRS = {"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6", "pattern": "[0-9]{6}"}


def apply_errors(form: forms.Form, fields: dict, message: str = "") -> None:
    """Put a service's field errors on the form; errors of fields the form lacks become form errors."""
    for name, messages in (fields or {}).items():
        for text in messages:
            form.add_error(name if name in form.fields else None, text)
    if message and not fields:
        form.add_error(None, message)


class PortalForm(forms.Form):
    required_css_class = "required"
    error_css_class = "has-error"
    template_name_label = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def id_number_field(label=None):
    return forms.CharField(
        label=label or _("Số định danh cá nhân / CMND"),
        max_length=20,
        help_text=_("12 chữ số trên thẻ căn cước (hoặc 9 chữ số trên CMND cũ)."),
        widget=forms.TextInput(attrs=ID_NUMBER_ATTRS),
    )


def phone_field(label=None, help_text=""):
    return forms.CharField(
        label=label or _("Số điện thoại di động"),
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )


class MobileRegistrationForm(PortalForm):
    id_number = id_number_field()
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày sinh không hợp lệ."), "required": _("Vui lòng nhập ngày sinh.")},
    )
    gender = forms.ChoiceField(label=_("Giới tính"), choices=Gender.choices, widget=forms.RadioSelect)
    phone = phone_field(help_text=_("Số thuê bao đã đăng ký chính chủ (đứng tên bạn) tại nhà mạng."))
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class SocialInsuranceRegistrationForm(PortalForm):
    social_insurance_number = forms.CharField(
        label=_("Mã số BHXH"),
        max_length=12,
        help_text=_("10 chữ số, in trên sổ hoặc thẻ bảo hiểm."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    id_number = id_number_field()
    phone = phone_field(help_text=_("Số điện thoại bạn đã đăng ký với cơ quan Bảo hiểm xã hội."))


class OtpForm(PortalForm):
    code = forms.CharField(
        label=_("Mã OTP"),
        max_length=6,
        help_text=_("6 chữ số trong tin nhắn vừa gửi đến điện thoại của bạn."),
        widget=forms.TextInput(attrs=OTP_ATTRS),
    )


class NewPasswordForm(PortalForm):
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, gồm chữ thường, chữ in hoa, chữ số và ký tự đặc biệt."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(PortalForm):
    id_number = id_number_field(label=_("Tên đăng nhập (số CCCD/CMND)"))
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    captcha = captcha_field()


class OfficialLoginForm(PortalForm):
    username = forms.CharField(
        label=_("Tên đăng nhập"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    captcha = captcha_field()


class PasswordResetForm(PortalForm):
    id_number = id_number_field()
    phone = phone_field(help_text=_("Số điện thoại nhận OTP của tài khoản."))
    captcha = captcha_field()


class NewPhoneForm(PortalForm):
    new_phone = phone_field(
        label=_("Số điện thoại nhận OTP mới"),
        help_text=_("Số thuê bao phải đăng ký chính chủ (đứng tên bạn) tại nhà mạng."),
    )


class ChoosePhoneForm(PortalForm):
    phone_id = forms.TypedChoiceField(label=_("Gửi mã OTP đến số"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, phones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone_id"].choices = [(phone.pk, phone.masked) for phone in phones]
