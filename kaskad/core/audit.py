"""The one way services record a decision in the audit trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import models

from kaskad.core.models import AuditEntry

if TYPE_CHECKING:
    from kaskad.accounts.models import User


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field-by-field changes as {field: [old, new]}, only for fields that changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in after
        if _jsonable(before.get(key)) != _jsonable(after.get(key))
    }


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
    source: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes={key: _jsonable(value) for key, value in (changes or {}).items()},
        source=source[:200],
    )


def audit_bulk(entries: Iterable[AuditEntry], *, batch_size: int = 2000) -> None:
    """Bulk imports write their trail in batches too."""
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
