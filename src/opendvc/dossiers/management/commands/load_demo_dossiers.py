"""Demo dossiers for `make run`: the Hoàn Kiếm desk's inbox in every status, through the real services.

Run after `load_demo`, `create_demo_users` and `load_demo_forms`. Idempotent: it does nothing when the demo
dossiers exist. Refuses to run with DEBUG off.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from opendvc.accounts.models import Account
from opendvc.catalog.models import Procedure
from opendvc.dossiers.models import Channel, Delivery, Dossier
from opendvc.dossiers.services import actions, submission

AGENCY = "000.00.20.H26"
MARK = "Hồ sơ mẫu của bản demo"
# (applicant, ID number, phone, procedure, channel, how far it goes)
WALK_INS = [
    ("Nguyễn Văn An", "001088012345", "0912345678", "1.001193", Channel.COUNTER, "received"),
    ("Trần Thị Bình", "001190023456", "0987654321", "1.000894", Channel.COUNTER, "assigned"),
    ("Phạm Minh Châu", "", "0903123456", "1.001022", Channel.POST, "supplement"),
    ("Hoàng Văn Dũng", "", "0934555777", "1.000656", Channel.COUNTER, "processed"),
    ("Vũ Thị Lan", "", "0978222444", "1.001193", Channel.COUNTER, "returned"),
    ("Đỗ Quốc Khánh", "", "0911666888", "1.004873", Channel.COUNTER, "apology"),
    ("Bùi Thị Hạnh", "", "0966333555", "1.004873", Channel.COUNTER, "obligation"),
]


class Command(BaseCommand):
    help = "Create demo dossiers at UBND phường Hoàn Kiếm (idempotent; DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo dossiers are for local demos only (DEBUG=1).")
        if Dossier.objects.filter(agency__code=AGENCY, events__comment=MARK).exists():
            self.stdout.write("Demo dossiers: unchanged.")
            return
        try:
            clerk = Account.objects.get(username="tiepnhan.hoankiem")
            handler = Account.objects.get(username="xuly.hoankiem")
        except Account.DoesNotExist as exc:
            raise CommandError("Run `manage.py create_demo_users` first.") from exc
        codes = []
        with transaction.atomic():
            for name, id_number, phone, procedure_code, channel, stage in WALK_INS:
                procedure = Procedure.objects.filter(code=procedure_code).first()
                if procedure is None:
                    continue
                dossier = submission.register_dossier(
                    actor=clerk,
                    procedure=procedure,
                    channel=channel,
                    applicant_name=name,
                    id_number=id_number,
                    phone=phone,
                    delivery=Delivery.DESK,
                    note=MARK,
                )
                self._advance(dossier, stage, clerk, handler)
                codes.append(dossier.code)
        self.stdout.write(f"Demo dossiers: {len(codes)} created at UBND phường Hoàn Kiếm: {', '.join(codes)}")

    def _advance(self, dossier, stage, clerk, handler):
        if stage == "received":
            return
        dossier = actions.assign_dossier(dossier, actor=clerk, version=dossier.version, handler=handler)
        if stage == "supplement":
            actions.request_supplement(
                dossier,
                actor=handler,
                version=dossier.version,
                items=["Bản sao giấy tờ chứng minh nơi cư trú", "Tờ khai có chữ ký của người yêu cầu"],
            )
        elif stage == "apology":
            from opendvc.core import calendar

            new_due = calendar.add_working_days(dossier.due_at.date(), 3)
            actions.send_apology(
                dossier,
                actor=handler,
                version=dossier.version,
                reason="Cần xác minh thêm thông tin",
                new_due=new_due,
            )
        elif stage == "obligation":
            actions.request_payment(
                dossier,
                actor=handler,
                version=dossier.version,
                amount=20_000,
                reason="Lệ phí cấp Giấy xác nhận tình trạng hôn nhân (Nghị quyết của HĐND thành phố Hà Nội)",
            )
        elif stage in ("processed", "returned"):
            dossier = actions.process_dossier(dossier, actor=handler, version=dossier.version, results=[])
            if stage == "returned":
                actions.return_result(dossier, actor=clerk, version=dossier.version, how=Delivery.DESK)
