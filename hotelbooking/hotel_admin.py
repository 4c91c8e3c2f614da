"""The admin's share of "staff belong to hotels": a mixin for every ModelAdmin (and inline) of a hotel-owned model.

A staff member who is not a superuser sees, changes and picks (foreign-key choices, list filters, actions) only
rows of the hotels they belong to; another hotel's object is "not found". The rule itself is in
hotelbooking.permissions.
"""

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist

from hotelbooking.permissions import scope_to_hotels

# model -> the lookup path from it to its Hotel, filled by every HotelScoped admin as it is registered, so that a
# foreign key to any hotel-owned model offers only the user's hotels' rows.
HOTEL_PATHS: dict = {}


def hotel_path_of(model):
    return HOTEL_PATHS.get(model)


class HotelScoped:
    """Mix into a ModelAdmin or InlineModelAdmin; `hotel_path` leads from the model to its Hotel ("" for Hotel)."""

    hotel_path = "hotel"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        HOTEL_PATHS.setdefault(self.model, self.hotel_path)

    def get_queryset(self, request):
        return scope_to_hotels(super().get_queryset(request), request.user, self.hotel_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _scoped_choices(field, db_field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _scoped_choices(field, db_field, request)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        # Offer only the related rows the user's own rows use (not every hotel's room types, channels, ...).
        return [_related_only(self.model, f) for f in filters]


def _scoped_choices(field, db_field, request):
    if field is None or not hasattr(field, "queryset"):
        return field
    path = hotel_path_of(db_field.related_model)
    if path is not None:
        field.queryset = scope_to_hotels(field.queryset, request.user, path)
    return field


def _related_only(model, list_filter):
    if not isinstance(list_filter, str):
        return list_filter
    try:
        last = get_fields_from_path(model, list_filter)[-1]
    except (FieldDoesNotExist, NotRelationField):  # not a field path: leave it to the admin's own checks
        return list_filter
    if getattr(last, "is_relation", False) and not getattr(last, "many_to_many", False):
        return (list_filter, admin.RelatedOnlyFieldListFilter)
    return list_filter
