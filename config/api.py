"""The JSON API: one NinjaAPI, one router per bounded context (OpenAPI at /api/docs)."""

from kaskad.accounts.api import router as accounts_router
from kaskad.accounts.tokens import api_token_user
from kaskad.assessment.allocation.api import router as assessment_allocation_router
from kaskad.assessment.marking.api import router as assessment_marking_router
from kaskad.assessment.portfolios.api import router as assessment_portfolios_router
from kaskad.assessment.publishing.api import router as assessment_publishing_router
from kaskad.cascade.api import router as cascade_router
from kaskad.catalogue.api import router as catalogue_router
from kaskad.certificates.api import router as certificates_router
from kaskad.core.api import (
    KaskadNinjaAPI,
    SessionAuth,
    TokenAuth,
    docs_sign_in_required,
    install_error_handlers,
)
from kaskad.delivery.api import router as delivery_router
from kaskad.plagiarism.api import router as plagiarism_router
from kaskad.registry.api import router as registry_router
from kaskad.registry.api_transfers import router as registry_transfers_router
from kaskad.web.api import router as web_router

api = KaskadNinjaAPI(
    title="Kaskad API",
    version="1",
    urls_namespace="api",
    description=(
        "The national registry of the in-service teacher-training platform. Sign in (browser "
        "session, CSRF token on unsafe methods) or send `Authorization: Bearer <token>`. Every "
        'error is `{"error": {"code", "message", "field", "details"}}`. See docs/api.md.'
    ),
    # A token is tried first: scripts never depend on cookies or CSRF.
    auth=[TokenAuth(api_token_user), SessionAuth()],
    # The docs list every endpoint and field: for signed-in users and tokens only.
    docs_decorator=docs_sign_in_required(api_token_user),
)
install_error_handlers(api)
api.add_router("", registry_router)
api.add_router("", registry_transfers_router)
api.add_router("", accounts_router)
api.add_router("", web_router)
api.add_router("", catalogue_router)
api.add_router("", cascade_router)
api.add_router("", delivery_router)
api.add_router("", assessment_portfolios_router)
api.add_router("", assessment_allocation_router)
api.add_router("", assessment_marking_router)
api.add_router("", assessment_publishing_router)
api.add_router("", certificates_router)
api.add_router("", plagiarism_router)
