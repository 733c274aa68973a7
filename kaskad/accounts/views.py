"""Account pages: sign in and out, password, interface language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kaskad.accounts.forms import LanguageForm, LoginForm
from kaskad.accounts.services import login_failures_clear, user_set_language
from kaskad.core.http import is_safe_url


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        login_failures_clear(username=form.get_user().get_username())
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as in Django 5)."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """`candidate` if it points back to this site, else the page the user came from, else
    home: never an open redirect."""
    for url in (candidate, request.META.get("HTTP_REFERER")):
        if is_safe_url(request, url):
            return str(url)
    return reverse("home")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: saved on the user (so it follows them to every device)
    and in Django's language cookie (so it also holds before signing in)."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next")))
    if not form.is_valid():
        messages.error(request, _("This language is not available."))
        return response
    language: str = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
