"""The observation form, built from the instrument version's elements (one score and one
evidence note per element), and the small forms around it."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaskad.observations.models import Element, InstrumentVersion, Observation
from kaskad.observations.services import ObservationData, ScoreInput
from kaskad.registry.choices import SUBJECT_LABELS

NOT_APPLICABLE = "na"


def score_field(element: Element) -> str:
    return f"score_{element.pk}"


def evidence_field(element: Element) -> str:
    return f"evidence_{element.pk}"


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class ObservationForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    subject = forms.ChoiceField(label=gettext_lazy("Subject"))
    grade = forms.IntegerField(
        label=gettext_lazy("Grade"), widget=forms.NumberInput(attrs={"min": 0, "max": 12})
    )
    observed_on = forms.DateField(
        label=gettext_lazy("Date of the lesson"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    focus = forms.CharField(label=gettext_lazy("Lesson focus"), max_length=300)
    previous = forms.TypedChoiceField(
        label=gettext_lazy("Repeat of"), required=False, coerce=int, empty_value=None
    )
    strengths = forms.CharField(
        label=gettext_lazy("Strengths"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    priorities = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Priority elements (one or two)"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    next_steps = forms.CharField(
        label=gettext_lazy("Agreed next steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        version: InstrumentVersion,
        earlier: list[Observation],
        second_coding: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_id", uuid.uuid4())
        kwargs["initial"].setdefault("observed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.version = version
        self.second_coding = second_coding
        _choice_field(self, "subject").choices = [("", "—")] + [
            (code, str(label)) for code, label in SUBJECT_LABELS.items()
        ]
        self.elements = list(
            version.elements.select_related("domain").prefetch_related("behaviours")
        )
        _choice_field(self, "previous").choices = [("", _("— a first observation —"))] + [
            (o.pk, f"{o.observed_on:%d.%m.%Y} · {o.focus[:60]}") for o in earlier
        ]
        if second_coding:
            del self.fields["previous"]
        _choice_field(self, "priorities").choices = [
            (e.pk, f"{e.code} {e.name}") for e in self.elements
        ]
        for element in self.elements:
            choices = [("", "—")]
            if element.allows_na:
                choices.append((NOT_APPLICABLE, _("not applicable")))
            choices += [(str(s), str(s)) for s in element.scale_values]
            self.fields[score_field(element)] = forms.CharField(
                label=f"{element.code} {element.name}",
                required=False,
                widget=forms.Select(choices=choices),
            )
            self.fields[evidence_field(element)] = forms.CharField(
                label=_("Evidence"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def element_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "element": e,
                "score": self[score_field(e)],
                "evidence": self[evidence_field(e)],
                "domain_changes": i == 0 or self.elements[i - 1].domain_id != e.domain_id,
            }
            for i, e in enumerate(self.elements)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for element in self.elements:
            raw = (data.get(score_field(element)) or "").strip()
            if not raw:
                self.add_error(score_field(element), _("Choose a score."))
            elif raw != NOT_APPLICABLE and not raw.isdigit():
                self.add_error(score_field(element), _("The score is a whole number."))
            if not (data.get(evidence_field(element)) or "").strip():
                self.add_error(
                    evidence_field(element), _("Write the evidence: what was seen or heard.")
                )
        return data

    def to_data(self, *, teacher_id: int, double_of_id: int | None) -> ObservationData:
        data = self.cleaned_data
        scores = []
        for element in self.elements:
            raw = data[score_field(element)].strip()
            scores.append(
                ScoreInput(
                    element_id=element.pk,
                    value=None if raw == NOT_APPLICABLE else int(raw),
                    evidence=data[evidence_field(element)],
                )
            )
        return ObservationData(
            client_id=data["client_id"],
            version_id=self.version.pk,
            teacher_id=teacher_id,
            subject=data["subject"],
            grade=data["grade"],
            observed_on=data["observed_on"],
            focus=data["focus"],
            strengths=data.get("strengths") or "",
            next_steps=data.get("next_steps") or "",
            priority_element_ids=list(data.get("priorities") or []),
            scores=scores,
            previous_id=data.get("previous"),
            double_of_id=double_of_id,
        )


class AcknowledgeForm(forms.Form):
    reflection = forms.CharField(
        label=gettext_lazy("Your reflection on the lesson and the next steps"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class InstrumentUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Instrument file (XLSX)"))


class SchoolChoiceForm(forms.Form):
    school = forms.TypedChoiceField(label=gettext_lazy("School"), coerce=int)

    def __init__(self, *args: Any, schools: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "school").choices = [("", "—"), *schools]


class ChangeFilterForm(forms.Form):
    """Change between lessons in a period, on one version (the first and the repeat must
    both fall in the period)."""

    version = forms.TypedChoiceField(
        label=gettext_lazy("Instrument version"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, versions: list[InstrumentVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "version").choices = [("", "—")] + [(v.pk, str(v)) for v in versions]
