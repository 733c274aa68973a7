"""The JSON API: one NinjaAPI, one router per bounded context (OpenAPI at /api/docs)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Kaskad API", version="1", urls_namespace="api")
