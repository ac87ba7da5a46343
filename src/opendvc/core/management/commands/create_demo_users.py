"""Demo accounts for `make run`: a system admin, officials of UBND phường Hoàn Kiếm and of Sở Tư pháp Hà Nội
(where feedback is forwarded), a Vietnam Post clerk and a ready citizen account (Lê Văn Cường, for the
lost-OTP-phone demo).

Idempotent: an existing account keeps its password and authenticator; the table printed at the end is
the same on every run. Staff accounts get an authenticator secret (printed with its otpauth:// URI) so
that a developer can add it to an authenticator app. Refuses to run with DEBUG off.
"""

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from opendvc.accounts.models import (
    Account,
    AccountKind,
    AssuranceLevel,
    OfficialRole,
    RegistrationMethod,
    TotpDevice,
)
from opendvc.accounts.services.common import citizen_by_id
from opendvc.accounts.totp import provisioning_uri

HOAN_KIEM = "000.00.20.H26"
JUSTICE_HANOI = "000.01.00.H26"  # Sở Tư pháp thành phố Hà Nội: feedback forwarded to it

# (username, password, full name, kind, agency code, roles, what it is for)
STAFF = [
    (
        "quantri",
        "Quantri@2026",
        "Quản trị hệ thống",
        AccountKind.ADMIN,
        None,
        [],
        "quản trị hệ thống (/quan-tri/)",
    ),
    (
        "tiepnhan.hoankiem",
        "Tiepnhan@2026",
        "Nguyễn Thị Thu",
        AccountKind.OFFICIAL,
        HOAN_KIEM,
        [OfficialRole.DESK_CLERK],
        "cán bộ một cửa, UBND phường Hoàn Kiếm",
    ),
    (
        "xuly.hoankiem",
        "Xuly@2026",
        "Trần Minh Đức",
        AccountKind.OFFICIAL,
        HOAN_KIEM,
        [OfficialRole.HANDLER],
        "cán bộ xử lý, UBND phường Hoàn Kiếm",
    ),
    (
        "pheduyet.hoankiem",
        "Pheduyet@2026",
        "Phạm Quang Huy",
        AccountKind.OFFICIAL,
        HOAN_KIEM,
        [OfficialRole.APPROVER],
        "lãnh đạo phê duyệt, UBND phường Hoàn Kiếm",
    ),
    (
        "quantri.hoankiem",
        "Quantricq@2026",
        "Vũ Thị Mai",
        AccountKind.OFFICIAL,
        HOAN_KIEM,
        [OfficialRole.AGENCY_ADMIN],
        "quản trị cơ quan: đặt lại ứng dụng xác thực của cán bộ",
    ),
    (
        "xuly.sotuphap",
        "Xulystp@2026",
        "Lê Văn Pháp",
        AccountKind.OFFICIAL,
        JUSTICE_HANOI,
        [OfficialRole.DESK_CLERK, OfficialRole.HANDLER],
        "tiếp nhận và xử lý phản ánh, kiến nghị, Sở Tư pháp Hà Nội",
    ),
    (
        "pheduyet.sotuphap",
        "Duyetstp@2026",
        "Đỗ Thị Duyệt",
        AccountKind.OFFICIAL,
        JUSTICE_HANOI,
        [OfficialRole.APPROVER],
        "lãnh đạo phê duyệt trả lời phản ánh, Sở Tư pháp Hà Nội",
    ),
    (
        "buudien.hoankiem",
        "Buudien@2026",
        "Đặng Văn Nam",
        AccountKind.OFFICIAL,
        None,
        [OfficialRole.POST_CLERK],
        "nhân viên Bưu điện: đăng ký tài khoản cho công dân (/buu-dien/dang-ky/)",
    ),
]

# Lê Văn Cường (demo population registry): his OTP phone is 0971112233; he "loses" it and moves the OTP
# phone to his other owner-registered number 0355556666.
CITIZEN = ("038085004321", "0971112233", "Cuong#Dvc2026")


class Command(BaseCommand):
    help = "Create the demo accounts of `make run` and print them. Refuses to run with DEBUG off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are for local demos only (DEBUG=1); never create them in production."
            )
        rows = []
        with transaction.atomic():
            for username, password, full_name, kind, agency_code, roles, purpose in STAFF:
                account = self._staff(username, password, full_name, kind, agency_code, roles)
                rows.append((username, password, purpose, self._secret(account)))
            citizen = self._citizen(*CITIZEN)
        self._print(rows, citizen)

    def _staff(self, username, password, full_name, kind, agency_code, roles) -> Account:
        from opendvc.catalog.models import Agency

        agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
        if agency_code and agency is None:
            raise CommandError(f"Agency {agency_code} is missing: run `manage.py load_demo` first.")
        account = Account.objects.filter(username=username).first()
        if account is None:
            account = Account(username=username)
            account.set_password(password)
        account.kind = kind
        account.full_name = account.full_name or full_name
        account.agency = agency
        account.roles = [str(role) for role in roles]
        account.registration_method = RegistrationMethod.STAFF
        account.assurance_level = AssuranceLevel.LEVEL_2
        account.is_staff = account.is_superuser = kind == AccountKind.ADMIN
        account.save()
        return account

    def _secret(self, account: Account) -> str:
        device = TotpDevice.objects.filter(account=account, confirmed_at__isnull=False).first()
        if device is None:
            device, _ = TotpDevice.objects.update_or_create(
                account=account,
                defaults={
                    "secret": pyotp.random_base32(),
                    "confirmed_at": timezone.now(),
                    "last_used_step": 0,
                },
            )
        return device.secret

    def _citizen(self, id_number, phone, password) -> tuple[str, str, str]:
        from opendvc.accounts.services.common import create_citizen
        from opendvc.accounts.services.identity_checks import find_person

        if citizen_by_id(id_number) is None:
            create_citizen(
                None,
                find_person(id_number),
                method=RegistrationMethod.MOBILE,
                level=AssuranceLevel.LEVEL_2,
                password=password,
                phone=phone,
                carrier_verified=True,
            )
        return id_number, password, phone

    def _print(self, rows, citizen) -> None:
        out = self.stdout.write
        out("Demo logins (officials and admins: /can-bo/dang-nhap/, then the authenticator code):")
        width = max(len(row[0]) for row in rows)
        out(f"  {'username'.ljust(width)}  {'password'.ljust(14)}  {'TOTP secret'.ljust(32)}  role")
        for username, password, purpose, secret in rows:
            out(f"  {username.ljust(width)}  {password.ljust(14)}  {secret.ljust(32)}  {purpose}")
        out("")
        out("Add a secret to an authenticator app (or scan the otpauth:// URI as a QR code), or print the")
        out("current code with: python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"")
        for username, _password, _purpose, secret in rows:
            account = Account(username=username)
            out(f"  {provisioning_uri(secret, account)}")
        out("")
        id_number, password, phone = citizen
        out("Citizen (/dang-nhap/, ID + password, then the OTP from /dev/outbox):")
        out(f"  Lê Văn Cường  {id_number} / {password}  OTP phone {phone}")
        out('  (lost-phone demo: "Mất số điện thoại nhận OTP", new number 0355556666)')
        out("Not registered on purpose: Nguyễn Văn An 001088012345 / 0912345678 (try registering him);")
        out("Bùi Thị Lan 001195008888 / 0932223344 (register her at /buu-dien/dang-ky/ as buudien.hoankiem).")
