"""The notifications page.

Thin on purpose: reads through `selectors` (scope first: out of scope is 404), writes through
`services` (whose refusals are shown as messages or on the form field they name).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kaskad.core.models import Notification
from kaskad.delivery import selectors
from kaskad.delivery.messages import notification_text
from kaskad.delivery.views._common import PAGE_SIZE, AuthedRequest

# --- Notifications ------------------------------------------------------------------------------


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("delivery:notifications")
    page = Paginator(selectors.notification_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    notes: list[Notification] = list(page.object_list)
    items = [{"notification": n, "text": notification_text(n.message, n.params)} for n in notes]
    unread = sum(1 for n in notes if n.read_at is None)
    return render(
        request,
        "delivery/notifications.html",
        {"page": page, "items": items, "unread": unread, "querystring": ""},
    )
