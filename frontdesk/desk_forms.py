"""Forms of the desk's cancel and no-show pages: they parse, the services decide (waivers included)."""

from django import forms


class PenaltyForm(forms.Form):
    expected_penalty = forms.DecimalField(widget=forms.HiddenInput, required=False)
    waive = forms.BooleanField(label="Waive the penalty", required=False)
    waive_reason = forms.CharField(label="Reason for the waiver", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("waive") and not (data.get("waive_reason") or "").strip():
            self.add_error("waive_reason", "Give the reason for waiving the penalty.")
        return data

    @property
    def waiver_asked(self) -> str | None:
        """The waiver asked for (None: no waiver). The service decides whether the user may waive."""
        return self.cleaned_data["waive_reason"] if self.cleaned_data.get("waive") else None


class CancelForm(PenaltyForm):
    reason = forms.CharField(label="Reason for cancelling", max_length=300)
