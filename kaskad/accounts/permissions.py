"""Who may do what with accounts and the things core keeps per user (background jobs).

API tokens are issued and revoked only with management commands (`api_token_create`,
`api_token_revoke`), which the operator runs: no signed-in user manages them, so there is no
predicate for it here.
"""

from __future__ import annotations

from kaskad.accounts.models import Role, User
from kaskad.accounts.scopes import user_scope


def sees_all_jobs(user: User) -> bool:
    """National administrators may follow every background job, not only their own
    (see KASKAD_JOB_SUPERVISOR_CHECK: the core app may not import accounts)."""
    return user_scope(user).has(Role.NATIONAL_ADMIN)
