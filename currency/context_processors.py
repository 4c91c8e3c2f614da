from django.utils.functional import SimpleLazyObject

from .choice import display_currency
from .rates import display_currencies


def switcher(request):
    """For the guest base template's currency switcher; the rates are read only if a page shows it."""
    return {"display_currency": display_currency(request),
            "display_currencies": SimpleLazyObject(display_currencies)}
