"""Labels of registry codes in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from kaskad.registry.choices import subject_label

register = template.Library()


@register.filter
def subject_labels(codes: Iterable[str] | None) -> str:
    """["kazakh_language", "history"] → "Kazakh language, history" (translated)."""
    return ", ".join(subject_label(code) for code in codes or []) or "—"
