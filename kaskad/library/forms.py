from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaskad.library.models import GRADES, Language, Licence, MaterialType, Subject
from kaskad.library.search import MAX_QUERY_CHARS
from kaskad.library.services.materials import MaterialData


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("any")), *choices]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_CHARS * 2)
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_blank([(g, str(g)) for g in GRADES]),
    )
    subject = forms.ChoiceField(label=_("Subject"), required=False, choices=_blank(Subject.choices))
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_blank(MaterialType.choices))
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=_blank(Language.choices)
    )


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    language = forms.ChoiceField(label=_("Language of the material"), choices=Language.choices)
    subject = forms.ChoiceField(label=_("Subject"), choices=Subject.choices)
    type = forms.ChoiceField(label=_("Type"), choices=MaterialType.choices)
    grades = forms.TypedMultipleChoiceField(
        label=_("Grades"),
        required=False,
        coerce=int,
        choices=[(g, str(g)) for g in GRADES],
        widget=forms.CheckboxSelectMultiple,
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    project = forms.CharField(
        label=_("Programme or project it came from"), required=False, max_length=200
    )
    outside_authors = forms.CharField(
        label=_("Other authors (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    file = forms.FileField(label=_("File"))

    def data_for(self) -> MaterialData:
        c = self.cleaned_data
        language = c["language"]
        return MaterialData(
            titles={language: c["title"]},
            descriptions={language: c["description"]} if c["description"] else {},
            language=language,
            subject=c["subject"],
            type=c["type"],
            grades=list(c["grades"]),
            licence=c["licence"],
            project=c["project"],
            outside_authors=[n for n in c["outside_authors"].splitlines() if n.strip()],
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("publish", _("Publish")), ("return", _("Return to the author"))]
    )
    comment = forms.CharField(
        label=_("Comment to the author"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)]
    )
    review = forms.CharField(
        label=_("Short review"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version of the file"))
    note = forms.CharField(label=_("What changed"), required=False, max_length=300)
