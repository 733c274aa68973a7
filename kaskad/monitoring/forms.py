from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaskad.monitoring.models import Subject, TestForm
from kaskad.monitoring.reports.bulk import PUPIL_LANGUAGE
from kaskad.registry.choices import OrganisationKind
from kaskad.registry.models import Organisation

GRADES = [(g, str(g)) for g in range(1, 12)]


class BandsForm(forms.Form):
    """The lowest percent of the maximum score reaching each band (checked by the service)."""

    basic = forms.CharField(label=_("Basic from (%)"), max_length=20)
    proficient = forms.CharField(label=_("Proficient from (%)"), max_length=20)
    advanced = forms.CharField(label=_("Advanced from (%)"), max_length=20)


class StudyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    grades = forms.TypedMultipleChoiceField(
        label=_("Grades"), choices=GRADES, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    schools: forms.ModelMultipleChoiceField[Organisation] = forms.ModelMultipleChoiceField(
        label=_("Schools"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.SCHOOL, is_open=True).order_by(
            "name"
        ),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    forms: forms.ModelMultipleChoiceField[TestForm] = forms.ModelMultipleChoiceField(
        label=_("Tests"), queryset=TestForm.objects.all(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class AddTestForm(forms.Form):
    form: forms.ModelChoiceField[TestForm] = forms.ModelChoiceField(
        label=_("Test"), queryset=TestForm.objects.all()
    )


class TestFormForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    subject = forms.ChoiceField(label=_("Subject"), choices=Subject.choices)
    grade = forms.TypedChoiceField(label=_("Grade"), choices=GRADES, coerce=int)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=5, max_value=300, initial=40)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File (XLSX or CSV)"))


class ResponseUploadForm(forms.Form):
    school: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("School"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Leave empty when the file has a “school” column."),
    )
    file = forms.FileField(label=_("File (XLSX or CSV)"))

    def __init__(self, *args: Any, schools: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if schools is not None:
            self.fields["school"].queryset = schools  # type: ignore[attr-defined]


class EntryForm(forms.Form):
    school: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("School"), queryset=Organisation.objects.none()
    )
    class_label = forms.CharField(label=_("Class"), max_length=12)
    code = forms.CharField(label=_("Pupil code"), max_length=32)
    answers = forms.CharField(
        label=_("Answers"),
        help_text=_(
            "One character per item in order (A–D, a score for a partial-credit item, "
            "“-” for no answer), or the answers separated by spaces."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, schools: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if schools is not None:
            self.fields["school"].queryset = schools  # type: ignore[attr-defined]


def split_answers(text: str) -> list[str]:
    text = text.strip()
    if any(sep in text for sep in (" ", ",", ";")):
        return [part for part in text.replace(",", " ").replace(";", " ").split()]
    return list(text)


class ResolveForm(forms.Form):
    answers = forms.CharField(label=_("Correct answers"))


class BulkForm(forms.Form):
    whole_study = forms.BooleanField(
        label=_("Every test of the study in one ZIP file"), required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the reports"),
        choices=[
            (PUPIL_LANGUAGE, _("each pupil's language of instruction")),
            ("kk", "Қазақша"),
            ("ru", "Русский"),
            ("en", "English"),
        ],
    )
