"""The composition root of the auth service: what it is made of, wired in one place."""

from servicekit.messaging.consumer import HandlerMap
from servicekit.service import ServiceDefinition

from auth_service.api import audit, keys, me, tokens, users
from auth_service.audit import store
from auth_service.audit.retention import retention_workers
from auth_service.db.tables import metadata
from auth_service.demo import seed
from auth_service.settings import AuthSettings


def handlers() -> HandlerMap:
    return store.register(HandlerMap())


service = ServiceDefinition(
    name="auth",
    title="Auth service",
    description=(
        "Users, roles, credentials, refresh tokens, the signing keys of access tokens, and the"
        " durable audit store of every service."
    ),
    settings=AuthSettings,
    metadata=metadata,
    migrations="auth_service:migrations",
    routers=(tokens.router, me.router, users.router, keys.router, audit.router),
    handlers=handlers,
    workers=retention_workers,
    seed=seed,
    openapi_tags=(
        {"name": "tokens", "description": "Signing in and out; the public keys (JWKS)."},
        {"name": "me", "description": "The signed-in user's own account."},
        {"name": "users", "description": "Administering users (admin role)."},
        {"name": "signing keys", "description": "Rotating the token signing keys (admin role)."},
        {"name": "audit", "description": "Every service's audit entries, for admins."},
    ),
)
