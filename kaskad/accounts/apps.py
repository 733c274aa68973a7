from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from kaskad.core.scope import set_scope_resolver


class AccountsConfig(AppConfig):
    name = "kaskad.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The scope reads the role assignments: models are loaded only once apps are ready.
        from kaskad.accounts.scopes import user_scope

        set_scope_resolver(user_scope)
