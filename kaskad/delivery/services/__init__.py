"""Writes of delivery, one module per entity: cohorts, sessions, trainers, enrolment (with
coordinators' lists), the waitlist, attendance and completion. The pages, the API and
coordinators' lists all come here, so each rule holds everywhere.

Code inside delivery imports from the entity module; the names below are the public surface
for other apps, seeders and benchmarks (see docs/delivery.md).
"""

from kaskad.core.errors import StateConflict
from kaskad.delivery.services._common import EnrolmentRefused
from kaskad.delivery.services.attendance import attendance_save
from kaskad.delivery.services.cohorts import (
    CohortData,
    cohort_create,
    cohort_set_capacity,
    cohort_set_status,
)
from kaskad.delivery.services.completion import (
    enrolment_complete_online,
    enrolment_record_assessment,
    enrolment_set_assessment,
)
from kaskad.delivery.services.enrolment import (
    LineResult,
    enrolment_remove,
    enrolment_request,
    enrolment_request_list,
    enrolment_withdraw,
    manager_may_enrol,
    person_for_enrolment,
    unknown_iin_error,
)
from kaskad.delivery.services.sessions import (
    MAX_SERIES,
    SessionData,
    session_add,
    session_add_series,
    session_remove,
)
from kaskad.delivery.services.trainers import accreditation_problem, trainer_assign, trainer_remove

__all__ = [
    "MAX_SERIES",
    "CohortData",
    "EnrolmentRefused",
    "LineResult",
    "SessionData",
    "StateConflict",
    "accreditation_problem",
    "attendance_save",
    "cohort_create",
    "cohort_set_capacity",
    "cohort_set_status",
    "enrolment_complete_online",
    "enrolment_record_assessment",
    "enrolment_remove",
    "enrolment_request",
    "enrolment_request_list",
    "enrolment_set_assessment",
    "enrolment_withdraw",
    "manager_may_enrol",
    "person_for_enrolment",
    "session_add",
    "session_add_series",
    "session_remove",
    "trainer_assign",
    "trainer_remove",
    "unknown_iin_error",
]
