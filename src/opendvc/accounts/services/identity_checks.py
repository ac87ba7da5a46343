"""Checks of what a person typed against the national registries, with messages they can act on."""

from datetime import date

from django.utils.translation import gettext as _

from opendvc.accounts.errors import RegistryDown, RegistryMismatch
from opendvc.core.text import nfc
from opendvc.identity.registries import (
    PersonRecord,
    RegistryUnavailable,
    carrier_registry,
    population_registry,
    social_insurance_registry,
)


def same_name(a: str, b: str) -> bool:
    return " ".join(nfc(a).casefold().split()) == " ".join(nfc(b).casefold().split())


def find_person(id_number: str) -> PersonRecord:
    """The registry record of an ID number (12-digit or old 9-digit), refusing unknown and deceased."""
    try:
        person = population_registry().lookup(id_number)
    except RegistryUnavailable as exc:
        raise RegistryDown() from exc
    if person is None:
        message = _("Số định danh cá nhân / CMND không có trong Cơ sở dữ liệu quốc gia về dân cư.")
        raise RegistryMismatch(message, code="person_not_found", fields={"id_number": [message]})
    if person.deceased:
        message = _(
            "Không thể đăng ký tài khoản cho số định danh này theo Cơ sở dữ liệu quốc gia về dân cư. "
            "Vui lòng liên hệ quầy hỗ trợ."
        )
        raise RegistryMismatch(message, code="person_not_eligible", fields={"id_number": [message]})
    return person


def check_declared_identity(
    person: PersonRecord, *, full_name: str, date_of_birth: date, gender: str | None
) -> None:
    """What the person declared must match the registry; each mismatch is reported on its own field
    without showing the registry's value."""
    fields = {}
    if not same_name(full_name, person.full_name):
        fields["full_name"] = [_("Họ và tên không khớp với Cơ sở dữ liệu quốc gia về dân cư.")]
    if date_of_birth != person.date_of_birth:
        fields["date_of_birth"] = [_("Ngày sinh không khớp với Cơ sở dữ liệu quốc gia về dân cư.")]
    if gender and gender != person.gender:
        fields["gender"] = [_("Giới tính không khớp với Cơ sở dữ liệu quốc gia về dân cư.")]
    if fields:
        raise RegistryMismatch(
            _("Thông tin bạn nhập không khớp với Cơ sở dữ liệu quốc gia về dân cư. Vui lòng kiểm tra lại."),
            code="identity_mismatch",
            fields=fields,
        )


def person_ids(person: PersonRecord) -> set[str]:
    return {person.id_number} | ({person.old_id_number} if person.old_id_number else set())


def check_owner_registered_phone(person: PersonRecord, phone: str, *, field: str = "phone") -> str:
    """The phone must be registered at its carrier to this person's ID ("chính chủ"). Returns the carrier."""
    try:
        subscriber = carrier_registry().subscriber(phone)
    except RegistryUnavailable as exc:
        raise RegistryDown(
            _(
                "Hệ thống của nhà mạng tạm thời không phản hồi. Thông tin của bạn chưa được lưu; "
                "vui lòng thử lại sau ít phút."
            )
        ) from exc
    if subscriber is None:
        message = _(
            "Số điện thoại này chưa được đăng ký thông tin thuê bao tại nhà mạng. Vui lòng dùng số đã đăng "
            "ký chính chủ."
        )
        raise RegistryMismatch(message, code="phone_not_registered", fields={field: [message]})
    if subscriber.id_number not in person_ids(person):
        message = _(
            "Số điện thoại không phải thuê bao chính chủ của số định danh này. Vui lòng dùng số điện thoại "
            "đăng ký đúng tên bạn, hoặc đến cửa hàng của nhà mạng để cập nhật thông tin thuê bao."
        )
        raise RegistryMismatch(message, code="phone_not_owner_registered", fields={field: [message]})
    return subscriber.carrier


def subscriber_matches(id_numbers: set[str], full_name: str, date_of_birth, phone: str) -> bool:
    """The carrier's subscriber data of `phone` is the account holder's (ID, and name and birth date
    where the carrier has them). Raises RegistryDown when the carrier cannot answer."""
    try:
        subscriber = carrier_registry().subscriber(phone)
    except RegistryUnavailable as exc:
        raise RegistryDown(
            _("Hệ thống của nhà mạng tạm thời không phản hồi. Vui lòng thử lại sau ít phút.")
        ) from exc
    if subscriber is None or subscriber.id_number not in id_numbers:
        return False
    if subscriber.full_name and full_name and not same_name(subscriber.full_name, full_name):
        return False
    return not (subscriber.date_of_birth and date_of_birth and subscriber.date_of_birth != date_of_birth)


def find_insured(social_insurance_number: str, *, id_numbers: set[str], phone: str):
    try:
        insured = social_insurance_registry().lookup(social_insurance_number)
    except RegistryUnavailable as exc:
        raise RegistryDown(
            _("Hệ thống của Bảo hiểm xã hội Việt Nam tạm thời không phản hồi. Vui lòng thử lại sau ít phút.")
        ) from exc
    if insured is None:
        message = _("Mã số BHXH không có trong cơ sở dữ liệu của Bảo hiểm xã hội Việt Nam.")
        raise RegistryMismatch(
            message, code="insured_not_found", fields={"social_insurance_number": [message]}
        )
    if insured.id_number not in id_numbers:
        message = _("Số định danh không khớp với số đã đăng ký cho mã số BHXH này.")
        raise RegistryMismatch(message, code="insured_id_mismatch", fields={"id_number": [message]})
    if insured.phone != phone:
        message = _(
            "Số điện thoại không trùng với số đã đăng ký với cơ quan Bảo hiểm xã hội. Vui lòng dùng số đó, "
            "hoặc cập nhật số điện thoại tại cơ quan BHXH."
        )
        raise RegistryMismatch(message, code="insured_phone_mismatch", fields={"phone": [message]})
    return insured
