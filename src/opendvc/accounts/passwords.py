"""Password rules of the portal (seed 000 §I): 8+ characters with lower case, upper case, a digit and a
special character; never containing the account's ID number or phone number."""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opendvc.core.personal_data import digits


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule in the portal's words (Django's Vietnamese catalogue lags its English text)."""

    def get_error_message(self):
        return _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_help_text(self):
        return _("Ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}


class CharacterClassesValidator:
    def validate(self, password, user=None):
        missing = []
        if not re.search(r"[a-zà-ỹđ]", password):
            missing.append(_("chữ thường"))
        if not re.search(r"[A-ZÀ-ỸĐ]", password):
            missing.append(_("chữ in hoa"))
        if not re.search(r"\d", password):
            missing.append(_("chữ số"))
        if not re.search(r"[^\wÀ-ỹ]|_", password):
            missing.append(_("ký tự đặc biệt"))
        if missing:
            raise ValidationError(
                _(
                    "Mật khẩu phải có cả chữ thường, chữ in hoa, chữ số và ký tự đặc biệt; còn "
                    "thiếu: %(missing)s."
                )
                % {"missing": ", ".join(missing)},
                code="password_character_classes",
            )

    def get_help_text(self):
        return _("Ít nhất 8 ký tự, gồm chữ thường, chữ in hoa, chữ số và ký tự đặc biệt.")


class NoPersonalNumbersValidator:
    """`user` may be an Account or any object with `id_number` and `phone_numbers` (registration)."""

    def validate(self, password, user=None):
        if user is None:
            return
        numbers = [getattr(user, "id_number", None) or ""]
        numbers += list(getattr(user, "phone_numbers", []) or [])
        phones = getattr(user, "phones", None)
        if phones is not None and hasattr(phones, "all") and user.pk:
            numbers += [phone.number for phone in phones.all()]
        password_digits = digits(password)
        for number in filter(None, numbers):
            # The whole number, or its last six digits (what people put at the end of a password).
            if number in password_digits or number[-6:] in password_digits:
                raise ValidationError(
                    _("Mật khẩu không được chứa số định danh hoặc số điện thoại của bạn."),
                    code="password_contains_personal_number",
                )

    def get_help_text(self):
        return _("Không chứa số định danh hoặc số điện thoại.")
