"""Texts that delivery stores as codes with parameters and shows in the reader's language:
the outcome of an enrolment and the notifications it sends."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

OUTCOME_MESSAGES: dict[str, Promise] = {
    "attendance_short": _("attended %(percent)s%% of hours, %(required)s%% required"),
    "attendance_ok": _("attended %(percent)s%% of hours"),
    "assessment_failed": _("assessment not passed"),
    "assessment_missing": _("assessment result missing"),
    "assessment_passed": _("assessment passed"),
    "cohort_finished": _("cohort finished"),
    "online_course_completed": _("online course completed with %(percent)s%% of points"),
    "withdrawn": _("withdrawn by the participant"),
    "withdrawn_by_coordinator": _("withdrawn by the coordinator"),
    "removed": _("removed by the coordinator"),
    "removed_note": _("removed by the coordinator: %(note)s"),
}

# Notifications are stored as a msgid with parameters (see core.Notification): marked here
# for translation, translated when shown.
PROMOTED_NOTIFICATION = gettext_noop(
    "A seat became free in cohort %(cohort)s (%(programme)s): you are now enrolled."
)
NOTIFICATION_MSGIDS = frozenset({PROMOTED_NOTIFICATION})


def outcome_item_text(item: Mapping[str, Any]) -> str:
    template = OUTCOME_MESSAGES.get(str(item.get("code", "")))
    if template is None:
        return str(item.get("code", ""))
    params = {k: v for k, v in item.items() if k != "code"}
    text = str(template)
    try:
        return text % params if params else text.replace("%%", "%")
    except (KeyError, ValueError, TypeError):
        return text


def outcome_text(items: Iterable[Mapping[str, Any]]) -> str:
    """The outcome items joined as one sentence in the active language."""
    return "; ".join(outcome_item_text(item) for item in items)


def outcome_text_en(items: Iterable[Mapping[str, Any]]) -> str:
    """The same in English, kept on the record for exports and the admin."""
    with translation.override("en"):
        return outcome_text(list(items))[:300]
