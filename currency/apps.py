from django.apps import AppConfig


class CurrencyConfig(AppConfig):
    name = "currency"
    verbose_name = "Display currencies"
    default_auto_field = "django.db.models.BigAutoField"
