from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentSimulatorConfig(AppConfig):
    name = "opendvc.payments.simulator"
    label = "payment_simulator"
    verbose_name = _("Cổng thanh toán mô phỏng")
    default_auto_field = "django.db.models.BigAutoField"
