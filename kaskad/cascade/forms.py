"""Forms of the trainer pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaskad.cascade.models import SchoolStrand, TrainerLevel
from kaskad.catalogue.models import Programme

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
VALIDITY_CHOICES = [
    ("", _("Valid and expired")),
    ("valid", _("Valid today")),
    ("expired", _("Expired or revoked")),
]


class _ProgrammeChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        live = getattr(obj, "live_versions", None) or []
        version = live[0] if live else None
        return f"{obj.code} — {version.title}" if version else str(obj.code)


class TrainerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    programme = _ProgrammeChoice(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("All programmes"),
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *TrainerLevel.choices]
    )
    strand = forms.ChoiceField(
        label=_("Strand"), required=False, choices=[("", _("All strands")), *SchoolStrand.choices]
    )
    validity = forms.ChoiceField(label=_("Validity"), required=False, choices=VALIDITY_CHOICES)

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]


class GrantForm(forms.Form):
    programme = _ProgrammeChoice(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=_("Choose a programme")
    )
    level = forms.ChoiceField(label=_("Level"), choices=TrainerLevel.choices)
    strand = forms.ChoiceField(
        label=_("Strand"),
        required=False,
        choices=[("", _("— (not a school trainer)")), *SchoolStrand.choices],
        help_text=_("Required for school trainers and coordinators; empty for other levels."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_INPUT)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_INPUT)
    earned_through: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Earned through the course"),
        queryset=None,
        required=False,
        empty_label=_("— not recorded"),
        help_text=_("A completed course of this person in a cohort of the same programme."),
    )

    def __init__(
        self,
        *args: Any,
        programmes: QuerySet[Programme],
        levels: list[str],
        enrolments: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in TrainerLevel.choices if value in levels
        ]
        earned = self.fields["earned_through"]
        assert isinstance(earned, forms.ModelChoiceField)
        earned.queryset = enrolments
        earned.label_from_instance = _enrolment_label  # type: ignore[assignment,method-assign]


def _enrolment_label(enrolment: Any) -> str:
    cohort = enrolment.cohort
    return f"{cohort.code} · {cohort.version.programme.code} · {cohort.starts_on:%Y-%m-%d}"


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
