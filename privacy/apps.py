from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Guest data (GDPR)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from bookings.guest_mail import guest_email_sent

        from .sent_emails import sent_email_record

        guest_email_sent.connect(sent_email_record, dispatch_uid="privacy.sent_email_record")

        from django.apps import apps

        from .exporters import exporter_register, related_rows_of

        if apps.is_installed("invoicing"):
            # Invoices in the export: every invoicing row pointing at the guest's reservations or folios. To use
            # invoicing's own exporter instead: exporter_register("invoices", "invoicing.<module>.<function>").
            exporter_register("invoices", related_rows_of("invoicing"))
