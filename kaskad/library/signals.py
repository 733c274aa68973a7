"""A portfolio published, taken down or whose consent is withdrawn is mirrored in the library
at once (the library also reads the consent on every query, so nothing withdrawn is ever shown
even before this runs)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from kaskad.assessment.models import Portfolio


@receiver(post_save, sender=Portfolio, dispatch_uid="library-portfolio-mirror")
def portfolio_saved(sender: Any, instance: Portfolio, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    fields = kwargs.get("update_fields")
    watched = {"published_at", "publish_consent_at", "status", "rating"}
    if instance.published_at is None and (fields is None or not watched & set(fields)):
        # Never published and nothing that decides it changed: no query on this save.
        return
    from kaskad.library.services.portfolios import portfolio_material_sync

    portfolio_material_sync(portfolio=instance)
