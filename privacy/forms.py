from django import forms


class DataRequestForm(forms.Form):
    label_suffix = ""
    email = forms.EmailField(max_length=254, label="Your email address",
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ErasureConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="I understand: my name, email, phone and booking notes are erased for good. "
                                       "Invoices keep the name they were issued to.")
