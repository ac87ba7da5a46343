from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "opendvc.payments"
    label = "payments"
    verbose_name = _("Thanh toán trực tuyến")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from opendvc.payments import receivers  # noqa: F401 - connects to dossiers.signals
