"""Downloads, favourites, ratings.

A download appends one row to `Download` and never updates a shared row, so concurrent
downloads of one material do not wait for each other (75 million a year). The job
:func:`downloads_aggregate` folds the rows into `DownloadDaily` and `Material.downloads`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Avg, Count, F, Max
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError
from kaskad.library.models import Download, DownloadDaily, Favourite, Material, Rating

if TYPE_CHECKING:
    from kaskad.accounts.models import User

REVIEW_MAX = 500


def download_record(*, material: Material) -> None:
    """Count one download: an insert, nothing else."""
    Download.objects.create(material_id=material.pk)


def downloads_aggregate(*, batch: int = 50_000) -> int:
    """Fold appended downloads into the daily table and the materials' totals; returns how
    many rows were folded. Safe to run while downloads go on (only rows up to a fixed id)."""
    folded = 0
    while True:
        top = Download.objects.order_by("id").values_list("id", flat=True)[batch - 1 : batch]
        upto = top[0] if top else Download.objects.aggregate(m=Max("id"))["m"]
        if upto is None:
            return folded
        with transaction.atomic():
            rows = list(
                Download.objects.filter(id__lte=upto)
                .annotate(day=TruncDate("at"))
                .values("material_id", "day")
                .annotate(n=Count("id"))
            )
            totals: dict[int, int] = {}
            for row in rows:
                daily, _created = DownloadDaily.objects.get_or_create(
                    material_id=row["material_id"], day=row["day"]
                )
                DownloadDaily.objects.filter(pk=daily.pk).update(count=F("count") + row["n"])
                totals[row["material_id"]] = totals.get(row["material_id"], 0) + row["n"]
            for material_id, n in totals.items():
                Material.objects.filter(pk=material_id).update(downloads=F("downloads") + n)
            deleted, _detail = Download.objects.filter(id__lte=upto).delete()
            folded += deleted
        if not top:
            return folded


def download_count(material: Material) -> int:
    """Folded total plus what is not folded yet."""
    return material.downloads + Download.objects.filter(material_id=material.pk).count()


def favourite_set(*, material: Material, by: User, on: bool) -> bool:
    if on:
        Favourite.objects.get_or_create(material=material, user=by)
    else:
        Favourite.objects.filter(material=material, user=by).delete()
    return on


def rating_set(*, material: Material, by: User, stars: int, review: str = "") -> Rating:
    """A teacher's rating (1 to 5) and short review; one per person, changed by rating again."""
    if stars not in (1, 2, 3, 4, 5):
        raise DomainError("stars", _("Choose from 1 to 5 stars."), field="stars")
    review = " ".join((review or "").split())
    if len(review) > REVIEW_MAX:
        raise DomainError(
            "review_too_long",
            _("The review is too long: at most %(n)s characters.") % {"n": REVIEW_MAX},
            field="review",
        )
    if material.submitted_by_id == by.pk:
        raise DomainError("own_material", _("You cannot rate your own material."))
    with transaction.atomic():
        rating, created = Rating.objects.update_or_create(
            material=material, user=by, defaults={"stars": stars, "review": review}
        )
        summary = Rating.objects.filter(material=material).aggregate(a=Avg("stars"), n=Count("id"))
        Material.objects.filter(pk=material.pk).update(
            rating_avg=float(summary["a"] or 0), rating_count=summary["n"]
        )
        audit_record(
            actor=by,
            action="create" if created else "update",
            obj=rating,
            changes={"stars": [None, stars], "review": [None, review]},
        )
    return rating
