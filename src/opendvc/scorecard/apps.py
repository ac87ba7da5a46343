from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardConfig(AppConfig):
    name = "opendvc.scorecard"
    label = "scorecard"
    verbose_name = _("Bộ chỉ số phục vụ người dân, doanh nghiệp")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from opendvc.scorecard import receivers  # noqa: F401 - connects to the apps it counts
