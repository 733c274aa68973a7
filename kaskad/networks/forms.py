from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaskad.networks.models import (
    EventFormat,
    EventKind,
    EventLanguage,
    LeadingSchool,
    MethodCentre,
    OrganiserKind,
    RequestTopic,
    TopicArea,
)


class NetworkImportForm(forms.Form):
    year = forms.IntegerField(
        label=_("Academic year (first calendar year)"), min_value=2000, max_value=2100
    )
    file = forms.FileField(label=_("Network file (XLSX or CSV)"))
    dry_run = forms.BooleanField(label=_("Check only (write nothing)"), required=False)


class CopyYearForm(forms.Form):
    branch = forms.IntegerField(widget=forms.HiddenInput)
    from_year = forms.IntegerField(label=_("Copy from"), min_value=2000, max_value=2100)
    to_year = forms.IntegerField(label=_("Into"), min_value=2000, max_value=2100)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic area"), choices=TopicArea.choices)
    organiser_kind = forms.ChoiceField(label=_("Organiser"), choices=OrganiserKind.choices)
    centre = forms.ModelChoiceField(
        label=_("Methodological centre"), queryset=MethodCentre.objects.none(), required=False
    )
    leading = forms.ModelChoiceField(
        label=_("Leading school"), queryset=LeadingSchool.objects.none(), required=False
    )
    starts_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(label=_("Duration, minutes"), min_value=1, max_value=1440)
    format = forms.ChoiceField(label=_("Format"), choices=EventFormat.choices)
    language = forms.ChoiceField(label=_("Language"), choices=EventLanguage.choices)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    is_open = forms.BooleanField(label=_("Open for registration"), required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False)

    def __init__(self, *args: Any, centres: Any, leading: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]
        self.fields["leading"].queryset = leading  # type: ignore[attr-defined]


class RequestForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=RequestTopic.choices)
    text = forms.CharField(
        label=_("What do you need help with?"), widget=forms.Textarea, max_length=5000
    )
    person = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=[(i, str(i)) for i in range(1, 6)], coerce=int
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea, required=False, max_length=2000
    )
