from django.apps import AppConfig


class EstimatesConfig(AppConfig):
    name = "uncounted.store.estimates"
    label = "estimates"
    verbose_name = "Estimates"
