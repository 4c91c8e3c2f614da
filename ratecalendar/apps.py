from django.apps import AppConfig


class RatecalendarConfig(AppConfig):
    name = "ratecalendar"
    verbose_name = "Rates calendar"
    default_auto_field = "django.db.models.BigAutoField"
