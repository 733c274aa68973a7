"""`manage.py api_token_create USERNAME`: a personal API token, printed once."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaskad.accounts.models import User
from kaskad.accounts.tokens import DEFAULT_LIFETIME_DAYS, api_token_create
from kaskad.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a personal API token for a user. The token is printed once and cannot be "
        "shown again: only its hash is stored."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_LIFETIME_DAYS,
            help=f"Days until it expires (default {DEFAULT_LIFETIME_DAYS}).",
        )
        parser.add_argument("--no-expiry", action="store_true", help="A token that never expires.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        try:
            token, raw = api_token_create(
                user=user,
                name=options["name"],
                days=None if options["no_expiry"] else options["days"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        expiry = f"{token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else "never"
        self.stderr.write(
            f"Token {token.prefix}… for {user.username}, expires: {expiry}. "
            "Copy it now, it is not shown again:"
        )
        # The token alone on stdout, so `TOKEN=$(manage.py api_token_create bob)` works.
        self.stdout.write(raw)
