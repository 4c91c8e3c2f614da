from django.apps import AppConfig


class ChannelmanagerConfig(AppConfig):
    name = "channelmanager"
    default_auto_field = "django.db.models.BigAutoField"
