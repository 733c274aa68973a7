"""Forms of the certificate pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaskad.catalogue.models import Programme
from kaskad.certificates.models import CertificateStatus, RevocationCategory

LANGUAGE_CHOICES = [
    ("", _("the same as before")),
    ("kk", "Қазақша"),
    ("ru", "Русский"),
    ("en", "English"),
]


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=60,
        help_text=_("As printed on the certificate, for example AST-2026-000123-K7QX."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )


class CertificateFilterForm(forms.Form):
    q = forms.CharField(label=_("Number, name or programme"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any")), *list(CertificateStatus.choices)],
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class RevokeForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Kind of revocation"),
        choices=RevocationCategory.choices,
        help_text=_("Shown on the public verification page."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by staff only; recorded in the history."),
    )


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the participant's surname changed."),
    )
    language = forms.ChoiceField(
        label=_("Language of the certificate"), choices=LANGUAGE_CHOICES, required=False
    )


class SessionForm(forms.Form):
    """An assessment session: a programme's cohorts that ended within a period."""

    programme: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label=_("Programme"),
        queryset=None,  # set in __init__: programmes with an assessment
        empty_label=_("Choose a programme"),
    )
    date_from = forms.DateField(
        label=_("Cohorts ending from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Programme.objects.filter(versions__status="approved")
            .exclude(versions__assessment_scheme="none")
            .distinct()
            .order_by("code")
        )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The period ends before it starts."))
        return data
