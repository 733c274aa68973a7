"""Forms of the allocation and rubric pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaskad.assessment.allocation.services import MAX_CAPACITY, REASON_MAX
from kaskad.assessment.models import AssignmentRole
from kaskad.assessment.rubrics.services import POLICY_LABELS, POLICY_RANGES
from kaskad.catalogue.models import AssessmentScheme, Programme
from kaskad.registry.identifiers import IdentifierError, parse_iin
from kaskad.registry.messages import message_for
from kaskad.registry.models import Person


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        error_messages={"required": _("Give a reason.")},
    )


class AssignForm(forms.Form):
    role = forms.ChoiceField(choices=AssignmentRole.choices)


class RunForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("All programmes"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.order_by("code")  # type: ignore[attr-defined]


def assessed_programmes() -> Any:
    return (
        Programme.objects.filter(versions__status="approved")
        .exclude(versions__assessment_scheme=AssessmentScheme.NONE)
        .distinct()
        .order_by("code")
    )


class AccreditationForm(forms.Form):
    iin = forms.CharField(label=_("IIN of the assessor"), max_length=20)
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=MAX_CAPACITY,
        initial=50,
        help_text=_("The most open tasks the assessor holds for this programme at once."),
    )
    is_moderator = forms.BooleanField(label=_("Moderator"), required=False)
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = assessed_programmes()  # type: ignore[attr-defined]
        self.fields["valid_until"].initial = timezone.localdate() + timedelta(days=365)
        self.person: Person | None = None
        if editing:
            self.fields["iin"].disabled = True
            self.fields["programme"].disabled = True

    def clean_iin(self) -> str:
        raw = (self.cleaned_data.get("iin") or "").strip()
        try:
            iin = parse_iin(raw).iin
        except IdentifierError as exc:
            raise forms.ValidationError(message_for(exc.code, exc.params)) from exc
        person = Person.objects.filter(iin=iin).first()
        if person is None:
            raise forms.ValidationError(_("No one with this IIN is in the registry."))
        self.person = person
        return iin


class PolicyForm(forms.Form):
    second_marking_percent = forms.IntegerField()
    submission_days = forms.IntegerField()
    marking_days = forms.IntegerField()
    resubmission_days = forms.IntegerField()
    max_file_mb = forms.IntegerField()
    max_files = forms.IntegerField()
    same_branch_is_conflict = forms.BooleanField(
        label=_("An assessor of the same branch has a conflict of interest"), required=False
    )
    good_mean = forms.DecimalField(
        label=_("Mean level for good"), max_digits=3, decimal_places=2, min_value=0
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high) in POLICY_RANGES.items():
            field = self.fields[name]
            field.label = POLICY_LABELS[name]
            field.widget.attrs.update({"min": low, "max": high})
