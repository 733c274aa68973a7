"""Sessions of a cohort: one at a time or a weekly series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.catalogue.models import Format
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, StateConflict
from kaskad.delivery.models import Attendance, Cohort, Session
from kaskad.delivery.selectors import REMOTE_FORMATS
from kaskad.delivery.services._common import _require_editable, _require_manager

# --- Sessions -----------------------------------------------------------------------------------


@dataclass
class SessionData:
    date: date
    starts_at: time
    ends_at: time
    hours: Decimal
    place: str = ""
    online_link: str = ""


def session_add(*, cohort: Cohort, data: SessionData, by: User) -> Session:
    _require_manager(by, cohort)
    _require_editable(cohort)
    place = data.place.strip()
    link = data.online_link.strip()
    if not cohort.starts_on <= data.date <= cohort.ends_on:
        raise DomainError(
            "session_outside_cohort",
            _("The session date must be within the cohort's dates (%(starts)s – %(ends)s).")
            % {
                "starts": date_format(cohort.starts_on, "SHORT_DATE_FORMAT"),
                "ends": date_format(cohort.ends_on, "SHORT_DATE_FORMAT"),
            },
            field="date",
        )
    if data.ends_at <= data.starts_at:
        raise DomainError(
            "session_ends_before_start",
            _("The session must end after it starts."),
            field="ends_at",
        )
    if not Decimal("0") < data.hours <= Decimal("24"):
        raise DomainError(
            "session_hours", _("The hours must be more than 0 and at most 24."), field="hours"
        )
    if link:
        try:
            URLValidator(schemes=["https", "http"])(link)
        except ValidationError:
            raise DomainError(
                "online_link_invalid",
                _("The online link must be a web address starting with https://."),
                field="online_link",
            ) from None
    if cohort.format == Format.CLASSROOM and not place:
        raise DomainError(
            "place_required",
            _("A classroom session needs a place (address and room)."),
            field="place",
        )
    if cohort.format in REMOTE_FORMATS and not link:
        raise DomainError(
            "online_link_required",
            _("An online session needs a link where participants join."),
            field="online_link",
        )
    if cohort.format == Format.BLENDED and not (place or link):
        raise DomainError(
            "place_or_link_required",
            _("A blended cohort's session needs a place, an online link, or both."),
            field="place",
        )
    with transaction.atomic():
        session = Session.objects.create(
            cohort=cohort,
            date=data.date,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            hours=data.hours,
            place=place,
            online_link=link,
        )
        audit_record(
            actor=by,
            action="create",
            obj=session,
            changes={
                "cohort": cohort.pk,
                "date": data.date,
                "starts_at": data.starts_at,
                "ends_at": data.ends_at,
                "hours": str(data.hours),
                "place": place,
                "online_link": link,
            },
        )
    return session


MAX_SERIES = 200


def session_add_series(
    *,
    cohort: Cohort,
    data: SessionData,
    weekdays: Sequence[int],
    until: date,
    by: User,
) -> list[Session]:
    """Sessions on the given weekdays (0 = Monday) from `data.date` to `until` inclusive, each
    with the times, hours, place and link of `data`: every one checked like a single session,
    all created or none."""
    _require_manager(by, cohort)
    _require_editable(cohort)
    days = sorted({int(d) for d in weekdays})
    if not days or any(not 0 <= d <= 6 for d in days):
        raise DomainError(
            "weekdays_required", _("Choose at least one day of the week."), field="weekdays"
        )
    if until < data.date:
        raise DomainError(
            "series_ends_before_start",
            _("The last day of the series is before its first day."),
            field="until",
        )
    dates = [
        data.date + timedelta(days=offset)
        for offset in range((until - data.date).days + 1)
        if (data.date + timedelta(days=offset)).weekday() in days
    ]
    if not dates:
        raise DomainError(
            "series_empty",
            _("No chosen day of the week falls between %(first)s and %(last)s.")
            % {
                "first": date_format(data.date, "SHORT_DATE_FORMAT"),
                "last": date_format(until, "SHORT_DATE_FORMAT"),
            },
            field="weekdays",
        )
    if len(dates) > MAX_SERIES:
        raise DomainError(
            "series_too_long",
            _("That makes %(count)s sessions; at most %(max)s can be added at once.")
            % {"count": len(dates), "max": MAX_SERIES},
            field="until",
        )
    existing = set(
        Session.objects.filter(cohort=cohort, date__in=dates, starts_at=data.starts_at).values_list(
            "date", flat=True
        )
    )
    with transaction.atomic():
        return [
            session_add(cohort=cohort, data=replace(data, date=day), by=by)
            for day in dates
            if day not in existing  # the same day and time twice is one session
        ]


def session_remove(*, session: Session, by: User) -> None:
    cohort = session.cohort
    _require_manager(by, cohort)
    _require_editable(cohort)
    if Attendance.objects.filter(session=session).exists():
        raise StateConflict(
            "session_has_attendance",
            _("Attendance has been marked for this session: it cannot be removed."),
        )
    with transaction.atomic():
        audit_record(actor=by, action="delete", obj=session)
        session.delete()
