from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opendvc.core"
    label = "core"
    verbose_name = "Core"
