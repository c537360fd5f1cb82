"""The composition root of the auth service: what it is made of, wired in one place."""

from servicekit.service import ServiceDefinition

from auth_service.api import keys, me, tokens, users
from auth_service.db.tables import metadata
from auth_service.demo import seed
from auth_service.settings import AuthSettings

service = ServiceDefinition(
    name="auth",
    title="Auth service",
    description="Users, roles, credentials, refresh tokens and the signing keys of access tokens.",
    settings=AuthSettings,
    metadata=metadata,
    migrations="auth_service:migrations",
    routers=(tokens.router, me.router, users.router, keys.router),
    seed=seed,
    openapi_tags=(
        {"name": "tokens", "description": "Signing in and out; the public keys (JWKS)."},
        {"name": "me", "description": "The signed-in user's own account."},
        {"name": "users", "description": "Administering users (admin role)."},
        {"name": "signing keys", "description": "Rotating the token signing keys (admin role)."},
    ),
)
