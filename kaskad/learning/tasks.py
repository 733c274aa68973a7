"""Background tasks of the online courses (run by `manage.py worker`)."""

from __future__ import annotations

from django_tasks import task

from kaskad.learning.models import Enrolment, EnrolmentStatus
from kaskad.learning.services import certificate_for


@task()
def issue_certificate(enrolment_id: int) -> str:
    """Issue the certificate of a completed enrolment (queued when the learner completes;
    the PDF waits for the first download)."""
    enrolment = Enrolment.objects.filter(pk=enrolment_id, status=EnrolmentStatus.COMPLETED).first()
    if enrolment is None:
        return ""
    return certificate_for(enrolment=enrolment).number
