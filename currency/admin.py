from django.contrib import admin

from .models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("base", "quote", "rate", "as_of")
    list_filter = ("base", "quote")
    date_hierarchy = "as_of"
