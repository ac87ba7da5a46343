"""Accounts, their authentication methods, the flows that create or sign into them, and access history.

Personal numbers (ID, phone, social-insurance) are `EncryptedField`s with a `*_digest` beside them for
lookups (core.personal_data). Flow tokens and one-time codes are stored only as hashes.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from opendvc.core.personal_data import EncryptedField, lookup_digest, mask, mask_phone


class AccountKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Doanh nghiệp")
    OFFICIAL = "official", _("Cán bộ, công chức")
    ADMIN = "admin", _("Quản trị hệ thống")


class AssuranceLevel(models.IntegerChoices):
    """How strongly the identity behind an account is verified (mức xác minh)."""

    LEVEL_1 = 1, _("Mức 1 – tự khai báo")
    LEVEL_2 = 2, _("Mức 2 – đã xác minh với cơ sở dữ liệu")
    LEVEL_3 = 3, _("Mức 3 – xác thực bằng chứng thư số")


class RegistrationMethod(models.TextChoices):
    MOBILE = "mobile", _("Thuê bao di động")
    SOCIAL_INSURANCE = "social_insurance", _("Mã số bảo hiểm xã hội")
    VIETNAM_POST = "vietnam_post", _("Trực tiếp tại Bưu điện Việt Nam")
    USB_TOKEN = "usb_token", _("USB ký số")
    SIM_PKI = "sim_pki", _("SIM ký số")
    STAFF = "staff", _("Cấp bởi quản trị")


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class OfficialRole(models.TextChoices):
    DESK_CLERK = "desk_clerk", _("Cán bộ tiếp nhận (một cửa)")
    HANDLER = "handler", _("Cán bộ xử lý")
    APPROVER = "approver", _("Lãnh đạo phê duyệt")
    AGENCY_ADMIN = "agency_admin", _("Quản trị cơ quan")
    POST_CLERK = "post_clerk", _("Nhân viên Bưu điện Việt Nam")


class AccountManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **fields):
        account = self.model(username=username, **fields)
        account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(self, username, password=None, **fields):
        fields.update(kind=AccountKind.ADMIN, is_staff=True, is_superuser=True)
        fields.setdefault("full_name", username)
        return self.create_user(username, password, **fields)


def new_public_username(prefix: str) -> str:
    """An opaque handle for accounts that sign in with an ID number, tax code or certificate."""
    return f"{prefix}-{secrets.token_hex(6)}"


class Account(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. Citizens and businesses sign in with their ID number / tax code or a
    certificate; officials and admins with a username. `username` is that username, or an opaque handle."""

    username = models.CharField(_("tên đăng nhập"), max_length=150, unique=True)
    kind = models.CharField(_("loại tài khoản"), max_length=16, choices=AccountKind.choices, db_index=True)
    full_name = models.CharField(_("họ và tên"), max_length=255)

    id_number = EncryptedField(_("số định danh / CMND"), null=True, blank=True)
    id_number_digest = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)
    # The old 9-digit ID card number (CMND): people may still sign in with it.
    old_id_number = EncryptedField(_("số CMND cũ"), null=True, blank=True)
    old_id_digest = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=8, choices=Gender.choices, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    social_insurance_number = EncryptedField(_("mã số BHXH"), null=True, blank=True)
    social_insurance_digest = models.CharField(max_length=64, null=True, blank=True, editable=False)

    # Businesses: tax code (public), and the citizen identity of the legal representative.
    tax_code = models.CharField(_("mã số thuế"), max_length=14, null=True, blank=True)
    representative_name = models.CharField(_("người đại diện theo pháp luật"), max_length=255, blank=True)
    representative_id_number = EncryptedField(_("số định danh người đại diện"), null=True, blank=True)
    representative_id_digest = models.CharField(max_length=64, null=True, blank=True, editable=False)

    # Officials: their agency (catalogue) and roles.
    agency = models.ForeignKey(
        "catalog.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officials",
        verbose_name=_("cơ quan"),
    )
    roles = models.JSONField(_("vai trò"), default=list, blank=True)

    assurance_level = models.PositiveSmallIntegerField(
        _("mức xác minh"), choices=AssuranceLevel.choices, default=AssuranceLevel.LEVEL_1
    )
    registration_method = models.CharField(
        _("phương thức đăng ký"), max_length=24, choices=RegistrationMethod.choices
    )
    verified_at = models.DateTimeField(_("xác minh lúc"), null=True, blank=True)
    registered_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("đăng ký hộ bởi"),
    )

    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(_("vào trang quản trị"), default=False)
    date_joined = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    # Bumped to end every session and API token of the account ("sign out everywhere", password reset).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        constraints = [
            # One citizen account per ID number; one business account per tax code.
            models.UniqueConstraint(
                fields=["id_number_digest"], condition=Q(kind="citizen"), name="one_citizen_account_per_id"
            ),
            models.UniqueConstraint(
                fields=["tax_code"], condition=Q(kind="business"), name="one_business_account_per_tax_code"
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        self.id_number_digest = lookup_digest(self.id_number, kind="id") if self.id_number else None
        self.old_id_digest = lookup_digest(self.old_id_number, kind="id") if self.old_id_number else None
        self.social_insurance_digest = (
            lookup_digest(self.social_insurance_number, kind="si") if self.social_insurance_number else None
        )
        self.representative_id_digest = (
            lookup_digest(self.representative_id_number, kind="id") if self.representative_id_number else None
        )
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        """Django ends sessions whose stored hash differs: include the epoch so bumping it ends them all
        (also for hashes checked against SECRET_KEY_FALLBACKS)."""
        return salted_hmac(
            "opendvc.accounts.Account.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def otp_phone(self) -> "Phone | None":
        return next((phone for phone in self.phones.all() if phone.is_default), None)

    @property
    def masked_id_number(self) -> str:
        return mask(self.id_number or "")

    @property
    def is_official(self) -> bool:
        return self.kind == AccountKind.OFFICIAL

    def has_role(self, role: str) -> bool:
        return self.is_official and role in (self.roles or [])


class Phone(models.Model):
    """A phone that receives one-time codes for an account. Exactly one is the default OTP phone.

    The same number may be an OTP phone of several accounts (a parent's phone for a child's account)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="phones")
    number = EncryptedField(_("số điện thoại"))
    digest = models.CharField(max_length=64, editable=False, db_index=True)
    is_default = models.BooleanField(_("nhận OTP mặc định"), default=False)
    # When the carrier confirmed the number is registered to the account holder's ID ("chính chủ").
    carrier_verified_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "added_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "digest"], name="phone_once_per_account"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(is_default=True), name="one_default_phone_per_account"
            ),
        ]

    def __str__(self):
        return self.masked

    def save(self, *args, **kwargs):
        self.digest = lookup_digest(self.number, kind="phone")
        super().save(*args, **kwargs)

    @property
    def masked(self) -> str:
        return mask_phone(self.number)


class CertificateKind(models.TextChoices):
    USB_TOKEN = "usb_token", _("USB ký số")
    SIM_PKI = "sim_pki", _("SIM ký số")


class Certificate(models.Model):
    """An X.509 certificate whose private key (on a USB token or a SIM) can sign this account in."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(max_length=16, choices=CertificateKind.choices)
    fingerprint = models.CharField(max_length=64, unique=True)  # SHA-256 of the DER certificate
    serial_number = models.CharField(max_length=64)
    subject = models.CharField(max_length=500)
    issuer = models.CharField(max_length=500)
    not_after = models.DateTimeField()
    # SIM PKI: the phone whose SIM holds the key.
    phone = EncryptedField(null=True, blank=True)
    phone_digest = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)
    added_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.serial_number}"

    def save(self, *args, **kwargs):
        self.phone_digest = lookup_digest(self.phone, kind="phone") if self.phone else None
        super().save(*args, **kwargs)


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238). Mandatory for officials; optional for citizens."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="totp")
    secret = EncryptedField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)  # refuses a code used before (replay)

    def __str__(self):
        return f"authenticator of {self.account_id}"


class RecoveryCode(models.Model):
    """A single-use code for an official who lost their authenticator (stored hashed)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"recovery code of {self.account_id}"


def token_hash(token: str) -> str:
    """Flow tokens, activation codes and API tokens are stored as keyed hashes, never in clear."""
    return hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


class FlowPurpose(models.TextChoices):
    REGISTER_MOBILE = "register_mobile", _("Đăng ký bằng thuê bao di động")
    REGISTER_SOCIAL_INSURANCE = "register_social_insurance", _("Đăng ký bằng mã số BHXH")
    REGISTER_CERTIFICATE = "register_certificate", _("Đăng ký bằng chứng thư số")
    LOGIN = "login", _("Đăng nhập")
    RESET_PASSWORD = "reset_password", _("Quên mật khẩu")
    CHANGE_OTP_PHONE = "change_otp_phone", _("Đổi số điện thoại nhận OTP")
    ADD_PHONE = "add_phone", _("Thêm số điện thoại")
    ACTIVATE = "activate", _("Kích hoạt tài khoản")


class AuthFlow(models.Model):
    """A multi-step registration, login or recovery in progress (at most `FLOW_LIFETIME`).

    The browser keeps the flow's token in its session; an API client gets it in the response. Only the
    token's hash is stored. `data` holds what earlier steps established, encrypted (it may hold an ID)."""

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=32, choices=FlowPurpose.choices)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=32)
    data = EncryptedField(default="{}")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"{self.purpose} at {self.step}"


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS for one flow. Only its keyed hash is stored."""

    flow = models.ForeignKey(AuthFlow, on_delete=models.CASCADE, related_name="codes")
    phone_digest = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"code of flow {self.flow_id}"


class PkiChallenge(models.Model):
    """A single-use random value a USB token or SIM must sign; fresh for `PKI_CHALLENGE_LIFETIME`."""

    nonce = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.purpose} challenge"


class ActivationCode(models.Model):
    """Vietnam Post: the one-time code (and link) a citizen registered at a counter uses to set a password."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"activation code of {self.account_id}"


class ApiToken(models.Model):
    """A bearer token of the mobile API; the same idle and absolute limits as a browser session."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    session_epoch = models.PositiveIntegerField()
    method = models.CharField(max_length=24)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"API token of {self.account_id}"


class AccessMethod(models.TextChoices):
    PASSWORD_OTP = "password_otp", _("Số định danh, mật khẩu và OTP")
    USB_TOKEN = "usb_token", _("USB ký số")
    SIM_PKI = "sim_pki", _("SIM ký số")
    PASSWORD_TOTP = "password_totp", _("Mật khẩu và ứng dụng xác thực")
    RECOVERY_CODE = "recovery_code", _("Mật khẩu và mã khôi phục")
    LOGOUT = "logout", _("Đăng xuất")


class AccessEvent(models.Model):
    """One sign-in attempt or sign-out of an account, kept for the access history (90 days)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="access_events")
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    device = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=24, choices=AccessMethod.choices)
    success = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "-at"])]

    def __str__(self):
        return f"{self.method} {'ok' if self.success else 'failed'} at {self.at:%Y-%m-%d %H:%M}"
