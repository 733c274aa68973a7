"""Search and filter forms of the registry pages (GET forms: the URL is shareable)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaskad.registry.choices import (
    Country,
    DocumentType,
    Locality,
    OrganisationKind,
    Position,
    Sex,
)
from kaskad.registry.models import Area, Organisation


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


class TransferRequestForm(forms.Form):
    iin = forms.CharField(
        label=_("IIN of the person"),
        max_length=20,
        help_text=_("Where the person works now is not shown: their branch decides."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    to_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Into organisation"), queryset=Organisation.objects.none()
    )
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    transfer_date = forms.DateField(
        label=_("Transfer date"),
        help_text=_("The first day at the new organisation."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Note for the deciding branch"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations if organisations is not None else Organisation.objects.none()


class TransferDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The requesting branch sees it."),
    )


class ForeignPersonForm(forms.Form):
    """A participant abroad without an IIN, registered by an identity document (ADR 0005)."""

    document_country = forms.ChoiceField(
        label=_("country of the document"), choices=Country.choices
    )
    document_type = forms.ChoiceField(label=_("identity document"), choices=DocumentType.choices)
    document_number = forms.CharField(label=_("document number"), max_length=40)
    surname = forms.CharField(label=_("surname"), max_length=100)
    given_name = forms.CharField(label=_("given name"), max_length=100)
    patronymic = forms.CharField(label=_("patronymic"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("birth date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices)
    email = forms.EmailField(label=_("email"), required=False)
