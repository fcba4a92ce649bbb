from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "uncounted.store.core"
    label = "core"
    verbose_name = "Sources and records"
