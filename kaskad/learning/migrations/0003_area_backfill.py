"""Fill the area of the online completions made before the column existed, by the rule the
services apply at completion (docs/adr/0007-read-models.md, "Online completions"): through a
cohort, the area of the cohort enrolment; otherwise the area of the person's school on the day
of completion (the job in force that day, the main job first, else the person's current
organisation); no area for a learner without a registry person."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.utils import timezone

BATCH = 2000


def backfill(apps: Any, schema_editor: Any) -> None:
    Enrolment = apps.get_model("learning", "Enrolment")
    DeliveryEnrolment = apps.get_model("delivery", "Enrolment")
    Employment = apps.get_model("registry", "Employment")
    Person = apps.get_model("registry", "Person")
    done = Enrolment.objects.filter(completed_at__isnull=False, area__isnull=True)
    done.filter(delivery_enrolment__isnull=False).update(
        area_id=Subquery(
            DeliveryEnrolment.objects.filter(pk=OuterRef("delivery_enrolment_id")).values(
                "area_id"
            )[:1]
        )
    )
    rows = done.filter(delivery_enrolment__isnull=True, person__isnull=False).order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).values_list("pk", "person_id", "completed_at")[:BATCH])
        if not batch:
            break
        last = batch[-1][0]
        people = {person_id for _pk, person_id, _at in batch}
        jobs: dict[int, list[tuple[Any, Any, bool, int, int | None]]] = defaultdict(list)
        for person_id, started, ended, primary, pk, area_id in Employment.objects.filter(
            person_id__in=people
        ).values_list(
            "person_id", "started_on", "ended_on", "is_primary", "pk", "organisation__area_id"
        ):
            jobs[person_id].append((started, ended, primary, pk, area_id))
        current = dict(
            Person.objects.filter(pk__in=people).values_list(
                "pk", "current_organisation__area_id"
            )
        )
        changed = []
        for pk, person_id, completed_at in batch:
            day = timezone.localdate(completed_at)
            in_force = [
                j for j in jobs.get(person_id, []) if j[0] <= day and (j[1] is None or j[1] >= day)
            ]
            if in_force:
                # The main job first, then the latest started (and the latest recorded).
                area_id = max(in_force, key=lambda j: (j[2], j[0], j[3]))[4]
            else:
                area_id = current.get(person_id)
            if area_id is not None:
                changed.append(Enrolment(pk=pk, area_id=area_id))
        Enrolment.objects.bulk_update(changed, ["area"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0002_area_at_completion"),
        ("delivery", "0001_initial"),
        ("registry", "0005_person_identity_document"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
