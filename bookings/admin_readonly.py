"""An inline that shows rows and changes none: ledgers, history, a booking's other rooms."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Rows shown, never added, changed or deleted here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
