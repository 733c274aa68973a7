"""Search and filter forms of the registry pages (GET forms: the URL is shareable)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaskad.registry.choices import Locality, OrganisationKind
from kaskad.registry.models import Area


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("IIN or name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": _("e.g. 871008401427 or Kasymova Aliya"),
            }
        ),
    )


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name, code or BIN"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=_("All areas")
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganisationKind.choices]
    )
    locality = forms.ChoiceField(
        label=_("Urban or rural"),
        required=False,
        choices=[("", _("Urban and rural")), *Locality.choices],
    )

    def __init__(self, *args: Any, areas: QuerySet[Area] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the areas the user can see organisations in, so no filter leads to nothing.
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = areas if areas is not None else Area.objects.all()
