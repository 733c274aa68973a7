"""Forms of the plagiarism pages. They only parse input; the rules live in the services, whose
refusals are put back on the field they name (`kaskad.core.pages.domain_errors_on_form`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaskad.catalogue.models import Programme
from kaskad.plagiarism.models import Decision


class ProgrammeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.code)


class QueueFilterForm(forms.Form):
    programme = ProgrammeChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.order_by("code"),
        required=False,
        empty_label=_("All programmes"),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required: why this decision. It is kept in the portfolio's history."),
    )


class RecheckForm(forms.Form):
    programme = ProgrammeChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.order_by("code"),
        required=False,
        empty_label=_("All programmes"),
    )
    cohort = forms.CharField(
        label=_("Cohort code"),
        max_length=40,
        required=False,
        help_text=_("Only the portfolios of this cohort (optional)."),
    )
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_until = forms.DateField(
        label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("submitted_from"), data.get("submitted_until")
        if start and end and start > end:
            self.add_error("submitted_until", _("The end of the period is before its start."))
        if not (data.get("programme") or data.get("cohort") or start or end):
            raise forms.ValidationError(
                _("Choose a programme, a cohort or a submission period to re-check.")
            )
        return data
