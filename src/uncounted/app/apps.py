from django.apps import AppConfig


class WebAppConfig(AppConfig):
    name = "uncounted.app"
    label = "webapp"
    verbose_name = "Web application"
