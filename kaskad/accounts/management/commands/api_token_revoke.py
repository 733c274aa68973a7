"""`manage.py api_token_revoke USERNAME [--prefix P | --all]`: refuse a user's tokens from now."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaskad.accounts.models import ApiToken, User
from kaskad.accounts.tokens import api_token_revoke


class Command(BaseCommand):
    help = "Revoke a user's API tokens (one by its prefix, or all); without options, list them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--prefix", help="The token's first characters, e.g. ksk_Ab12Cd.")
        group.add_argument("--all", action="store_true", help="Every token of the user.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        if options["prefix"]:
            tokens = tokens.filter(prefix=options["prefix"])
            if not tokens.exists():
                raise CommandError(f"No active token {options['prefix']!r} for {user.username}.")
        elif not options["all"]:
            for token in tokens:
                expiry = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.prefix}  {token.name or '-'}  expires {expiry}  last used {used}"
                )
            return
        count = sum(api_token_revoke(token=token) for token in tokens)
        self.stdout.write(f"Revoked {count} token(s) of {user.username}.")
