from django import forms
from django.utils.translation import gettext_lazy as _


class DataRequestForm(forms.Form):
    label_suffix = ""
    email = forms.EmailField(max_length=254, label=_("Your email address"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ErasureConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand: my name, email, phone and booking notes are erased for good. "
                                         "Invoices keep the name they were issued to."))
