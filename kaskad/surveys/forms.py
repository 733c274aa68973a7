from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kaskad.surveys.definition import QUESTION_TYPES
from kaskad.surveys.models import Audience

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SurveyForm(forms.Form):
    title_kk = forms.CharField(label=_("Title (Kazakh)"), max_length=300, required=False)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    audience = forms.ChoiceField(label=_("Who answers"), choices=Audience.choices)
    cohort = forms.ChoiceField(label=_("Cohort (course feedback)"), required=False, choices=())
    schools = forms.CharField(
        label=_("Schools (codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Organisation codes, separated by commas or new lines: their teachers answer; "
            "on a public link, the respondent chooses one of them."
        ),
    )
    opens_on = forms.DateField(label=_("Opens"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes"), widget=DATE)
    xlsform = forms.FileField(
        label=_("XLSForm file (optional)"),
        required=False,
        help_text=_(
            "An .xlsx with the survey, choices and settings sheets; labels as "
            "“label::Kazakh (kk)”, “label::Russian (ru)”, “label::English (en)”. "
            "Without a file the survey starts empty and questions are added on its page."
        ),
    )

    def __init__(self, *args: Any, cohorts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cohort"]).choices = [("", "—"), *cohorts]

    def school_codes(self) -> list[str]:
        return [c for c in re.split(r"[\s,;]+", self.cleaned_data.get("schools") or "") if c]


class QuestionForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"),
        choices=[(t, t) for t in QUESTION_TYPES],
    )
    name = forms.RegexField(
        label=_("Name"),
        regex=r"^[A-Za-z_][A-Za-z0-9_]*$",
        max_length=60,
        help_text=_("Latin letters, digits and “_”; used in conditions as ${name}."),
    )
    label_kk = forms.CharField(label=_("Question (Kazakh)"), max_length=500, required=False)
    label_ru = forms.CharField(label=_("Question (Russian)"), max_length=500, required=False)
    label_en = forms.CharField(label=_("Question (English)"), max_length=500, required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: name | Kazakh | Russian | English "
            "(e.g. “5 | Толық келісемін | Полностью согласен | Strongly agree”)."
        ),
    )
    required = forms.BooleanField(label=_("Answer required"), required=False)
    relevant = forms.CharField(
        label=_("Shown when"),
        required=False,
        max_length=500,
        help_text=_("An XLSForm condition, e.g. ${has_child} = 'yes'."),
    )
    constraint = forms.CharField(
        label=_("Allowed when"),
        required=False,
        max_length=500,
        help_text=_("An XLSForm condition on the answer “.”, e.g. . >= 6 and . <= 18."),
    )
    constraint_message = forms.CharField(
        label=_("Message when not allowed"), required=False, max_length=300
    )

    def question(self) -> dict[str, Any]:
        data = self.cleaned_data
        question: dict[str, Any] = {
            "type": data["type"],
            "name": data["name"],
            "label": {c: data[f"label_{c}"] for c in ("kk", "ru", "en") if data[f"label_{c}"]},
            "hint": {},
            "relevant": data["relevant"],
        }
        if data["type"] != "note":
            question.update(
                required=data["required"],
                constraint=data["constraint"],
                constraint_message={
                    "kk": data["constraint_message"],
                    "ru": data["constraint_message"],
                }
                if data["constraint_message"]
                else {},
                appearance="",
            )
        if data["type"] in ("select_one", "select_multiple"):
            choices = []
            for line in (data["choices"] or "").splitlines():
                parts = [p.strip() for p in line.split("|")]
                if not parts[0]:
                    continue
                labels = dict(zip(("kk", "ru", "en"), parts[1:4], strict=False))
                choices.append(
                    {
                        "name": parts[0],
                        "label": {k: v for k, v in labels.items() if v} or {"kk": parts[0]},
                    }
                )
            question["list"] = f"{data['name']}_list"
            question["choices"] = choices
        return question


class DatesForm(forms.Form):
    opens_on = forms.DateField(label=_("Opens"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes"), widget=DATE)


class ResultsFilterForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label=_("School"), required=False, coerce=int, empty_value=None
    )
    area = forms.TypedChoiceField(label=_("Area"), required=False, coerce=int, empty_value=None)
    group = forms.ChoiceField(label=_("Respondent group"), required=False)

    def __init__(self, *args: Any, options: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("all"))]
        cast(forms.ChoiceField, self.fields["organisation"]).choices = every + list(
            options["organisations"]
        )
        cast(forms.ChoiceField, self.fields["area"]).choices = every + list(options["areas"])
        cast(forms.ChoiceField, self.fields["group"]).choices = every + list(options["groups"])
