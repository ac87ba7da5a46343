"""Refusals of the account flows, each with a stable code (docs/api.md) and a message for people."""

from django.utils.translation import gettext as _

from opendvc.core.errors import DomainError


class AccountExists(DomainError):
    status = 409
    code = "account_exists"


class RegistryMismatch(DomainError):
    """What the person typed does not match a national registry (population, carrier, social insurance)."""

    code = "registry_mismatch"


class RegistryDown(DomainError):
    status = 503
    code = "registry_unavailable"

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "Hệ thống cơ sở dữ liệu quốc gia tạm thời không phản hồi. Thông tin của bạn chưa được "
                "lưu; vui lòng thử lại sau ít phút."
            )
        )


class FlowExpired(DomainError):
    status = 410
    code = "flow_expired"

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Phiên thao tác đã hết hạn. Vui lòng thực hiện lại từ đầu."))


class WrongStep(DomainError):
    status = 409
    code = "wrong_step"


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"


class LockedOut(DomainError):
    status = 429
    code = "locked_out"


class OtpError(DomainError):
    code = "otp_invalid"


class ChallengeInvalid(DomainError):
    code = "challenge_invalid"


class ReauthenticationRequired(DomainError):
    status = 403
    code = "reauthentication_required"


class MethodRefused(DomainError):
    code = "method_refused"


class Forbidden(DomainError):
    """The signed-in account may not do this (wrong kind, role or agency)."""

    status = 403
    code = "forbidden"
