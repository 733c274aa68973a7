"""Translated messages for the registry's validation codes (the pure modules return codes)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Promise] = {
    "iin_length": _("An IIN must be exactly 12 digits."),
    "iin_not_digits": _("An IIN must contain digits only."),
    "iin_century": _("The 7th digit of an IIN must be 1–6 (century and sex)."),
    "iin_date": _("The first six digits of an IIN must be a real birth date (YYMMDD)."),
    "iin_future": _("The birth date in the IIN is in the future."),
    "iin_checksum": _("The IIN check digit is wrong: check the number for a typing error."),
    "bin_length": _("A BIN must be exactly 12 digits."),
    "bin_not_digits": _("A BIN must contain digits only."),
    "bin_month": _("Digits 3–4 of a BIN must be a registration month 01–12."),
    "bin_type": _("The 5th digit of a BIN must be 4, 5 or 6."),
    "bin_checksum": _("The BIN check digit is wrong: check the number for a typing error."),
    "document_type": _("Unknown kind of identity document: “%(value)s”."),
    "document_country": _("Unknown country of the identity document: “%(value)s”."),
    "document_country_kz": _(
        "Residents of Kazakhstan are registered by IIN, not by an identity document."
    ),
    "document_empty": _("The document number is empty."),
    "document_chars": _(
        "The document number “%(value)s” may contain only Latin letters and digits."
    ),
    "document_digits": _("The document number “%(value)s” contains no digit."),
    "document_length": _(
        "The document number “%(value)s” must be %(min)s to %(max)s characters long for this "
        "kind of document."
    ),
    "document_taken": _(
        "A participant with this document (%(value)s) is already registered: %(other)s."
    ),
    "name_empty": _("The name is empty."),
    "name_bad_char": _("The name contains a character that is not a letter: “%(char)s”."),
    "name_mixed_script": _(
        "The name mixes Latin and Cyrillic letters and the intended spelling is unclear."
    ),
    "name_corrected": _("Latin and Cyrillic look-alike letters were corrected: “%(value)s”."),
    "iin_birth_date_mismatch": _(
        "The birth date %(given)s does not match the IIN, which gives %(expected)s."
    ),
    "iin_sex_mismatch": _("The sex %(given)s does not match the IIN, which gives %(expected)s."),
    "bin_required": _("A BIN is required for this kind of organisation."),
    "bin_taken": _("This BIN already belongs to another organisation (%(other)s)."),
    "employment_not_after_current": _(
        "The start date %(given)s is not after the start of the current job (%(current)s): "
        "the history would need an invented date."
    ),
    "employment_overlaps_history": _(
        "The start date %(given)s is not after the end of the previous job (%(end)s)."
    ),
}


def message_for(code: str, params: Mapping[str, object] | None = None) -> str:
    """The message for a code in the active language, with its parameters filled in."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    text = gettext(str(template)) if not isinstance(template, Promise) else str(template)
    try:
        return text % dict(params or {})
    except (KeyError, ValueError, TypeError):
        return text
