from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "uncounted.store.linkage"
    label = "linkage"
    verbose_name = "Linkage"
