"""Forms of the delivery pages. They only parse input; the rules live in the services, whose
errors are put back on the field they name (`kaskad.core.pages.domain_errors_on_form`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kaskad.catalogue.models import Format, ProgrammeVersion, VersionStatus
from kaskad.delivery.models import CohortStatus
from kaskad.registry.choices import Country, Language
from kaskad.registry.models import Branch

# The interface's three languages first; the rest only when a version offers them.
COHORT_LANGUAGES = Language.choices


class VersionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        # The formats and languages a version allows, so the choice below can match them.
        formats = dict(Format.choices)
        languages = dict(Language.choices)
        allowed = ", ".join(str(formats.get(f, f)) for f in obj.formats or [])
        spoken = ", ".join(str(languages.get(code, code)) for code in obj.languages or [])
        return f"{obj.programme.code} v{obj.number} · {obj.title} ({allowed}; {spoken})"


class CohortForm(forms.Form):
    version = VersionChoiceField(
        label=_("Programme"),
        queryset=ProgrammeVersion.objects.none(),
        help_text=_("Only approved programme versions can be delivered."),
    )
    branch: forms.ModelChoiceField[Branch] = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none()
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[(value, capfirst(label)) for value, label in Format.choices]
    )
    language = forms.ChoiceField(label=_("Language"), choices=COHORT_LANGUAGES)
    starts_on = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends"), widget=forms.DateInput(attrs={"type": "date"}))
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_("Number of seats. Leave empty for a self-paced course, which takes everyone."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=40,
        help_text=_("Leave empty to get one like PROGRAMME-BRANCH-YYYYMM-1."),
    )
    abroad_country = forms.ChoiceField(
        label=_("Delivered abroad in"),
        required=False,
        choices=[("", _("— in Kazakhstan —"))]
        + [(value, label) for value, label in Country.choices if value != "KZ"],
        help_text=_(
            "A cohort delivered abroad also takes participants registered by an identity "
            "document instead of an IIN."
        ),
    )

    def __init__(self, *args: Any, branches: QuerySet[Branch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version_field = self.fields["version"]
        assert isinstance(version_field, forms.ModelChoiceField)
        version_field.queryset = (
            ProgrammeVersion.objects.filter(status=VersionStatus.APPROVED)
            .select_related("programme")
            .order_by("programme__code", "-number")
        )
        branch_field = self.fields["branch"]
        assert isinstance(branch_field, forms.ModelChoiceField)
        branch_field.queryset = branches
        if branches.count() == 1:
            branch_field.initial = branches.first()
            branch_field.empty_label = None


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=1,
        min_value=0.5,
        max_value=24,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=200,
        help_text=_("Address and room; required for classroom sessions."),
    )
    online_link = forms.CharField(
        label=_("Online link"),
        required=False,
        max_length=200,
        help_text=_("Required for online sessions."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Capacity"), min_value=1, max_value=100000, widget=forms.NumberInput()
    )


WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class SessionSeriesForm(SessionForm):
    """Many sessions at once: every chosen weekday from `date` to `until`."""

    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].label = _("From")
        self.fields["starts_at"].label = _("Starts at")
        self.fields["ends_at"].label = _("Ends at")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CohortStatus.choices)


class TrainerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a trainer by name or IIN"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class EnrolListForm(forms.Form):
    iins = forms.CharField(
        label=_("IINs, one per line"),
        required=False,
        max_length=100000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = forms.FileField(
        label=_("…or a file"),
        required=False,
        help_text=_("Text, CSV or Excel (.xlsx): the IIN in the first column, one per line."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("iins") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Paste a list of IINs or choose a file."))
        return data


class AssessmentForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Assessment"),
        choices=[("", _("unknown")), ("passed", _("passed")), ("failed", _("not passed"))],
        required=False,
    )

    def passed(self) -> bool | None:
        value = self.cleaned_data.get("result")
        return None if not value else value == "passed"


class CohortFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Code or programme"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses"))]
        + [(value, capfirst(label)) for value, label in CohortStatus.choices],
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("All formats"))]
        + [(value, capfirst(label)) for value, label in Format.choices],
    )
