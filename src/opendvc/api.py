"""The JSON API (django-ninja): OpenAPI 3 at /api/v1/openapi.json, interactive docs at /api/v1/docs.

Every error is `{"error": {"code", "message", "fields"}}` with a 4xx status; handlers here are the one
place where exceptions become HTTP.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from opendvc.accounts.api import router as accounts_router
from opendvc.catalog.api import router as catalog_router
from opendvc.core.errors import DomainError

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="OpenDVC API",
    version="1",
    description=(
        "Cổng Dịch vụ công – the public catalogue (procedures, agencies, life events) and the account flows "
        "of the mobile apps (registration, sign-in with OTP, USB token and SIM PKI, password reset)."
    ),
    urls_namespace="api",
)


def error_response(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("query", "path", "body", "form")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(error.get("msg", ""))
    return error_response(request, 400, "invalid_parameters", _("Tham số không hợp lệ."), fields)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = error_response(request, exc.status, exc.code, exc.message, exc.fields)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, "not_found", _("Không tìm thấy."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, "unauthenticated", _("Cần đăng nhập."))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error_response(request, 413, "request_too_large", _("Dữ liệu gửi lên quá lớn."))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("Unhandled API error")
    return error_response(request, 500, "server_error", _("Lỗi hệ thống. Vui lòng thử lại sau."))


api.add_router("/", catalog_router)
api.add_router("/", accounts_router)
api.add_router("/", "opendvc.dossiers.api.router")
api.add_router("/", "opendvc.payments.api.router")
api.add_router("/", "opendvc.feedback.api.router")
api.add_router("/", "opendvc.scorecard.api.router")
