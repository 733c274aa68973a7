"""How a page view shows a service's refusal, so that views read "parse, call, redirect"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest

from kaskad.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


@contextmanager
def domain_errors_as_messages(request: HttpRequest) -> Iterator[None]:
    """Turn a `DomainError` raised inside the block into an error message on the next page.

    A not-found refusal becomes the page's 404: out of scope keeps looking like a missing page.
    """
    try:
        yield
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, str(error.message))


@contextmanager
def domain_errors_on_form(form: forms.Form) -> Iterator[None]:
    """Turn a `DomainError` raised inside the block into an error on the form's field."""
    try:
        yield
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        add_domain_error(form, error)
