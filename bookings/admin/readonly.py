"""Admin pages and inlines that show rows and change none: ledgers, history, a booking's other rooms, logs."""

from django.contrib import admin


class NoEdits:
    """Rows shown, never added, changed or deleted here (mix into a ModelAdmin or an inline)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(NoEdits, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
