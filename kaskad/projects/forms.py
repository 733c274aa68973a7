"""Forms of the project pages. No form has a field for a pupil's name: case pupils are codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kaskad.networks.models import EventFormat, EventKind, EventLanguage, TopicArea
from kaskad.projects.models import (
    ArStep,
    Attainment,
    MentoringForm,
    PartnerKind,
    ProjectKind,
    StaffRole,
    TeamRole,
)
from kaskad.registry.models import Branch, Person

DATE = forms.DateInput(attrs={"type": "date"})


class ProjectForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=40)
    name_kk = forms.CharField(label=_("name (Kazakh)"), max_length=300)
    name_ru = forms.CharField(label=_("name (Russian)"), max_length=300)
    name_en = forms.CharField(label=_("name (English)"), max_length=300)
    kind = forms.ChoiceField(label=_("kind"), choices=ProjectKind.choices)
    first_year = forms.IntegerField(label=_("first year"), min_value=2000, max_value=2100)
    last_year = forms.IntegerField(label=_("last year"), min_value=2000, max_value=2100)
    branch: forms.ModelChoiceField[Branch] = forms.ModelChoiceField(
        label=_("branch"), queryset=Branch.objects.none()
    )

    def __init__(self, *args: Any, branches: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches if branches is not None else Branch.objects.all()  # type: ignore[attr-defined]


class SchoolForm(forms.Form):
    organisation = forms.CharField(
        label=_("school code or BIN"), max_length=20, help_text=_("As in the registry.")
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)


class MemberForm(forms.Form):
    iin = forms.CharField(label=_("IIN"), max_length=20)
    role = forms.ChoiceField(label=_("role"), choices=TeamRole.choices)


class StaffForm(forms.Form):
    iin = forms.CharField(label=_("IIN"), max_length=20)
    role = forms.ChoiceField(label=_("role"), choices=StaffRole.choices)


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=300)
    kind = forms.ChoiceField(label=_("kind"), choices=PartnerKind.choices)
    country = forms.CharField(label=_("country"), max_length=2, initial="KZ")


class GroupForm(forms.Form):
    name = forms.CharField(label=_("group"), max_length=200)
    focus = forms.CharField(
        label=_("focus"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=_("“Improve how we teach X to Y”."),
    )
    research_question = forms.CharField(
        label=_("research question"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)
    members = forms.ModelMultipleChoiceField(
        label=_("teachers (3–6)"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["members"].queryset = people  # type: ignore[attr-defined]


class CasePupilForm(forms.Form):
    code = forms.ChoiceField(label=_("code"), choices=[("A", "A"), ("B", "B"), ("C", "C")])
    attainment = forms.ChoiceField(label=_("attainment"), choices=Attainment.choices)
    consent_recorded_on = forms.DateField(
        label=_("parents' consent recorded on"), required=False, widget=DATE
    )


class LessonForm(forms.Form):
    taught_on = forms.DateField(label=_("taught on"), widget=DATE)
    plan = forms.CharField(
        label=_("lesson plan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    success_criteria = forms.CharField(
        label=_("success criteria"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    stages = forms.CharField(
        label=_("stages of the lesson, one a line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class PredictionForm(forms.Form):
    stage = forms.IntegerField(widget=forms.HiddenInput)
    pupil = forms.ChoiceField(label=_("case pupil"), choices=[])
    predicted = forms.CharField(label=_("prediction"), max_length=1000)
    observed = forms.CharField(label=_("observed"), max_length=2000, required=False)


class NoteForm(forms.Form):
    pupil = forms.ChoiceField(label=_("case pupil"), choices=[])
    minute = forms.IntegerField(label=_("minute of the lesson"), min_value=0, max_value=120)
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class InterviewForm(forms.Form):
    pupil = forms.ChoiceField(label=_("case pupil"), choices=[])
    summary = forms.CharField(
        label=_("what the pupil said"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000
    )


class DiscussionForm(forms.Form):
    """One field per case pupil first (the discussion starts from them), then the rest."""

    discussion = forms.CharField(
        label=_("discussion"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    changes_next = forms.CharField(
        label=_("changes for the next lesson"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3000,
    )

    def __init__(self, *args: Any, codes: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pupil_fields = {
            f"pupil_{code}": forms.CharField(
                label=_("What was seen of case pupil %(code)s") % {"code": code},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=2000,
            )
            for code in codes or []
        }
        self.fields = {**pupil_fields, **self.fields}


class PublicLessonForm(forms.Form):
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    place = forms.CharField(label=_("place"), max_length=300)
    guests = forms.IntegerField(label=_("guests"), min_value=0, initial=0)


class ResearchForm(forms.Form):
    school = forms.ChoiceField(label=_("school team"), choices=[])
    title = forms.CharField(label=_("title"), max_length=300)
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)


class EntryForm(forms.Form):
    cycle = forms.IntegerField(label=_("cycle"), min_value=1, max_value=20, initial=1)
    step = forms.ChoiceField(label=_("step"), choices=ArStep.choices)
    dated = forms.DateField(label=_("date"), widget=DATE)
    text = forms.CharField(
        label=_("entry"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    attachment = forms.FileField(label=_("file (PDF, DOCX, ODT, text or CSV)"), required=False)


class CommentForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("comment"), max_length=2000)


class PublicationForm(forms.Form):
    authors_consent = forms.BooleanField(
        label=_("the authors consent to publication"), required=False
    )
    ready_to_publish = forms.BooleanField(label=_("ready to publish"), required=False)


class ReportFilterForm(forms.Form):
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)


class MentoringLinkForm(forms.Form):
    hub_link = forms.TypedChoiceField(label=_("Hub-school link"), coerce=int, choices=[])


class MentoringSessionForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    form = forms.ChoiceField(label=_("Form"), choices=MentoringForm.choices)
    topic = forms.CharField(label=_("Topic"), max_length=300)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProjectEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic area"), choices=TopicArea.choices)
    starts_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(label=_("Duration, minutes"), min_value=1, max_value=1440)
    format = forms.ChoiceField(label=_("Format"), choices=EventFormat.choices)
    language = forms.ChoiceField(label=_("Language"), choices=EventLanguage.choices)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
