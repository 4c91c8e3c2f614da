from django.apps import AppConfig


class FrontdeskConfig(AppConfig):
    name = "frontdesk"
    default_auto_field = "django.db.models.BigAutoField"
