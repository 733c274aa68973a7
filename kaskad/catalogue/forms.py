"""Forms of the catalogue pages. They only shape input: the rules live in the services, whose
errors the views put back on the right field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaskad.catalogue.models import (
    AssessmentScheme,
    Format,
    Programme,
    ProgrammeArea,
    VersionStatus,
)
from kaskad.catalogue.services import MAX_HOURS, ModuleData, VersionData
from kaskad.registry.choices import Language, Level, Position
from kaskad.registry.models import Branch

LANGUAGE_NAMES = {"kk": _("Kazakh"), "ru": _("Russian"), "en": _("English")}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Title or code"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    area: forms.ModelChoiceField[ProgrammeArea] = forms.ModelChoiceField(
        label=_("Programme area"),
        queryset=ProgrammeArea.objects.all(),
        required=False,
        empty_label=_("All programme areas"),
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("All formats")), *Format.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("All languages")), *LANGUAGE_NAMES.items()],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *VersionStatus.choices],
    )

    def __init__(self, *args: Any, show_status: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not show_status:
            del self.fields["status"]


class VersionForm(forms.Form):
    """The content of a version (titles, audience, hours, formats...). Modules come from the
    module formset next to it."""

    title_kk = forms.CharField(label=_("Title in Kazakh"), max_length=300, required=False)
    title_ru = forms.CharField(label=_("Title in Russian"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title in English"), max_length=300, required=False)
    description_kk = forms.CharField(
        label=_("Description in Kazakh"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_ru = forms.CharField(
        label=_("Description in Russian"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description in English"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=MAX_HOURS, initial=80)
    formats = forms.MultipleChoiceField(
        label=_("Allowed formats"),
        choices=Format.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_positions = forms.MultipleChoiceField(
        label=_("Positions it is for"),
        choices=Position.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: open to every position."),
    )
    audience_levels = forms.MultipleChoiceField(
        label=_("Levels it is for"),
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: open to every level."),
    )
    assessment_scheme = forms.ChoiceField(
        label=_("Assessment"),
        choices=AssessmentScheme.choices,
        initial=AssessmentScheme.PORTFOLIO,
    )
    min_attendance_percent = forms.IntegerField(
        label=_("Minimum attendance, percentage of hours"), min_value=0, max_value=100, initial=80
    )

    def version_data(self, modules: list[ModuleData] | None) -> VersionData:
        data = self.cleaned_data
        return VersionData(
            **{name: data[name] or "" for name in _TEXT},
            hours=data["hours"] or 0,
            formats=list(data["formats"]),
            languages=list(data["languages"]),
            audience_positions=list(data["audience_positions"]),
            audience_levels=list(data["audience_levels"]),
            assessment_scheme=data["assessment_scheme"],
            min_attendance_percent=data["min_attendance_percent"],
            modules=modules,
        )


_TEXT = tuple(f"{name}_{lang}" for name in ("title", "description") for lang in ("kk", "ru", "en"))


def version_initial(data: VersionData) -> dict[str, Any]:
    return {
        **{name: getattr(data, name) for name in _TEXT},
        "hours": data.hours,
        "formats": data.formats,
        "languages": data.languages,
        "audience_positions": data.audience_positions,
        "audience_levels": data.audience_levels,
        "assessment_scheme": data.assessment_scheme,
        "min_attendance_percent": data.min_attendance_percent,
    }


class ProgrammeCreateForm(VersionForm):
    code = forms.CharField(
        label=_("Programme code"),
        max_length=40,
        help_text=_("Latin letters, digits and hyphens, e.g. FL-MATH. It never changes."),
    )
    area: forms.ModelChoiceField[ProgrammeArea] = forms.ModelChoiceField(
        label=_("Programme area"), queryset=ProgrammeArea.objects.all(), empty_label=None
    )
    field_order = ["code", "area"]


class ModuleForm(forms.Form):
    title_kk = forms.CharField(label=_("Module title in Kazakh"), max_length=300, required=False)
    title_ru = forms.CharField(label=_("Module title in Russian"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Module title in English"), max_length=300, required=False)
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=MAX_HOURS, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(f"title_{lang}") for lang in ("kk", "ru", "en")) and not data.get(
            "hours"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        titled = any(data.get(f"title_{lang}") for lang in ("kk", "ru", "en"))
        if titled and not data.get("hours"):
            self.add_error("hours", _("Give the module's hours."))
        if data.get("hours") and not titled:
            self.add_error("title_kk", _("Give the module a title."))
        return data


ModuleFormSet = forms.formset_factory(ModuleForm, extra=3, max_num=40, absolute_max=60)


def formset_modules(formset: Any) -> list[ModuleData]:
    """The filled-in rows of a valid module formset, in order; blank rows are skipped."""
    return [
        ModuleData(
            title_kk=form.cleaned_data.get("title_kk") or "",
            title_ru=form.cleaned_data.get("title_ru") or "",
            title_en=form.cleaned_data.get("title_en") or "",
            hours=form.cleaned_data.get("hours") or 0,
        )
        for form in formset.forms
        if form.has_changed() and not form.is_blank()
    ]


class CertificationForm(forms.Form):
    body = forms.CharField(label=_("Certifying body"), max_length=120, initial="ACQUIN")
    certified_on = forms.DateField(label=_("Certified on"), widget=DATE_INPUT)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty for three years after the certification date."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PlanLineForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    branch: forms.ModelChoiceField[Branch] = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), empty_label=None
    )
    programme: forms.ModelChoiceField[Programme] = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none()
    )
    planned_cohorts = forms.IntegerField(
        label=_("Planned cohorts"), min_value=0, max_value=10_000_000, initial=0
    )
    planned_participants = forms.IntegerField(
        label=_("Planned participants"), min_value=0, max_value=10_000_000, initial=0
    )

    def __init__(
        self,
        *args: Any,
        branches: QuerySet[Branch],
        programmes: QuerySet[Programme],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        branch_field = self.fields["branch"]
        assert isinstance(branch_field, forms.ModelChoiceField)
        branch_field.queryset = branches
        programme_field = self.fields["programme"]
        assert isinstance(programme_field, forms.ModelChoiceField)
        programme_field.queryset = programmes
        programme_field.label_from_instance = _programme_label  # type: ignore[assignment,method-assign]
        if editing:
            # A line's year, branch and programme are its identity: change only the figures.
            for name in ("year", "branch", "programme"):
                self.fields[name].disabled = True
                self.fields[name].required = False


def _programme_label(programme: Programme) -> str:
    # The choices come from `programme_list_visible_to`, which prefetches the live versions.
    live = getattr(programme, "live_versions", None) or []
    version = next((v for v in live if v.status == VersionStatus.APPROVED), None) or (
        live[0] if live else None
    )
    return f"{programme.code} — {version.title}" if version else programme.code


def this_year() -> int:
    return timezone.localdate().year
